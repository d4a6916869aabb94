"""The room's socket through the whole ASGI stack (origin check, session auth, routing), on PostgreSQL.

Consumers reach the database from other threads, so these tests commit (``transaction=True``).
"""

import asyncio
import os

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client

from chat.consumers import REFUSED
from chat.models import ChatMessage
from chat.permissions import ALUMNI_READ_ONLY
from chat.services import message_post

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ORIGIN = b"http://localhost"


def _socket(user, room, origin=ORIGIN):
    from cohortnet.asgi import application

    headers = [(b"origin", origin)]
    if user is not None:
        client = Client()
        client.force_login(user)
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return WebsocketCommunicator(application, f"/ws/chat/rooms/{room.pk}/", headers=headers)


def test_a_post_reaches_both_participants_sockets_and_is_stored(room, maya, tomas):
    async def scenario():
        first, second = _socket(maya, room), _socket(tomas, room)
        assert (await first.connect())[0] is True
        assert (await second.connect())[0] is True
        await first.send_json_to({"type": "post", "body": "Hello <b>all</b>"})
        received = [await first.receive_json_from(timeout=5), await second.receive_json_from(timeout=5)]
        await first.disconnect()
        await second.disconnect()
        return received

    mine, theirs = async_to_sync(scenario)()
    (message,) = ChatMessage.objects.all()
    assert (message.author, message.body) == (maya, "Hello <b>all</b>")
    assert (mine["type"], mine["id"], mine["mine"], theirs["mine"]) == ("message", message.pk, True, False)
    assert '<div class="chat-body">Hello &lt;b&gt;all&lt;/b&gt;</div>' in theirs["html"]
    assert "<strong>Maya Okafor, River Data Trust</strong>" in theirs["html"]
    # Edit and delete controls only for the author.
    assert f"/chat/messages/{message.pk}/delete/" in mine["html"]
    assert f"/chat/messages/{message.pk}/delete/" not in theirs["html"]


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_a_socket_to_another_cohorts_room_is_refused_before_the_handshake(request, room, who):
    user = request.getfixturevalue(who) if who != "anonymous" else None

    async def scenario():
        return await _socket(user, room).connect()

    assert async_to_sync(scenario)() == (False, REFUSED)


@pytest.mark.parametrize("origin", [b"https://evil.example", b"\xff\xfe", None])
def test_a_socket_from_another_site_is_refused_and_leaves_nothing_waiting(room, maya, origin, settings):
    # The in-memory layer shows whether a receive still waits on a channel; on Redis that is a blocking
    # read holding one of the pool's connections until the worker stops (Channels' denier did that).
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    from channels.layers import channel_layers

    async def scenario():
        socket = _socket(maya, room, origin=origin or b"")
        if origin is None:
            socket.scope["headers"] = [h for h in socket.scope["headers"] if h[0] != b"origin"]
        refused = await socket.connect(timeout=10)
        try:
            await asyncio.wait_for(asyncio.shield(socket.future), timeout=10)
            ended = True
        except TimeoutError:
            ended = False
            socket.future.cancel()
        return refused, ended, dict(channel_layers["default"].channels)

    refused, ended, waiting = async_to_sync(scenario)()
    assert refused == (False, 1000)
    assert ended
    assert waiting == {}


def test_an_alumnus_receives_the_room_but_cannot_post(old_room, alumnus, staff):
    async def scenario():
        socket = _socket(alumnus, old_room)
        assert (await socket.connect())[0] is True
        await socket.send_json_to({"type": "post", "body": "still here"})
        refused = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return refused

    assert async_to_sync(scenario)() == {"type": "error", "message": ALUMNI_READ_ONLY}
    assert ChatMessage.objects.count() == 0


def test_an_empty_post_is_answered_with_the_reason(room, maya):
    async def scenario():
        socket = _socket(maya, room)
        await socket.connect()
        await socket.send_json_to({"type": "post", "body": " \n "})
        answer = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return answer

    assert async_to_sync(scenario)() == {"type": "error", "message": "Write a message first."}


