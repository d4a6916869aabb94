"""Who may answer a feedback form and who may read its results."""

from django.db.models import Q

from cohorts.models import Participant
from events.models import RSVP


def feedback_invitees(form):
    """The users a form is for: those marked as attended (event form), or the cohort's participants (cohort form)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if form.event_id:
        rsvps = RSVP.objects.filter(event_id=form.event_id, attendance=RSVP.Attendance.ATTENDED)
        return users.filter(pk__in=rsvps.values("user_id"))
    people = Participant.objects.filter(membership__cohort_id=form.cohort_id)
    return users.filter(pk__in=people.values("user_id"))


def can_answer_feedback(user, form) -> bool:
    """A form is seen only by the people it is for; to anyone else (staff included) it does not exist."""
    if not user.is_authenticated:
        return False
    return feedback_invitees(form).filter(Q(pk=user.pk)).exists()


def can_view_feedback_results(user, form=None) -> bool:
    """Results are for staff who may read feedback forms in the admin."""
    return bool(user.is_authenticated and user.is_staff and user.has_perm("outcomes.view_feedbackform"))
