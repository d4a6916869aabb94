"""Reads about organisations and cohorts used in more than one place."""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from cohorts.models import Cohort, Membership, Message, Organisation, Theme
from cohorts.permissions import can_view_cohort
from toolbox.visibility import get_visible_or_404


def organisations_for_user(user) -> QuerySet[Organisation]:
    """The organisations ``user`` may act for."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(person_links__user=user).order_by("name")


def cohorts_for_user(user) -> QuerySet[Cohort]:
    """The cohorts ``user`` takes part in, as a participant of a member organisation."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    return Cohort.objects.filter(memberships__participants__user=user).distinct().order_by("-starts_on")


def cohort_visible_or_404(user, slug: str) -> Cohort:
    """The cohort ``slug`` if ``user`` may see its members' pages; otherwise a 404, as if it did not exist."""
    return get_visible_or_404(Cohort, can_view_cohort, user, slug=slug)


def cohort_and_membership_or_404(user, slug: str, *, select_related=()) -> tuple[Cohort, Membership | None]:
    """The cohort ``slug`` and the membership ``user`` takes part in it through, as ``cohort_visible_or_404`` allows.

    One query for a participant (the usual visitor of a member page): their membership, with its cohort, is
    the proof that they may see it (``can_view_cohort``). Anyone else is checked by ``cohort_visible_or_404``:
    staff see the cohort without a membership, the rest get the 404. The membership is the first by
    organisation name, as ``Membership.objects.for_participant(...).first()`` gives.
    """
    membership = None
    if user.is_authenticated:
        membership = (
            Membership.objects.filter(cohort__slug=slug, participants__user=user)
            .select_related("cohort", *select_related)
            .first()
        )
    if membership is not None:
        return membership.cohort, membership
    return cohort_visible_or_404(user, slug), None


# --- The mailing list's archive -----------------------------------------------------------

#: Marks PostgreSQL puts around matched words in a snippet; turned into <mark> after the text is escaped.
_MARK_START, _MARK_STOP = "\x02", "\x03"
#: How many threads a search shows.
SEARCH_LIMIT = 30


@dataclass
class SearchHit:
    """A thread found by a search, with the message that matched (its first message or a reply)."""

    thread: Message
    message: Message
    snippet: str  # safe HTML: the text escaped, the matched words in <mark>


def searchable_cohorts(user) -> QuerySet[Cohort]:
    """Whose archives ``user`` may search: their own cohorts; staff every cohort."""
    if user.is_authenticated and user.is_staff:
        return Cohort.objects.all()
    return cohorts_for_user(user)


def _snippet_html(text: str) -> str:
    """The headline's text escaped, with each balanced ``_MARK_START``…``_MARK_STOP`` run in <mark>."""
    out, position = [], 0
    for match in re.finditer(f"{_MARK_START}([^{_MARK_START}{_MARK_STOP}]*){_MARK_STOP}", text):
        out.append(escape(text[position : match.start()].replace(_MARK_START, "").replace(_MARK_STOP, "")))
        out.append(format_html("<mark>{}</mark>", match.group(1)))
        position = match.end()
    out.append(escape(text[position:].replace(_MARK_START, "").replace(_MARK_STOP, "")))
    return mark_safe("".join(str(part) for part in out))  # noqa: S308 -- every piece is escaped above


def _fallback_snippet(text: str, words: list[str]) -> str:
    """Where the database has no full-text search (SQLite): the text around the first word found, marked."""
    lowered = text.lower()
    found = [lowered.find(word) for word in words if lowered.find(word) >= 0]
    start = max(0, min(found) - 80) if found else 0
    excerpt = text[start : start + 240]
    pattern = "|".join(re.escape(word) for word in words if word)
    if pattern:
        excerpt = re.sub(f"({pattern})", f"{_MARK_START}\\1{_MARK_STOP}", excerpt, flags=re.IGNORECASE)
    return _snippet_html(("…" if start else "") + excerpt)


def archive_search(user, query: str, *, theme: Theme | None = None, cohort: Cohort | None = None) -> list[SearchHit]:
    """Threads whose subject, first message or a reply matches ``query``, in the cohorts ``user`` may search.

    On PostgreSQL: full-text search in English, the query read as people type into a search box
    (``"exact phrase"``, ``-not``, ``or``), best match first, with the matched words marked in a
    snippet. Elsewhere (SQLite): every word must appear, newest first. ``theme`` keeps threads on
    that theme; ``cohort`` one cohort (still only if the person may search it).
    """
    query = query.strip()[:200]
    if not query:
        return []
    messages = Message.objects.filter(cohort__in=searchable_cohorts(user))
    if cohort is not None:
        messages = messages.filter(cohort=cohort)
    if theme is not None:
        messages = messages.filter(Q(parent__isnull=True, theme=theme) | Q(parent__theme=theme))
    messages = messages.select_related("cohort", "author", "parent__cohort")
    if connection.vendor == "postgresql":
        vector = SearchVector("subject", "body", config="english")
        search = SearchQuery(query, search_type="websearch", config="english")
        found = (
            messages.annotate(document=vector)
            .filter(document=search)
            .annotate(rank=SearchRank(vector, search))
            .annotate(
                headline=SearchHeadline(
                    Concat("subject", Value(" "), "body", output_field=TextField()),
                    search,
                    config="english",
                    start_sel=_MARK_START,
                    stop_sel=_MARK_STOP,
                    max_words=35,
                    min_words=15,
                )
            )
            .order_by("-rank", "-created_at")[: SEARCH_LIMIT * 4]
        )
        rows = [(message, _snippet_html(message.headline)) for message in found]
    else:
        words = [word.lower() for word in query.split() if word.strip('"-')]
        for word in words:
            messages = messages.filter(Q(subject__icontains=word) | Q(body__icontains=word))
        found = messages.order_by("-created_at")[: SEARCH_LIMIT * 4]
        rows = [(message, _fallback_snippet(f"{message.subject} {message.body}".strip(), words)) for message in found]
    hits: dict[int, SearchHit] = {}
    for message, snippet in rows:
        thread = message.parent if message.parent_id else message
        if thread.pk not in hits:
            hits[thread.pk] = SearchHit(thread=thread, message=message, snippet=snippet)
    return list(hits.values())[:SEARCH_LIMIT]
