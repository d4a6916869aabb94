"""Feedback forms: short questionnaires staff build, sent after an event or at a moment of the cohort.

Anonymous forms keep answers and answerers apart. An anonymous ``FeedbackResponse``
has no user and only the day it was given (``submitted_on``, a date). Who has
answered is kept in ``FeedbackRespondent`` (form and person, nothing else), so a
person answers once and is not reminded again; it has no time column and a random
UUID key, so neither its values nor its key order can be matched to a response
(what is left is timing: the outbox's reminders stop, and the table's physical
row order; the README says so).
Named (non-anonymous) responses keep their person, once per form (a constraint).
"""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from cohorts.models import Cohort
from events.models import Event

__all__ = ["FeedbackAnswer", "FeedbackForm", "FeedbackQuestion", "FeedbackRespondent", "FeedbackResponse"]

#: The scale question's range: 1 (worst) to 5 (best).
SCALE = range(1, 6)

#: Control characters (C0 and DEL): none belongs in a title, label or option.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def refuse_control_characters(**fields) -> None:
    """Refuse line breaks and other control characters in one-line texts (a title, a label), by field."""
    errors = {
        name: "Use one line of plain text: no line breaks or control characters."
        for name, value in fields.items()
        if value and CONTROL.search(value)
    }
    if errors:
        raise ValidationError(errors)


class FeedbackForm(models.Model):
    """A short form sent to the people who attended an event (after it ends) or to a cohort (from ``opens_at``)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="feedback_forms")
    event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_forms",
        help_text="Sent to the people marked as attended, when the event ends. Leave empty for a cohort form.",
    )
    title = models.CharField(max_length=200)
    intro = models.TextField("introduction", blank=True, help_text="Shown above the questions.")
    anonymous = models.BooleanField(
        default=False, help_text="No link from an answer to its person is stored; only the day it was given."
    )
    opens_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="For a cohort form (mid-point, end): when it is sent. An event form opens when the event ends.",
    )
    closes_at = models.DateTimeField(help_text="No answers after this; reminders go before it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-closes_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False) | Q(opens_at__isnull=False),
                name="outcomes_feedbackform_cohort_form_opens",
                violation_error_message="A cohort form needs an opening time.",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__gt=F("opens_at")),
                name="outcomes_feedbackform_closes_after_opening",
                violation_error_message="The form must close after it opens.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("outcomes:feedback_answer", kwargs={"pk": self.pk})

    @property
    def opens(self):
        """When answers are taken from: the event's end for an event form."""
        return self.event.ends_at if self.event_id else self.opens_at

    def is_open(self, at) -> bool:
        return self.opens is not None and self.opens <= at < self.closes_at

    def clean(self):
        refuse_control_characters(title=self.title)
        if self.pk and FeedbackResponse.objects.filter(form_id=self.pk).exists():
            # The answers came from the people of this cohort (or event): moving them elsewhere mixes the results.
            stored = FeedbackForm.objects.filter(pk=self.pk).values("cohort_id", "event_id").first()
            if stored and stored["cohort_id"] != self.cohort_id:
                raise ValidationError({"cohort": "People have answered already: the cohort cannot change."})
            if stored and stored["event_id"] != self.event_id:
                raise ValidationError({"event": "People have answered already: the event cannot change."})
        if self.event_id:
            if self.opens_at is not None:
                raise ValidationError({"opens_at": "An event form opens when the event ends: leave this empty."})
            if self.cohort_id and self.event.cohort_id != self.cohort_id:
                raise ValidationError({"event": "Choose an event of the form's cohort."})
            if self.closes_at and self.closes_at <= self.event.ends_at:
                raise ValidationError({"closes_at": "The form must close after the event ends."})
        elif self.opens_at is None:
            raise ValidationError({"opens_at": "A cohort form needs an opening time (e.g. the mid-point or the end)."})
        if self.pk and FeedbackResponse.objects.filter(form_id=self.pk).exclude(anonymous=self.anonymous).exists():
            # Answers given as anonymous must stay so, and named ones were not promised anonymity.
            raise ValidationError({"anonymous": "People have answered already: whether it is anonymous cannot change."})


