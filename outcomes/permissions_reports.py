"""Who may see, write and submit an organisation's report. Used by the report views and services alike."""

from cohorts.models import OrganisationPerson, Participant


def is_report_writer(user, report) -> bool:
    """The people of the organisation's membership: any participant may write the draft."""
    if not user.is_authenticated:
        return False
    return Participant.objects.filter(membership_id=report.membership_id, user=user).exists()


def is_report_lead(user, report) -> bool:
    """The lead contact: the membership's lead participant, or the organisation's lead contact who takes part."""
    if not user.is_authenticated:
        return False
    participant = Participant.objects.filter(membership_id=report.membership_id, user=user).first()
    if participant is None:
        return False
    if participant.role == Participant.Role.LEAD:
        return True
    return OrganisationPerson.objects.filter(
        organisation_id=report.membership.organisation_id, user=user, role=OrganisationPerson.Role.LEAD
    ).exists()


def can_view_report(user, report) -> bool:
    """Staff, and the people of the organisation the report is from. Anyone else gets a 404."""
    return bool(user.is_authenticated and (user.is_staff or is_report_writer(user, report)))


def lead_names(report) -> list[str]:
    """Who may submit, by name, for the message a colleague sees."""
    leads = Participant.objects.filter(membership_id=report.membership_id).select_related("user")
    org_leads = set(
        OrganisationPerson.objects.filter(
            organisation_id=report.membership.organisation_id, role=OrganisationPerson.Role.LEAD
        ).values_list("user_id", flat=True)
    )
    return [p.user.display_name for p in leads if p.role == Participant.Role.LEAD or p.user_id in org_leads]
