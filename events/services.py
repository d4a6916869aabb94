"""Writes for events: RSVPs and the waiting list."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from events.models import RSVP, Event
from events.permissions import can_view_event


@transaction.atomic
def rsvp_set(*, event: Event, user, going: bool, at=None) -> RSVP:
    """Record ``user``'s answer to ``event`` and return their RSVP.

    Locks the event row, then counts, then writes, so capacity holds under
    concurrent answers: when the event is full a "going" answer joins the
    waiting list, and when someone stops going the first person waiting is
    promoted. Callable by participants of the event's cohort.
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not can_view_event(user, event):
        raise Http404
    if not event.rsvps_open(at or timezone.now()):
        if event.status == Event.Status.CANCELLED:
            raise ValidationError("This event has been cancelled.")
        raise ValidationError("Answers for this event are closed.")

    rsvp = RSVP.objects.filter(event=event, user=user).first()
    previous = rsvp.status if rsvp else None
    if going:
        if previous in (RSVP.Status.GOING, RSVP.Status.WAITLISTED):
            return rsvp
        going_count = RSVP.objects.filter(event=event, status=RSVP.Status.GOING).count()
        status = (
            RSVP.Status.WAITLISTED
            if event.capacity is not None and going_count >= event.capacity
            else RSVP.Status.GOING
        )
    else:
        status = RSVP.Status.NOT_GOING

    if rsvp is None:
        rsvp = RSVP(event=event, user=user, status=status)
    else:
        rsvp.status = status
    rsvp.full_clean()
    rsvp.save()

    if previous == RSVP.Status.GOING and status != RSVP.Status.GOING:
        _promote_from_waitlist(event)
    return rsvp


def _promote_from_waitlist(event: Event) -> RSVP | None:
    """Give a freed seat to the person who has waited longest. Caller holds the event lock."""
    if event.capacity is not None:
        going_count = RSVP.objects.filter(event=event, status=RSVP.Status.GOING).count()
        if going_count >= event.capacity:
            return None
    first = RSVP.objects.filter(event=event, status=RSVP.Status.WAITLISTED).order_by("created_at", "pk").first()
    if first is None:
        return None
    first.status = RSVP.Status.GOING
    first.save(update_fields=["status", "updated_at"])
    return first
