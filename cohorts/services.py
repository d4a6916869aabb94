"""Writes for organisations and cohorts. Every write that carries a rule lives here."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cohorts.mailing_list import message_send
from cohorts.models import (
    Cohort,
    ColleagueInvite,
    Contribution,
    Membership,
    Message,
    Organisation,
    OrganisationPerson,
    Participant,
    Resource,
    ThreadRead,
)
from cohorts.permissions import can_contribute, can_reply, can_start_thread, is_organisation_lead
from notifications.services import email_queue, render_email

#: The organisation's fields besides its name that organisation_create takes, in the order the form shows them.
PROFILE_FIELDS = (
    "website",
    "country",
    "legal_form",
    "year_founded",
    "staff_size",
    "description",
    "open_data",
    "licences",
    "access_methods",
    "reach",
)


@transaction.atomic
def organisation_create(*, user, name: str, **profile) -> Organisation:
    """Create an organisation with ``user`` as its lead contact.

    ``profile`` takes the organisation's other fields (``PROFILE_FIELDS``). Anyone signed in may call it: creating an
    organisation grants nothing until staff accept one of its applications.
    """
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organisation fields: {', '.join(sorted(unknown))}")
    organisation = Organisation(name=name.strip(), **profile)
    organisation.full_clean()
    organisation.save()
    link = OrganisationPerson(organisation=organisation, user=user, role=OrganisationPerson.Role.LEAD)
    link.full_clean()
    link.save()
    return organisation


@transaction.atomic
def membership_add(*, cohort, organisation, source: str = Membership.Source.DIRECT) -> Membership:
    """Make ``organisation`` a member of ``cohort`` and its people participants.

    Idempotent: an organisation that is already a member keeps its membership,
    and people already taking part are not added twice. Called by staff (the
    admin) and by the application decision service.
    """
    membership, _created = Membership.objects.get_or_create(
        cohort=cohort, organisation=organisation, defaults={"source": source}
    )
    for link in OrganisationPerson.objects.filter(organisation=organisation).select_related("user"):
        role = Participant.Role.LEAD if link.role == OrganisationPerson.Role.LEAD else Participant.Role.PARTICIPANT
        Participant.objects.get_or_create(membership=membership, user=link.user, defaults={"role": role})
    return membership


@transaction.atomic
def colleague_invite(*, organisation: Organisation, email: str, by) -> ColleagueInvite:
    """Invite a colleague by email to act for ``organisation``. Only its lead contacts may.

    Inviting the same address again while the first invitation is open sends
    nothing new and returns the open invitation.
    """
    if not is_organisation_lead(by, organisation):
        raise PermissionDenied
    email = email.strip()
    if OrganisationPerson.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": [f"{email} already acts for {organisation.name}."]})
    invite = ColleagueInvite.objects.filter(
        organisation=organisation, email__iexact=email, accepted_at__isnull=True
    ).first()
    if invite is None:
        invite = ColleagueInvite(organisation=organisation, email=email, invited_by=by)
        invite.full_clean()
        invite.save()
    text, html = render_email("cohorts/email/colleague_invite", {"invite": invite})
    email_queue(
        key=f"colleague-invite:{invite.pk}",
        kind="colleague_invite",
        to=invite.email,
        # By name, never by address: an invitation "from maya@…" reads as spam.
        subject=f"{by.name or 'A colleague'} invites you to join {organisation.name} on CohortNet",
        body_text=text,
        body_html=html,
    )
    return invite


@transaction.atomic
def colleague_accept(*, invite: ColleagueInvite, user) -> OrganisationPerson:
    """Accept an invitation: ``user`` acts for the organisation and takes part in its cohorts.

    The signed-in person's address must be the invited one, so a forwarded
    link does not let someone else in. Locks the invitation row.
    """
    invite = ColleagueInvite.objects.select_for_update().select_related("organisation").get(pk=invite.pk)
    if invite.accepted_at is not None:
        raise ValidationError("This invitation has already been used.")
    if user.email.lower() != invite.email.lower():
        raise ValidationError(f"This invitation is for {invite.email}. Sign in with that address to accept it.")
    link, _created = OrganisationPerson.objects.get_or_create(
        organisation=invite.organisation, user=user, defaults={"role": OrganisationPerson.Role.MEMBER}
    )
    invite.accepted_at = timezone.now()
    invite.accepted_by = user
    invite.save(update_fields=["accepted_at", "accepted_by"])
    for membership in Membership.objects.filter(organisation=invite.organisation):
        Participant.objects.get_or_create(membership=membership, user=user)
    return link


@transaction.atomic
def colleague_remove(*, organisation: Organisation, user_to_remove, by) -> None:
    """A lead contact (or staff, in the admin) removes a colleague; the last lead cannot be removed.

    Locks the organisation row: two leads removing each other at once would
    otherwise each count two leads and leave none.
    """
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not (by.is_staff or is_organisation_lead(by, organisation)):
        raise PermissionDenied
    link = OrganisationPerson.objects.select_for_update().filter(organisation=organisation, user=user_to_remove).first()
    if link is None:
        raise ValidationError("That person does not act for this organisation.")
    leads = OrganisationPerson.objects.filter(organisation=organisation, role=OrganisationPerson.Role.LEAD)
    if link.role == OrganisationPerson.Role.LEAD and leads.count() == 1:
        raise ValidationError("An organisation needs a lead contact: make someone else lead first.")
    link.delete()
    Participant.objects.filter(membership__organisation=organisation, user=user_to_remove).delete()


@transaction.atomic
def colleague_set_role(*, organisation: Organisation, user, role: str, by) -> OrganisationPerson:
    """Staff (the admin) make someone a lead contact or a colleague; the last lead cannot step down.

    Locks the organisation row, as ``colleague_remove`` does.
    """
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not by.is_staff:
        raise PermissionDenied
    link = OrganisationPerson.objects.select_for_update().get(organisation=organisation, user=user)
    leads = OrganisationPerson.objects.filter(organisation=organisation, role=OrganisationPerson.Role.LEAD)
    if link.role == OrganisationPerson.Role.LEAD and role != link.role and leads.count() == 1:
        raise ValidationError("An organisation needs a lead contact: make someone else lead first.")
    link.role = role
    link.full_clean()
    link.save(update_fields=["role"])
    return link


# --- Mailing list -------------------------------------------------------------------------


@transaction.atomic
def message_post(
    *,
    cohort: Cohort,
    author,
    body: str,
    subject: str = "",
    parent: Message | None = None,
    theme=None,
    inbound_message_id: str = "",
) -> Message:
    """Post to the cohort: a new thread or a reply, emailed to each participant as they chose.

    A thread needs staff, or a participant when the cohort lets members post;
    a reply needs a participant. Alumni of an ended cohort only read. A reply
    shares its thread's theme. Each email is its own outbox row keyed by message
    and person (``cohorts.mailing_list.message_send``), so a second run of the
    send task sends nothing twice, and nobody sees the others' addresses; people
    who chose the digest get it the next day. ``inbound_message_id`` is the
    Message-ID of a reply by email: the same mail twice posts once (a constraint).
    """
    if parent is not None:
        if parent.cohort_id != cohort.pk or parent.parent_id is not None:
            raise ValidationError("Replies go to a thread of this cohort.")
        if not can_reply(author, cohort):
            raise PermissionDenied
        subject = ""
        theme = None
    elif not can_start_thread(author, cohort):
        raise PermissionDenied
    message = Message(
        cohort=cohort,
        author=author,
        parent=parent,
        subject=subject.strip(),
        body=body,
        theme=theme,
        inbound_message_id=inbound_message_id[:255],
    )
    message.full_clean()
    message.save()
    message_send(message)
    return message


def thread_mark_read(*, user, thread: Message, seen_up_to=None) -> ThreadRead:
    """Record that ``user`` has read ``thread`` up to ``seen_up_to`` (default: now). Returns the row.

    Called when someone opens a thread's page, with the time of the newest message the page
    showed, so a reply posted while the page was drawn still counts as unread. Idempotent
    and never moves backwards: an older time leaves a newer one in place. Two requests at
    once cannot make two rows: ``get_or_create`` meets the ``cohorts_threadread_one_per_person``
    constraint and reads the winner's row; the move forward is one conditional UPDATE, so no
    row lock is needed. Anyone who may see the thread may call it (the view checks that).
    """
    if thread.parent_id is not None:
        raise ValidationError("Only a thread, not a reply, is marked as read.")
    seen_up_to = seen_up_to or timezone.now()
    with transaction.atomic():
        read, created = ThreadRead.objects.get_or_create(user=user, thread=thread, defaults={"read_at": seen_up_to})
        if not created and read.read_at < seen_up_to:
            ThreadRead.objects.filter(pk=read.pk, read_at__lt=seen_up_to).update(read_at=seen_up_to)
            read.refresh_from_db(fields=["read_at"])
    return read


@transaction.atomic
def participant_preferences_set(*, participant: Participant, user, delivery: str, show_contact_details: bool):
    """A person chooses how they get the cohort's messages (each, a daily digest, none) and whether
    to show their address. Only themselves (or their signed unsubscribe link)."""
    if participant.user_id != user.pk:
        raise PermissionDenied
    participant.delivery = delivery
    participant.show_contact_details = show_contact_details
    participant.full_clean()
    participant.save(update_fields=["delivery", "show_contact_details"])
    return participant


# --- Resources ----------------------------------------------------------------------------

#: File types members may upload; anything else is refused.
ALLOWED_EXTENSIONS = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def clean_upload(upload) -> str:
    """Check an uploaded file's type and size; return a safe display name."""
    name = Path(str(upload.name).replace("\\", "/")).name  # drop any path a browser or attacker sent
    extension = Path(name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            {
                "file": [
                    f"Files of type “{extension or 'none'}” cannot be shared. Allowed: "
                    f"{', '.join(sorted(e.lstrip('.') for e in ALLOWED_EXTENSIONS))}."
                ]
            }
        )
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": [f"This file is {upload.size / 1_048_576:.1f} MB; the limit is 10 MB."]})
    if extension == ".pdf" and not upload.read(5).startswith(b"%PDF-"):
        raise ValidationError({"file": ["This file does not look like a PDF."]})
    upload.seek(0)
    return name[:255] or f"file{extension}"


