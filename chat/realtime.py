"""Telling a room's open sockets: one channel-layer group per room, and how each socket draws a message.

A service writes first; then the consumer (for a post over the socket) or the view (for
the plain-form fallback, edits and deletions) sends the message's plain data to the room's
group. Each socket renders it for its own person (their time zone; edit and delete only
on their own messages) without touching the database.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.template.loader import render_to_string

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
