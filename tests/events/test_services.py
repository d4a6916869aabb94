from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from events import services
from events.models import RSVP, SupportSlot
from events.services import rsvp_set
from notifications.models import Email
from notifications.services import emails_send_due
from tests.events.helpers import _participants
from tests.factories import CohortFactory, EventFactory, MembershipFactory, ParticipantFactory, UserFactory
from tests.helpers import race


@pytest.mark.django_db
def test_going_when_full_joins_the_waiting_list_and_a_freed_seat_promotes_the_first():
    event = EventFactory(capacity=2)
    first, second, third, fourth = _participants(event.cohort, 4)
    assert rsvp_set(event=event, user=first, going=True).status == RSVP.Status.GOING
    assert rsvp_set(event=event, user=second, going=True).status == RSVP.Status.GOING
    assert rsvp_set(event=event, user=third, going=True).status == RSVP.Status.WAITLISTED
    assert rsvp_set(event=event, user=fourth, going=True).status == RSVP.Status.WAITLISTED

    rsvp_set(event=event, user=first, going=False)

    statuses = dict(RSVP.objects.filter(event=event).values_list("user__email", "status"))
    assert statuses == {
        first.email: "not_going",
        second.email: "going",
        third.email: "going",
        fourth.email: "waitlisted",
    }


@pytest.mark.django_db
def test_answering_twice_keeps_one_rsvp():
    event = EventFactory()
    (person,) = _participants(event.cohort, 1)
    rsvp_set(event=event, user=person, going=True)
    rsvp_set(event=event, user=person, going=False)
    assert list(RSVP.objects.filter(event=event).values_list("status", flat=True)) == ["not_going"]


@pytest.mark.django_db
def test_answers_close_at_the_rsvp_deadline():
    event = EventFactory(rsvp_deadline=timezone.now() + timedelta(hours=1))
    (person,) = _participants(event.cohort, 1)
    with pytest.raises(ValidationError) as excinfo:
        rsvp_set(event=event, user=person, going=True, at=event.rsvp_deadline)
    assert excinfo.value.messages == ["Answers for this event are closed."]
    assert RSVP.objects.count() == 0


@pytest.mark.django_db
def test_someone_outside_the_cohort_cannot_answer():
    event = EventFactory()
    other_cohort_person = ParticipantFactory().user
    with pytest.raises(PermissionDenied):
        rsvp_set(event=event, user=other_cohort_person, going=True)
    with pytest.raises(PermissionDenied):
        rsvp_set(event=event, user=UserFactory(), going=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_capacity_holds_under_concurrent_answers():
    event = EventFactory(capacity=5)
    people = _participants(event.cohort, 16)
    errors = race(people, lambda user: rsvp_set(event=event, user=user, going=True))

    assert errors == []
    assert RSVP.objects.filter(event=event, status=RSVP.Status.GOING).count() == 5
    assert RSVP.objects.filter(event=event, status=RSVP.Status.WAITLISTED).count() == 11


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
