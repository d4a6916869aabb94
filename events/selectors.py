"""Reads about events used in more than one place."""

from django.db.models import Count, Q, QuerySet

from events.models import RSVP, Event


def events_for_cohort(cohort) -> QuerySet[Event]:
    """The cohort's events with going and waiting counts, in one query."""
    return (
        Event.objects.filter(cohort=cohort)
        .select_related("theme")
        .annotate(
            going_count=Count("rsvps", filter=Q(rsvps__status=RSVP.Status.GOING)),
            waiting_count=Count("rsvps", filter=Q(rsvps__status=RSVP.Status.WAITLISTED)),
        )
        .order_by("starts_at")
    )


def rsvps_by_event(user, events) -> dict[int, RSVP]:
    """``user``'s answers to ``events``, keyed by event id, in one query."""
    if not user.is_authenticated:
        return {}
    return {r.event_id: r for r in RSVP.objects.filter(user=user, event__in=list(events))}
