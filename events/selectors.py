"""Reads about events used in more than one place."""

from django.db.models import OuterRef, Q, QuerySet, Subquery

from events.models import RSVP, Event, SupportSlot


def events_for_cohort(cohort, *, answers_of=None) -> QuerySet[Event]:
    """The cohort's events with their themes, in one query.

    ``answers_of`` (a user) gives each event ``viewer_answer``: that person's RSVP status, or None, in the
    same query. The cohort's home lists no going and waiting counts: two correlated subqueries per row cost
    it more than its rows.
    """
    events = Event.objects.filter(cohort=cohort).select_related("theme").order_by("starts_at")
    if answers_of is not None:
        answer = RSVP.objects.filter(event=OuterRef("pk"), user_id=answers_of.pk).values("status")[:1]
        events = events.annotate(viewer_answer=Subquery(answer))
    return events


def rsvps_by_event(user, events) -> dict[int, RSVP]:
    """``user``'s answers to ``events``, keyed by event id, in one query."""
    if not user.is_authenticated:
        return {}
    return {r.event_id: r for r in RSVP.objects.filter(user=user, event__in=list(events))}


def booked_slots_for(user) -> QuerySet[SupportSlot]:
    """The booked 1:1 slots ``user`` booked or hosts: both sides see them in their calendar feed."""
    return (
        SupportSlot.objects.filter(Q(booked_by_user=user) | Q(host=user), booked_by__isnull=False)
        .select_related("host", "booked_by_user", "booked_by__organisation")
        .order_by("starts_at")
    )