class FeedbackQuestion(models.Model):
    """One question of a form; the kinds are those of the call's extra questions, plus a 1–5 scale."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", "Short text"
        LONG_TEXT = "long_text", "Long text"
        SINGLE_CHOICE = "single_choice", "Single choice"
        MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
        YES_NO = "yes_no", "Yes / no"
        NUMBER = "number", "Number"
        SCALE = "scale", "Scale of 1 to 5"

    form = models.ForeignKey(FeedbackForm, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SCALE)
    required = models.BooleanField(default=False)
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

    @property
    def is_choice(self) -> bool:
        return self.kind in (self.Kind.SINGLE_CHOICE, self.Kind.MULTIPLE_CHOICE)

    @property
    def has_answers(self) -> bool:
        return self.pk is not None and FeedbackAnswer.objects.filter(question_id=self.pk).exists()

    def clean(self):
        refuse_control_characters(label=self.label, help_text=self.help_text)
        if any(CONTROL.search(option) for option in self.choice_list):
            raise ValidationError({"choices": "Options are plain text, one per line: no control characters."})
        seen = set()
        for option in self.choice_list:
            if option.casefold() in seen:
                raise ValidationError({"choices": f"“{option}” is there twice: give each option once."})
            seen.add(option.casefold())
        if self.is_choice and len(self.choice_list) < 2:
            raise ValidationError({"choices": "A choice question needs at least two options, one per line."})
        if not self.is_choice and self.choice_list:
            raise ValidationError({"choices": "Only choice questions have options: clear this box."})
        if self.pk is not None:
            self._clean_answered()

    def _clean_answered(self):
        """Once answered, the kind stays and no option that was picked may go (renaming is removing)."""
        stored = FeedbackQuestion.objects.filter(pk=self.pk).values("kind").first()
        if stored is None or not self.has_answers:
            return
        if stored["kind"] != self.kind:
            raise ValidationError({"kind": "People have answered this question: its kind cannot change."})
        if self.is_choice:
            picked = set()
            for text in FeedbackAnswer.objects.filter(question_id=self.pk).values_list("text", flat=True):
                picked.update(line for line in text.splitlines() if line)
            gone = sorted(picked - set(self.choice_list))
            if gone:
                raise ValidationError(
                    {
                        "choices": "People have picked "
                        + ", ".join(f"“{option}”" for option in gone)
                        + ": keep these options as they are (you may add new ones)."
                    }
                )


class FeedbackResponse(models.Model):
    """One person's answers to a form. Anonymous: no user, and only the day (a constraint keeps the user out)."""

    form = models.ForeignKey(FeedbackForm, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_responses",
    )
    #: Copied from the form when answered, so the database itself can refuse a user on an anonymous answer.
    anonymous = models.BooleanField(default=False, editable=False)
    submitted_on = models.DateField(help_text="The day only: no finer time is kept.")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["form", "user"], name="outcomes_feedbackresponse_one_per_person"),
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(user__isnull=True),
                name="outcomes_feedbackresponse_anonymous_has_no_user",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer to {self.form} on {self.submitted_on:%Y-%m-%d}"


class FeedbackAnswer(models.Model):
    """The answer to one question: text (also yes/no and choices, one per line) or a number (also the scale)."""

    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(FeedbackQuestion, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(blank=True)
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["question__position", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="outcomes_feedbackanswer_one_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.display}"

    @property
    def display(self) -> str:
        if self.number is not None:
            return f"{self.number.normalize():f}"
        return self.text


class FeedbackRespondent(models.Model):
    """Who has answered a form: the person and the form, nothing else (no time, no link to the answer).

    The key is a random UUID so that the rows' order says nothing about which response came when.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    form = models.ForeignKey(FeedbackForm, on_delete=models.CASCADE, related_name="respondents")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_answered")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "user"], name="outcomes_feedbackrespondent_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} answered {self.form}"
