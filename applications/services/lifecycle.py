"""Writes for applications from draft to decision: drafts, submission, the workflow, decisions, invitations."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property
from string import Template

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import DecimalValidator, URLValidator
from django.db import transaction
from django.utils import timezone

from applications.models import (
    Application,
    DecisionTemplate,
    Invitation,
    OpenCall,
    Question,
    Transition,
)
from applications.permissions import can_edit_application
from applications.selectors import live_application
from applications.workflow import DECISIONS, TRANSITIONS, WITHDRAWABLE, refusal
from cohorts.models import Membership, OrganisationPerson
from cohorts.permissions import can_act_for_organisation
from cohorts.services import membership_add
from notifications.services import email_queue, html_from_text, render_email
from toolbox.forms import money
from toolbox.timezones import in_zone

S = Application.Status

#: The answers an application must have before it can be submitted.
REQUIRED_ANSWERS = (
    "data_stewarded",
    "licence",
    "sustainability",
    "contribution",
    "time_commitment",
    "funding_requested",
)
#: Fields an applicant may write; everything else is set by services.
ANSWER_FIELDS = (*REQUIRED_ANSWERS, "consent_to_publish")
#: The answers an expression of interest asks (with the themes and its own questions), and must have.
EXPRESSION_ANSWERS = ("data_stewarded",)
#: The limits on answers to a call's extra questions, checked by clean_extra_answers and shown by the form:
#: characters by kind, and a number's digits in all and after the point.
ANSWER_MAX_LENGTH = {Question.Kind.SHORT_TEXT: 300, Question.Kind.LONG_TEXT: 5000, Question.Kind.URL: 500}
NUMBER_MAX_DIGITS, NUMBER_DECIMAL_PLACES = 14, 4

REVIEWER_GROUP = "Reviewers"

DEFAULT_DECISION_EMAILS = {
    S.ACCEPTED: (
        "Your application to $call has been accepted",
        "Dear $name,\n\nWe are delighted to tell you that $organisation has been accepted into the programme.\n"
        "You can now see the cohort, its members and its events: $cohort_url\n\nThe programme team",
    ),
    S.WAITLISTED: (
        "Your application to $call: waiting list",
        "Dear $name,\n\nThank you for applying. $organisation is on our waiting list: if a place opens, "
        "we will contact you.\nYour application: $status_url\n\nThe programme team",
    ),
    S.REJECTED: (
        "Your application to $call",
        "Dear $name,\n\nThank you for applying. We are sorry that we cannot offer $organisation a place "
        "in this cohort.\nYour application: $status_url\n\nThe programme team",
    ),
}


def _when(value: datetime, zone: str) -> str:
    local = in_zone(value, zone)
    return f"{local:%-d %B %Y at %H:%M} {local.tzname()} ({zone})"


def _check_deadline(application: Application, at: datetime) -> None:
    call = application.call
    if call.is_upcoming(at):
        raise ValidationError(f"This call opens on {_when(call.opens_at, call.time_zone)}.")
    if at > application.deadline and application.is_expression:
        raise ValidationError(
            f"Expressions of interest closed on {_when(application.deadline, call.time_zone)}. "
            "Your draft is kept, but it can no longer be changed or submitted."
        )
    if at > application.deadline:
        raise ValidationError(
            f"This call closed on {_when(application.deadline, call.time_zone)}. "
            "Your draft is kept, but it can no longer be changed or submitted."
        )


# --- Extra questions ------------------------------------------------------------


def answer_text(value) -> str:
    """An extra question's answer as one line of text (choices joined with '; ')."""
    if value is None:
        return ""
    return "; ".join(value) if isinstance(value, list) else str(value)


def stage_questions(call: OpenCall, stage: str):
    """The extra questions the form of ``stage`` asks: a one-stage call asks them all."""
    questions = call.questions.all()
    return questions.filter(stage=stage) if call.has_stages else questions


