"""Helpers the events tests share."""

from tests.factories import MembershipFactory, ParticipantFactory


def _participants(cohort, count, membership=None):
    membership = membership or MembershipFactory(cohort=cohort)
    return [ParticipantFactory(membership=membership).user for _ in range(count)]
