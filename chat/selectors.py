"""Reads for group chat: a cohort's rooms with unread counts, pages of history, messages as pages show them."""

from datetime import datetime
from functools import cache

from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template import Context, Template

from chat.models import ChatMessage, ReadMarker, Room
from chat.permissions import can_read_room
from chat.services import room_get_or_create
from cohorts.models import Cohort, Participant, Theme
from cohorts.selectors import cohort_visible_or_404

#: Messages per page of history: the newest page on load, then "older messages".
PAGE_SIZE = 50


def cohort_themes(cohort: Cohort):
    """The themes a cohort works on: those its member organisations are tagged with."""
    return Theme.objects.filter(memberships__cohort=cohort).distinct().order_by("position", "name")


def rooms_for_cohort(cohort: Cohort) -> list[Room]:
    """The cohort's general room, then one per theme it works on; each made the first time it is listed."""
    rooms = [room_get_or_create(cohort=cohort)]
    rooms += [room_get_or_create(cohort=cohort, theme=theme) for theme in cohort_themes(cohort)]
    return rooms


def rooms_with_unread(user, cohort: Cohort) -> list[Room]:
    """The cohort's rooms, each with ``unread``: others' messages (not deleted) past ``user``'s read marker.

    One query for the counts, whatever the number of rooms or messages.
    """
    ids = [room.pk for room in rooms_for_cohort(cohort)]
    read_to = ReadMarker.objects.filter(user=user, room=OuterRef("pk")).values("last_read_id")[:1]
    unread = (
        ChatMessage.objects.filter(room=OuterRef("pk"), deleted_at__isnull=True, id__gt=OuterRef("read_to"))
        .exclude(author=user)
        .order_by()
        .values("room")
        .annotate(n=Count("id"))
        .values("n")
    )
    return list(
        Room.objects.filter(pk__in=ids)
        .select_related("theme", "cohort")
        .annotate(read_to=Coalesce(Subquery(read_to, output_field=IntegerField()), 0))
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0))
        # The general room (no theme) first: PostgreSQL would sort its empty theme last.
        .order_by(F("theme__position").asc(nulls_first=True), "theme__name", "pk")
    )


def room_visible_or_404(user, slug: str, theme_slug: str | None = None) -> Room:
    """The room of the cohort ``slug`` (its theme ``theme_slug``) if ``user`` may read it; otherwise a 404."""
    cohort = cohort_visible_or_404(user, slug)
    theme = None
    if theme_slug is not None:
        theme = get_object_or_404(cohort_themes(cohort), slug=theme_slug)
    return room_get_or_create(cohort=cohort, theme=theme)


def room_for_socket(user, room_id) -> Room | None:
    """The room a socket asks for, if ``user`` may read it; None for a missing room or someone else's."""
    room = Room.objects.select_related("cohort", "theme").filter(pk=room_id).first()
    if room is None or not can_read_room(user, room):
        return None
    return room


def message_in_room_or_404(user, pk: int) -> ChatMessage:
    message = get_object_or_404(ChatMessage.objects.select_related("room__cohort", "room__theme", "author"), pk=pk)
    if not can_read_room(user, message.room):
        raise Http404("No ChatMessage matches the given query.")
    return message


def history_page(room: Room, before: int | None = None, size: int = PAGE_SIZE) -> tuple[list[ChatMessage], bool]:
    """The ``size`` messages before id ``before`` (default: the newest), oldest first, and whether older ones exist."""
    messages = room.messages.select_related("author").order_by("-id")
    if before is not None:
        messages = messages.filter(id__lt=before)
    page = list(messages[: size + 1])
    has_older = len(page) > size
    return list(reversed(page[:size])), has_older


@cache
def _label_template() -> Template:
    return Template("{% load people %}{% person_label author organisation %}")


def author_label(author, organisation) -> str:
    """ "Maya Okafor, River Data Trust": the site's one way of naming a person, as plain text."""
    return _label_template().render(Context({"author": author, "organisation": organisation}, autoescape=False))


def message_data(message: ChatMessage, organisation=None) -> dict:
    """A message as pages and sockets show it: plain, JSON-safe values (the channel layer carries them)."""
    return {
        "id": message.pk,
        "author_id": message.author_id,
        "author": author_label(message.author, organisation),
        "body": "" if message.deleted_at else message.body,
        "created_at": message.created_at.isoformat(),
        "edited": message.edited_at is not None,
        "deleted": message.deleted_at is not None,
    }


def messages_data(room: Room, messages: list[ChatMessage]) -> list[dict]:
    """``message_data`` for each of ``messages``, naming each author with their organisation in one query."""
    organisations = Participant.objects.organisations_in(room.cohort, {m.author for m in messages})
    return [message_data(m, organisations.get(m.author_id)) for m in messages]


def for_display(data: dict) -> dict:
    """``message_data`` with its time as a datetime again, for the templates' zone filters."""
    return {**data, "created_at": datetime.fromisoformat(data["created_at"])}
