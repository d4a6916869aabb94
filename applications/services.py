"""Writes for applications: start, save, submit, decide, confirm."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from applications.models import Application, OpenCall
from applications.permissions import can_edit_application
from cohortnet.timezones import in_zone
from cohorts.models import Membership
from cohorts.permissions import can_act_for_organisation
from cohorts.services import membership_add

logger = logging.getLogger(__name__)

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

#: A submission whose confirmation has not gone out after this long is picked
#: up by the periodic sweep (the on-commit task was lost or failed).
CONFIRMATION_GRACE = timedelta(minutes=2)


def _closed_message(call: OpenCall) -> str:
    closed = in_zone(call.closes_at, call.time_zone)
    return (
        f"This call closed on {closed:%-d %B %Y at %H:%M} {closed.tzname()} ({call.time_zone}). "
        "Your draft is kept, but it can no longer be submitted."
    )


@transaction.atomic
def application_start(*, call: OpenCall, organisation, user, at=None) -> Application:
    """Return the organisation's live application to ``call``, creating a draft if there is none.

    Callable by anyone who may act for ``organisation`` while the call is open.
    Locks the organisation row so two clicks cannot race past the lookup; the
    database's one-live-application constraint is the final guard.
    """
    if not can_act_for_organisation(user, organisation):
        raise PermissionDenied
    type(organisation).objects.select_for_update().get(pk=organisation.pk)
    existing = (
        Application.objects.filter(call=call, organisation=organisation)
        .exclude(status=Application.Status.WITHDRAWN)
        .first()
    )
    if existing:
        return existing
    if not call.is_open(at):
        if call.is_upcoming(at):
            opens = in_zone(call.opens_at, call.time_zone)
            raise ValidationError(f"This call opens on {opens:%-d %B %Y at %H:%M} {opens.tzname()} ({call.time_zone}).")
        raise ValidationError(f"This call closed on {in_zone(call.closes_at, call.time_zone):%-d %B %Y}.")
    application = Application(call=call, organisation=organisation, created_by=user)
    application.full_clean()
    application.save()
    return application


def _apply_answers(application: Application, answers: dict) -> None:
    for field in ANSWER_FIELDS:
        if field in answers:
            setattr(application, field, answers[field])


@transaction.atomic
def application_save_draft(*, application: Application, user, answers: dict) -> Application:
    """Store the answers typed so far. Only drafts change; nothing is checked for completeness."""
    application = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    if not can_edit_application(user, application):
        raise PermissionDenied
    if not application.is_editable:
        raise ValidationError("This application has been submitted and can no longer be changed.")
    _apply_answers(application, answers)
    application.full_clean()
    application.save()
    return application


@transaction.atomic
def application_submit(*, application: Application, user, at=None) -> Application:
    """Submit a draft: check the deadline on the server and every required answer.

    Locks the application row. The deadline is inclusive: a submission at the
    closing instant is accepted, one a second later is refused. On success the
    confirmation email is queued after commit.
    """
    at = at or timezone.now()
    application = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    if not can_edit_application(user, application):
        raise PermissionDenied
    if not application.is_editable:
        raise ValidationError("This application has already been submitted.")
    call = application.call
    if call.has_closed(at):
        raise ValidationError(_closed_message(call))
    if call.is_upcoming(at):
        raise ValidationError("This call is not open yet.")

    errors: dict[str, list[str]] = {}
    for field in REQUIRED_ANSWERS:
        value = getattr(application, field)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[field] = ["Please answer this question before submitting."]
    if application.funding_requested is not None and application.funding_requested > call.funding_cap:
        errors["funding_requested"] = [f"This call funds at most £{call.funding_cap:,.2f} per organisation."]
    if not application.consent_to_publish:
        errors["consent_to_publish"] = ["Members contribute to the published output: please agree to take part."]
    if errors:
        raise ValidationError(errors)

    application.status = Application.Status.SUBMITTED
    application.submitted_at = at
    application.full_clean()
    application.save()

    from applications.tasks import application_send_confirmation

    transaction.on_commit(lambda: application_send_confirmation.delay(application_id=application.pk))
    return application


@transaction.atomic
def application_accept(*, application: Application, decided_by) -> Membership:
    """Accept a submitted application: the organisation becomes a member of the call's cohort.

    Staff only (the admin action). Locks the application row.
    """
    application = (
        Application.objects.select_for_update().select_related("call__cohort", "organisation").get(pk=application.pk)
    )
    if application.status not in (Application.Status.SUBMITTED, Application.Status.ACCEPTED):
        raise ValidationError(
            f"Only submitted applications can be accepted; this one is {application.get_status_display().lower()}."
        )
    application.status = Application.Status.ACCEPTED
    application.decided_at = timezone.now()
    application.decided_by = decided_by
    application.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    return membership_add(
        cohort=application.call.cohort,
        organisation=application.organisation,
        source=Membership.Source.APPLICATION,
    )


@transaction.atomic
def application_reject(*, application: Application, decided_by) -> Application:
    """Decline a submitted application. Staff only. Locks the application row."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(
            f"Only submitted applications can be declined; this one is {application.get_status_display().lower()}."
        )
    application.status = Application.Status.REJECTED
    application.decided_at = timezone.now()
    application.decided_by = decided_by
    application.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    return application


def application_confirmation_send(*, application_id: int) -> bool:
    """Email the submitter a copy of their answers, once.

    The row is claimed with a conditional UPDATE, so two workers (or the task
    and the sweep) never both send. If sending fails the claim is released so
    the sweep tries again. Returns whether this call sent the email.
    """
    now = timezone.now()
    claimed = Application.objects.filter(
        pk=application_id, status=Application.Status.SUBMITTED, confirmation_sent_at__isnull=True
    ).update(confirmation_sent_at=now)
    if not claimed:
        return False
    application = Application.objects.select_related("call", "organisation", "created_by").get(pk=application_id)
    context = {
        "application": application,
        "site_url": settings.SITE_URL,
        "submitted_local": in_zone(application.submitted_at, application.call.time_zone),
    }
    try:
        send_mail(
            subject=f"[CohortNet] We received your application to {application.call.title}",
            message=render_to_string("applications/email/submitted.txt", context),
            from_email=None,
            recipient_list=[application.created_by.email],
        )
    except Exception:
        Application.objects.filter(pk=application_id, confirmation_sent_at=now).update(confirmation_sent_at=None)
        raise
    return True


def application_confirmations_sweep(*, now=None) -> int:
    """Send confirmations that the on-commit task did not send. Returns how many were sent."""
    now = now or timezone.now()
    pending = Application.objects.filter(
        status=Application.Status.SUBMITTED,
        confirmation_sent_at__isnull=True,
        submitted_at__lte=now - CONFIRMATION_GRACE,
    ).values_list("pk", flat=True)[:100]
    sent = 0
    for pk in list(pending):
        try:
            sent += application_confirmation_send(application_id=pk)
        except Exception:
            logger.exception("Could not send the confirmation for application %s; will retry", pk)
    return sent
