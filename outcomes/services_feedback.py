"""Writes for feedback forms: answering, and queueing the invitations when a form opens.

Who may call them: ``feedback_respond`` is called by the answer page for the
signed-in person; ``feedback_invitations_queue`` by the periodic sweep
(``cohortnet.sweep``).
"""

import re
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from notifications.models import Email
from notifications.services import email_queue, render_email
from outcomes.feedback_permissions import can_answer_feedback, feedback_invitees
from outcomes.models import FeedbackAnswer, FeedbackForm, FeedbackQuestion, FeedbackRespondent, FeedbackResponse
from toolbox.timezones import in_zone

#: Said to someone who sends the form a second time (two tabs, the back button).
ALREADY_ANSWERED = "You have already answered; your first answers are kept."


def feedback_link(form: FeedbackForm) -> str:
    return f"{settings.SITE_URL}{reverse('outcomes:feedback_answer', kwargs={'pk': form.pk})}"


def invitation_key(form: FeedbackForm, user) -> str:
    """One invitation per person per form, ever: the outbox refuses a second row with this key."""
    return f"feedback-invite:{form.pk}:{user.pk}"


def open_forms(now: datetime):
    """Forms taking answers at ``now``: an event form from the event's end, a cohort form from ``opens_at``.

    A form with no question yet is left out: no one is sent an empty form.
    """
    opened = Q(event__isnull=False, event__ends_at__lte=now) | Q(event__isnull=True, opens_at__lte=now)
    has_questions = Exists(FeedbackQuestion.objects.filter(form=OuterRef("pk")))
    return FeedbackForm.objects.filter(opened, has_questions, closes_at__gt=now).exclude(event__status="cancelled")


def _answer_value(question: FeedbackQuestion, value) -> dict | None:
    """The stored columns for one cleaned form value, or None for no answer."""
    kind = FeedbackQuestion.Kind
    if value in (None, "", []):
        return None
    if question.kind == kind.YES_NO:
        return {"text": "yes" if value in (True, "yes") else "no"}
    if question.kind == kind.MULTIPLE_CHOICE:
        unknown = [v for v in value if v not in question.choice_list]
        if unknown:
            raise ValidationError(f"“{question.label}”: choose from the options given.")
        return {"text": "\n".join(value)}
    if question.kind == kind.SINGLE_CHOICE:
        if value not in question.choice_list:
            raise ValidationError(f"“{question.label}”: choose from the options given.")
        return {"text": value}
    if question.kind == kind.SCALE:
        number = int(value)
        if number not in range(1, 6):
            raise ValidationError(f"“{question.label}”: choose a number from 1 to 5.")
        return {"number": Decimal(number)}
    if question.kind == kind.NUMBER:
        return {"number": Decimal(value)}
    text = text_answer(value)
    return {"text": text} if text else None


#: Control characters a text answer may not keep: all of C0 and DEL but the tab and the line break.
ANSWER_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def text_answer(value) -> str:
    """A text answer as kept: line breaks as ``\\n``, and no control character but the tab and the line break."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return ANSWER_CONTROL.sub("", text).strip()


@transaction.atomic
def feedback_respond(*, form: FeedbackForm, user, answers: dict[int, object], now: datetime | None = None):
    """Record ``user``'s answers (question pk → cleaned value) to ``form``, once.

    Locks the form so two submits of one person take turns; writes the
    "who has answered" row (``FeedbackRespondent``) and the response. For an
    anonymous form the response gets no user and, like every response, only
    the day (UTC). Refuses someone the form is not for (``PermissionDenied``,
    a 404 to them), a form not open, a second answer, a missing required
    answer and a submission with no answer at all (``ValidationError``).
    """
    now = now or timezone.now()
    form = FeedbackForm.objects.select_for_update(of=("self",)).select_related("event").get(pk=form.pk)
    if not can_answer_feedback(user, form):
        raise PermissionDenied
    if form.opens is None or now < form.opens:
        raise ValidationError("This form is not open yet.")
    if now >= form.closes_at:
        raise ValidationError("This form has closed: answers are no longer taken.")
    if FeedbackRespondent.objects.filter(form=form, user=user).exists():
        raise ValidationError(ALREADY_ANSWERED)
    questions = list(form.questions.all())
    values = {}
    for question in questions:
        value = _answer_value(question, answers.get(question.pk))
        if value is None and question.required:
            raise ValidationError(f"“{question.label}” needs an answer.")
        if value is not None:
            values[question] = value
    if not values:
        raise ValidationError("Answer at least one question before sending.")
    respondent = FeedbackRespondent(form=form, user=user)
    respondent.full_clean()
    respondent.save()
    response = FeedbackResponse(
        form=form,
        user=None if form.anonymous else user,
        anonymous=form.anonymous,
        submitted_on=now.astimezone(UTC).date(),
    )
    response.full_clean()
    response.save()
    FeedbackAnswer.objects.bulk_create(
        [FeedbackAnswer(response=response, question=question, **value) for question, value in values.items()]
    )
    return response


def _render_invitation(form: FeedbackForm, user) -> tuple[str, str]:
    context = {
        "user": user,
        "form": form,
        "link": feedback_link(form),
        "closes": in_zone(form.closes_at, user.time_zone),
    }
    return render_email("outcomes/feedback/email/invitation", context)


@transaction.atomic
def feedback_invitations_queue(*, now: datetime | None = None) -> int:
    """Queue an invitation for everyone an open form is for who has not been invited nor answered. Returns how many.

    Each row's outbox key (``invitation_key``) makes it exactly once, however
    many sweeps run; the sweep's send step delivers them. An event form opens
    when its event ends, so the people marked as attended by then get it; anyone
    marked later gets it at the next sweep.
    """
    now = now or timezone.now()
    queued = 0
    # Locking the open forms makes two overlapping sweeps take turns: the second then sees the first one's
    # rows among ``existing`` and counts only what it wrote itself.
    forms = list(open_forms(now).select_related("event").select_for_update(of=("self",)).order_by("pk"))
    for form in forms:
        people = list(feedback_invitees(form).exclude(feedback_answered__form=form).order_by("pk"))
        keys = [invitation_key(form, user) for user in people]
        existing = set(Email.objects.filter(key__in=keys).values_list("key", flat=True))
        for user, key in zip(people, keys, strict=True):
            if key in existing:
                continue
            text, html = _render_invitation(form, user)
            email_queue(
                key=key,
                kind="feedback_invitation",
                to=user.email,
                subject=f"Your feedback: {form.title}",
                body_text=text,
                body_html=html,
                send_now=False,
            )
            queued += 1
    return queued


def response_count(form: FeedbackForm) -> int:
    return FeedbackResponse.objects.filter(form=form).count()
