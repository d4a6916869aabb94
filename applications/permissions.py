"""Who may see and change an application."""

from cohorts.permissions import can_act_for_organisation


def can_view_application(user, application) -> bool:
    """The people of the applying organisation. Staff use the admin."""
    return can_act_for_organisation(user, application.organisation)


def can_edit_application(user, application) -> bool:
    return can_view_application(user, application)
