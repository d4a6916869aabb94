"""The rows of each cohort's "outcomes" open dataset: sessions, attendance, hours and feedback scores, as totals.

No person appears: only counts, sums and means. A form is listed once it has
opened (an event form when its event ends), with its number of answers. The mean
of a scale question is published only once the form has closed, and only from
``MIN_ANSWERS_PUBLISHED`` answers on: were it published while answers still come
in, the mean and count before and after one answer would give that answer away
(the difference of two sums), even on an anonymous form. After closing it no
longer moves.
"""

from decimal import Decimal

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from events.models import RSVP, Event
from funding.models import TimeEntry
from outcomes.feedback_results import mean
from outcomes.models import FeedbackAnswer, FeedbackForm, FeedbackQuestion

#: Fewer scale answers than this (or a form still open) and the mean is left empty (its count still shows).
MIN_ANSWERS_PUBLISHED = 3


def outcome_rows(cohort, *, now=None) -> tuple[list[dict], object]:
    """(rows, when the data last changed) for ``cohort``: one row per measure, and one per scale question."""
    now = now or timezone.now()
    held = Event.objects.filter(cohort=cohort, status=Event.Status.SCHEDULED, ends_at__lte=now)
    sessions = held.aggregate(n=Count("pk"), last=Max("updated_at"))
    attended = RSVP.objects.filter(event__in=held, attendance=RSVP.Attendance.ATTENDED).count()
    hours = TimeEntry.objects.filter(membership__cohort=cohort).aggregate(total=Sum("hours"), last=Max("created_at"))
    rows = [
        _row("sessions", value=sessions["n"]),
        _row("attendances", value=attended),
        _row("hours", value=f"{hours['total'] or Decimal('0'):.2f}"),
    ]
    opened = Q(event__isnull=False, event__ends_at__lte=now) | Q(event__isnull=True, opens_at__lte=now)
    forms = FeedbackForm.objects.filter(opened, cohort=cohort).annotate(responses_total=Count("responses"))
    forms = list(forms.order_by("closes_at", "pk"))
    scores: dict[int, list[Decimal]] = {}
    answers = FeedbackAnswer.objects.filter(
        question__form__in=forms, question__kind=FeedbackQuestion.Kind.SCALE, number__isnull=False
    )
    for question_id, number in answers.values_list("question_id", "number").order_by("pk"):
        scores.setdefault(question_id, []).append(number)
    questions = FeedbackQuestion.objects.filter(form__in=forms, kind=FeedbackQuestion.Kind.SCALE)
    by_form: dict[int, list[FeedbackQuestion]] = {}
    for question in questions.order_by("position", "pk"):
        by_form.setdefault(question.form_id, []).append(question)
    for form in forms:
        rows.append(_row("feedback_responses", form=form.title, answers=form.responses_total))
        for question in by_form.get(form.pk, []):
            given = scores.get(question.pk, [])
            closed = form.closes_at <= now
            score = mean(given) if closed and len(given) >= MIN_ANSWERS_PUBLISHED else None
            rows.append(
                _row(
                    "feedback_score",
                    form=form.title,
                    question=question.label,
                    answers=len(given),
                    value="" if score is None else f"{score:.2f}",
                )
            )
    last = max(
        [v for v in (sessions["last"], hours["last"], *(f.created_at for f in forms)) if v is not None], default=None
    )
    return rows, last


def _row(measure: str, *, form: str = "", question: str = "", answers="", value="") -> dict:
    return {"measure": measure, "form": form, "question": question, "answers": answers, "value": value}
