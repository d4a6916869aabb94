"""Funding awarded to member organisations and the instalments that pay it."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from cohorts.models import Membership

#: The programme's cap on one organisation's award, in GBP.
AWARD_CAP = Decimal("20000.00")
PENNY = Decimal("0.01")


class Award(models.Model):
    """The funding offered to one member organisation for one cohort (GBP, excluding VAT)."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    membership = models.OneToOneField(Membership, on_delete=models.PROTECT, related_name="award")
    amount = models.DecimalField(
        "amount (GBP, excluding VAT)",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(PENNY), MaxValueValidator(AWARD_CAP)],
        help_text="Between £0.01 and £20,000.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OFFERED)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["membership__organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=PENNY, amount__lte=AWARD_CAP), name="funding_award_amount_range"
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.amount:,} to {self.membership.organisation}"


class Instalment(models.Model):
    """One payment of an award."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="instalments")
    amount = models.DecimalField("amount (GBP)", max_digits=10, decimal_places=2, validators=[MinValueValidator(PENNY)])
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=PENNY), name="funding_instalment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"£{self.amount:,} due {self.due_on:%d %b %Y}"
