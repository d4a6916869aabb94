"""Telling a room's open sockets: one channel-layer group per room, and how each socket draws a message.

A service writes first; then the consumer (for a post over the socket) or the view (for
the plain-form fallback, edits and deletions) sends the message's plain data to the room's
group. Each socket renders it for its own person (their time zone; edit and delete only
on their own messages) without touching the database.
"""

import json
import logging
from collections import OrderedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.template.loader import render_to_string
from django.utils.translation import get_language

from chat.selectors import for_display

logger = logging.getLogger(__name__)

#: The event type consumers handle (``RoomConsumer.chat_message``).
EVENT = "chat.message"


def group_name(room_id: int) -> str:
    return f"chat.room.{room_id}"


def event(data: dict) -> dict:
    return {"type": EVENT, "message": data}


def broadcast(room_id: int, data: dict) -> None:
    """From synchronous code (a view): send ``data`` (``selectors.message_data``) to the room's sockets.

    The message is already saved: with the channel layer unreachable (Redis down) the page still answers,
    and the open sockets' people see it on their next page load instead of at once.
    """
    try:
        async_to_sync(get_channel_layer().group_send)(group_name(room_id), event(data))
    except Exception:  # noqa: BLE001 -- any layer failure: the write stands, only the live update is lost
        logger.warning("Could not tell room %s's sockets about message %s", room_id, data.get("id"), exc_info=True)


def render_message(data: dict, *, viewer_id: int, zone: str, can_post: bool, csrf_token: str = "") -> str:
    """One message's list item as the room page draws it; edit and delete only for its author while they may post.

    The page passes its CSRF token so the delete button works as a plain form; a socket has none to
    pass, and chat.js sends those deletions over the socket instead.
    """
    mine = can_post and data["author_id"] == viewer_id
    context = {"m": for_display(data), "zone": zone, "mine": mine, "csrf_token": csrf_token}
    return render_to_string("chat/_message.html", context)


#: Frames drawn lately in this process, by everything they are drawn from (see ``message_frame``).
_frames: OrderedDict = OrderedDict()
#: Enough for the messages of the last few seconds in every busy room, in every zone of their people.
FRAMES_KEPT = 512


def message_frame(data: dict, *, viewer_id: int, zone: str, can_post: bool) -> str:
    """The socket frame (JSON text) that tells one person about a message, drawn once per variant per process.

    A message reaches every socket of its room, and a socket's frame depends only on the message's
    data, the person's time zone, whether they wrote it and whether they may still post (the edit and
    delete links), and the language. Those are the key, so every socket of a variant shares one render
    (profile of a 200-socket room: a render per socket, ~1.5 ms each) and a changed message (edited,
    deleted) has a new key. Never another person's variant: nothing else goes into the frame.
    """
    author = data["author_id"] == viewer_id
    key = (json.dumps(data, sort_keys=True), zone, author, can_post and author, get_language())
    frame = _frames.get(key)
    if frame is None:
        html = render_message(data, viewer_id=viewer_id, zone=zone, can_post=can_post)
        frame = json.dumps(
            {
                "type": "message",
                "id": data["id"],
                "html": html,
                "mine": author,
                "edited": data["edited"],
                "deleted": data["deleted"],
            }
        )
        _frames[key] = frame
        if len(_frames) > FRAMES_KEPT:
            _frames.popitem(last=False)
    return frame
