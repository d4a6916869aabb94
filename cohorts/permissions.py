"""Who may see and do what in a cohort. Used by views and services alike."""

from cohorts.models import Cohort, Organisation, OrganisationPerson, Participant


def is_cohort_participant(user, cohort: Cohort) -> bool:
    if not user.is_authenticated:
        return False
    return Participant.objects.filter(membership__cohort=cohort, user=user).exists()


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
