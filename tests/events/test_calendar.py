"""Calendar files read back right: exact instants on both sides of clock changes, and iTIP invitations.

Every file is parsed by two independent readers: icalendar (zoneinfo by TZID)
and vobject (pytz by TZID, and its own reading of the VTIMEZONE). They disagree
on the one thing RFC 5545 leaves to the reader's care, a local time in the hour
that happens twice (icalendar reads the first pass, vobject the second), which
is why such instants must be written in UTC.
"""

from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from zoneinfo import ZoneInfo

import pytest
import vobject
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from events import services
from events.calendar import event_calendar
from events.models import Event
from events.vtimezone import vtimezone
from notifications.models import Email
from notifications.services import _message
from tests.factories import EventFactory, MembershipFactory, ParticipantFactory, UserFactory


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# (zone, which side of which change, the instant, how the event's page prints it)
CASES = [
    ("Europe/London", "back, first pass", _utc(2026, 10, 25, 0, 30), "Sun 25 Oct 2026, 01:30 BST"),
    ("Europe/London", "back, second pass", _utc(2026, 10, 25, 1, 30), "Sun 25 Oct 2026, 01:30 GMT"),
    ("Europe/London", "back, after", _utc(2026, 10, 25, 2, 30), "Sun 25 Oct 2026, 02:30 GMT"),
    ("Europe/London", "forward, before", _utc(2026, 3, 29, 0, 30), "Sun 29 Mar 2026, 00:30 GMT"),
    ("Europe/London", "forward, after", _utc(2026, 3, 29, 1, 30), "Sun 29 Mar 2026, 02:30 BST"),
    ("America/New_York", "back, first pass", _utc(2026, 11, 1, 5, 30), "Sun 1 Nov 2026, 01:30 EDT"),
    ("America/New_York", "back, second pass", _utc(2026, 11, 1, 6, 30), "Sun 1 Nov 2026, 01:30 EST"),
    ("America/New_York", "forward, before", _utc(2026, 3, 8, 6, 30), "Sun 8 Mar 2026, 01:30 EST"),
    ("America/New_York", "forward, after", _utc(2026, 3, 8, 7, 30), "Sun 8 Mar 2026, 03:30 EDT"),
    ("Australia/Sydney", "back, first pass", _utc(2026, 4, 4, 15, 30), "Sun 5 Apr 2026, 02:30 AEDT"),
    ("Australia/Sydney", "back, second pass", _utc(2026, 4, 4, 16, 30), "Sun 5 Apr 2026, 02:30 AEST"),
    ("Australia/Sydney", "forward, before", _utc(2026, 10, 3, 15, 30), "Sun 4 Oct 2026, 01:30 AEST"),
    ("Australia/Sydney", "forward, after", _utc(2026, 10, 3, 16, 30), "Sun 4 Oct 2026, 03:30 AEDT"),
    ("America/Santiago", "back, first pass", _utc(2026, 4, 5, 2, 30), "Sat 4 Apr 2026, 23:30 -03"),
    ("America/Santiago", "back, second pass", _utc(2026, 4, 5, 3, 30), "Sat 4 Apr 2026, 23:30 -04"),
    ("America/Santiago", "forward, before", _utc(2026, 9, 6, 3, 30), "Sat 5 Sep 2026, 23:30 -04"),
    ("America/Santiago", "forward, after", _utc(2026, 9, 6, 4, 30), "Sun 6 Sep 2026, 01:30 -03"),
]
HOUR = timedelta(hours=1)


def _read_both(body: bytes) -> dict[str, tuple]:
    """{UID: (start, end)} as UTC instants, read by icalendar and by vobject, which must agree."""
    by_icalendar = {
        str(entry["UID"]): (entry.decoded("DTSTART").astimezone(UTC), entry.decoded("DTEND").astimezone(UTC))
        for entry in Calendar.from_ical(body).walk("VEVENT")
    }
    by_vobject = {
        entry.uid.value: (entry.dtstart.value.astimezone(UTC), entry.dtend.value.astimezone(UTC))
        for entry in vobject.readOne(body.decode()).vevent_list
    }
    assert by_icalendar == by_vobject
    return by_icalendar


@pytest.mark.django_db
@pytest.mark.parametrize(("zone", "side", "instant", "printed"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_an_event_on_either_side_of_a_clock_change_reads_back_at_its_exact_instant(
    client, zone, side, instant, printed
):
    event = EventFactory(time_zone=zone, starts_at=instant, ends_at=instant + HOUR)
    client.force_login(UserFactory(is_staff=True, time_zone=zone))

    ics = client.get(reverse("events:ics", args=[event.pk])).content

    assert _read_both(ics) == {event.uid: (instant, instant + HOUR)}
    page = client.get(event.get_absolute_url()).content.decode()
    assert f"{printed} ({zone})" in page


@pytest.mark.django_db
def test_the_personal_feed_reads_back_every_instant_exactly():
    membership = MembershipFactory()
    person = ParticipantFactory(membership=membership).user
    events = [
        EventFactory(cohort=membership.cohort, time_zone=zone, starts_at=instant, ends_at=instant + HOUR)
        for zone, _side, instant, _printed in CASES
    ]

    feed = services.calendar_token_for(person).get_absolute_url()

    body = Client().get(feed).content

    assert _read_both(body) == {event.uid: (event.starts_at, event.ends_at) for event in events}
    calendar = Calendar.from_ical(body)
    assert sorted(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")) == [
        "America/New_York",
        "America/Santiago",
        "Australia/Sydney",
        "Europe/London",
    ]


@pytest.mark.django_db
def test_only_the_repeated_hour_is_written_in_utc():
    first = EventFactory(starts_at=_utc(2026, 10, 25, 0, 30), ends_at=_utc(2026, 10, 25, 1, 30))
    entry = Calendar.from_ical(event_calendar(first)).walk("VEVENT")[0]
    # 01:30 happens twice that night: both passes are said in UTC, which no reader can take for the other.
    assert entry["DTSTART"].to_ical() == b"20261025T003000Z"
    assert entry["DTEND"].to_ical() == b"20261025T013000Z"
    noon = EventFactory(starts_at=_utc(2026, 10, 25, 12), ends_at=_utc(2026, 10, 25, 13))
    entry = Calendar.from_ical(event_calendar(noon)).walk("VEVENT")[0]
    assert entry["DTSTART"].to_ical() == b"20261025T120000"
    assert entry["DTSTART"].params["TZID"] == "Europe/London"


# --- VTIMEZONE ----------------------------------------------------------------------------------


def _changes(zone: ZoneInfo, year_from: int, year_to: int) -> list[datetime]:
    found, at = [], _utc(year_from, 1, 1)
    before = at.astimezone(zone).utcoffset()
    while at.year <= year_to:
        after = (at + timedelta(minutes=30)).astimezone(zone).utcoffset()
        if after != before:
            found.append(at + timedelta(minutes=30))
        at, before = at + timedelta(minutes=30), after
    return found


@pytest.mark.parametrize("zone_name", ["Europe/London", "America/New_York", "Australia/Sydney", "America/Santiago"])
def test_the_vtimezone_is_rule_based_and_gives_zoneinfos_offsets_to_both_readers(zone_name):
    block = vtimezone(zone_name, 2026, 2027)
    # Outlook reads yearly rules: one STANDARD and one DAYLIGHT observance, each with an RRULE, no RDATE.
    observances = block.subcomponents
    assert sorted(o.name for o in observances) == ["DAYLIGHT", "STANDARD"]
    assert all("RRULE" in o and "RDATE" not in o for o in observances)

    by_icalendar = block.to_tz(lookup_tzid=False)
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + block.to_ical().decode() + "END:VCALENDAR\r\n"
    by_vobject = vobject.readOne(text).vtimezone.gettzinfo()
    zone = ZoneInfo(zone_name)
    instants = [_utc(2026, month, 1, 12) for month in range(1, 13)] + [_utc(2027, month, 15) for month in range(1, 13)]
    for change in _changes(zone, 2026, 2027):
        instants += [change - timedelta(seconds=1), change, change + timedelta(minutes=90)]
    for instant in instants:
        expected = instant.astimezone(zone).utcoffset()
        assert instant.astimezone(by_icalendar).utcoffset() == expected, instant
        assert instant.astimezone(by_vobject).utcoffset() == expected, instant


@pytest.mark.parametrize("zone_name", ["Africa/Casablanca", "Europe/Dublin", "America/Santiago", "Asia/Gaza"])
def test_a_vtimezone_over_many_years_gives_zoneinfos_offsets_to_both_readers(zone_name):
    """A feed spans years: zones whose dates move (RDATEs) and zones with "negative DST" read exactly too.

    Casablanca moves its clocks around Ramadan, on other dates every year; Dublin's
    winter time, like Casablanca's Ramadan time, is a negative DST in zoneinfo.
    """
    block = vtimezone(zone_name, 2026, 2032)
    by_icalendar = block.to_tz(lookup_tzid=False)
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + block.to_ical().decode() + "END:VCALENDAR\r\n"
    by_vobject = vobject.readOne(text).vtimezone.gettzinfo()
    zone = ZoneInfo(zone_name)
    changes = _changes(zone, 2026, 2032)
    assert len(changes) >= 10
    instants = [_utc(year, month, 10, 12) for year in range(2026, 2033) for month in range(1, 13)]
    for change in changes:
        instants += [change + timedelta(minutes=m) for m in (-90, -61, -30, -1, 0, 1, 30, 61, 90)]
    for instant in instants:
        expected = instant.astimezone(zone).utcoffset()
        assert instant.astimezone(by_icalendar).utcoffset() == expected, instant
        assert instant.astimezone(by_vobject).utcoffset() == expected, instant


def test_changes_on_no_yearly_rule_are_one_rdate_a_line_and_forward_changes_start_daylight():
    lines = vtimezone("Africa/Casablanca", 2026, 2032).to_ical().decode().split("\r\n")
    rdates = [line for line in lines if line.startswith("RDATE")]
    assert len(rdates) >= 10
    assert all("," not in line for line in rdates)
    # Ireland: IST (+01) in summer is DAYLIGHT and GMT in winter STANDARD, as readers expect.
    observances = {o.name: str(o["TZNAME"]) for o in vtimezone("Europe/Dublin", 2026, 2026).subcomponents}
    assert observances == {"DAYLIGHT": "IST", "STANDARD": "GMT"}


def test_the_rules_of_the_uk_and_new_york():
    london = {o.name: o["RRULE"].to_ical() for o in vtimezone("Europe/London", 2026, 2026).subcomponents}
    assert london == {"DAYLIGHT": b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "STANDARD": b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"}
    new_york = {o.name: o["RRULE"].to_ical() for o in vtimezone("America/New_York", 2026, 2026).subcomponents}
    assert new_york == {"DAYLIGHT": b"FREQ=YEARLY;BYDAY=2SU;BYMONTH=3", "STANDARD": b"FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"}


def test_a_zone_without_clock_changes_has_one_fixed_observance():
    (standard,) = vtimezone("Asia/Kolkata", 2026, 2026).subcomponents
    assert standard.name == "STANDARD"
    assert standard.to_ical().decode().split("\r\n")[1:-2] == [
        "DTSTART:19700101T000000",
        "TZNAME:IST",
        "TZOFFSETFROM:+0530",
        "TZOFFSETTO:+0530",
    ]


# --- Invitations (iTIP/iMIP) ----------------------------------------------------------------------


def _invitation(email: Email):
    """The calendar part of the email as sent (its MIME Content-Type params) and the calendar it holds."""
    built = message_from_bytes(_message(email, connection=None).message().as_bytes())
    (part,) = [p for p in built.walk() if p.get_content_type() == "text/calendar"]
    return dict(part.get_params()[1:]), Calendar.from_ical(part.get_payload(decode=True))


def _promoted_person(event):
    membership = MembershipFactory(cohort=event.cohort)
    first, second = (ParticipantFactory(membership=membership).user for _ in range(2))
    services.rsvp_set(event=event, user=first, going=True)
    services.rsvp_set(event=event, user=second, going=True)
    services.rsvp_set(event=event, user=first, going=False)
    return second


@pytest.mark.django_db
def test_an_emailed_invitation_is_an_itip_request_with_organizer_and_attendee(settings):
    settings.DEFAULT_FROM_EMAIL = "CohortNet programme <programme@cohorts.example.org>"
    event = EventFactory(capacity=1, time_zone="Europe/London")
    second = _promoted_person(event)

    params, calendar = _invitation(Email.objects.get(kind="rsvp_promoted"))

    assert params == {"method": "REQUEST", "charset": "utf-8"}
    assert str(calendar["METHOD"]) == "REQUEST"
    (entry,) = calendar.walk("VEVENT")
    assert str(entry["UID"]) == event.uid
    assert str(entry["ORGANIZER"]) == "mailto:programme@cohorts.example.org"
    assert entry["ORGANIZER"].params["CN"] == "CohortNet programme"
    assert str(entry["ATTENDEE"]) == f"mailto:{second.email}"
    assert (entry["ATTENDEE"].params["PARTSTAT"], entry["ATTENDEE"].params["RSVP"]) == ("ACCEPTED", "FALSE")
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert all("RRULE" in o for o in calendar.walk("VTIMEZONE")[0].subcomponents)


@pytest.mark.django_db
def test_a_cancelled_event_sends_an_itip_cancel_with_a_higher_sequence():
    event = EventFactory()
    person = ParticipantFactory(membership=MembershipFactory(cohort=event.cohort)).user
    services.rsvp_set(event=event, user=person, going=True)

    services.event_cancel(event=event, by=UserFactory(is_staff=True))

    params, calendar = _invitation(Email.objects.get(kind="event_cancelled", to_email=person.email))
    assert params["method"] == "CANCEL"
    assert str(calendar["METHOD"]) == "CANCEL"
    (entry,) = calendar.walk("VEVENT")
    assert (str(entry["UID"]), entry["SEQUENCE"], str(entry["STATUS"])) == (event.uid, 1, "CANCELLED")
    assert str(entry["ATTENDEE"]) == f"mailto:{person.email}"


@pytest.mark.django_db
def test_new_uids_are_unique_and_carry_the_sites_host(settings):
    settings.SITE_URL = "https://cohorts.example.org"
    first, second = EventFactory(), EventFactory()
    assert first.uid != second.uid
    assert first.uid.endswith("@cohorts.example.org")
    assert len(first.uid) == len("00000000-0000-0000-0000-000000000000@cohorts.example.org")
    first.title = "Renamed"
    first.save()
    first.refresh_from_db()
    assert first.uid == Event.objects.get(pk=first.pk).uid


@pytest.mark.django_db(transaction=True)
def test_events_made_before_uids_were_stored_keep_the_uid_calendars_already_hold():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tests.factories import CohortFactory

    cohort = CohortFactory()
    executor = MigrationExecutor(connection)
    before = [("events", "0005_listing_indexes")]
    executor.migrate(before)
    OldEvent = executor.loader.project_state(before).apps.get_model("events", "Event")  # noqa: N806 -- a model class
    old = OldEvent.objects.create(
        cohort_id=cohort.pk, title="Old", starts_at=_utc(2027, 1, 5, 10), ends_at=_utc(2027, 1, 5, 11)
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Event.objects.get(pk=old.pk).uid == f"event-{old.pk}@cohortnet"
    assert EventFactory(cohort_id=cohort.pk).uid.endswith("@127.0.0.1")
