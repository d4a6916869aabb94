"""Writes for funding. Instalments and their cap arrive with the funding issue."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from cohorts.models import Membership
from funding.models import Award


@transaction.atomic
def award_create(*, membership: Membership, amount: Decimal, created_by, notes: str = "") -> Award:
    """Record the funding offered to one member organisation. Staff only (the admin).

    The amount must lie between £0.01 and £20,000; the database holds the same
    rule as a check constraint.
    """
    if Award.objects.filter(membership=membership).exists():
        raise ValidationError(f"{membership.organisation} already has an award for {membership.cohort}.")
    award = Award(membership=membership, amount=amount, created_by=created_by, notes=notes)
    award.full_clean()
    award.save()
    return award