def clean_extra_answers(
    call: OpenCall, raw: dict, *, require: bool, stage: str = Application.Stage.FULL, questions=None
) -> dict:
    """Validate answers to the extra questions of ``stage``'s form. Returns the cleaned dict keyed by question id.

    With ``require=True`` (on submit) a required question left blank is an error. ``questions`` are
    ``stage_questions(call, stage)`` when the caller has read them already.
    """
    cleaned: dict[str, object] = {}
    errors: dict[str, list[str]] = {}
    for question in stage_questions(call, stage) if questions is None else questions:
        value = raw.get(str(question.pk))
        blank = value in (None, "", [])
        if blank:
            if require and question.required:
                errors[question.field_name] = ["Please answer this question before submitting."]
            continue
        kind = question.kind
        try:
            limit = ANSWER_MAX_LENGTH.get(kind)
            if limit is not None:
                value = str(value)
                if len(value) > limit:
                    raise ValidationError(f"Please keep this under {limit} characters.")
            if kind == question.Kind.SINGLE_CHOICE:
                if value not in question.choice_list:
                    raise ValidationError("Choose one of the options.")
            elif kind == question.Kind.MULTIPLE_CHOICE:
                if not isinstance(value, list) or not set(value) <= set(question.choice_list):
                    raise ValidationError("Choose from the options.")
            elif kind == question.Kind.YES_NO:
                if value not in ("yes", "no"):
                    raise ValidationError("Answer yes or no.")
            elif kind == question.Kind.URL:
                URLValidator()(value)
            elif kind == question.Kind.NUMBER:
                number = Decimal(str(value))
                DecimalValidator(NUMBER_MAX_DIGITS, NUMBER_DECIMAL_PLACES)(number)  # "Enter a number." for NaN
                value = str(number)
        except (ValidationError, InvalidOperation) as exc:
            errors[question.field_name] = exc.messages if isinstance(exc, ValidationError) else ["Enter a number."]
            continue
        cleaned[str(question.pk)] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- Applicants -------------------------------------------------------------------


@transaction.atomic
def application_start(
    *, call: OpenCall, organisation, user, invitation: Invitation | None = None, at=None
) -> Application:
    """Return the organisation's live application to ``call``, creating a draft if there is none.

    Callable by anyone who may act for ``organisation`` while the call is open
    (or until an invitation's organisation is given an extension). Locks the
    organisation row so two clicks cannot race past the lookup; the database's
    one-live-application constraint is the final guard.
    """
    at = at or timezone.now()
    if not can_act_for_organisation(user, organisation):
        raise PermissionDenied
    type(organisation).objects.select_for_update().get(pk=organisation.pk)
    existing = live_application(call=call, organisation=organisation)
    if existing:
        return existing
    if call.is_upcoming(at):
        raise ValidationError(f"This call opens on {_when(call.opens_at, call.time_zone)}.")
    if call.has_stages and at > call.expressions_close_at:
        raise ValidationError(
            f"Expressions of interest closed on {_when(call.expressions_close_at, call.time_zone)}: "
            "only shortlisted organisations complete the full application."
        )
    if call.has_closed(at):
        raise ValidationError(f"This call closed on {_when(call.closes_at, call.time_zone)}.")
    stage = Application.Stage.EXPRESSION if call.has_stages else Application.Stage.FULL
    application = Application(call=call, organisation=organisation, created_by=user, invitation=invitation, stage=stage)
    application.full_clean()
    application.save()
    return application


#: What a draft save never changes (see application_save_draft).
DRAFT_FIXED_FIELDS = ["call", "organisation", "created_by", "invitation", "decided_by", "status"]


class DraftEdit:
    """A draft locked for ``user`` to change, from ``draft_edit``: its questions, and ``save`` for the answers."""

    def __init__(self, application: Application, user, at: datetime):
        self.application, self.user, self.at = application, user, at

    @cached_property
    def questions(self) -> list[Question]:
        """The questions the draft's form asks (read once: the form and ``save`` both use them)."""
        return list(stage_questions(self.application.call, self.application.stage))

    def save(self, *, answers: dict, themes=None, extra: dict | None = None) -> Application:
        """Store the answers typed so far. Nothing is checked for completeness; shape is (lengths, numbers,
        choices)."""
        application = self.application
        for field in ANSWER_FIELDS:
            if field in answers:
                setattr(application, field, answers[field])
        if extra is not None:
            cleaned = clean_extra_answers(
                application.call, extra, require=False, stage=application.stage, questions=self.questions
            )
            application.extra_answers = {**application.extra_answers, **cleaned}
            # An answer cleared by the applicant is removed, not kept from before.
            for key, value in extra.items():
                if value in (None, "", []):
                    application.extra_answers.pop(key, None)
        # Only answers change here: the links to the call, organisation and people are the locked row's
        # own, so checking they exist (and the one-live-application rule that rests on them) is skipped.
        application.full_clean(exclude=DRAFT_FIXED_FIELDS)
        if application.shortlisted_at and application.full_started_at is None:
            application.full_started_at = self.at  # the shortlisted organisation has begun its full application
        application.save()
        if themes is not None:
            application.themes.set(themes)
        return application


