"""The production command serves the chat: gunicorn with two uvicorn workers, in production mode, on Redis.

Two sockets of two participants (maybe in two worker processes: the Redis channel layer carries the
message between them) both get a post; an anonymous socket is refused at the handshake.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from chat.models import ChatMessage

ROOT = Path(__file__).resolve().parent.parent.parent
SECRET_KEY = "chat-serving-test-" + "k" * 60

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def production_asgi(settings, tmp_path):
    settings.SECRET_KEY = SECRET_KEY  # sessions made here must read the same in the server
    db = django_settings.DATABASES["default"]
    database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "CELERY_BROKER_URL"}}
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "STATIC_MANIFEST": "false",
            "CELERY_BROKER_URL": "memory://",
        }
    )
    port = _free_port()
    # As docker-compose.yml's web command, with --no-control-socket as the other gunicorn tests pass it.
    server = subprocess.Popen(  # noqa: S603 -- our own interpreter, fixed arguments, loopback only
        [sys.executable, "-m", "gunicorn", "cohortnet.asgi:application", "--worker-class",
         "uvicorn_worker.UvicornWorker", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--no-control-socket"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "gunicorn.log").open("w"),
        start_new_session=True,  # its own process group, so the teardown can stop the workers too
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not _answers(port):  # a worker is up (booting takes seconds on a busy machine)
        if server.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"gunicorn did not start: {(tmp_path / 'gunicorn.log').read_text()[-3000:]}")
        time.sleep(0.5)
    yield f"ws://127.0.0.1:{port}"
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:  # a worker still closing sockets on a busy machine: stop it outright
        server.kill()
        server.wait(timeout=10)
    # Killing the master alone left a worker that was still waiting for a socket's task running after the
    # suite (seen after CI runs); whatever is left of the group goes too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)


def _answers(port: int) -> bool:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz/", headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310 -- our own server on loopback
            return response.status == 200
    except OSError:
        return False


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def test_the_production_server_carries_a_post_to_every_socket_in_the_room(production_asgi, room, maya, tomas):
    path = f"{production_asgi}/ws/chat/rooms/{room.pk}/"
    origin = "https://127.0.0.1"
    with (
        connect(path, origin=origin, additional_headers={"Cookie": _cookie(maya)}, open_timeout=30) as first,
        connect(path, origin=origin, additional_headers={"Cookie": _cookie(tomas)}, open_timeout=30) as second,
    ):
        first.send(json.dumps({"type": "post", "body": "Across the workers"}))
        frames = [json.loads(first.recv(timeout=10)), json.loads(second.recv(timeout=10))]
    message = ChatMessage.objects.get()
    assert message.body == "Across the workers"
    assert [(frame["id"], frame["mine"]) for frame in frames] == [(message.pk, True), (message.pk, False)]

    with pytest.raises(InvalidStatus) as refused:
        connect(path, origin=origin, open_timeout=30)
    assert refused.value.response.status_code == 403
