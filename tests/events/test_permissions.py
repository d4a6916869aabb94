"""Who may book and cancel a 1:1 slot: one rule each, used by the services and by the pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort
from events.models import SupportSlot
from events.permissions import can_book_slot
from tests.factories import CohortFactory, MembershipFactory, ParticipantFactory, UserFactory


@pytest.fixture
def slot():
    starts = timezone.now() + timedelta(days=2)
    return SupportSlot.objects.create(
        cohort=CohortFactory(), host=UserFactory(is_staff=True), starts_at=starts, ends_at=starts + timedelta(hours=1)
    )


@pytest.mark.django_db
def test_participants_book_while_the_cohort_runs_staff_and_alumni_do_not(slot):
    membership = MembershipFactory(cohort=slot.cohort)
    participant = ParticipantFactory(membership=membership).user
    other_cohorts = MembershipFactory()

    assert can_book_slot(participant, slot.cohort, membership) is True
    assert can_book_slot(UserFactory(is_staff=True), slot.cohort, None) is False
    assert can_book_slot(participant, slot.cohort, other_cohorts) is False
    slot.cohort.status = Cohort.Status.COMPLETED
    assert can_book_slot(participant, slot.cohort, membership) is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status", "shows_button"),
    [("participant", "running", True), ("staff", "running", False), ("participant", "completed", False)],
)
def test_the_cohort_page_offers_booking_to_exactly_those_the_rule_allows(client, slot, who, status, shows_button):
    Cohort.objects.filter(pk=slot.cohort_id).update(status=status)
    user = ParticipantFactory(membership=MembershipFactory(cohort=slot.cohort)).user if who == "participant" else None
    client.force_login(user or UserFactory(is_staff=True))

    page = client.get(slot.cohort.get_absolute_url()).content.decode()

    assert (reverse("events:slot_book", args=[slot.pk]) in page) is shows_button
