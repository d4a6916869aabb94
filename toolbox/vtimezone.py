"""VTIMEZONE blocks (RFC 5545 3.6.5) that every client reads, Outlook included.

icalendar can write a VTIMEZONE from zoneinfo, but as one RDATE per clock
change between 1970 and 2038: Outlook reads only RRULE-based blocks, and
nothing after 2038 would be covered. Here the zone's real changes are found
in the years the calendar uses (one year either side), and each kind of change
that falls on the same weekday rule every year ("last Sunday of October at
02:00") becomes one observance with a yearly RRULE. A change that follows no
such rule in those years (a zone that moved its dates) is written with RDATEs,
one per line, which is still exact.
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class Change(NamedTuple):
    onset: datetime  # naive wall-clock time of the change, in the offset before it (as RFC 5545 writes DTSTART)
    offset_from: timedelta
    offset_to: timedelta
    name: str
    dst: bool


def is_ambiguous(value: datetime, zone: ZoneInfo) -> bool:
    """Whether ``value``'s wall-clock time in ``zone`` happens twice (the repeated hour when clocks go back).

    RFC 5545 reads such a local time with a TZID as its first occurrence, so it
    cannot say the second one: those instants are written in UTC instead.
    """
    local = value.astimezone(zone).replace(tzinfo=None)
    return local.replace(tzinfo=zone, fold=0).utcoffset() != local.replace(tzinfo=zone, fold=1).utcoffset()


def _offset_changes(zone: ZoneInfo, start: datetime, end: datetime) -> list[Change]:
    """Every change of UTC offset (or of abbreviation) in [start, end), found day by day, then to the second."""
    changes = []
    day = timedelta(days=1)
    at = start
    before = at.astimezone(zone)
    while at < end:
        nxt = at + day
        after = nxt.astimezone(zone)
        if (after.utcoffset(), after.tzname()) != (before.utcoffset(), before.tzname()):
            low, high = at, nxt  # the change is after low and at or before high
            while high - low > timedelta(seconds=1):
                mid = low + (high - low) / 2
                local = mid.astimezone(zone)
                if (local.utcoffset(), local.tzname()) == (before.utcoffset(), before.tzname()):
                    low = mid
                else:
                    high = mid
            high = high.replace(microsecond=0)
            new = high.astimezone(zone)
            changes.append(
                Change(
                    onset=(high + before.utcoffset()).replace(tzinfo=None),
                    offset_from=before.utcoffset(),
                    offset_to=new.utcoffset(),
                    name=new.tzname() or "",
                    # Clocks going forward start DAYLIGHT, going back STANDARD, whatever zoneinfo calls them:
                    # Ireland's and Morocco's winter is "negative DST" there, which readers place an hour off.
                    dst=new.utcoffset() > before.utcoffset(),
                )
            )
        at, before = nxt, after
    return changes


def _yearly_rule(onsets: list[datetime], years: range) -> dict | None:
    """An RRULE that gives exactly these onsets, one a year in every year of ``years``, or None."""
    if [o.year for o in onsets] != list(years):
        return None
    first = onsets[0]
    if any((o.month, o.time(), o.weekday()) != (first.month, first.time(), first.weekday()) for o in onsets):
        return None
    weekday = _WEEKDAYS[first.weekday()]
    if all((o.day - 1) // 7 == (first.day - 1) // 7 for o in onsets):
        return {"FREQ": "YEARLY", "BYMONTH": first.month, "BYDAY": f"{(first.day - 1) // 7 + 1}{weekday}"}
    if all((o + timedelta(days=7)).month != o.month for o in onsets):
        return {"FREQ": "YEARLY", "BYMONTH": first.month, "BYDAY": f"-1{weekday}"}
    return None


@lru_cache(maxsize=256)
def vtimezone(zone_name: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE for ``zone_name``, exact for every instant from ``first_year`` to ``last_year``.

    One year either side is added, so the offset in force at the first instant
    is always set by an observance that starts before it.
    """
    zone = ZoneInfo(zone_name)
    years = range(first_year - 1, last_year + 2)
    start = datetime(years.start, 1, 1, tzinfo=UTC)
    end = datetime(years.stop, 1, 1, tzinfo=UTC)
    tz = Timezone()
    tz.add("tzid", zone_name)
    changes = _offset_changes(zone, start, end)
    if not changes:
        local = start.astimezone(zone)
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(1970, 1, 1))  # noqa: DTZ001 -- RFC 5545 wants a floating local time here
        standard.add("tzoffsetfrom", local.utcoffset())
        standard.add("tzoffsetto", local.utcoffset())
        standard.add("tzname", local.tzname())
        tz.add_component(standard)
        return tz
    kinds: dict[tuple, list[datetime]] = defaultdict(list)
    for change in changes:
        kinds[(change.offset_from, change.offset_to, change.name, change.dst)].append(change.onset)
    for (offset_from, offset_to, name, dst), onsets in kinds.items():
        observance = TimezoneDaylight() if dst else TimezoneStandard()
        observance.add("dtstart", onsets[0])
        observance.add("tzoffsetfrom", offset_from)
        observance.add("tzoffsetto", offset_to)
        if name:
            observance.add("tzname", name)
        rule = _yearly_rule(onsets, years)
        if rule is not None:
            observance.add("rrule", rule)
        else:
            # One RDATE line per change: a list on one line is valid too, but some readers take only its first date.
            for onset in onsets[1:]:
                observance.add("rdate", onset)
        tz.add_component(observance)
    return tz
