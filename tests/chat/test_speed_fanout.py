"""A message is drawn once per variant (zone, author or not, may post) and each socket gets its own variant's frame."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import AnonymousUser

from chat import realtime
from chat.consumers import REFUSED, RoomConsumer
from chat.models import ChatMessage
from chat.selectors import messages_data
from chat.services import message_post
from tests.chat.test_consumers import _socket


@pytest.fixture(autouse=True)
def _fresh_frames():
    realtime._frames.clear()
    yield
    realtime._frames.clear()


_render = realtime.render_message


def _own_frame(data, *, viewer_id, zone, can_post):
    """What a socket sent before: its own render, encoded by send_json."""
    html = _render(data, viewer_id=viewer_id, zone=zone, can_post=can_post)
    mine = data["author_id"] == viewer_id
    edited, deleted = data["edited"], data["deleted"]
    return json.dumps(
        {"type": "message", "id": data["id"], "html": html, "mine": mine, "edited": edited, "deleted": deleted}
    )


@pytest.mark.django_db
def test_each_variant_gets_its_own_html_and_a_render_is_shared_only_within_a_variant(room, maya, tomas, monkeypatch):
    message = message_post(room=room, author=maya, body="See https://x.example/a & <b>b</b>, @Tomas")
    (data,) = messages_data(room, [message])
    renders = []
    monkeypatch.setattr(realtime, "render_message", lambda *a, **k: renders.append(k) or _render(*a, **k))
    viewers = [
        # (viewer, zone, may post): the author, the author who may no longer post, members in two zones, staff.
        (maya.pk, "Europe/London", True),
        (maya.pk, "Europe/London", False),
        (tomas.pk, "Europe/London", True),
        (tomas.pk, "Asia/Tokyo", True),
        (tomas.pk + 1000, "Asia/Tokyo", True),
        (tomas.pk + 2000, "Asia/Tokyo", False),
    ]
    for _ in range(3):  # three sockets of each variant
        for viewer_id, zone, can_post in viewers:
            frame = realtime.message_frame(data, viewer_id=viewer_id, zone=zone, can_post=can_post)
            assert frame == _own_frame(data, viewer_id=viewer_id, zone=zone, can_post=can_post)
    # One render per variant: author who may post, author who may not (no links), other in London, other in Tokyo.
    assert len(renders) == 4
    author, author_read_only, london, tokyo = (
        json.loads(realtime.message_frame(data, viewer_id=v, zone=z, can_post=c))
        for v, z, c in [viewers[0], viewers[1], viewers[2], viewers[3]]
    )
    delete = f"/chat/messages/{message.pk}/delete/"
    assert (delete in author["html"], author["mine"]) == (True, True)
    assert (delete in author_read_only["html"], author_read_only["mine"]) == (False, True)
    assert (delete in london["html"], london["mine"]) == (False, False)
    assert ("GMT" in london["html"], "JST" in tokyo["html"]) == (True, True)


@pytest.mark.django_db
def test_an_edited_or_deleted_message_is_drawn_again(room, maya, tomas):
    from chat.services import message_delete, message_edit

    message = message_post(room=room, author=maya, body="zebra")
    (before,) = messages_data(room, [message])
    first = json.loads(realtime.message_frame(before, viewer_id=tomas.pk, zone="Europe/London", can_post=True))
    message = message_edit(message=message, user=maya, body="yak")
    (edited,) = messages_data(room, [message])
    second = json.loads(realtime.message_frame(edited, viewer_id=tomas.pk, zone="Europe/London", can_post=True))
    message = message_delete(message=message, user=maya)
    (deleted,) = messages_data(room, [message])
    third = json.loads(realtime.message_frame(deleted, viewer_id=tomas.pk, zone="Europe/London", can_post=True))
    assert "zebra" in first["html"]
    assert "yak" in second["html"]
    assert "(edited)" in second["html"]
    assert third["deleted"] is True
    assert "message deleted" in third["html"]
    assert "yak" not in third["html"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_a_refused_socket_stops_its_consumer_and_its_channel_layer_receive(request, room, who, settings):
    # The in-memory layer, whose state shows whether a receive still waits on the consumer's channel; on
    # Redis that receive is a blocking pop on a connection of the layer's pool, held until the worker stops.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    from channels.layers import channel_layers

    user = request.getfixturevalue(who) if who != "anonymous" else AnonymousUser()

    async def scenario():
        from channels.testing import WebsocketCommunicator

        communicator = WebsocketCommunicator(RoomConsumer.as_asgi(), f"/ws/chat/rooms/{room.pk}/")
        communicator.scope["user"] = user
        communicator.scope["url_route"] = {"kwargs": {"room_id": room.pk}}
        refused = await communicator.connect(timeout=10)
        # No websocket.disconnect follows a refused handshake: the consumer must end by itself.
        ended = True
        try:
            await asyncio.wait_for(asyncio.shield(communicator.future), timeout=10)
        except TimeoutError:
            ended = False
            communicator.future.cancel()
        return refused, ended, dict(channel_layers["default"].channels)

    refused, ended, waiting = async_to_sync(scenario)()
    assert refused == (False, REFUSED)
    assert ended
    assert waiting == {}  # no receive left waiting on the consumer's channel


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_over_the_socket_author_and_others_get_their_own_variant(room, maya, tomas):
    async def scenario():
        first, second = _socket(maya, room), _socket(tomas, room)
        assert (await first.connect())[0] is True
        assert (await second.connect())[0] is True
        await first.send_json_to({"type": "post", "body": "variants"})
        frames = [await first.receive_from(timeout=5), await second.receive_from(timeout=5)]
        await first.disconnect()
        await second.disconnect()
        return frames

    mine, theirs = async_to_sync(scenario)()
    (data,) = messages_data(room, [ChatMessage.objects.get()])
    assert mine == _own_frame(data, viewer_id=maya.pk, zone=maya.time_zone, can_post=True)
    assert theirs == _own_frame(data, viewer_id=tomas.pk, zone=tomas.time_zone, can_post=True)
