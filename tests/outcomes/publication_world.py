"""A cohort with two contributing organisations, their leads and colleagues, ready to publish: shared by the tests."""

from cohorts.models import Contribution, Theme
from events.models import WrittenInput
from outcomes import publication_services as services
from outcomes.models import Publication
from tests.factories import EventFactory, MembershipFactory, OrganisationPersonFactory, ParticipantFactory, UserFactory

NAMED = "Marguerite Okonkwo-Lindqvist"
ORG_ONLY = "Bartholomew Fenwright"
ANONYMOUS = "Xanthippe Quorrelby"
ANONYMOUS_EMAIL = "xanthippe.q@example.org"


class PublicationWorld:
    """Harbour Data and Ledgerlight in one cohort, each with a contribution; a publication with two themes."""

    def __init__(self):
        self.staff = UserFactory(is_staff=True, is_superuser=True, name="Sam Staff")
        self.harbour_membership = MembershipFactory(organisation__name="Harbour Data")
        self.cohort = self.harbour_membership.cohort
        self.ledger_membership = MembershipFactory(cohort=self.cohort, organisation__name="Ledgerlight")
        self.harbour, self.ledger = self.harbour_membership.organisation, self.ledger_membership.organisation
        self.harbour_lead = self._person(self.harbour_membership, NAMED, lead=True)
        self.ledger_lead = self._person(self.ledger_membership, ORG_ONLY, lead=True)
        self.anonymous = self._person(self.harbour_membership, ANONYMOUS, email=ANONYMOUS_EMAIL)
        self.theme_a = Theme.objects.create(name="Sustaining volunteers", slug="sustaining-volunteers", position=1)
        self.theme_b = Theme.objects.create(name="Licensing choices", slug="licensing-choices", position=2)
        Contribution.objects.create(membership=self.harbour_membership, theme=self.theme_a, learnings="Harbour learnt")
        Contribution.objects.create(membership=self.ledger_membership, theme=self.theme_b, learnings="Ledger learnt")
        self.event = EventFactory(cohort=self.cohort, theme=self.theme_a, notes="Roundtable notes on volunteers")
        WrittenInput.objects.create(event=self.event, author=self.anonymous, body="Written input on volunteers")
        self.publication = Publication.objects.create(
            cohort=self.cohort, title="What stewards learned", slug="stewards"
        )

    def _person(self, membership, name, *, lead=False, email=None):
        user = UserFactory(name=name, **({"email": email} if email else {}))
        OrganisationPersonFactory(organisation=membership.organisation, user=user, role="lead" if lead else "member")
        ParticipantFactory(membership=membership, user=user, role="lead" if lead else "participant")
        return user

    def write(self, text_a="Volunteers stay when they are thanked.", text_b="Choose CC BY early."):
        services.publication_section_save(publication=self.publication, theme=self.theme_a, text=text_a, by=self.staff)
        services.publication_section_save(publication=self.publication, theme=self.theme_b, text=text_b, by=self.staff)

    def credits(self):
        services.publication_credit_set(publication=self.publication, user=self.harbour_lead, choice="named")
        services.publication_credit_set(publication=self.publication, user=self.ledger_lead, choice="organisation")
        services.publication_credit_set(publication=self.publication, user=self.anonymous, choice="anonymous")

    def sign_off(self, *which):
        for organisation, lead in [(self.harbour, self.harbour_lead), (self.ledger, self.ledger_lead)]:
            if not which or organisation in which:
                services.publication_sign_off(
                    publication=self.publication,
                    organisation=organisation,
                    user=lead,
                    digest=services.publication_digest(self.publication),
                )

    def publish(self):
        return services.publication_publish(publication=self.publication, by=self.staff)

    def ready(self):
        """Written, credited, signed off and published once."""
        self.write()
        self.credits()
        self.sign_off()
        return self.publish()
