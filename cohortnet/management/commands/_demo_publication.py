"""Demo data for the publication: the running cohort's output, published twice, with every kind of credit.

Goes through the services, as staff and members would, so the demo shows what the rules make:
two kept versions, every contributing organisation's sign-off of the text each time, a person
credited by name, one by organisation only, and one anonymous (in none of the files).
"""

from django.utils import timezone

from cohorts.models import Contribution, OrganisationPerson, Participant, Theme
from outcomes import publication_services as services
from outcomes.models import Publication

SLUG = "cohort-2-what-stewards-learned"

#: (organisation name, theme position, what they contributed)
CONTRIBUTIONS = [
    (
        "Ledgerlight Company Register",
        0,
        "Charging for a fast API while keeping bulk files free paid for two engineers without closing anything.",
    ),
    ("Threadmap Open Facilities", 1, "Facilities correct their own records when they can see who relies on them."),
]
#: (email, credit choice)
CREDITS = [
    ("kofi@threadmap.example", "named"),
    ("ines@ledgerlight.example", "organisation"),
    ("marta@threadmap.example", "anonymous"),
]
FIRST = {
    0: "Members that charge for convenience (a fast API, support) and keep the bulk data free "
    "found the income lasts longest.\n\nSee Ledgerlight's notes from the first roundtable.",
    1: "Registers stay current when the people described in them can see, and fix, their own records.",
}
SECOND_0 = FIRST[0] + "\n\nA second roundtable added: publish what the money pays for, every year."


def seed_publication(cohort, staff_user) -> Publication:
    """The running cohort's publication with versions 1 and 2 (idempotent: a second run changes nothing)."""
    existing = Publication.objects.filter(cohort=cohort).first()
    if existing is not None:
        return existing
    themes = list(Theme.objects.order_by("position", "name")[:2])
    for name, position, text in CONTRIBUTIONS:
        membership = cohort.memberships.get(organisation__name=name)
        lead = _lead(membership.organisation)
        Contribution.objects.get_or_create(
            membership=membership,
            theme=themes[position],
            defaults={"learnings": text, "signed_off_at": timezone.now(), "signed_off_by": lead},
        )
    publication = Publication.objects.create(
        cohort=cohort,
        slug=SLUG,
        title="What open data stewards learned",
        introduction="Written by the programme team from the members' contributions and the roundtables' notes.",
    )
    for position, text in FIRST.items():
        services.publication_section_save(publication=publication, theme=themes[position], text=text, by=staff_user)
    for email, choice in CREDITS:
        user = Participant.objects.get(membership__cohort=cohort, user__email=email).user
        services.publication_credit_set(publication=publication, user=user, choice=choice)
    _sign_off_all(publication)
    services.publication_publish(publication=publication, by=staff_user)
    services.publication_section_save(publication=publication, theme=themes[0], text=SECOND_0, by=staff_user)
    _sign_off_all(publication)
    services.publication_publish(publication=publication, by=staff_user)
    return publication


def _sign_off_all(publication: Publication) -> None:
    for organisation in services.contributing_organisations(publication):
        services.publication_sign_off(
            publication=publication,
            organisation=organisation,
            user=_lead(organisation),
            digest=services.publication_digest(publication),
        )


def _lead(organisation):
    return OrganisationPerson.objects.get(organisation=organisation, role=OrganisationPerson.Role.LEAD).user
