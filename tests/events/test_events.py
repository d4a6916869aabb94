"""Events: concurrency on PostgreSQL, promotions, one-click links, calendars, slots and who may see what."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar

from events import services
from events.models import RSVP, Event, SupportSlot
from notifications.models import Email
from notifications.services import emails_send_due
from tests.factories import CohortFactory, EventFactory, MembershipFactory, ParticipantFactory, UserFactory
from tests.helpers import race


def _participants(cohort, count, membership=None):
    membership = membership or MembershipFactory(cohort=cohort)
    return [ParticipantFactory(membership=membership).user for _ in range(count)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_people_racing_for_ten_seats_leave_ten_going_and_forty_waiting_in_arrival_order():
    event = EventFactory(capacity=10)
    cohort = event.cohort
    people = [ParticipantFactory(membership=MembershipFactory(cohort=cohort)).user for _ in range(50)]
    errors = race(people, lambda person: services.rsvp_set(event=event, user=person, going=True))
    assert errors == []
    going = list(RSVP.objects.filter(event=event, status=RSVP.Status.GOING).order_by("created_at"))
    waiting = list(RSVP.objects.filter(event=event, status=RSVP.Status.WAITLISTED).order_by("waiting_since", "pk"))
    assert len(going) == 10
    assert len(waiting) == 40
    # Whoever got the lock first got a seat; the list keeps the order people arrived in.
    assert max(r.created_at for r in going) <= min(r.created_at for r in waiting)
    assert [r.pk for r in waiting] == [r.pk for r in sorted(waiting, key=lambda r: r.created_at)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_seats_per_organisation_hold_under_arace():
    event = EventFactory(seats_per_organisation=2)
    people = _participants(event.cohort, 12)
    errors = race(people, lambda person: services.rsvp_set(event=event, user=person, going=True))
    assert RSVP.objects.filter(event=event, status=RSVP.Status.GOING).count() == 2
    assert len(errors) == 10
    assert all(isinstance(e, ValidationError) for e in errors)
    assert errors[0].messages[0].endswith("already has its 2 places at this event.")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_organisations_racing_for_one_slot_leave_one_booking():
    cohort = CohortFactory()
    slot = SupportSlot.objects.create(
        cohort=cohort,
        host=UserFactory(is_staff=True),
        starts_at=datetime(2030, 1, 10, 10, tzinfo=UTC),
        ends_at=datetime(2030, 1, 10, 11, tzinfo=UTC),
    )
    people = [ParticipantFactory(membership=MembershipFactory(cohort=cohort)).user for _ in range(2) for _ in range(4)]
    errors = race(people, lambda person: services.support_slot_book(slot=slot, user=person))
    slot.refresh_from_db()
    assert slot.booked_by is not None
    assert len(errors) == 7
    assert {e.messages[0] for e in errors} == {
        "Sorry, another organisation has just booked this slot. Please choose another."
    }


@pytest.mark.django_db
def test_a_cancellation_promotes_the_first_waiting_and_emails_them_once(mailoutbox):
    event = EventFactory(capacity=1, title="Roundtable: sustainability")
    first, second, third = _participants(event.cohort, 3)
    services.rsvp_set(event=event, user=first, going=True)
    services.rsvp_set(event=event, user=second, going=True)
    services.rsvp_set(event=event, user=third, going=True)

    services.rsvp_set(event=event, user=first, going=False)

    assert RSVP.objects.get(event=event, user=second).status == RSVP.Status.GOING
    assert RSVP.objects.get(event=event, user=third).status == RSVP.Status.WAITLISTED
    assert emails_send_due() == 1
    assert emails_send_due() == 0
    (email,) = mailoutbox
    assert email.to == [second.email]
    assert email.subject == "A place is yours: Roundtable: sustainability"
    assert email.attachments[0][0] == "event.ics"


@pytest.mark.django_db
def test_leaving_the_waiting_list_promotes_nobody():
    event = EventFactory(capacity=1)
    first, second = _participants(event.cohort, 2)
    services.rsvp_set(event=event, user=first, going=True)
    services.rsvp_set(event=event, user=second, going=True)
    services.rsvp_set(event=event, user=second, going=False)
    assert dict(RSVP.objects.values_list("user", "status")) == {first.pk: "going", second.pk: "not_going"}
    assert Email.objects.count() == 0


# --- One-click links ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_one_click_link_sets_that_one_answer_without_a_login(client):
    event = EventFactory()
    (person,) = _participants(event.cohort, 1)
    link = services.answer_link(event=event, user=person, answer="going")
    # The link's page shows one button; its POST answers (tests/test_security_unsubscribe.py).
    response = client.post(link.replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 200
    assert RSVP.objects.get(event=event, user=person).status == RSVP.Status.GOING
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_tampered_link_is_refused_with_a_clear_page_and_changes_nothing(client):
    event = EventFactory()
    (person,) = _participants(event.cohort, 1)
    link = services.answer_link(event=event, user=person, answer="going").replace("http://127.0.0.1:8000", "")
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA/") else "BBB") + "/"
    response = client.get(tampered)
    assert response.status_code == 400
    assert "This link is not valid." in response.content.decode()
    assert RSVP.objects.count() == 0


@pytest.mark.django_db
def test_an_expired_link_is_refused_and_changes_nothing(client):
    event = EventFactory(starts_at=datetime(2031, 1, 1, tzinfo=UTC), ends_at=datetime(2031, 1, 1, 2, tzinfo=UTC))
    (person,) = _participants(event.cohort, 1)
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC), tick=False):
        link = services.answer_link(event=event, user=person, answer="going").replace("http://127.0.0.1:8000", "")
    with time_machine.travel(datetime(2030, 1, 16, tzinfo=UTC), tick=False):
        response = client.get(link)
    assert response.status_code == 400
    assert "This link has expired." in response.content.decode()
    assert RSVP.objects.count() == 0


# --- Calendars -----------------------------------------------------------------------------------


def _ics(client, event) -> Calendar:
    response = client.get(reverse("events:ics", args=[event.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


@pytest.mark.django_db
def test_ics_keeps_its_uid_raises_sequence_and_carries_the_cancellation(client):
    event = EventFactory()
    (person,) = _participants(event.cohort, 1)
    services.rsvp_set(event=event, user=person, going=True)
    client.force_login(person)

    first = _ics(client, event).walk("VEVENT")[0]
    Event.objects.filter(pk=event.pk).update(
        starts_at=event.starts_at + timedelta(hours=1), ends_at=event.ends_at + timedelta(hours=1)
    )
    services.event_changed(event=event)
    second = _ics(client, event).walk("VEVENT")[0]
    services.event_cancel(event=event, by=UserFactory(is_staff=True))
    cancelled = _ics(client, event)

    event.refresh_from_db()
    assert str(first["UID"]) == str(second["UID"]) == event.uid
    assert (first["SEQUENCE"], second["SEQUENCE"], cancelled.walk("VEVENT")[0]["SEQUENCE"]) == (0, 1, 2)
    assert second.decoded("DTSTART") - first.decoded("DTSTART") == timedelta(hours=1)
    assert str(cancelled["METHOD"]) == "CANCEL"
    assert str(cancelled.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    # Everyone going got an update and a cancellation, each with the .ics.
    kinds = list(Email.objects.filter(to_email=person.email).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["event_changed", "event_cancelled"]


@pytest.mark.django_db
def test_an_event_across_the_clocks_going_back_shows_the_right_local_times(client):
    # 23:00 BST on 24 Oct 2026 to 03:00 GMT on 25 Oct: the UK clocks go back at 02:00 BST in between.
    event = EventFactory(
        starts_at=datetime(2026, 10, 24, 22, 0, tzinfo=UTC), ends_at=datetime(2026, 10, 25, 3, 0, tzinfo=UTC)
    )
    (person,) = _participants(event.cohort, 1)
    client.force_login(person)
    calendar = _ics(client, event)
    vevent = calendar.walk("VEVENT")[0]
    assert vevent["DTSTART"].to_ical() == b"20261024T230000"
    assert vevent["DTSTART"].params["TZID"] == "Europe/London"
    assert vevent["DTEND"].to_ical() == b"20261025T030000"
    # Five real hours, though the wall clock moves four: compare as instants.
    assert vevent.decoded("DTEND").astimezone(UTC) - vevent.decoded("DTSTART").astimezone(UTC) == timedelta(hours=5)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Sat 24 Oct 2026, 23:00 BST (Europe/London)" in page
    assert "Sun 25 Oct 2026, 03:00 GMT (Europe/London)" in page


@pytest.mark.django_db
def test_the_online_link_is_only_in_the_calendar_of_people_going(client):
    event = EventFactory(online_url="https://meet.example/room")
    going, other = _participants(event.cohort, 2)
    services.rsvp_set(event=event, user=going, going=True)
    client.force_login(other)
    assert b"meet.example" not in client.get(reverse("events:ics", args=[event.pk])).content
    client.force_login(going)
    assert b"meet.example" in client.get(reverse("events:ics", args=[event.pk])).content


@pytest.mark.django_db
def test_the_personal_feed_has_every_event_with_the_answer_and_a_revoked_address_is_a_404(client):
    cohort = CohortFactory()
    (person,) = _participants(cohort, 1)
    first = EventFactory(cohort=cohort, title="First")
    EventFactory(cohort=cohort, title="Second")
    EventFactory(title="Another cohort's event")
    services.rsvp_set(event=first, user=person, going=True)
    old = services.calendar_token_for(person)

    feed = Calendar.from_ical(client.get(old.get_absolute_url()).content)
    summaries = sorted(str(e["SUMMARY"]) for e in feed.walk("VEVENT"))
    assert summaries == ["First (going)", "Second"]

    services.calendar_token_revoke(user=person)
    assert client.get(old.get_absolute_url()).status_code == 404
    assert client.get(services.calendar_token_for(person).get_absolute_url()).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["stranger", "other_cohort"])
def test_a_non_member_gets_a_404_for_the_event_its_ics_and_its_rsvp_endpoint(client, who):
    event = EventFactory()
    client.force_login(UserFactory() if who == "stranger" else ParticipantFactory().user)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(reverse("events:ics", args=[event.pk])).status_code == 404
    assert client.post(reverse("events:rsvp", args=[event.pk]), {"answer": "going"}).status_code == 404
    assert client.post(reverse("events:written_input", args=[event.pk]), {"body": "x"}).status_code == 404
    assert RSVP.objects.count() == 0


@pytest.mark.django_db
def test_the_htmx_answer_returns_the_answer_box(client):
    event = EventFactory(capacity=1)
    first, second = _participants(event.cohort, 2)
    services.rsvp_set(event=event, user=first, going=True)
    client.force_login(second)
    response = client.post(reverse("events:rsvp", args=[event.pk]), {"answer": "going"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<section id="rsvp"')
    assert "On the waiting list" in body
    bad = client.post(reverse("events:rsvp", args=[event.pk]), {"answer": "maybe"}, headers={"HX-Request": "true"})
    assert bad.status_code == 400
    assert "Choose “Going” or “Not going”." in bad.content.decode()


@pytest.mark.django_db
def test_attendance_is_marked_in_bulk_and_reported(client):
    event = EventFactory()
    people = _participants(event.cohort, 3)
    for person in people:
        services.rsvp_set(event=event, user=person, going=True)
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    rsvps = list(RSVP.objects.order_by("pk"))
    client.post(
        reverse("admin:events_rsvp_changelist"),
        {"action": "mark_attended", "_selected_action": [r.pk for r in rsvps[:2]]},
    )
    client.post(reverse("admin:events_rsvp_changelist"), {"action": "mark_no_show", "_selected_action": [rsvps[2].pk]})
    assert list(RSVP.objects.order_by("pk").values_list("attendance", flat=True)) == ["attended", "attended", "no_show"]
    report = client.post(
        reverse("admin:events_event_changelist"), {"action": "attendance_report", "_selected_action": [event.pk]}
    )
    (row,) = report.context["rows"]
    assert (row["going"], row["attended"], row["no_show"]) == (3, 2, 1)


@pytest.mark.django_db
def test_written_input_reaches_staff(client):
    event = EventFactory()
    (person,) = _participants(event.cohort, 1)
    client.force_login(person)
    response = client.post(reverse("events:written_input", args=[event.pk]), {"body": "Our view on licences"})
    assert response.status_code == 302
    assert list(event.written_inputs.values_list("author", "body")) == [(person.pk, "Our view on licences")]
    response = client.post(reverse("events:written_input", args=[event.pk]), {"body": ""})
    assert response.status_code == 200
    assert response.context["input_form"].errors["body"] == ["This field is required."]


@pytest.mark.django_db
def test_the_change_email_carries_a_one_click_link_that_frees_the_place(client):
    event = EventFactory(capacity=1)
    first, second = _participants(event.cohort, 2)
    services.rsvp_set(event=event, user=first, going=True)
    services.rsvp_set(event=event, user=second, going=True)
    services.event_changed(event=event)
    body = Email.objects.get(to_email=first.email, kind="event_changed").body_text
    link = next(word for word in body.split() if "/events/answer/" in word)
    assert client.post(link.replace("http://127.0.0.1:8000", "")).status_code == 200
    assert dict(RSVP.objects.values_list("user", "status")) == {first.pk: "not_going", second.pk: "going"}
