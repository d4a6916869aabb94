"""Who may see and change an application, and who may review it."""

from cohorts.permissions import can_act_for_organisation


def can_view_application(user, application) -> bool:
    """The people of the applying organisation. Staff use the admin."""
    return can_act_for_organisation(user, application.organisation)


def can_edit_application(user, application) -> bool:
    return can_view_application(user, application)


def can_review(user, assignment) -> bool:
    """Only the assigned reviewer, and not after declaring a conflict of interest."""
    return bool(user.is_authenticated and assignment.reviewer_id == user.pk and not assignment.has_conflict)
