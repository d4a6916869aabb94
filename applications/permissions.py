"""Who may see and change an application, and who may review it."""

from applications.workflow import WITHDRAWABLE
from cohorts.permissions import can_act_for_organisation


def can_view_application(user, application) -> bool:
    """The people of the applying organisation. Staff use the admin."""
    return can_act_for_organisation(user, application.organisation)


def can_edit_application(user, application) -> bool:
    return can_view_application(user, application)


def can_review(user, assignment) -> bool:
    """Only the assigned reviewer, and not after declaring a conflict of interest."""
    return bool(user.is_authenticated and assignment.reviewer_id == user.pk and not assignment.has_conflict)


#: Email domains anyone can sign up with: sharing one says nothing about who a reviewer works for.
PUBLIC_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "msn.com",
        "yahoo.com", "yahoo.co.uk", "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com",
        "gmx.com", "gmx.de", "mail.com", "btinternet.com",
    }
)  # fmt: skip


def email_domain(email: str) -> str:
    """The part after the @, lower-cased ("" for an address without one)."""
    return email.rpartition("@")[2].strip().lower() if "@" in email else ""


def review_conflict(reviewer, organisation, *, people=None) -> str:
    """Why ``reviewer`` may not review ``organisation``'s application, or "" when they may.

    A reviewer conflicts who acts for the organisation (is one of its people), or whose email
    domain is that of one of its people, public mail domains (``PUBLIC_EMAIL_DOMAINS``) aside.
    The assignment form leaves such reviewers out and ``review_assign`` refuses them. ``people``
    are the organisation's users when the caller has them already (one query for a whole page).
    """
    if people is None:
        people = [link.user for link in organisation.person_links.select_related("user")]
    name = f"{reviewer.get_full_name()} ({reviewer.email})" if reviewer.name else reviewer.email
    if any(person.pk == reviewer.pk for person in people):
        return f"{name} acts for {organisation.name}, so cannot review its application."
    domain = email_domain(reviewer.email)
    if domain and domain not in PUBLIC_EMAIL_DOMAINS and any(email_domain(p.email) == domain for p in people):
        return (
            f"{name} has an email address at {domain}, as {organisation.name}'s people do, "
            "so cannot review its application."
        )
    return ""


def can_book_interview(user, application) -> bool:
    """The people of a shortlisted organisation once its full application is submitted, until it is decided
    or withdrawn (the panel reads the full application before the interview)."""
    return bool(
        application.shortlisted_at is not None
        and application.status in WITHDRAWABLE
        and application.status != application.Status.DRAFT
        and can_act_for_organisation(user, application.organisation)
    )


def can_open_full_form(user, application) -> bool:
    """A two-stage call's full form: only for an organisation shortlisted from its expression of interest."""
    return application.shortlisted_at is not None and can_view_application(user, application)
