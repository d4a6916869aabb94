"""Who may see an event and answer it."""

from cohorts.permissions import can_view_cohort


def can_view_event(user, event) -> bool:
    """Participants of the event's cohort, and staff."""
    return can_view_cohort(user, event.cohort)


def can_see_online_link(user, event, rsvp) -> bool:
    """The online link is for people going (and staff who run the event)."""
    return bool(user.is_staff or (rsvp is not None and rsvp.status == rsvp.Status.GOING))


def can_view_slot(user, slot) -> bool:
    """A 1:1 slot's page: participants of its cohort, staff, and its host."""
    return bool(user.is_authenticated and (user.pk == slot.host_id or can_view_cohort(user, slot.cohort)))


def can_see_slot_link(user, slot, membership) -> bool:
    """A slot's online link and calendar file: the booking organisation, the host, staff.

    ``membership`` is the user's own membership of the slot's cohort (or None).
    """
    if not user.is_authenticated:
        return False
    booked_by_them = slot.booked_by_id is not None and membership is not None and membership.pk == slot.booked_by_id
    return bool(user.is_staff or user.pk == slot.host_id or booked_by_them)


def can_book_slot(user, cohort, membership) -> bool:
    """Booking a cohort's 1:1 slots: a participant of a member organisation, while the cohort runs.

    Staff, who belong to no organisation, do not book. ``membership`` is the
    user's own membership of ``cohort`` (or None).
    """
    return bool(
        user.is_authenticated and membership is not None and membership.cohort_id == cohort.pk and not cohort.has_ended
    )


def can_cancel_slot(user, slot, membership) -> bool:
    """Cancelling a booking: the same people who see its link (the booking organisation, the host, staff)."""
    return can_see_slot_link(user, slot, membership)
