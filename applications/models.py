"""Open calls, the applications organisations make to them, and their review."""

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import FUNDING_CAP, PENNY, Cohort, Organisation, Theme
from toolbox.timezones import in_zone, validate_time_zone

#: Said under every field staff may write in Markdown (rendered safely by toolbox/markdown.py).
MARKDOWN_HELP = "Markdown is accepted: **bold**, *italic*, lists, [links](https://example.org) and ## headings."


def _open_at(at) -> Q:
    # Open from ``opens_at`` inclusive up to and including ``closes_at``: OpenCall.is_open says the same in Python.
    return Q(opens_at__lte=at, closes_at__gte=at)


class OpenCallQuerySet(models.QuerySet):
    """Calls by where they stand at an instant (now unless ``at`` is given)."""

    def open(self, *, at=None):
        """Calls taking applications at ``at``: both ends inclusive."""
        return self.filter(_open_at(at or timezone.now()))

    def open_first(self, *, at=None):
        """Open calls first, then upcoming, then closed, each by closing time; ``state_order`` is 0, 1 or 2."""
        at = at or timezone.now()
        return self.annotate(
            state_order=Case(
                When(_open_at(at), then=Value(0)),
                When(opens_at__gt=at, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        ).order_by("state_order", "closes_at")

    def upcoming(self, *, at=None):
        """Calls that have not opened yet at ``at``."""
        return self.filter(opens_at__gt=at or timezone.now())

    def for_cards(self):
        """What a call's card shows besides its own fields: the cohort and the themes, in two queries."""
        return self.select_related("cohort").prefetch_related("themes")


class OpenCall(models.Model):
    """A public invitation to apply to a cohort, open between two instants."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="open_calls")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.CharField(max_length=300, help_text="One or two sentences shown in the list of calls.")
    description = models.TextField(help_text=f"What the programme is and why it runs. {MARKDOWN_HELP}")
    eligibility = models.TextField(help_text=f"Who may apply. {MARKDOWN_HELP}")
    themes = models.ManyToManyField(
        Theme,
        blank=True,
        related_name="open_calls",
        help_text="The themes the cohort works on, shown on the call page with their colour and description.",
    )
    members_get = models.TextField(
        "what members get",
        blank=True,
        help_text=f"Funding for their time, support, the network. Hidden on the page when empty. {MARKDOWN_HELP}",
    )
    members_give = models.TextField(
        "what members give",
        blank=True,
        help_text=f"Time, taking part, the published output. Hidden on the page when empty. {MARKDOWN_HELP}",
    )
    decisions_by = models.DateField(
        "decisions by",
        null=True,
        blank=True,
        help_text="The date applicants will hear by, shown in the call's timeline between closing and the cohort.",
    )
    funding_cap = models.DecimalField(
        "funding available per organisation (GBP)",
        max_digits=10,
        decimal_places=2,
        default=FUNDING_CAP,
        validators=[MinValueValidator(PENNY), MaxValueValidator(FUNDING_CAP)],
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    time_zone = models.CharField(
        max_length=64,
        default="Europe/London",
        validators=[validate_time_zone],
        help_text="The IANA zone the opening and closing times are announced in, e.g. Europe/London.",
    )
    review_deadline = models.DateTimeField(
        null=True, blank=True, help_text="Reviewers are reminded of unsubmitted reviews before this."
    )
    expressions_close_at = models.DateTimeField(
        "expressions of interest close",
        null=True,
        blank=True,
        help_text="Leave empty for a one-stage call. When set, organisations first send a short expression of "
        "interest until this time; only those shortlisted complete the full application, until the call closes.",
    )
    interviews_book_by = models.DateTimeField(
        "interviews booked by",
        null=True,
        blank=True,
        help_text="Shortlisted organisations that have not booked an interview slot are reminded before this.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: Changes with every edit of what the call page shows: the call's own fields (``auto_now``), and its
    #: FAQ, its themes and the themes' own text (applications/signals.py). The call page's cached
    #: fragment is keyed on it.
    updated_at = models.DateTimeField(auto_now=True)

    objects = OpenCallQuerySet.as_manager()

    class Meta:
        ordering = ["-closes_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="applications_opencall_closes_after_open"
            ),
            models.CheckConstraint(
                condition=Q(funding_cap__gte=PENNY, funding_cap__lte=FUNDING_CAP),
                name="applications_opencall_funding_cap_range",
            ),
            models.CheckConstraint(
                condition=Q(expressions_close_at__isnull=True)
                | Q(expressions_close_at__gt=F("opens_at"), expressions_close_at__lt=F("closes_at")),
                name="applications_opencall_expressions_within_call",
                violation_error_message="Expressions of interest must close after the call opens and before it closes.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("applications:call_detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        self._clean_interviews_book_by()
        if not (self.decisions_by and self.closes_at):
            return
        try:
            validate_time_zone(self.time_zone)
        except ValidationError:
            return  # the time zone field says what is wrong
        if self.decisions_by < in_zone(self.closes_at, self.time_zone).date():
            raise ValidationError({"decisions_by": "Decisions cannot come before the call closes: pick a later date."})

    def _clean_interviews_book_by(self) -> None:
        # Interviews follow the shortlist (after expressions close), and may run past the call's close
        # (full applications come first), but they must be booked before applicants hear the decisions.
        book_by = self.interviews_book_by
        if book_by is None or self.opens_at is None:
            return
        if not self.has_stages:
            raise ValidationError(
                {"interviews_book_by": "Only a two-stage call (with expressions of interest) has interviews to book."}
            )
        if book_by <= self.expressions_close_at or book_by <= self.opens_at:
            raise ValidationError(
                {"interviews_book_by": "Interviews are booked once expressions of interest close: pick a later time."}
            )
        try:
            validate_time_zone(self.time_zone)
        except ValidationError:
            return  # the time zone field says what is wrong
        if self.decisions_by and in_zone(book_by, self.time_zone).date() > self.decisions_by:
            raise ValidationError(
                {"interviews_book_by": "Interviews must be booked before the decisions date: pick an earlier time."}
            )

    def is_open(self, at=None) -> bool:
        """Open from ``opens_at`` inclusive up to and including ``closes_at``, as ``OpenCall.objects.open()``."""
        at = at or timezone.now()
        return self.opens_at <= at <= self.closes_at

    def has_closed(self, at=None) -> bool:
        return (at or timezone.now()) > self.closes_at

    def is_upcoming(self, at=None) -> bool:
        return (at or timezone.now()) < self.opens_at

    @property
    def has_stages(self) -> bool:
        """A two-stage call: expressions of interest first, then a full application from the shortlisted."""
        return self.expressions_close_at is not None

    @property
    def entry_closes_at(self):
        """The last instant a new application may be started: the expressions' close, else the call's."""
        return self.expressions_close_at or self.closes_at

    def takes_new_applications(self, at=None) -> bool:
        """Open to organisations starting now: both ends inclusive (a two-stage call until expressions close)."""
        at = at or timezone.now()
        return self.opens_at <= at <= self.entry_closes_at


class FaqItem(models.Model):
    """One question and answer in a call's FAQ, shown on the call page in ``position`` order."""

    call = models.ForeignKey(OpenCall, on_delete=models.CASCADE, related_name="faq_items")
    question = models.CharField(max_length=300)
    answer = models.TextField(help_text=MARKDOWN_HELP)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers are listed first.")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "FAQ item"
        verbose_name_plural = "FAQ (frequently asked questions)"

    def __str__(self) -> str:
        return self.question


class Question(models.Model):
    """An extra question staff add to one call's application form."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", "Short text"
        LONG_TEXT = "long_text", "Long text"
        SINGLE_CHOICE = "single_choice", "Single choice"
        MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
        YES_NO = "yes_no", "Yes / no"
        URL = "url", "Web address"
        NUMBER = "number", "Number"

    class Stage(models.TextChoices):
        FULL = "full", "Full application"
        EXPRESSION = "expression", "Expression of interest"

    call = models.ForeignKey(OpenCall, on_delete=models.CASCADE, related_name="questions")
    stage = models.CharField(
        max_length=20,
        choices=Stage.choices,
        default=Stage.FULL,
        help_text="In a two-stage call, which form asks it. A one-stage call asks every question.",
    )
    label = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SHORT_TEXT)
    required = models.BooleanField(default=False, help_text="Must be answered before submitting.")
    help_text = models.CharField(max_length=500, blank=True)
    choices = models.TextField(blank=True, help_text="For choice questions: one option per line.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def field_name(self) -> str:
        return f"question_{self.pk}"

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Invitation(models.Model):
    """Staff approaching an organisation directly: an emailed link to apply to a call."""

    call = models.ForeignKey(OpenCall, on_delete=models.CASCADE, related_name="invitations")
    organisation_name = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(max_length=254)
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["call", "contact_email"], name="applications_invitation_one_per_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name} ({self.contact_email})"

    def get_absolute_url(self) -> str:
        return reverse("applications:invitation", kwargs={"token": self.token})


#: Every application but the withdrawn: the one-live-application-per-call constraint counts these.
LIVE = ~Q(status="withdrawn")

#: When the stage an application is at closes: expressions of interest close at the call's
#: ``expressions_close_at``, full applications at its ``closes_at``.
STAGE_CLOSES = Case(
    When(stage="expression", then=F("call__expressions_close_at")),
    default=F("call__closes_at"),
    output_field=models.DateTimeField(),
)
#: An application's deadline in SQL: its stage's closing time, or the organisation's own extension when
#: that is later (an extension never shortens the time). Application.deadline is the same rule for one row.
DEADLINE = Greatest(Coalesce("deadline_extended_until", STAGE_CLOSES), STAGE_CLOSES)


class ApplicationQuerySet(models.QuerySet):
    def live(self):
        """Every application but the withdrawn (``LIVE``): at most one per organisation per call."""
        return self.filter(LIVE)

    def with_deadline(self):
        """Annotate ``deadline_at``, the extension-aware deadline that ``Application.deadline`` returns."""
        return self.annotate(deadline_at=DEADLINE)

    def deadline_between(self, start, end):
        """Applications whose deadline falls in ``[start, end]``, annotated with it."""
        return self.with_deadline().filter(deadline_at__gte=start, deadline_at__lte=end)


#: Checked in Python by Application.validate_constraints (and by the database on every write).
FUNDING_RANGE_CONSTRAINT = "applications_application_funding_requested_range"


class Application(models.Model):
    """One organisation's answer to one open call. A draft until submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        UNDER_REVIEW = "under_review", "Under review"
        SHORTLISTED = "shortlisted", "Shortlisted"
        INTERVIEW = "interview", "Interview"
        ACCEPTED = "accepted", "Accepted"
        WAITLISTED = "waitlisted", "Waiting list"
        REJECTED = "rejected", "Not accepted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Stage(models.TextChoices):
        EXPRESSION = "expression", "Expression of interest"
        FULL = "full", "Full application"

    call = models.ForeignKey(OpenCall, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="applications")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications_created"
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    stage = models.CharField(
        max_length=20,
        choices=Stage.choices,
        default=Stage.FULL,
        help_text="A two-stage call's applications start as expressions of interest; shortlisting moves them on.",
    )

    # The programme's core questions. Blank is allowed while a draft; the
    # submit service checks that every required answer is there.
    data_stewarded = models.TextField("the open data you steward, and who uses it", blank=True, max_length=5000)
    licence = models.CharField("the open licence(s) the data is published under", max_length=200, blank=True)
    sustainability = models.TextField("how the work is sustained (revenue model)", blank=True, max_length=5000)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="applications", verbose_name="themes you want to work on"
    )
    contribution = models.TextField("what you can contribute to the other organisations", blank=True, max_length=5000)
    time_commitment = models.CharField(
        "time you can commit between the cohort's start and end", max_length=200, blank=True
    )
    funding_requested = models.DecimalField(
        "funding requested (GBP)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(PENNY), MaxValueValidator(FUNDING_CAP)],
    )
    consent_to_publish = models.BooleanField(
        "we agree to contribute to the programme's published output", default=False
    )
    extra_answers = models.JSONField(default=dict, blank=True, help_text="Answers to the call's extra questions.")

    deadline_extended_until = models.DateTimeField(
        "individual extension until",
        null=True,
        blank=True,
        help_text="Staff only: this organisation may submit until this time instead of the call's closing time.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    expression_submitted_at = models.DateTimeField("expression of interest submitted", null=True, blank=True)
    shortlisted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the expression of interest was shortlisted for the full application."
    )
    full_started_at = models.DateTimeField("full application started", null=True, blank=True)
    feedback = models.TextField(
        blank=True,
        max_length=5000,
        help_text="Written for the organisation: shown on its application page and in the decision email once "
        "the decision email is sent, never before. Reviewers' comments stay private.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The admin's changelist reads the newest page first; without this PostgreSQL
            # joins and sorts every application to return 100 (bench: scale L).
            models.Index(fields=["-created_at", "-id"], name="applications_app_newest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "organisation"],
                condition=LIVE,
                name="applications_application_one_live_per_call",
            ),
            models.CheckConstraint(
                condition=Q(funding_requested__isnull=True)
                | Q(funding_requested__gte=PENNY, funding_requested__lte=FUNDING_CAP),
                name=FUNDING_RANGE_CONSTRAINT,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.call}"

    def get_absolute_url(self) -> str:
        return reverse("applications:detail", kwargs={"pk": self.pk})

    def validate_constraints(self, exclude=None):
        """The database's constraints, with the funding range checked here rather than by a query.

        Django checks a ``CheckConstraint`` by asking the database (in a savepoint inside a
        transaction); every draft save paid that twice, in the form and in the service (issue #20). The
        range is a plain comparison of one value, so it is done in Python with the constraint's own
        message; the constraint in the database still holds every write.
        """
        exclude = set(exclude or ())
        errors = {}
        if "funding_requested" not in exclude:
            amount = self.funding_requested
            if amount is not None and not (PENNY <= amount <= FUNDING_CAP):
                (constraint,) = [c for c in self._meta.constraints if c.name == FUNDING_RANGE_CONSTRAINT]
                error = ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
                errors = error.update_error_dict(errors)
        try:
            super().validate_constraints(exclude={*exclude, "funding_requested"})
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def clean(self):
        super().clean()
        extended = self.deadline_extended_until
        if extended is None or not self.call_id:
            return
        call = self.call
        zone = call.time_zone
        closes = self.stage_closes_at
        if extended <= closes:
            raise ValidationError(
                {
                    "deadline_extended_until": f"An extension must end after this stage's deadline "
                    f"({in_zone(closes, zone):%-d %b %Y, %H:%M %Z}): leave it empty for none."
                }
            )
        if self.is_expression and extended > call.closes_at:
            raise ValidationError(
                {
                    "deadline_extended_until": f"An expression of interest cannot be extended past the call's "
                    f"closing ({in_zone(call.closes_at, zone):%-d %b %Y, %H:%M %Z}): the full application "
                    f"would have no time left."
                }
            )

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_expression(self) -> bool:
        return self.stage == self.Stage.EXPRESSION

    @property
    def stage_closes_at(self):
        """When this application's stage closes (``STAGE_CLOSES`` for one row)."""
        return self.call.expressions_close_at if self.is_expression else self.call.closes_at

    @property
    def deadline(self):
        """The last instant this application may be saved or submitted: ``DEADLINE``, worked out in Python."""
        closes = self.stage_closes_at
        return max(self.deadline_extended_until or closes, closes)


class Transition(models.Model):
    """One step of an application through the workflow: who moved it, when, from where to where."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Application.Status.choices)
    to_status = models.CharField(max_length=20, choices=Application.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Criterion(models.Model):
    """A criterion reviewers score a call's applications against, 1 to 5, with a weight."""

    call = models.ForeignKey(OpenCall, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    weight = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("1.00"), validators=[MinValueValidator(Decimal("0.01"))]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "criteria"
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="applications_criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (×{self.weight})"


class ReviewAssignment(models.Model):
    """A reviewer assigned to one application, and their review once submitted."""

    class Recommendation(models.TextChoices):
        ACCEPT = "accept", "Accept"
        WAITLIST = "waitlist", "Waiting list"
        REJECT = "reject", "Do not accept"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    conflict_declared_at = models.DateTimeField(null=True, blank=True)
    conflict_note = models.TextField(blank=True)
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices, blank=True)
    comment = models.TextField(blank=True, max_length=5000)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="applications_reviewassignment_one_per_reviewer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} reviewing {self.application}"

    def get_absolute_url(self) -> str:
        return reverse("applications:review", kwargs={"pk": self.pk})

    @property
    def has_conflict(self) -> bool:
        return self.conflict_declared_at is not None


class Score(models.Model):
    assignment = models.ForeignKey(ReviewAssignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="applications_score_one_per_criterion"),
            models.CheckConstraint(condition=Q(value__gte=1, value__lte=5), name="applications_score_one_to_five"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.value}"


class DecisionTemplate(models.Model):
    """The email drafted when an application is decided; staff read it before it is sent.

    Placeholders: $organisation, $call, $name, $status_url (the application), $cohort_url (the cohort).
    """

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        WAITLISTED = "waitlisted", "Waiting list"
        REJECTED = "rejected", "Not accepted"

    call = models.ForeignKey(OpenCall, on_delete=models.CASCADE, related_name="decision_templates")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    subject = models.CharField(max_length=255)
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call", "decision"], name="applications_decisiontemplate_one_per_decision"),
        ]

    def __str__(self) -> str:
        return f"{self.call}: {self.get_decision_display()}"


class FeedbackTemplate(models.Model):
    """A starting point for the feedback staff write to an applicant; one call may have several.

    Placeholders: $organisation, $call.
    """

    call = models.ForeignKey(OpenCall, on_delete=models.CASCADE, related_name="feedback_templates")
    title = models.CharField(max_length=200, help_text='What staff pick it by, e.g. "Strong, but not this time".')
    body = models.TextField(max_length=5000)

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["call", "title"], name="applications_feedbacktemplate_one_per_title"),
        ]

    def __str__(self) -> str:
        return self.title


