"""The ASGI entry point: pages over HTTP through Django, chat rooms over WebSockets through Channels.

Served by gunicorn with uvicorn workers in production (docker-compose.yml, Dockerfile) and
by uvicorn on a laptop (``make run``). A socket must come from one of ``ALLOWED_HOSTS``
(its Origin header) and is signed in with the page's session cookie.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cohortnet.settings")
# Django sets itself up here, before anything imports a model (the chat routing does).
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402 -- needs Django set up
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from chat.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
