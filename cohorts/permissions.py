"""Who may see and do what in a cohort. Used by views and services alike."""

from cohorts.models import Cohort, Organisation, OrganisationPerson, Participant


def is_cohort_participant(user, cohort: Cohort) -> bool:
    known = getattr(cohort, "_viewer_takes_part", None)
    if known is not None and known[0] == user.pk:
        return known[1]
    return Participant.objects.for_user(user, cohort).exists()


def remember_participation(cohort: Cohort, user, takes_part: bool) -> None:
    """Tell ``is_cohort_participant`` what the query that fetched ``cohort`` already found out for ``user``.

    A page that fetches a row with ``Exists(Participant.objects.for_user(user, OuterRef("cohort")))`` (the same
    rule) answers the permission without a second query. Kept on this one object, for this one person.
    """
    cohort._viewer_takes_part = (user.pk, bool(takes_part))


def can_view_cohort(user, cohort: Cohort) -> bool:
    """Participants of the cohort, and programme staff."""
    return bool(user.is_authenticated and (user.is_staff or is_cohort_participant(user, cohort)))


def can_act_for_organisation(user, organisation: Organisation) -> bool:
    if not user.is_authenticated:
        return False
    return OrganisationPerson.objects.filter(organisation=organisation, user=user).exists()


def is_organisation_lead(user, organisation: Organisation) -> bool:
    if not user.is_authenticated:
        return False
    return OrganisationPerson.objects.filter(
        organisation=organisation, user=user, role=OrganisationPerson.Role.LEAD
    ).exists()


def can_start_thread(user, cohort: Cohort) -> bool:
    """Staff always; participants when staff allow it and the cohort has not ended (alumni only read)."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return cohort.members_can_post and not cohort.has_ended and is_cohort_participant(user, cohort)


def can_reply(user, cohort: Cohort) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_staff or (not cohort.has_ended and is_cohort_participant(user, cohort))


def can_contribute(user, membership) -> bool:
    """Participants of the member organisation, while the cohort runs."""
    if not user.is_authenticated or membership.cohort.has_ended:
        return False
    return Participant.objects.filter(membership=membership, user=user).exists()
