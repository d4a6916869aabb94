from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from events.models import RSVP
from events.services import rsvp_set
from tests.factories import EventFactory, MembershipFactory, ParticipantFactory, UserFactory
from tests.helpers import race


def _participants(cohort, count):
    membership = MembershipFactory(cohort=cohort)
    return [ParticipantFactory(membership=membership).user for _ in range(count)]


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
