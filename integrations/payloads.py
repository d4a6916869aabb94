"""What a webhook says: the news, and no more than a member of the cohort sees on its pages.

Each payload carries a ``text`` line, so it reads well when posted straight
to a Slack, Teams or Matrix incoming webhook, and the same facts as fields
for a bridge of one's own. A thread is its subject and link (not its body or
author: the receiving channel may reach people outside the programme, and
the link asks them to sign in); an event is its title, kind, times in its own
zone and link (never its online link, which only people going see).
"""

from django.conf import settings

from toolbox.templatetags.zones import zoned
from toolbox.timezones import in_zone


def _url(obj) -> str:
    return f"{settings.SITE_URL}{obj.get_absolute_url()}"


def _cohort(cohort) -> dict:
    return {"slug": cohort.slug, "name": cohort.name, "url": _url(cohort)}


def thread_created(message) -> dict:
    cohort = message.cohort
    url = _url(message)
    return {
        "kind": "thread.created",
        "text": f"New thread in {cohort.name}: “{message.subject}” {url}",
        "cohort": _cohort(cohort),
        "thread": {
            "id": message.pk,
            "subject": message.subject,
            "url": url,
            "created_at": message.created_at.isoformat(),
        },
    }


def _times(event, starts_at, ends_at) -> dict:
    return {
        "starts_at": in_zone(starts_at, event.time_zone).isoformat(),
        "ends_at": in_zone(ends_at, event.time_zone).isoformat(),
    }


def _when(event) -> str:
    """ "Tue 1 Dec 2026, 14:00 GMT (Europe/London)": the start in the event's own zone, named."""
    return zoned(event.starts_at, event.time_zone)


def _event(event) -> dict:
    return {
        "id": event.pk,
        "title": event.title,
        "kind": event.kind,
        "status": event.status,
        **_times(event, event.starts_at, event.ends_at),
        "time_zone": event.time_zone,
        "url": _url(event),
    }


def event_created(event) -> dict:
    return {
        "kind": "event.created",
        "text": f"New event in {event.cohort.name}: {event.title}, {_when(event)} {_url(event)}",
        "cohort": _cohort(event.cohort),
        "event": _event(event),
    }


def event_moved(event, *, starts_at, ends_at) -> dict:
    """``starts_at`` and ``ends_at`` are the times it had before the move."""
    return {
        "kind": "event.moved",
        "text": (
            f"Moved in {event.cohort.name}: {event.title}, now {_when(event)} "
            f"(was {zoned(starts_at, event.time_zone)}) {_url(event)}"
        ),
        "cohort": _cohort(event.cohort),
        "event": _event(event),
        "previous": _times(event, starts_at, ends_at),
    }


def event_cancelled(event) -> dict:
    return {
        "kind": "event.cancelled",
        "text": f"Cancelled in {event.cohort.name}: {event.title}, {_when(event)} {_url(event)}",
        "cohort": _cohort(event.cohort),
        "event": _event(event),
    }
