"""The room's WebSocket: history arrives with the page; this carries new, edited and deleted messages both ways.

Frames are JSON. From the browser: ``{"type": "post", "body": ...}``, ``{"type": "delete", "id": ...}``,
``{"type": "read", "id": ...}``. To the browser: ``{"type": "message", "id", "html", "mine", "deleted",
"edited"}`` and ``{"type": "error", "message": ...}``. A person who may not read the room is refused
before the handshake is accepted (close code ``REFUSED``).
"""

import logging

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import PermissionDenied, ValidationError
from redis.exceptions import RedisError

from chat import realtime, selectors, services
from chat.permissions import can_post_in_room, cannot_post_reason

#: The close code for a socket to a room the person may not read (4000-4999 are the application's own).
REFUSED = 4404
#: The close code for an open socket whose channel layer went away: "try again later" (RFC 6455's 1013).
TRY_AGAIN_LATER = 1013
#: Said to a handshake while the channel layer is away, where the server lets the app answer in HTTP.
UNAVAILABLE_TEXT = b"Chat is unavailable for a moment. The page will reconnect by itself."

logger = logging.getLogger(__name__)


def _connect(user, room_id):
    room = selectors.room_for_socket(user, room_id)
    if room is None:
        return None
    can_post = can_post_in_room(user, room)
    return room, can_post, "" if can_post else cannot_post_reason(user, room.cohort)


def _post(user, room, body) -> dict:
    message = services.message_post(room=room, author=user, body=body)
    return selectors.messages_data(room, [message])[0]


def _delete(user, room, message_id) -> dict | None:
    message = room.messages.filter(pk=message_id).first()
    if message is None:
        return None
    message = services.message_delete(message=message, user=user)
    return selectors.messages_data(room, [message])[0]


def _read(user, room, message_id) -> None:
    services.room_mark_read(user=user, room=room, up_to_id=message_id)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class RoomConsumer(AsyncJsonWebsocketConsumer):
    accepted = False

    async def __call__(self, scope, receive, send):
        # With Redis stopped, the channel layer's receive loop (or group_add) raises. Left alone, that
        # reaches the server, which answers the handshake with a 500. Here the handshake gets a 503 with a
        # reason where the server lets the app answer in HTTP (uvicorn does), a plain refusal otherwise,
        # and an open socket is closed with "try again later"; chat.js reconnects either way.
        try:
            await super().__call__(scope, receive, send)
        except (RedisError, OSError, TimeoutError):
            logger.warning("Chat socket closed: the channel layer is unreachable", exc_info=True)
            await self._close_for_outage(scope, send)

    async def _close_for_outage(self, scope, send):
        if self.accepted:
            await send({"type": "websocket.close", "code": TRY_AGAIN_LATER})
        elif "websocket.http.response" in scope.get("extensions", {}):
            headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", b"5")]
            await send({"type": "websocket.http.response.start", "status": 503, "headers": headers})
            await send({"type": "websocket.http.response.body", "body": UNAVAILABLE_TEXT})
        else:
            await send({"type": "websocket.close"})

    async def accept(self, subprotocol=None, headers=None):
        await super().accept(subprotocol, headers)
        self.accepted = True

    async def connect(self):
        self.group = None
        user = self.scope.get("user")
        access = None
        if user is not None and user.is_authenticated:
            access = await database_sync_to_async(_connect)(user, self.scope["url_route"]["kwargs"]["room_id"])
        if access is None:
            await self.close(code=REFUSED)
            # The server answers with a 403 and may never send websocket.disconnect: stop here, or this
            # consumer would keep waiting on its channel-layer receive (a Redis connection) for good.
            raise StopConsumer
        self.room, self.can_post, self.why_not = access
        self.user = user
        self.zone = user.time_zone
        self.group = realtime.group_name(self.room.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "read":
            await database_sync_to_async(_read)(self.user, self.room, _as_int(content.get("id")))
            return
        if kind not in {"post", "delete"}:
            await self.send_json({"type": "error", "message": "Unknown request."})
            return
        if not self.can_post:
            await self.send_json({"type": "error", "message": self.why_not})
            return
        try:
            if kind == "post":
                data = await database_sync_to_async(_post)(self.user, self.room, content.get("body"))
            else:
                data = await database_sync_to_async(_delete)(self.user, self.room, _as_int(content.get("id")))
        except ValidationError as exc:
            await self.send_json({"type": "error", "message": _error_text(exc)})
            return
        except PermissionDenied:
            await self.send_json({"type": "error", "message": "You can no longer do that in this room."})
            return
        if data is None:
            await self.send_json({"type": "error", "message": "That message is not in this room."})
            return
        await self.channel_layer.group_send(self.group, realtime.event(data))

    async def chat_message(self, event):
        # The same text as send_json of the frame's dict: one render and one encoding per variant per process.
        frame = realtime.message_frame(event["message"], viewer_id=self.user.pk, zone=self.zone, can_post=self.can_post)
        await self.send(text_data=frame)


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
