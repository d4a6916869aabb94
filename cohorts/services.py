"""Writes for organisations and cohorts. Every write that carries a rule lives here."""

from django.db import transaction

from cohorts.models import Membership, Organisation, OrganisationPerson, Participant

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
