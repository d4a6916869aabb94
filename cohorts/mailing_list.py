"""A cohort's mailing list as the outbox sees it: its kind of email, and what its unsubscribe link stops.

Registered with notifications in ``CohortsConfig.ready()``, as events register
their reminders: notifications imports no domain app.
"""

from django.db import transaction

from cohorts.models import Cohort, Participant
from notifications.unsubscribe import MailingList, register_list

#: The outbox kind of a new thread's email, and of its unsubscribe link.
KIND = "cohort_message"


def describe(user, cohort_id) -> str | None:
    """What the link stops, or None when the person no longer takes part in that cohort."""
    cohort = Cohort.objects.filter(pk=cohort_id, memberships__participants__user=user).first()
    return f"emails of new threads in {cohort.name}" if cohort else None


@transaction.atomic
def stop(user, cohort_id) -> None:
    """The same switch as the cohort's settings page: one person, one cohort."""
    # cohorts.services imports this module (for KIND); import it when the link is used.
    from cohorts.services import participant_preferences_set

    for participant in Participant.objects.select_for_update().for_user(user, cohort_id):
        participant_preferences_set(
            participant=participant,
            user=user,
            receive_messages=False,
            show_contact_details=participant.show_contact_details,
        )


def register() -> None:
    register_list(MailingList(kind=KIND, describe=describe, stop=stop))