def test_only_the_author_deletes_over_the_socket(room, maya, tomas):
    message = message_post(room=room, author=maya, body="draft")

    async def scenario():
        theirs, mine = _socket(tomas, room), _socket(maya, room)
        await theirs.connect()
        await mine.connect()
        await theirs.send_json_to({"type": "delete", "id": message.pk})
        refused = await theirs.receive_json_from(timeout=5)
        await mine.send_json_to({"type": "delete", "id": message.pk})
        deleted = await theirs.receive_json_from(timeout=5)
        await theirs.disconnect()
        await mine.disconnect()
        return refused, deleted

    refused, deleted = async_to_sync(scenario)()
    assert refused == {"type": "error", "message": "You can no longer do that in this room."}
    assert (deleted["id"], deleted["deleted"]) == (message.pk, True)
    assert "message deleted" in deleted["html"]
    assert ChatMessage.objects.get().body == ""


def test_reading_over_the_socket_moves_the_marker(room, maya, tomas):
    message = message_post(room=room, author=tomas, body="one")

    async def scenario():
        socket = _socket(maya, room)
        await socket.connect()
        await socket.send_json_to({"type": "read", "id": message.pk})
        await socket.send_json_to({"type": "nonsense"})
        answer = await socket.receive_json_from(timeout=5)  # frames are handled in order: the read is done
        await socket.disconnect()
        return answer

    assert async_to_sync(scenario)() == {"type": "error", "message": "Unknown request."}
    assert list(maya.chat_read_markers.values_list("last_read_id", flat=True)) == [message.pk]


@pytest.mark.redis
def test_on_the_redis_channel_layer_a_post_reaches_every_socket(settings, room, maya, tomas):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "prefix": "cohortnet-test-chat"},
        }
    }
    from channels.layers import channel_layers

    assert type(channel_layers["default"]).__name__ == "RedisChannelLayer"

    async def scenario():
        first, second = _socket(maya, room), _socket(tomas, room)
        await first.connect()
        await second.connect()
        await second.send_json_to({"type": "post", "body": "over Redis"})
        received = [await first.receive_json_from(timeout=5), await second.receive_json_from(timeout=5)]
        await first.disconnect()
        await second.disconnect()
        return received

    received = async_to_sync(scenario)()
    message = ChatMessage.objects.get()
    assert [(frame["id"], frame["mine"]) for frame in received] == [(message.pk, False), (message.pk, True)]


@pytest.mark.redis
def test_a_socket_in_a_quiet_room_still_gets_the_next_post_on_the_configured_redis_layer(room, maya, tomas):
    """The site's own layer settings: a room quiet for longer than redis-py's default 5 s read timeout."""
    from channels.layers import channel_layers

    assert type(channel_layers["default"]).__name__ == "RedisChannelLayer"

    async def scenario():
        listener = _socket(maya, room)
        await listener.connect()
        await asyncio.sleep(6.5)
        assert await listener.receive_nothing(timeout=0.1)  # still open, nothing arrived meanwhile
        sender = _socket(tomas, room)
        await sender.connect()
        await sender.send_json_to({"type": "post", "body": "after a quiet spell"})
        frame = await listener.receive_json_from(timeout=5)
        await listener.disconnect()
        await sender.disconnect()
        return frame

    frame = async_to_sync(scenario)()
    assert frame["id"] == ChatMessage.objects.get().pk


def _layer_down(settings):
    from tests.smtp_sink import free_port

    address = f"redis://127.0.0.1:{free_port()}"
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": address, "socket_timeout": 0.5}]},
        }
    }


def test_with_the_channel_layer_down_the_handshake_is_a_503_with_a_reason_not_a_500(settings, room, maya):
    """Redis stopped: uvicorn offers the HTTP answer to a handshake, so the app says why, with a 503."""
    _layer_down(settings)
    communicator = _socket(maya, room)
    communicator.scope["extensions"] = {"websocket.http.response": {}}

    async def scenario():
        await communicator.send_input({"type": "websocket.connect"})
        start = await communicator.receive_output(timeout=10)
        body = await communicator.receive_output(timeout=1)
        await communicator.wait(timeout=1)
        return start, body

    start, body = async_to_sync(scenario)()
    assert (start["type"], start["status"]) == ("websocket.http.response.start", 503)
    assert (b"retry-after", b"5") in start["headers"]
    assert body == {
        "type": "websocket.http.response.body",
        "body": b"Chat is unavailable for a moment. The page will reconnect by itself.",
    }


def test_with_the_channel_layer_down_a_server_without_http_answers_refuses_the_handshake(settings, room, maya):
    _layer_down(settings)

    async def scenario():
        communicator = _socket(maya, room)
        return await communicator.connect(timeout=10)

    assert async_to_sync(scenario)() == (False, 1000)
