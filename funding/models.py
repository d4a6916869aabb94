"""Funding awarded to member organisations, the instalments that pay it, and the time it compensates."""

import secrets
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse

from cohorts.models import FUNDING_CAP, PENNY, Membership
from cohorts.services import clean_upload
from events.models import RSVP, Event


def private_upload_path(instance, filename: str) -> str:
    # A random name under private/: nothing here is served from a public URL.
    return f"private/funding/{secrets.token_hex(16)}{Path(filename).suffix.lower()}"


def validate_document(value) -> None:
    """Agreements and invoices follow the resource library's rules: its file types, its size limit, real PDFs.

    Only a new upload is checked; a file already stored passed when it came in.
    """
    if getattr(value, "_committed", True):
        return
    try:
        clean_upload(value)
    except ValidationError as exc:
        # clean_upload names the resource form's field; here the error belongs to whichever file field runs this.
        raise ValidationError(exc.messages) from None


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
        validators=[MinValueValidator(PENNY), MaxValueValidator(FUNDING_CAP)],
        help_text="Between £0.01 and £20,000.",
    )
    vat_note = models.CharField(
        "VAT note", max_length=300, blank=True, help_text="E.g. the organisation is not VAT-registered."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OFFERED)
    committed = models.DecimalField(
        "approved plus paid (GBP)",
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        editable=False,
        help_text="Kept by the instalment services; the database refuses a total above the award.",
    )
    agreement_file = models.FileField(
        "signed agreement", upload_to=private_upload_path, validators=[validate_document], blank=True, max_length=300
    )
    agreement_signed_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["membership__organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=PENNY, amount__lte=FUNDING_CAP), name="funding_award_amount_range"
            ),
            models.CheckConstraint(
                condition=Q(committed__gte=0) & Q(committed__lte=F("amount")),
                name="funding_award_committed_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.amount:,} to {self.membership.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("funding:award", kwargs={"pk": self.pk})

    def get_agreement_url(self) -> str:
        return reverse("funding:agreement_file", kwargs={"pk": self.pk})

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.committed


class Instalment(models.Model):
    """One payment of an award."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"

    #: The states that spend the award: scheduled, approved and paid instalments together stay within it.
    LIVE = (Status.SCHEDULED, Status.APPROVED, Status.PAID)

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="instalments")
    amount = models.DecimalField("amount (GBP)", max_digits=10, decimal_places=2, validators=[MinValueValidator(PENNY)])
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    invoice_reference = models.CharField(max_length=100, blank=True)
    invoice_file = models.FileField(
        upload_to=private_upload_path, validators=[validate_document], blank=True, max_length=300
    )
    held_for = models.CharField(
        "waits for",
        max_length=200,
        blank=True,
        editable=False,
        help_text="Set while the instalment waits for a report to be accepted (it names the report); "
        "a held instalment is not due and cannot be approved or paid.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        # The admin's changelist pages through instalments in this order.
        indexes = [
            models.Index(fields=["due_on", "id"], name="funding_instalment_due"),
            # The budget sums approved and paid instalments per award.
            models.Index(fields=["award", "status"], name="funding_instalment_by_award"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=PENNY), name="funding_instalment_amount_positive"),
            # One invoice pays one instalment: its reference (any case) appears once among an award's
            # instalments, a cancelled one excepted so that its invoice can pay the replacement.
            models.UniqueConstraint(
                "award",
                Lower("invoice_reference"),
                condition=~Q(invoice_reference="") & ~Q(status="cancelled"),
                name="funding_instalment_invoice_reference_once_per_award",
                violation_error_message="This invoice reference is already used by another instalment of this award.",
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.amount:,} due {self.due_on:%d %b %Y}"

    def get_invoice_url(self) -> str:
        return reverse("funding:invoice_file", kwargs={"pk": self.pk})

    @property
    def is_held(self) -> bool:
        return bool(self.held_for)

    @property
    def state_label(self) -> str:
        """The status as pages print it: a held scheduled instalment "waits for <report>"."""
        if self.is_held:
            return f"Waiting for {self.held_for}"
        return self.get_status_display()


class FundingChange(models.Model):
    """The history of every change to an award or an instalment: who, when, before, after."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="changes")
    instalment = models.ForeignKey(Instalment, on_delete=models.CASCADE, null=True, blank=True, related_name="changes")
    action = models.CharField(max_length=60)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} ({self.at:%Y-%m-%d %H:%M})"


#: A working day, in hours, for turning time into money: hours × day rate ÷ HOURS_PER_DAY.
HOURS_PER_DAY = Decimal("7.5")


class DayRate(models.Model):
    """What a day of an organisation's time is worth in one cohort (GBP), set by staff on the cohort's page."""

    cohort = models.OneToOneField("cohorts.Cohort", on_delete=models.CASCADE, related_name="day_rate")
    rate = models.DecimalField(
        "day rate (GBP)",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(PENNY), MaxValueValidator(FUNDING_CAP)],
        help_text=f"What one day ({HOURS_PER_DAY} hours) of a member's time is worth, in pounds.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=PENNY, rate__lte=FUNDING_CAP), name="funding_dayrate_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.rate:,.2f} a day"


class TimeEntry(models.Model):
    """Time an organisation's participant spent on the programme."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="time_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries")
    date = models.DateField()
    hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))],
    )
    activity = models.CharField(max_length=200)
    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="time_entries")
    rsvp = models.OneToOneField(
        RSVP,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="time_entry",
        help_text="Set when the entry was recorded from attendance.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name_plural = "time entries"
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=24), name="funding_timeentry_hours_range"),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h on {self.date} by {self.user}"
