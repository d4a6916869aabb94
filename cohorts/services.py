"""Writes for organisations and cohorts. Every write that carries a rule lives here."""

from django.db import transaction

from cohorts.models import Membership, Organisation, OrganisationPerson, Participant


@transaction.atomic
def organisation_create(
    *,
    user,
    name: str,
    website: str = "",
    country: str = "",
    description: str = "",
    open_data: str = "",
) -> Organisation:
    """Create an organisation with ``user`` as its lead contact.

    Anyone signed in may call it: creating an organisation grants nothing
    until staff accept one of its applications.
    """
    organisation = Organisation(
        name=name.strip(), website=website, country=country, description=description, open_data=open_data
    )
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
