"""The named querysets in cohorts/models.py: whose membership, in which cohort."""

import pytest
from django.contrib.auth.models import AnonymousUser

from cohorts.models import Membership, Participant
from tests.factories import CohortFactory, MembershipFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cohort, other_cohort = CohortFactory(), CohortFactory()
    mine = MembershipFactory(cohort=cohort)
    theirs = MembershipFactory(cohort=cohort)
    elsewhere = MembershipFactory(cohort=other_cohort, organisation=mine.organisation)
    person, colleague, outsider = UserFactory(), UserFactory(), UserFactory()
    me = ParticipantFactory(membership=mine, user=person)
    ParticipantFactory(membership=theirs, user=colleague)
    return {
        "cohort": cohort,
        "other_cohort": other_cohort,
        "mine": mine,
        "elsewhere": elsewhere,
        "person": person,
        "me": me,
        "outsider": outsider,
    }


def test_for_participant_is_the_membership_the_person_takes_part_through(world):
    assert list(Membership.objects.for_participant(world["person"], world["cohort"])) == [world["mine"]]


def test_for_participant_is_empty_in_a_cohort_the_person_is_not_part_of(world):
    # Same organisation, other cohort: the person is not a participant there.
    assert list(Membership.objects.for_participant(world["person"], world["other_cohort"])) == []
    assert list(Membership.objects.for_participant(world["outsider"], world["cohort"])) == []


def test_for_participant_asks_nothing_for_a_visitor(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list(Membership.objects.for_participant(AnonymousUser(), world["cohort"])) == []


def test_participant_for_user_takes_a_cohort_or_its_id(world):
    assert list(Participant.objects.for_user(world["person"], world["cohort"])) == [world["me"]]
    assert list(Participant.objects.for_user(world["person"], world["cohort"].pk)) == [world["me"]]
    assert list(Participant.objects.for_user(world["person"], world["other_cohort"])) == []
    assert list(Participant.objects.for_user(world["outsider"], world["cohort"])) == []


def test_participant_for_user_asks_nothing_for_a_visitor(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list(Participant.objects.for_user(AnonymousUser(), world["cohort"])) == []
