"""Writes for selection in stages: shortlisting expressions of interest, interviews, feedback to applicants."""

from string import Template

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, FeedbackTemplate, InterviewSlot, Transition
from applications.permissions import can_book_interview
from applications.selectors import decision_email_released
from applications.services.lifecycle import _greeting_name, _when, decision_email_text
from cohorts.models import OrganisationPerson
from notifications.models import Email
from notifications.services import email_queue, email_revise, render_email
from toolbox.ics import invitation_attachment, meeting_invitation
from toolbox.timezones import in_zone

S = Application.Status

#: An expression of interest staff may shortlist: submitted, perhaps under review, not decided.
SHORTLISTABLE = {S.SUBMITTED, S.UNDER_REVIEW}


@transaction.atomic
def expression_shortlist(*, application: Application, by, at=None) -> Application:
    """Shortlist a submitted expression of interest: the organisation is invited to the full application.

    Staff only (the admin's action). Locks the application row. The application becomes a draft of the
    full application (its answers so far kept), due by the call's closing time; an extension given for
    the first stage does not carry over. Each of the organisation's people is emailed a link to the full
    form, once.
    """
    at = at or timezone.now()
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "organisation")
        .get(pk=application.pk)
    )
    if application.shortlisted_at is not None:
        raise ValidationError(f"{application.organisation.name} is already shortlisted: it has been invited.")
    if not application.is_expression:
        raise ValidationError(f"{application.organisation.name} is not at the expression of interest stage.")
    if application.status not in SHORTLISTABLE:
        raise ValidationError(
            f"Only a submitted expression of interest can be shortlisted; "
            f"this one is {application.get_status_display().lower()}."
        )
    call = application.call
    if at > call.closes_at:
        raise ValidationError(f"The call closed on {_when(call.closes_at, call.time_zone)}: no time is left to apply.")
    previous = application.status
    application.stage = Application.Stage.FULL
    application.status = S.DRAFT
    application.shortlisted_at = at
    application.submitted_at = None
    application.deadline_extended_until = None
    application.save(
        update_fields=["stage", "status", "shortlisted_at", "submitted_at", "deadline_extended_until", "updated_at"]
    )
    Transition.objects.create(
        application=application,
        from_status=previous,
        to_status=S.DRAFT,
        by=by,
        at=at,
        note="Shortlisted: invited to the full application",
    )
    full_url = f"{settings.SITE_URL}{reverse('applications:full', args=[application.pk])}"
    people = OrganisationPerson.objects.filter(organisation=application.organisation).select_related("user")
    for link in people:
        text, html = render_email(
            "applications/email/shortlisted",
            {
                "application": application,
                "name": _greeting_name(link.user, application),
                "full_url": full_url,
                "closes": _when(call.closes_at, call.time_zone),
            },
        )
        email_queue(
            key=f"shortlisted:{application.pk}:{link.user_id}",
            kind="shortlisted",
            to=link.user.email,
            subject=f"You are invited to the full application: {call.title}",
            body_text=text,
            body_html=html,
        )
    return application


@transaction.atomic
def interview_book(*, slot: InterviewSlot, application: Application, user, at=None) -> InterviewSlot:
    """A shortlisted organisation books an interview slot of its call; the booker and the host get invitations.

    Anyone who acts for the organisation, while its application is shortlisted and undecided, one slot per
    application. A conditional ``UPDATE`` claims the slot (two organisations clicking at once: one wins);
    the one-to-one link to the application refuses a second booking. Raises the slot's SEQUENCE.
    """
    at = at or timezone.now()
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "organisation")
        .get(pk=application.pk)
    )
    if not can_book_interview(user, application):
        raise PermissionDenied
    if slot.call_id != application.call_id:
        raise PermissionDenied
    if InterviewSlot.objects.filter(application=application).exists():
        raise ValidationError("You have booked an interview already.")
    if slot.starts_at <= at:
        raise ValidationError("This slot has already started. Please choose another.")
    try:
        with transaction.atomic():
            won = InterviewSlot.objects.filter(pk=slot.pk, application__isnull=True).update(
                application=application, booked_by_user=user, booked_at=at, sequence=slot.sequence + 1
            )
    except IntegrityError as exc:
        raise ValidationError("You have booked an interview already.") from exc
    if not won:
        raise ValidationError("Sorry, another organisation has just booked this slot. Please choose another.")
    slot = InterviewSlot.objects.select_related("host", "call").get(pk=slot.pk)
    _interview_tell(slot, application=application, booker=user)
    return slot