@contextmanager
def draft_edit(*, pk: int, user, at=None) -> Iterator[DraftEdit]:
    """Lock the draft ``pk`` for ``user`` to change, in one transaction, until the block ends.

    Refuses (``PermissionDenied``) anyone who may not edit it, and one that does not exist, alike; refuses
    (``ValidationError``) a draft no longer editable or past its deadline. A page builds its form from
    ``.application`` and ``.questions`` and calls ``.save``: the row is read, locked and checked once
    (issue #20: the page and the service each read and checked it before).
    """
    at = at or timezone.now()
    with transaction.atomic():
        # Lock only the application row; the call and organisation come along for the checks below.
        drafts = Application.objects.select_for_update(of=("self",)).select_related("call", "organisation")
        try:
            application = drafts.get(pk=pk)
        except Application.DoesNotExist:
            raise PermissionDenied from None
        if not can_edit_application(user, application):
            raise PermissionDenied
        if not application.is_editable:
            raise ValidationError("This application has been submitted and can no longer be changed.")
        _check_deadline(application, at)
        yield DraftEdit(application, user, at)


def application_save_draft(
    *, application: Application, user, answers: dict, themes=None, extra: dict | None = None, at=None
) -> Application:
    """Store the answers typed so far. Only drafts change, and only until the deadline.

    Nothing is checked for completeness; shape is (lengths, numbers, choices).
    """
    with draft_edit(pk=application.pk, user=user, at=at) as draft:
        return draft.save(answers=answers, themes=themes, extra=extra)


def _log(application: Application, from_status: str, to_status: str, by, note: str = "", at=None) -> None:
    Transition.objects.create(
        application=application, from_status=from_status, to_status=to_status, by=by, note=note, at=at or timezone.now()
    )


#: The answers (besides themes and extra questions) that submission_problems reads.
SUBMISSION_FIELDS = (*REQUIRED_ANSWERS, "funding_requested", "consent_to_publish")


