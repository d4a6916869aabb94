"""Calendar pieces every app's invitations share (RFC 5545 with icalendar, iTIP messages per RFC 5546).

Knows no app: events builds its event and support-slot files from these, applications its interview
invitations. Times are written in the object's own zone with a VTIMEZONE (``toolbox.vtimezone``); the one
local time a TZID cannot say (the repeated hour's second pass) is written in UTC.
"""

from datetime import UTC, datetime
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vCalAddress
from icalendar import Event as VEvent

from toolbox.vtimezone import is_ambiguous, vtimezone

PRODID = "-//CohortNet//Peer learning cohorts//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"


def add_time(entry: VEvent, name: str, value: datetime, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    if is_ambiguous(value, zone):
        entry.add(name, value.astimezone(UTC))
    else:
        entry.add(name, value.astimezone(zone))


def organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    value = vCalAddress(f"mailto:{address}")
    value.params["CN"] = name or "CohortNet"
    return value


def attendee(user, *, partstat: str, role: str = "REQ-PARTICIPANT") -> vCalAddress:
    value = vCalAddress(f"mailto:{user.email}")
    value.params["CN"] = user.get_full_name() or user.email
    value.params["CUTYPE"] = "INDIVIDUAL"
    value.params["ROLE"] = role
    value.params["PARTSTAT"] = partstat
    value.params["RSVP"] = "FALSE"
    return value


def calendar(method: str | None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    return cal


def finish(cal: Calendar) -> bytes:
    """Add one VTIMEZONE per zone the entries name, covering the years they use, before the entries."""
    years: dict[str, set[int]] = {}
    for entry in cal.walk("VEVENT"):
        for name in ("DTSTART", "DTEND"):
            prop = entry.get(name)
            if prop is not None and "TZID" in prop.params:
                years.setdefault(str(prop.params["TZID"]), set()).add(prop.dt.year)
    for position, (zone_name, used) in enumerate(sorted(years.items())):
        cal.subcomponents.insert(position, vtimezone(zone_name, min(used), max(used)))
    return cal.to_ical()


def invitation_attachment(method: str, content: bytes, filename: str = "invite.ics") -> dict:
    """An outbox attachment for an iTIP file: the MIME part says its method (RFC 6047 2.4)."""
    return {"filename": filename, "mimetype": f"text/calendar; method={method}", "content": content.decode()}


def meeting_invitation(
    *,
    uid: str,
    sequence: int,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str,
    host,
    guest,
    summary: str,
    description: str,
    online_url: str = "",
    cancelled: bool = False,
) -> tuple[str, bytes]:
    """A one-to-one meeting as an iTIP message, (method, file): REQUEST, or CANCEL when ``cancelled``."""
    method = CANCEL if cancelled else REQUEST
    entry = VEvent()
    entry.add("uid", uid)
    entry.add("sequence", sequence)
    entry.add("dtstamp", timezone.now())
    add_time(entry, "dtstart", starts_at, time_zone)
    add_time(entry, "dtend", ends_at, time_zone)
    entry.add("organizer", organizer())
    entry.add("attendee", attendee(host, partstat="ACCEPTED", role="CHAIR"))
    if guest is not None:
        entry.add("attendee", attendee(guest, partstat="ACCEPTED"))
    entry.add("summary", summary)
    entry.add("description", description)
    if online_url and not cancelled:
        entry.add("location", online_url)
        entry.add("url", online_url)
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    cal = calendar(method)
    cal.add_component(entry)
    return method, finish(cal)
