"""Calendar files (RFC 5545, written with icalendar), invitations (iTIP/iMIP) and "add to calendar" links.

Times are written as local time with the event's TZID, so calendars show the
event's own time across clock changes, with a VTIMEZONE Outlook reads
(``events.vtimezone``). The one local time a TZID cannot say is the second
pass through the repeated hour when clocks go back (RFC 5545 reads it as the
first), so any instant whose wall-clock time happens twice is written in UTC.

Emailed files are iTIP messages (RFC 5546): METHOD:REQUEST or CANCEL, an
ORGANIZER (the programme's address) and the recipient as ATTENDEE. Nobody
replies to them (RSVP=FALSE): answers are given on the site.
"""

from datetime import UTC, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone
from icalendar import Event as VEvent

from events.models import RSVP, Event, SupportSlot
from toolbox.ics import CANCEL, PRODID, PUBLISH, REQUEST, invitation_attachment
from toolbox.ics import add_time as _add_time
from toolbox.ics import attendee as _attendee
from toolbox.ics import calendar as _calendar
from toolbox.ics import finish as _finish
from toolbox.ics import organizer as _organizer

__all__ = ["CANCEL", "PRODID", "PUBLISH", "REQUEST", "invitation_attachment"]


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- Events ---------------------------------------------------------------------------------------


def _event_entry(event: Event, *, rsvp: RSVP | None, include_link: bool, attendee=None) -> VEvent:
    entry = VEvent()
    entry.add("uid", event.uid)
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", timezone.now())
    _add_time(entry, "dtstart", event.starts_at, event.time_zone)
    _add_time(entry, "dtend", event.ends_at, event.time_zone)
    entry.add("organizer", _organizer())
    if attendee is not None:
        entry.add("attendee", attendee)
    summary = event.title
    if rsvp is not None:
        summary = f"{event.title} ({rsvp.get_status_display().lower()})"
    entry.add("summary", summary)
    description = [event.description] if event.description else []
    if rsvp is not None:
        description.append(f"Your answer: {rsvp.get_status_display()}.")
    description.append(_link(event.get_absolute_url()))
    entry.add("description", "\n\n".join(description))
    location = event.location or (event.online_url if include_link else "")
    if location:
        entry.add("location", location)
    if include_link and event.online_url:
        entry.add("url", event.online_url)
    entry.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    return entry


def event_calendar(event: Event, *, rsvp: RSVP | None = None, include_link: bool = False) -> bytes:
    """One event as a file to download; METHOD:CANCEL once the event is cancelled."""
    cancelled = event.status == Event.Status.CANCELLED
    cal = _calendar(CANCEL if cancelled else PUBLISH)
    cal.add_component(_event_entry(event, rsvp=rsvp, include_link=include_link))
    return _finish(cal)


def event_invitation(event: Event, *, rsvp: RSVP) -> tuple[str, bytes]:
    """The iTIP message emailed to ``rsvp``'s person: (method, file). REQUEST, or CANCEL once cancelled."""
    method = CANCEL if event.status == Event.Status.CANCELLED else REQUEST
    going = rsvp.status == RSVP.Status.GOING
    attendee = _attendee(rsvp.user, partstat="ACCEPTED" if going else "TENTATIVE")
    cal = _calendar(method)
    cal.add_component(_event_entry(event, rsvp=rsvp, include_link=going, attendee=attendee))
    return method, _finish(cal)


# --- 1:1 support slots ----------------------------------------------------------------------------


def _slot_entry(slot: SupportSlot, *, booker, for_host: bool, cancelled: bool, host=None) -> VEvent:
    entry = VEvent()
    entry.add("uid", slot.uid)
    entry.add("sequence", slot.sequence)
    entry.add("dtstamp", timezone.now())
    _add_time(entry, "dtstart", slot.starts_at, slot.time_zone)
    _add_time(entry, "dtend", slot.ends_at, slot.time_zone)
    entry.add("organizer", _organizer())
    entry.add("attendee", _attendee(host or slot.host, partstat="ACCEPTED", role="CHAIR"))
    if booker is not None:
        entry.add("attendee", _attendee(booker, partstat="ACCEPTED"))
    if for_host:
        who = slot.booked_by.organisation.name if slot.booked_by_id else (booker.get_full_name() if booker else "")
        summary = f"1:1 support: {who}" if who else "1:1 support"
    else:
        summary = f"1:1 support with {slot.host.get_full_name() or slot.host.email}"
    entry.add("summary", summary)
    description = [slot.topic] if slot.topic else []
    description.append(_link(slot.get_absolute_url()))
    entry.add("description", "\n\n".join(description))
    if slot.online_url and not cancelled:
        entry.add("location", slot.online_url)
        entry.add("url", slot.online_url)
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return entry


def slot_invitation(
    slot: SupportSlot, *, booker, for_host: bool, cancelled: bool = False, host=None
) -> tuple[str, bytes]:
    """The iTIP message about a booking, to its booker or its host: (method, file).

    ``booker`` is passed in because a cancelled booking no longer names them;
    ``host``, for the CANCEL to a host taken off the slot, who is no longer its host.
    """
    method = CANCEL if cancelled else REQUEST
    cal = _calendar(method)
    cal.add_component(_slot_entry(slot, booker=booker, for_host=for_host, cancelled=cancelled, host=host))
    return method, _finish(cal)


def slot_calendar(slot: SupportSlot, *, user) -> bytes:
    """A booked slot as a file to download, for its booker's organisation or its host."""
    cal = _calendar(PUBLISH)
    cal.add_component(_slot_entry(slot, booker=slot.booked_by_user, for_host=slot.host_id == user.pk, cancelled=False))
    return _finish(cal)


# --- The personal feed ----------------------------------------------------------------------------


def feed_calendar(events_with_answers, *, name: str, slots=(), user=None) -> bytes:
    """A personal feed: every event of the person's cohorts with their answer, and their booked 1:1 slots."""
    cal = _calendar(None)
    cal.add("x-wr-calname", name)
    for event, rsvp in events_with_answers:
        going = rsvp is not None and rsvp.status == RSVP.Status.GOING
        cal.add_component(_event_entry(event, rsvp=rsvp, include_link=going))
    for slot in slots:
        for_host = user is not None and slot.host_id == user.pk
        cal.add_component(_slot_entry(slot, booker=slot.booked_by_user, for_host=for_host, cancelled=False))
    return _finish(cal)


# --- Links ----------------------------------------------------------------------------------------


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def google_link(event: Event) -> str:
    query = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": f"{_utc(event.starts_at)}/{_utc(event.ends_at)}",
        "details": _link(event.get_absolute_url()),
        "location": event.location,
        "ctz": event.time_zone,
    }
    return f"https://calendar.google.com/calendar/render?{urlencode(query)}"


def outlook_link(event: Event) -> str:
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        "startdt": event.starts_at.astimezone(UTC).isoformat(),
        "enddt": event.ends_at.astimezone(UTC).isoformat(),
        "body": _link(event.get_absolute_url()),
        "location": event.location,
    }
    return f"https://outlook.office.com/calendar/0/deeplink/compose?{urlencode(query)}"
