"""Progress and final reports: rounds staff set per cohort, their questions, and each member organisation's report."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from cohorts.models import Cohort, Membership
from funding.models import Instalment
from toolbox.timezones import validate_time_zone

__all__ = ["ReportRound", "ReportQuestion", "Report"]


class ReportRound(models.Model):
    """One report every member organisation of a cohort owes by a date: a progress report or the final one."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", "Progress report"
        FINAL = "final", "Final report"

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="report_rounds")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PROGRESS)
    title = models.CharField(max_length=200, help_text="E.g. Mid-point progress report.")
    introduction = models.TextField(blank=True, help_text="Shown to the organisations above the questions.")
    due_at = models.DateTimeField("due", help_text="Reminders go to each organisation's people before this.")
    time_zone = models.CharField(
        max_length=64,
        default="Europe/London",
        validators=[validate_time_zone],
        help_text="The zone the due time is printed in (IANA name, e.g. Europe/London).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cohort", "due_at", "pk"]
        verbose_name = "report round"

    def __str__(self) -> str:
        return f"{self.title} ({self.cohort})"


class ReportQuestion(models.Model):
    """A question of a report round; its kinds are the open call's extra questions' kinds."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", "Short text"
        LONG_TEXT = "long_text", "Long text"
        NUMBER = "number", "Number"
        YES_NO = "yes_no", "Yes / no"
        SINGLE_CHOICE = "single_choice", "Single choice"

    round = models.ForeignKey(ReportRound, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.LONG_TEXT)
    choices = models.TextField(blank=True, help_text="For a single choice: one option per line.")
    required = models.BooleanField(default=True, help_text="Needed to submit; a draft may leave it empty.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["round", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self):
        # A single choice with fewer than two different options can never be answered sensibly, and a
        # required one would block submitting for good; options on other kinds would be silently ignored.
        options = self.options
        if self.kind == self.Kind.SINGLE_CHOICE:
            if len(options) < 2:
                raise ValidationError(
                    {"choices": "A single choice needs at least two options, one per line."}, code="too_few_options"
                )
            seen = {option.casefold() for option in options}
            if len(seen) != len(options):
                raise ValidationError(
                    {"choices": "Each option must be different: remove the repeated line."}, code="repeated_option"
                )
        elif self.choices.strip():
            raise ValidationError(
                {"choices": f"Only a single choice question takes options; clear them for {self.get_kind_display()}."},
                code="options_not_taken",
            )


class Report(models.Model):
    """One member organisation's report for one round: written by its people, submitted by its lead contact."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned for changes"
        ACCEPTED = "accepted", "Accepted"

    #: The states in which the organisation may still edit the report.
    EDITABLE = (Status.DRAFT, Status.RETURNED)

    round = models.ForeignKey(ReportRound, on_delete=models.CASCADE, related_name="reports")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    #: ``{question id (as text): answer}``: the answers typed so far, kept through every status.
    answers = models.JSONField(default=dict, blank=True)
    #: Raised by every save: a save from a page opened before another save is refused (nothing overwritten).
    version = models.PositiveIntegerField(default=0, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    staff_comments = models.TextField(
        "comments to the organisation", blank=True, help_text="Required to return a report; shown to the organisation."
    )
    instalment = models.OneToOneField(
        Instalment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="waits_for_report",
        help_text="An instalment of this organisation's award that becomes due only when this report is accepted.",
    )

    class Meta:
        ordering = ["round", "membership__organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "membership"], name="outcomes_report_one_per_membership"),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(decided_at__isnull=False),
                name="outcomes_report_accepted_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round.title}: {self.membership.organisation.name}"

    def get_absolute_url(self) -> str:
        return reverse("outcomes:report", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE
