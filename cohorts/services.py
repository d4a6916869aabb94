"""Writes for organisations and cohorts. Every write that carries a rule lives here."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cohorts.models import ColleagueInvite, Membership, Organisation, OrganisationPerson, Participant
from cohorts.permissions import is_organisation_lead
from notifications.services import email_queue, render_email

PROFILE_FIELDS = {
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
}


@transaction.atomic
def organisation_create(*, user, name: str, **profile) -> Organisation:
    """Create an organisation with ``user`` as its lead contact.

    ``profile`` takes the organisation's other fields (website, country,
    legal_form, year_founded, staff_size, description, open_data, licences,
    access_methods, reach). Anyone signed in may call it: creating an
    organisation grants nothing until staff accept one of its applications.
    """
    unknown = set(profile) - PROFILE_FIELDS
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
        subject=f"{by.get_full_name()} invites you to join {organisation.name} on CohortNet",
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
    """A lead contact removes a colleague; the last lead cannot be removed."""
    if not is_organisation_lead(by, organisation):
        raise PermissionDenied
    link = OrganisationPerson.objects.select_for_update().filter(organisation=organisation, user=user_to_remove).first()
    if link is None:
        raise ValidationError("That person does not act for this organisation.")
    leads = OrganisationPerson.objects.filter(organisation=organisation, role=OrganisationPerson.Role.LEAD)
    if link.role == OrganisationPerson.Role.LEAD and leads.count() == 1:
        raise ValidationError("An organisation needs a lead contact: make someone else lead first.")
    link.delete()
    Participant.objects.filter(membership__organisation=organisation, user=user_to_remove).delete()