def submission_problems(
    call: OpenCall, *, values: dict, themes_chosen: bool, extra_answers: dict, stage: str = Application.Stage.FULL
) -> dict:
    """What stops these answers from being submitted, by field: ``{field: [message, ...]}``, empty when none.

    The one list of submission rules: ``application_submit`` checks the saved draft with it, and the
    form asks it after a refused submit so that the error summary names every problem at once. An
    expression of interest needs only ``EXPRESSION_ANSWERS``, a theme and its own required questions.
    """
    errors: dict[str, list[str]] = {}
    if stage == Application.Stage.EXPRESSION:
        for field in EXPRESSION_ANSWERS:
            value = values.get(field)
            if value is None or (isinstance(value, str) and not value.strip()):
                errors[field] = ["Please answer this question before submitting."]
        if not themes_chosen:
            errors["themes"] = ["Choose at least one theme."]
        try:
            clean_extra_answers(call, extra_answers, require=True, stage=stage)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        return errors
    for field in REQUIRED_ANSWERS:
        value = values.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[field] = ["Please answer this question before submitting."]
    if not themes_chosen:
        errors["themes"] = ["Choose at least one theme."]
    funding = values.get("funding_requested")
    if funding is not None and funding > call.funding_cap:
        # The words the form's MoneyField uses for the site-wide cap, here with this call's own cap.
        errors["funding_requested"] = [f"Enter an amount of at most {money(call.funding_cap)}"]
    if not values.get("consent_to_publish"):
        errors["consent_to_publish"] = ["Members contribute to the published output: please agree to take part."]
    try:
        clean_extra_answers(call, extra_answers, require=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    return errors


@transaction.atomic
def application_submit(*, application: Application, user, at=None) -> Application:
    """Submit a draft: check the deadline on the server and every required answer.

    Locks the application row. The deadline is inclusive: a submission at the
    closing instant is accepted, one a second later is refused. The
    confirmation email is written to the outbox in the same transaction.
    """
    at = at or timezone.now()
    application = Application.objects.select_for_update(of=("self",)).select_related("call").get(pk=application.pk)
    if not can_edit_application(user, application):
        raise PermissionDenied
    if not application.is_editable:
        raise ValidationError("This application has already been submitted.")
    _check_deadline(application, at)
    call = application.call
    errors = submission_problems(
        call,
        values={name: getattr(application, name) for name in SUBMISSION_FIELDS},
        themes_chosen=application.themes.exists(),
        extra_answers=application.extra_answers,
        stage=application.stage,
    )
    if errors:
        raise ValidationError(errors)

    application.status = S.SUBMITTED
    application.submitted_at = at
    fields = ["status", "submitted_at", "updated_at"]
    if application.is_expression:
        application.expression_submitted_at = at
        fields.append("expression_submitted_at")
    application.save(update_fields=fields)
    _log(
        application,
        S.DRAFT,
        S.SUBMITTED,
        user,
        note="Expression of interest" if application.is_expression else "",
        at=at,
    )
    if application.is_expression:
        _email_expression_received(application, user, at)
        return application

    text, html = render_email(
        "applications/email/submitted",
        {
            "application": application,
            "user": user,
            "submitted_local": in_zone(at, call.time_zone),
            "extra": [(q.label, answer_text(application.extra_answers.get(str(q.pk)))) for q in call.questions.all()],
        },
    )
    email_queue(
        key=f"application:{application.pk}:submitted",
        kind="application_submitted",
        to=user.email,
        subject=f"We received your application to {call.title}",
        body_text=text,
        body_html=html,
    )
    return application


@transaction.atomic
def application_withdraw(*, application: Application, user, note: str = "") -> Application:
    """The organisation withdraws its application; possible until a decision. Locks the row."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not can_edit_application(user, application):
        raise PermissionDenied
    if application.status not in WITHDRAWABLE:
        raise ValidationError("This application has been decided and can no longer be withdrawn.")
    previous = application.status
    application.status = S.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    _log(application, previous, S.WITHDRAWN, user, note)
    _interview_release(application, "The application has been withdrawn.")
    return application


def _interview_release(application: Application, reason: str) -> None:
    # stages imports this module: import it when needed.
    from applications.services.stages import interview_release_for

    interview_release_for(application=application, reason=reason)


# --- Staff --------------------------------------------------------------------------


@transaction.atomic
def application_transition(*, application: Application, to: str, by, note: str = "") -> Application:
    """Move an application to ``to`` if the workflow allows it, and record who did it.

    Staff only (admin actions). Locks the application row. Deciding drafts the
    decision email(s) as held outbox rows for staff to read and send; accepting
    also makes the organisation a member of the call's cohort.
    """
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call__cohort", "organisation")
        .get(pk=application.pk)
    )
    previous = application.status
    if to not in TRANSITIONS.get(previous, set()):
        raise ValidationError(refusal(previous, to))
    if application.is_expression and to not in EXPRESSION_MOVES:
        raise ValidationError(
            "This is an expression of interest: choose “Invite to the full application” to shortlist it, or decline it."
        )
    application.status = to
    fields = ["status", "updated_at"]
    if to in DECISIONS:
        application.decided_at = timezone.now()
        application.decided_by = by
        fields += ["decided_at", "decided_by"]
    application.save(update_fields=fields)
    _log(application, previous, to, by, note)

    if to == S.ACCEPTED:
        membership = membership_add(
            cohort=application.call.cohort, organisation=application.organisation, source=Membership.Source.APPLICATION
        )
        # The themes it applied to work on are the themes it works on in the cohort.
        membership.themes.add(*application.themes.all())
    if to in DECISIONS:
        _draft_decision_emails(application, to)
    if to == S.REJECTED:
        _interview_release(application, "The application has been declined.")
    elif to == S.WITHDRAWN:
        _interview_release(application, "The application has been withdrawn.")
    return application


def application_accept(*, application: Application, decided_by) -> Membership:
    """Accept an application under review: the organisation becomes a member of the cohort."""
    application = application_transition(application=application, to=S.ACCEPTED, by=decided_by)
    return Membership.objects.get(cohort=application.call.cohort, organisation=application.organisation)


#: Where staff may move an expression of interest with the ordinary workflow (shortlisting is its own step).
EXPRESSION_MOVES = {S.UNDER_REVIEW, S.REJECTED, S.WITHDRAWN}

#: How the feedback follows a decision email's text.
FEEDBACK_HEADING = "Feedback on your application"


def decision_body(body: str, feedback: str) -> str:
    """A decision email's text with the staff's feedback for the organisation after it, when there is some."""
    if not feedback.strip():
        return body
    return f"{body.rstrip()}\n\n{FEEDBACK_HEADING}\n\n{feedback.strip()}\n"


def decision_email_text(application: Application, decision: str, user) -> tuple[str, str]:
    """The subject and text of the decision email to ``user``: the call's template (or the default), then
    the feedback written for the organisation."""
    template = DecisionTemplate.objects.filter(call=application.call, decision=decision).first()
    subject, body = (template.subject, template.body) if template else DEFAULT_DECISION_EMAILS[decision]
    values = {
        "organisation": application.organisation.name,
        "call": application.call.title,
        "name": _greeting_name(user, application),
        "status_url": f"{settings.SITE_URL}{application.get_absolute_url()}",
        "cohort_url": f"{settings.SITE_URL}{application.call.cohort.get_absolute_url()}",
    }
    # The feedback is added after the substitution: what staff wrote for the organisation is kept as written.
    body_text = decision_body(Template(body).safe_substitute(values), application.feedback)
    return Template(subject).safe_substitute(values), body_text


def _draft_decision_emails(application: Application, decision: str) -> None:
    people = OrganisationPerson.objects.filter(organisation=application.organisation).select_related("user")
    for link in people:
        subject, body_text = decision_email_text(application, decision, link.user)
        email_queue(
            key=f"decision:{application.pk}:{decision}:{link.user_id}",
            kind="decision",
            to=link.user.email,
            subject=subject,
            body_text=body_text,
            body_html=html_from_text(body_text),
            hold=True,
            batch=f"call {application.call_id}: {application.call.title}"[:255],
        )


def _greeting_name(user, application: Application) -> str:
    """Whom a decision email greets: the person's name, else the name the call's invitation gave for them,
    else the organisation's team. Never an email address: "Dear maya@example.org" reads as a mail merge."""
    name = user.get_full_name()
    if name and name != user.email:
        return name
    invited = (
        Invitation.objects.filter(call=application.call, contact_email__iexact=user.email)
        .exclude(contact_name="")
        .values_list("contact_name", flat=True)
        .first()
    )
    return invited or f"{application.organisation.name} team"


def _email_expression_received(application: Application, user, at) -> None:
    call = application.call
    text, html = render_email(
        "applications/email/expression_submitted",
        {
            "application": application,
            "user": user,
            "submitted_local": in_zone(at, call.time_zone),
            "expressions_close": _when(call.expressions_close_at, call.time_zone),
        },
    )
    email_queue(
        key=f"application:{application.pk}:expression_submitted",
        kind="application_submitted",
        to=user.email,
        subject=f"We received your expression of interest in {call.title}",
        body_text=text,
        body_html=html,
    )


@transaction.atomic
def invitation_send(*, invitation: Invitation, by) -> Invitation:
    """Email the contact an invitation to apply, once. Staff only (admin action)."""
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("call").get(pk=invitation.pk)
    text, html = render_email(
        "applications/email/invitation",
        {"invitation": invitation, "closes": _when(invitation.call.closes_at, invitation.call.time_zone)},
    )
    email_queue(
        key=f"invitation:{invitation.pk}",
        kind="invitation",
        to=invitation.contact_email,
        subject=f"An invitation to apply: {invitation.call.title}",
        body_text=text,
        body_html=html,
    )
    if invitation.sent_at is None:
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
    return invitation


def invitation_open(*, invitation: Invitation) -> Invitation:
    """Record the first time the invitation link was followed."""
    Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=timezone.now())
    invitation.refresh_from_db(fields=["opened_at"])
    return invitation