@transaction.atomic
def resource_add(
    *, cohort: Cohort, user, title: str, description: str = "", url: str = "", upload=None, themes=()
) -> Resource:
    """Share a link or a file with the cohort. Participants (not alumni) and staff."""
    if not can_reply(user, cohort):
        raise PermissionDenied
    if bool(url) == bool(upload):
        raise ValidationError("Share either a link or a file.")
    resource = Resource(cohort=cohort, title=title, description=description, url=url, added_by=user)
    if upload is not None:
        resource.original_filename = clean_upload(upload)
        resource.file.save(upload.name, upload, save=False)
    resource.full_clean()
    resource.save()
    resource.themes.set(themes)
    return resource


# --- The shared output --------------------------------------------------------------------


@transaction.atomic
def contribution_save(*, membership: Membership, theme, user, learnings: str, credit: str) -> Contribution:
    """Write an organisation's learnings on a theme. Editing withdraws an earlier sign-off."""
    if not can_contribute(user, membership):
        raise PermissionDenied
    contribution = Contribution.objects.select_for_update().filter(membership=membership, theme=theme).first()
    if contribution is None:
        contribution = Contribution(membership=membership, theme=theme)
    contribution.learnings = learnings
    contribution.credit = credit
    contribution.signed_off_at = None
    contribution.signed_off_by = None
    contribution.full_clean()
    contribution.save()
    return contribution


@transaction.atomic
def contribution_sign_off(*, contribution: Contribution, user) -> Contribution:
    """The organisation approves its text for publication."""
    contribution = Contribution.objects.select_for_update().select_related("membership__cohort").get(pk=contribution.pk)
    if not can_contribute(user, contribution.membership):
        raise PermissionDenied
    contribution.signed_off_at = timezone.now()
    contribution.signed_off_by = user
    contribution.save(update_fields=["signed_off_at", "signed_off_by"])
    return contribution
