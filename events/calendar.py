"""Calendar files (RFC 5545, written with icalendar) and "add to calendar" links."""

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from events.models import RSVP, Event

PRODID = "-//CohortNet//Peer learning cohorts//EN"


def _vevent(event: Event, *, rsvp: RSVP | None, include_link: bool) -> VEvent:
    zone = ZoneInfo(event.time_zone)
    entry = VEvent()
    entry.add("uid", event.uid)
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", timezone.now())
    # Local times with their zone, so calendars show the event's own time across DST changes.
    entry.add("dtstart", event.starts_at.astimezone(zone))
    entry.add("dtend", event.ends_at.astimezone(zone))
    summary = event.title
    if rsvp is not None:
        summary = f"{event.title} ({rsvp.get_status_display().lower()})"
    entry.add("summary", summary)
    description = [event.description] if event.description else []
    if rsvp is not None:
        description.append(f"Your answer: {rsvp.get_status_display()}.")
    description.append(f"{settings.SITE_URL}{event.get_absolute_url()}")
    entry.add("description", "\n\n".join(description))
    location = event.location or (event.online_url if include_link else "")
    if location:
        entry.add("location", location)
    if include_link and event.online_url:
        entry.add("url", event.online_url)
    if event.status == Event.Status.CANCELLED:
        entry.add("status", "CANCELLED")
    else:
        entry.add("status", "CONFIRMED")
    return entry


def event_calendar(event: Event, *, rsvp: RSVP | None = None, include_link: bool = False) -> bytes:
    """One event as an .ics; METHOD:CANCEL once the event is cancelled."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if event.status == Event.Status.CANCELLED else "PUBLISH")
    cal.add_component(_vevent(event, rsvp=rsvp, include_link=include_link))
    cal.add_missing_timezones()
    return cal.to_ical()


def feed_calendar(events_with_answers, *, name: str) -> bytes:
    """A personal feed: every event of the person's cohorts, with their answer in each entry."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for event, rsvp in events_with_answers:
        going = rsvp is not None and rsvp.status == RSVP.Status.GOING
        cal.add_component(_vevent(event, rsvp=rsvp, include_link=going))
    cal.add_missing_timezones()
    return cal.to_ical()


def _utc(value: datetime) -> str:
    return value.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def google_link(event: Event) -> str:
    query = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": f"{_utc(event.starts_at)}/{_utc(event.ends_at)}",
        "details": f"{settings.SITE_URL}{event.get_absolute_url()}",
        "location": event.location,
        "ctz": event.time_zone,
    }
    return f"https://calendar.google.com/calendar/render?{urlencode(query)}"


def outlook_link(event: Event) -> str:
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        "startdt": event.starts_at.astimezone(ZoneInfo("UTC")).isoformat(),
        "enddt": event.ends_at.astimezone(ZoneInfo("UTC")).isoformat(),
        "body": f"{settings.SITE_URL}{event.get_absolute_url()}",
        "location": event.location,
    }
    return f"https://outlook.office.com/calendar/0/deeplink/compose?{urlencode(query)}"
