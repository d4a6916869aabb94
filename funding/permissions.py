"""Who may see and do what with funding."""

from cohorts.models import Participant
from cohorts.permissions import is_organisation_lead

FINANCE_GROUP = "Finance"


def is_finance(user) -> bool:
    """Approving and marking paid is for the Finance group only, superusers included only if members."""
    return bool(user.is_authenticated and user.is_staff and user.groups.filter(name=FINANCE_GROUP).exists())


def can_view_award(user, award) -> bool:
    """Staff, and the people of the organisation the award is for. Nobody else."""
    if not user.is_authenticated:
        return False
    return user.is_staff or Participant.objects.filter(membership_id=award.membership_id, user=user).exists()


def can_log_time(user, membership) -> bool:
    return bool(user.is_authenticated and Participant.objects.filter(membership=membership, user=user).exists())


def can_open_funding_files(user, award) -> bool:
    """Signed agreements and invoices: Finance and other staff, and the lead contact of the award's organisation."""
    if not user.is_authenticated:
        return False
    return user.is_staff or is_organisation_lead(user, award.membership.organisation)


def can_open_invoice(user, instalment) -> bool:
    """An instalment's invoice: whoever may open its award's funding files."""
    return can_open_funding_files(user, instalment.award)