def interview_uid() -> str:
    return f"{secrets.token_hex(16)}@cohortnet"


#: The longest an interview slot may last (a typo such as 48 hours is refused).
INTERVIEW_LONGEST_HOURS = 4
INTERVIEW_LONGEST = timedelta(hours=INTERVIEW_LONGEST_HOURS)


def interview_hosts():
    """Who may host an interview: staff and reviewers (the Reviewers group), never an applicant."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(Q(is_staff=True) | Q(groups__name="Reviewers"), is_active=True).distinct()


class InterviewSlot(models.Model):
    """A conversation staff offer a call's shortlisted organisations; one organisation books it.

    The same 1:1 booking as events' support slots (a conditional update claims it, both sides get a calendar
    invitation), but for applicants, who are not members of any cohort yet.
    """

    call = models.ForeignKey(OpenCall, on_delete=models.CASCADE, related_name="interview_slots")
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    online_url = models.URLField("online link", max_length=500, blank=True)
    application = models.OneToOneField(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="interview_slot"
    )
    booked_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    booked_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(
        "interview notes",
        blank=True,
        help_text="Part of the review: staff and reviewers read them; the organisation never does.",
    )
    uid = models.CharField("calendar UID", max_length=255, unique=True, default=interview_uid, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="applications_interviewslot_ends_after_start",
                violation_error_message="A slot must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        local = in_zone(self.starts_at, self.time_zone)
        return f"Interview at {local:%-d %b %Y, %H:%M} {local.tzname()} with {self.host.get_full_name()}"

    def get_absolute_url(self) -> str:
        return reverse("applications:interview", kwargs={"pk": self.application_id}) if self.application_id else ""

    def clean(self):
        super().clean()
        if not (self.starts_at and self.ends_at) or self.ends_at <= self.starts_at:
            return  # the constraint says a slot must end after it starts
        errors = {}
        host_changed = self._state.adding or not InterviewSlot.objects.filter(pk=self.pk, host_id=self.host_id).exists()
        if self.host_id and host_changed and not interview_hosts().filter(pk=self.host_id).exists():
            errors["host"] = "The host must be a staff member or in the Reviewers group."
        if self.ends_at - self.starts_at > INTERVIEW_LONGEST:
            errors["ends_at"] = f"An interview slot lasts at most {INTERVIEW_LONGEST_HOURS} hours."
        if self._state.adding and self.starts_at <= timezone.now():
            errors["starts_at"] = "This time has passed: offer a slot still to come."
        call = self.call if self.call_id else None
        if call is not None and self.starts_at < call.opens_at:
            errors["starts_at"] = "This slot starts before the call opens."
        if (
            call is not None
            and call.decisions_by
            and in_zone(self.starts_at, call.time_zone).date() > call.decisions_by
        ):
            errors["starts_at"] = (
                f"This slot starts after the call's decisions ({call.decisions_by:%-d %b %Y}): "
                f"applicants would hear before their interview."
            )
        if self.host_id and "host" not in errors:
            overlap = (
                InterviewSlot.objects.filter(
                    host_id=self.host_id, starts_at__lt=self.ends_at, ends_at__gt=self.starts_at
                )
                .exclude(pk=self.pk)
                .first()
            )
            if overlap is not None:
                errors["starts_at"] = f"The host already has a slot at that time: {overlap}."
        if errors:
            raise ValidationError(errors)
