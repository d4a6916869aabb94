"""The ASGI entry point: pages over HTTP through Django, chat rooms over WebSockets through Channels.

Served by gunicorn with uvicorn workers in production (docker-compose.yml, Dockerfile) and
by uvicorn on a laptop (``make run``). A socket must come from one of ``ALLOWED_HOSTS``
(its Origin header) and is signed in with the page's session cookie.
"""

import os
from urllib.parse import urlparse

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cohortnet.settings")
# Django sets itself up here, before anything imports a model (the chat routing does).
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402 -- needs Django set up
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402

from chat.routing import websocket_urlpatterns  # noqa: E402


class AllowedHostsOnly(OriginValidator):
    """Channels' origin check on ``ALLOWED_HOSTS``, refusing a foreign socket without starting a consumer.

    Channels refuses with ``WebsocketDenier``, a consumer: like any consumer it waits on the channel
    layer (on Redis, a blocking read on one of the pool's connections) until a ``websocket.disconnect``
    that a server never sends after refusing a handshake, so each refused socket held a connection
    until the worker stopped. Here the refusal is the close message alone, and the app returns.
    """

    def __init__(self, application):
        allowed = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
        super().__init__(application, allowed)

    async def __call__(self, scope, receive, send):
        origin = next((value for name, value in scope.get("headers", []) if name == b"origin"), None)
        try:
            parsed = urlparse(origin.decode("latin1")) if origin is not None else None
        except (UnicodeDecodeError, ValueError):
            parsed = None
        if scope["type"] == "websocket" and not self.valid_origin(parsed):
            await receive()  # the websocket.connect every socket starts with
            await send({"type": "websocket.close"})  # before the handshake: the server answers 403
            return None
        return await self.application(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOnly(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
