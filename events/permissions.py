"""Who may see an event and answer it."""

from cohorts.permissions import can_view_cohort


def can_view_event(user, event) -> bool:
    """Participants of the event's cohort, and staff."""
    return can_view_cohort(user, event.cohort)


def can_see_online_link(user, event, rsvp) -> bool:
    """The online link is for people going (and staff who run the event)."""
    return bool(user.is_staff or (rsvp is not None and rsvp.status == rsvp.Status.GOING))
