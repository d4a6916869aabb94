"""Who may read and post in a chat room: the cohort's own rules (another cohort's room does not exist for you)."""

from cohorts.models import Cohort
from cohorts.permissions import can_reply, can_view_cohort

#: What an alumnus is told where the composer would be, on the page and over the socket.
ALUMNI_READ_ONLY = "This cohort has ended: as alumni you can read the chat, but no longer post."


def can_read_room(user, room) -> bool:
    """Participants of the room's cohort (alumni included) and programme staff."""
    return can_view_cohort(user, room.cohort)


def can_post_in_room(user, room) -> bool:
    """Staff; participants while the cohort runs. The same rule as replying on the mailing list."""
    return can_reply(user, room.cohort)


def cannot_post_reason(user, cohort: Cohort) -> str:
    """Why the composer is missing for someone who may read but not post."""
    if cohort.has_ended:
        return ALUMNI_READ_ONLY
    return "Only the cohort's participants and the programme team post here."


def can_change_message(user, message) -> bool:
    """Only the author edits or deletes, and only while they may still post in the room."""
    return (
        user.is_authenticated
        and message.author_id == user.pk
        and message.deleted_at is None
        and can_post_in_room(user, message.room)
    )
