"""1:1 support slots reach both sides: invitations on booking, change and cancel, both feeds, the link on the page."""

from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from html.parser import HTMLParser

import pytest
import time_machine
import vobject
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from events import services
from events.models import SupportSlot
from notifications.models import Email
from notifications.services import _message
from tests.factories import CohortFactory, MembershipFactory, ParticipantFactory, UserFactory

NOW = datetime(2027, 1, 10, 9, tzinfo=UTC)
# 10:00 GMT on 1 Feb 2027 in London; the booker reads it in New York.
STARTS = datetime(2027, 2, 1, 10, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(clock):
    cohort = CohortFactory()
    membership = MembershipFactory(cohort=cohort)
    booker = ParticipantFactory(membership=membership, user=UserFactory(name="Ada Booker")).user
    colleague = ParticipantFactory(membership=membership).user
    other = ParticipantFactory(membership=MembershipFactory(cohort=cohort)).user
    host = UserFactory(is_staff=True, name="Hal Host")
    slot = SupportSlot.objects.create(
        cohort=cohort,
        host=host,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(minutes=45),
        time_zone="Europe/London",
        topic="Licensing",
        online_url="https://meet.example/abc",
    )
    return {"slot": slot, "booker": booker, "colleague": colleague, "other": other, "host": host}


def _sent(kind: str, to: str):
    """The calendar part of the email as it would leave: (its method param, the parsed calendar)."""
    email = Email.objects.get(kind=kind, to_email=to)
    built = message_from_bytes(_message(email, connection=None).message().as_bytes())
    (part,) = [p for p in built.walk() if p.get_content_type() == "text/calendar"]
    return part.get_param("method"), Calendar.from_ical(part.get_payload(decode=True))


def _feed_uids(user) -> dict[str, tuple]:
    body = Client().get(services.calendar_token_for(user).get_absolute_url()).content
    by_icalendar = {
        str(e["UID"]): (e.decoded("DTSTART").astimezone(UTC), e.get("URL") and str(e["URL"]))
        for e in Calendar.from_ical(body).walk("VEVENT")
    }
    by_vobject = {
        e.uid.value: (e.dtstart.value.astimezone(UTC), e.url.value if hasattr(e, "url") else None)
        for e in getattr(vobject.readOne(body.decode()), "vevent_list", [])
    }
    assert by_icalendar == by_vobject
    return by_icalendar


@pytest.mark.django_db
def test_booking_sends_both_sides_a_request_and_puts_the_slot_in_both_feeds(world):
    slot, booker, host = world["slot"], world["booker"], world["host"]

    slot = services.support_slot_book(slot=slot, user=booker)

    assert slot.sequence == 1
    for person in (booker, host):
        method, calendar = _sent("slot_booked", person.email)
        assert method == "REQUEST"
        assert str(calendar["METHOD"]) == "REQUEST"
        (entry,) = calendar.walk("VEVENT")
        assert (str(entry["UID"]), entry["SEQUENCE"], str(entry["STATUS"])) == (slot.uid, 1, "CONFIRMED")
        assert entry.decoded("DTSTART").astimezone(UTC) == STARTS
        assert entry.decoded("DTEND").astimezone(UTC) == STARTS + timedelta(minutes=45)
        assert str(entry["URL"]) == "https://meet.example/abc"
        assert sorted(str(a) for a in entry["ATTENDEE"]) == sorted([f"mailto:{booker.email}", f"mailto:{host.email}"])
        assert str(entry["ORGANIZER"]).startswith("mailto:")
    assert Email.objects.filter(kind="slot_booked").count() == 2
    booker_mail = Email.objects.get(kind="slot_booked", to_email=booker.email)
    assert "Online link: https://meet.example/abc" in booker_mail.body_text
    assert str(Calendar.from_ical(_sent("slot_booked", host.email)[1].to_ical()).walk("VEVENT")[0]["SUMMARY"]) == (
        f"1:1 support: {slot.booked_by.organisation.name}"
    )

    expected = {slot.uid: (STARTS, "https://meet.example/abc")}
    assert _feed_uids(booker) == expected
    assert _feed_uids(host) == expected
    assert _feed_uids(world["other"]) == {}


@pytest.mark.django_db
def test_the_booking_page_shows_the_link_to_the_booking_organisation_and_not_to_others(world):
    slot, booker = world["slot"], world["booker"]
    client = Client()
    client.force_login(booker)

    response = client.post(reverse("events:slot_book", args=[slot.pk]))

    assert response.status_code == 302
    assert response["Location"] == slot.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert '<a href="https://meet.example/abc" rel="noopener">https://meet.example/abc</a>' in page
    assert "Mon 1 Feb 2027, 10:00 GMT (Europe/London)" in page
    assert client.get(reverse("events:slot_ics", args=[slot.pk])).status_code == 200
    # The cohort page links the booking to its page.
    assert f'href="{slot.get_absolute_url()}"' in client.get(slot.cohort.get_absolute_url()).content.decode()

    colleague = Client()
    colleague.force_login(world["colleague"])
    assert "https://meet.example/abc" in colleague.get(slot.get_absolute_url()).content.decode()

    outsider = Client()
    outsider.force_login(world["other"])
    page = outsider.get(slot.get_absolute_url()).content.decode()
    assert "meet.example" not in page
    assert outsider.get(reverse("events:slot_ics", args=[slot.pk])).status_code == 404


@pytest.mark.django_db
def test_a_host_change_sends_both_sides_an_updated_request_with_a_higher_sequence(world):
    slot, booker, host = world["slot"], world["booker"], world["host"]
    services.support_slot_book(slot=slot, user=booker)
    later = STARTS + timedelta(days=1, hours=2)

    slot = services.support_slot_update(
        slot=slot, by=host, starts_at=later, ends_at=later + timedelta(hours=1), online_url="https://meet.example/new"
    )

    assert slot.sequence == 2
    for person in (booker, host):
        method, calendar = _sent("slot_changed", person.email)
        assert method == "REQUEST"
        (entry,) = calendar.walk("VEVENT")
        assert (str(entry["UID"]), entry["SEQUENCE"]) == (slot.uid, 2)
        assert entry.decoded("DTSTART").astimezone(UTC) == later
        assert str(entry["URL"]) == "https://meet.example/new"
    assert _feed_uids(booker) == {slot.uid: (later, "https://meet.example/new")}


@pytest.mark.django_db
def test_only_the_host_or_staff_may_change_a_slot_and_a_bad_change_saves_nothing(world):
    slot, booker = world["slot"], world["booker"]
    services.support_slot_book(slot=slot, user=booker)

    with pytest.raises(PermissionDenied):
        services.support_slot_update(slot=slot, by=booker, online_url="https://evil.example/")
    with pytest.raises(ValidationError) as refused:
        services.support_slot_update(slot=slot, by=world["host"], ends_at=STARTS - timedelta(hours=1))
    assert refused.value.messages == ["A slot must end after it starts."]
    with pytest.raises(ValidationError) as refused:
        services.support_slot_update(
            slot=slot, by=world["host"], starts_at=NOW - timedelta(hours=2), ends_at=NOW - timedelta(hours=1)
        )
    assert refused.value.messages == ["A booked slot cannot be moved into the past."]

    slot.refresh_from_db()
    assert (slot.online_url, slot.ends_at, slot.sequence) == (
        "https://meet.example/abc",
        STARTS + timedelta(minutes=45),
        1,
    )
    assert Email.objects.filter(kind="slot_changed").count() == 0


@pytest.mark.django_db
def test_an_unchanged_save_sends_nothing_and_keeps_the_sequence(world):
    slot = services.support_slot_book(slot=world["slot"], user=world["booker"])
    slot = services.support_slot_update(slot=slot, by=world["host"], topic="Licensing", online_url=slot.online_url)
    assert slot.sequence == 1
    assert Email.objects.filter(kind="slot_changed").count() == 0


@pytest.mark.django_db
def test_cancelling_sends_both_sides_a_cancel_and_drops_the_slot_from_both_feeds(world):
    slot, booker, host = world["slot"], world["booker"], world["host"]
    services.support_slot_book(slot=slot, user=booker)
    client = Client()
    client.force_login(world["colleague"])

    assert client.post(reverse("events:slot_cancel", args=[slot.pk])).status_code == 302

    slot.refresh_from_db()
    assert (slot.booked_by, slot.sequence) == (None, 2)
    for person in (booker, host):
        method, calendar = _sent("slot_cancelled", person.email)
        assert method == "CANCEL"
        assert str(calendar["METHOD"]) == "CANCEL"
        (entry,) = calendar.walk("VEVENT")
        assert (str(entry["UID"]), entry["SEQUENCE"], str(entry["STATUS"])) == (slot.uid, 2, "CANCELLED")
        assert f"mailto:{booker.email}" in [str(a) for a in entry["ATTENDEE"]]
    assert _feed_uids(booker) == {}
    assert _feed_uids(host) == {}

    # Booked again by another organisation: a new REQUEST above the CANCEL, so the host's calendar takes it back.
    services.support_slot_book(slot=slot, user=world["other"])
    _method, calendar = _sent("slot_booked", world["other"].email)
    assert calendar.walk("VEVENT")[0]["SEQUENCE"] == 3
    assert Email.objects.filter(kind="slot_booked", to_email=host.email).count() == 2


@pytest.mark.django_db
def test_the_host_may_cancel_and_an_outsider_may_not(world):
    slot = services.support_slot_book(slot=world["slot"], user=world["booker"])
    with pytest.raises(PermissionDenied):
        services.support_slot_cancel(slot=slot, user=world["other"])
    non_staff_host = UserFactory()
    SupportSlot.objects.filter(pk=slot.pk).update(host=non_staff_host)
    services.support_slot_cancel(slot=slot, user=non_staff_host)
    slot.refresh_from_db()
    assert slot.booked_by is None


class _Form(HTMLParser):
    """The values a browser would post back from the admin's change form, as rendered."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "checkbox", "file"):
            self.data[name] = attrs.get("value") or ""
        elif tag == "input" and name and attrs.get("type") == "checkbox" and "checked" in attrs:
            self.data[name] = attrs.get("value") or "on"
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


@pytest.mark.django_db
def test_staff_changing_a_booked_slots_link_in_the_admin_tells_both_sides(world):
    slot = services.support_slot_book(slot=world["slot"], user=world["booker"])
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:events_supportslot_change", args=[slot.pk])
    form = _Form()
    form.feed(client.get(url).content.decode())

    response = client.post(url, {**form.data, "online_url": "https://meet.example/moved"})

    assert response.status_code == 302
    slot.refresh_from_db()
    assert (slot.online_url, slot.sequence, slot.starts_at) == ("https://meet.example/moved", 2, STARTS)
    for person in (world["booker"], world["host"]):
        method, calendar = _sent("slot_changed", person.email)
        assert method == "REQUEST"
        entry = calendar.walk("VEVENT")[0]
        assert (entry["SEQUENCE"], str(entry["URL"])) == (2, "https://meet.example/moved")


@pytest.mark.django_db
def test_giving_a_booked_slot_to_another_host_in_the_admin_cancels_it_for_the_old_host_and_invites_the_new(world):
    slot, booker, old_host = (
        services.support_slot_book(slot=world["slot"], user=world["booker"]),
        *[world[k] for k in ("booker", "host")],
    )
    new_host = UserFactory(is_staff=True, name="Nia Newhost")
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:events_supportslot_change", args=[slot.pk])
    form = _Form()
    form.feed(client.get(url).content.decode())

    response = client.post(url, {**form.data, "host": str(new_host.pk)})

    assert response.status_code == 302
    slot.refresh_from_db()
    assert (slot.host, slot.sequence, slot.booked_by_user) == (new_host, 2, booker)
    method, calendar = _sent("slot_cancelled", old_host.email)
    assert method == "CANCEL"
    (entry,) = calendar.walk("VEVENT")
    assert (str(entry["UID"]), entry["SEQUENCE"], str(entry["STATUS"])) == (slot.uid, 2, "CANCELLED")
    assert f"mailto:{old_host.email}" in [str(a) for a in entry["ATTENDEE"]]
    assert (
        "is no longer yours: Nia Newhost hosts it now"
        in Email.objects.get(to_email=old_host.email, kind="slot_cancelled").body_text
    )
    for person in (booker, new_host):
        method, calendar = _sent("slot_changed", person.email)
        assert method == "REQUEST"
        (entry,) = calendar.walk("VEVENT")
        assert (str(entry["UID"]), entry["SEQUENCE"]) == (slot.uid, 2)
        assert sorted(str(a) for a in entry["ATTENDEE"]) == sorted(
            [f"mailto:{booker.email}", f"mailto:{new_host.email}"]
        )
    assert str(_sent("slot_changed", booker.email)[1].walk("VEVENT")[0]["SUMMARY"]) == "1:1 support with Nia Newhost"
    assert Email.objects.filter(kind="slot_cancelled").count() == 1
    assert _feed_uids(new_host) == {slot.uid: (STARTS, "https://meet.example/abc")}
    assert _feed_uids(old_host) == {}
