"""Open calls and the applications organisations make to them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from cohortnet.timezones import validate_time_zone
from cohorts.models import Cohort, Organisation

#: The programme's cap on funding for one organisation in one cohort, in GBP.
FUNDING_CAP = Decimal("20000.00")


class OpenCall(models.Model):
    """A public invitation to apply to a cohort, open between two instants."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="open_calls")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.CharField(max_length=300, help_text="One or two sentences shown in the list of calls.")
    description = models.TextField()
    eligibility = models.TextField(help_text="Who may apply.")
    funding_cap = models.DecimalField(
        "funding available per organisation (GBP)",
        max_digits=10,
        decimal_places=2,
        default=FUNDING_CAP,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(FUNDING_CAP)],
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    time_zone = models.CharField(
        max_length=64,
        default="Europe/London",
        validators=[validate_time_zone],
        help_text="The IANA zone the opening and closing times are announced in, e.g. Europe/London.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-closes_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="applications_opencall_closes_after_open"
            ),
            models.CheckConstraint(
                condition=Q(funding_cap__gte=Decimal("0.01"), funding_cap__lte=FUNDING_CAP),
                name="applications_opencall_funding_cap_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("applications:call_detail", kwargs={"slug": self.slug})

    def is_open(self, at=None) -> bool:
        """Open from ``opens_at`` inclusive up to and including ``closes_at``."""
        at = at or timezone.now()
        return self.opens_at <= at <= self.closes_at

    def has_closed(self, at=None) -> bool:
        return (at or timezone.now()) > self.closes_at

    def is_upcoming(self, at=None) -> bool:
        return (at or timezone.now()) < self.opens_at


class Application(models.Model):
    """One organisation's answer to one open call. A draft until submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Not accepted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    call = models.ForeignKey(OpenCall, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="applications")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications_created"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    # The programme's core questions. Blank is allowed while a draft; the
    # submit service checks that every required answer is there.
    data_stewarded = models.TextField("the open data you steward, and who uses it", blank=True, max_length=5000)
    licence = models.CharField("the open licence(s) the data is published under", max_length=200, blank=True)
    sustainability = models.TextField("how the work is sustained (revenue model)", blank=True, max_length=5000)
    contribution = models.TextField("what you can contribute to the other organisations", blank=True, max_length=5000)
    time_commitment = models.CharField("time you can commit over the six months", max_length=200, blank=True)
    funding_requested = models.DecimalField(
        "funding requested (GBP)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(FUNDING_CAP)],
    )
    consent_to_publish = models.BooleanField(
        "we agree to contribute to the programme's published output", default=False
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "organisation"],
                condition=~Q(status="withdrawn"),
                name="applications_application_one_live_per_call",
            ),
            models.CheckConstraint(
                condition=Q(funding_requested__isnull=True)
                | Q(funding_requested__gte=Decimal("0.01"), funding_requested__lte=FUNDING_CAP),
                name="applications_application_funding_requested_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.call}"

    def get_absolute_url(self) -> str:
        return reverse("applications:detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT
