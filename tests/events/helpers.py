"""Helpers the events tests share."""

from tests.factories import MembershipFactory, ParticipantFactory


def _participants(cohort, count, membership=None):
    membership = membership or MembershipFactory(cohort=cohort)
    return [ParticipantFactory(membership=membership).user for _ in range(count)]


def _started(event):
    """Move ``event`` (a factory's, a week ahead) eight days back, keeping its length: attendance can be marked."""
    from datetime import timedelta

    from django.db.models import F

    from events.models import Event

    Event.objects.filter(pk=event.pk).update(
        starts_at=F("starts_at") - timedelta(days=8), ends_at=F("ends_at") - timedelta(days=8)
    )
    event.refresh_from_db()
    return event
