"""Writes for group chat: rooms made when first needed, posting, editing, deleting, read markers, mention emails.

Each service checks the same predicates as the pages (``chat.permissions``) and raises
``PermissionDenied`` (a 404 on a page, an error frame on the socket) or a ``ValidationError``
with a message a person can act on. Telling the room's open sockets is the caller's
part (``chat.realtime``), after the service returns: the database write comes first.
"""

import re
import unicodedata

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from chat.models import BODY_MAX_LENGTH, ChatMessage, ReadMarker, Room
from chat.permissions import can_change_message, can_post_in_room
from cohorts.models import Cohort, Theme
from notifications.models import ReminderOptOut
from notifications.services import email_queue, reminder_opt_out_set, render_email
from notifications.unsubscribe import unsubscribe_headers, unsubscribe_link

#: The outbox kind of a mention email, and what its unsubscribe link (and the chat page's switch) stops.
MENTION_KIND = "chat_mention"


def room_get_or_create(*, cohort: Cohort, theme: Theme | None = None) -> Room:
    """The cohort's general room (no theme) or its room for ``theme``, made the first time it is asked for.

    Two requests at once cannot make two rooms: the partial unique constraints
    (``chat_room_one_general``, ``chat_room_one_per_theme``) refuse the second insert and
    ``get_or_create`` then reads the winner's row.
    """
    room, _created = Room.objects.select_related("cohort", "theme").get_or_create(cohort=cohort, theme=theme)
    return room


def clean_body(body: str) -> str:
    """The text as stored: line ends made ``\\n``, control characters (NUL breaks PostgreSQL) dropped, trimmed."""
    body = str(body or "").replace("\r\n", "\n").replace("\r", "\n")
    body = "".join(ch for ch in body if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()
    if not body:
        raise ValidationError("Write a message first.", code="empty")
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationError(
            f"A chat message holds at most {BODY_MAX_LENGTH:,} characters (this one has {len(body):,}); "
            "split it, or start a thread on the mailing list.",
            code="too_long",
        )
    return body


@transaction.atomic
def message_post(*, room: Room, author, body: str) -> ChatMessage:
    """Post ``body`` in ``room`` as ``author`` and email each cohort member it @mentions (once, by preference).

    Staff, and participants while the cohort runs; alumni and outsiders get ``PermissionDenied``.
    """
    if not can_post_in_room(author, room):
        raise PermissionDenied
    message = ChatMessage(room=room, author=author, body=clean_body(body))
    message.full_clean()
    message.save()
    _queue_mention_emails(message)
    return message


@transaction.atomic
def message_edit(*, message: ChatMessage, user, body: str) -> ChatMessage:
    """Change the text of ``message``. Its author only; people newly mentioned by the edit are emailed."""
    message = ChatMessage.objects.select_for_update().select_related("room__cohort").get(pk=message.pk)
    if not can_change_message(user, message):
        raise PermissionDenied
    message.body = clean_body(body)
    message.edited_at = timezone.now()
    message.full_clean()
    message.save(update_fields=["body", "edited_at"])
    _queue_mention_emails(message)
    return message


@transaction.atomic
def message_delete(*, message: ChatMessage, user) -> ChatMessage:
    """Delete ``message``: its text goes, its place in the room stays ("message deleted"). Its author only."""
    message = ChatMessage.objects.select_for_update().select_related("room__cohort").get(pk=message.pk)
    if not can_change_message(user, message):
        raise PermissionDenied
    message.body = ""
    message.deleted_at = timezone.now()
    message.save(update_fields=["body", "deleted_at"])
    return message


def room_mark_read(*, user, room: Room, up_to_id: int | None = None) -> ReadMarker:
    """Record that ``user`` has seen ``room`` up to message ``up_to_id`` (default: its newest). Returns the marker.

    Never moves backwards and never past the room's newest message, whatever a client sends.
    Two calls at once cannot make two rows (``chat_readmarker_one_per_person``; ``get_or_create``
    reads the winner's row) and the move forward is one conditional ``UPDATE``, so no lock is held.
    The caller has checked that ``user`` may read the room.
    """
    newest = room.messages.aggregate(newest=Max("id"))["newest"] or 0
    target = newest if up_to_id is None else max(0, min(int(up_to_id), newest))
    with transaction.atomic():
        marker, created = ReadMarker.objects.get_or_create(user=user, room=room, defaults={"last_read_id": target})
        if not created and marker.last_read_id < target:
            ReadMarker.objects.filter(pk=marker.pk, last_read_id__lt=target).update(last_read_id=target)
            marker.refresh_from_db(fields=["last_read_id"])
    return marker


def mention_emails_set(*, user, wanted: bool) -> None:
    """Start or stop the emails ``user`` gets when someone @mentions them in any chat room. Only that person."""
    reminder_opt_out_set(user=user, kind=MENTION_KIND, stopped=not wanted)


def mention_emails_wanted(user) -> bool:
    return not ReminderOptOut.objects.filter(user=user, kind=MENTION_KIND).exists()


def mentioned_people(room: Room, body: str, author) -> list:
    """The room's cohort's participants that ``body`` names with ``@Full Name`` (any case), without the author.

    Longer names are matched first and their text set aside, so "@Maya Okafor" does not
    also mention a member called "Maya".
    """
    if "@" not in body:
        return []
    people = (
        get_user_model()
        .objects.filter(participations__membership__cohort=room.cohort_id, is_active=True)
        .exclude(pk=author.pk)
        .exclude(name="")
        .distinct()
    )
    found = []
    for person in sorted(people, key=lambda p: (-len(p.name), p.pk)):
        pattern = re.compile(r"(?<![\w@])@" + re.escape(person.name) + r"(?!\w)", re.IGNORECASE)
        if pattern.search(body):
            found.append(person)
            body = pattern.sub(" ", body)
    return sorted(found, key=lambda p: p.pk)


def _queue_mention_emails(message: ChatMessage) -> None:
    """One outbox row per mentioned person who has not stopped mention emails, keyed by message and person."""
    room = message.room
    people = mentioned_people(room, message.body, message.author)
    if not people:
        return
    stopped = set(ReminderOptOut.objects.filter(user__in=people, kind=MENTION_KIND).values_list("user_id", flat=True))
    room_url = f"{reverse('chat:room_message', kwargs={'pk': message.pk})}"
    for person in people:
        if person.pk in stopped:
            continue
        text, html = render_email(
            "chat/email/mention",
            {
                "message": message,
                "room": room,
                "cohort": room.cohort,
                "person": person,
                "room_url": room_url,
                "unsubscribe_url": unsubscribe_link(person, MENTION_KIND),
            },
        )
        email_queue(
            key=f"chat_mention:{message.pk}:{person.pk}",
            kind=MENTION_KIND,
            to=person.email,
            subject=f"[{room.cohort.name}] {message.author.display_name} mentioned you in {room.name}",
            body_text=text,
            body_html=html,
            headers=unsubscribe_headers(person, MENTION_KIND),
        )