@transaction.atomic
def interview_cancel(*, slot: InterviewSlot, by, reason: str, at=None) -> InterviewSlot:
    """Free a booked interview slot and tell its host and its booker: each gets an iTIP CANCEL (SEQUENCE
    raised) so the meeting leaves their calendars. Staff (the admin's "Cancel the booking") or the
    application's withdrawal or decline. Locks the slot row. A slot that has already started keeps its
    booking (and its notes): that interview took place.
    """
    at = at or timezone.now()
    slot = InterviewSlot.objects.select_for_update(of=("self",)).select_related("host", "call").get(pk=slot.pk)
    if slot.application_id is None:
        raise ValidationError("This slot is not booked: there is nothing to cancel.")
    if slot.starts_at <= at:
        raise ValidationError("This interview has already started: its booking stays as a record.")
    application = Application.objects.select_related("organisation", "call").get(pk=slot.application_id)
    booker = slot.booked_by_user
    slot.application = None
    slot.booked_by_user = None
    slot.booked_at = None
    slot.sequence += 1
    slot.save(update_fields=["application", "booked_by_user", "booked_at", "sequence"])
    _interview_tell(slot, application=application, booker=booker, cancelled=True, reason=reason)
    return slot


def interview_release_for(*, application: Application, reason: str) -> None:
    """When an application is withdrawn or declined, its interview still to come is cancelled."""
    slot = InterviewSlot.objects.filter(application=application, starts_at__gt=timezone.now()).first()
    if slot is not None:
        interview_cancel(slot=slot, by=None, reason=reason)


def _interview_tell(
    slot: InterviewSlot, *, application: Application, booker, cancelled: bool = False, reason: str = ""
) -> None:
    """Email the booker and the host the booking (or its cancellation), each with its calendar invitation
    (one per SEQUENCE)."""
    for person, for_host in ((booker, False), (slot.host, True)):
        if person is None or not person.email:
            continue
        organisation = application.organisation.name
        summary = f"Interview: {organisation}" if for_host else f"Interview with {slot.call.title}"
        method, content = meeting_invitation(
            uid=slot.uid,
            sequence=slot.sequence,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            time_zone=slot.time_zone,
            host=slot.host,
            guest=booker,
            summary=summary,
            description=f"{settings.SITE_URL}{application.get_absolute_url()}",
            online_url=slot.online_url,
            cancelled=cancelled,
        )
        text, html = render_email(
            "applications/email/interview_cancelled" if cancelled else "applications/email/interview",
            {
                "reason": reason,
                "slot": slot,
                "application": application,
                "person": person,
                "for_host": for_host,
                "starts": in_zone(slot.starts_at, person.time_zone),
                "starts_slot_zone": in_zone(slot.starts_at, slot.time_zone),
            },
        )
        what = "cancelled" if cancelled else "booked"
        email_queue(
            key=f"interview-{what}:{slot.pk}:{slot.sequence}:{person.pk}",
            kind=f"interview_{what}",
            to=person.email,
            subject=(f"Interview {what}: {organisation} on {in_zone(slot.starts_at, person.time_zone):%d %b %Y}"),
            body_text=text,
            body_html=html,
            attachments=[
                invitation_attachment(method, content, filename="cancel.ics" if cancelled else "interview.ics")
            ],
        )


@transaction.atomic
def application_feedback_set(
    *, application: Application, feedback: str, by, template: FeedbackTemplate | None = None
) -> Application:
    """Write the feedback the organisation reads once its decision email is sent. Staff only (the admin).

    Locks the application row. With ``template`` and no text of its own, the feedback starts from the
    call's template ($organisation and $call filled in). Refused once a decision email about the current
    decision has been released, queued or sent (the page would then say something else than the email).
    Decision emails still held are made again with the new feedback, so what staff release says what the
    page will.
    """
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call__cohort", "organisation")
        .get(pk=application.pk)
    )
    if template is not None and template.call_id != application.call_id:
        raise ValidationError("Choose a feedback template of this application's call.")
    if template is not None and not feedback.strip():
        feedback = Template(template.body).safe_substitute(
            organisation=application.organisation.name, call=application.call.title
        )
    if feedback == application.feedback:
        return application
    if decision_email_released(application):
        raise ValidationError(
            "The decision email has been released with the feedback it had then (it may be queued, not yet "
            "sent): the feedback can no longer change."
        )
    application.feedback = feedback
    application.full_clean(exclude=["call", "organisation", "created_by", "invitation", "decided_by"])
    application.save(update_fields=["feedback", "updated_at"])
    held = Email.objects.filter(key__startswith=f"decision:{application.pk}:", status=Email.Status.HELD)
    for email in held:
        decision, user_id = email.key.split(":")[2:4]
        person = OrganisationPerson.objects.filter(organisation=application.organisation, user_id=user_id).first()
        if person is None:
            continue
        subject, body_text = decision_email_text(application, decision, person.user)
        email_revise(email=email, subject=subject, body_text=body_text, by=by)
    return application
