"""factory_boy factories for every model the tests build."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from applications.models import Application, Criterion, OpenCall, Question, ReviewAssignment
from cohorts.models import Cohort, Membership, Organisation, OrganisationPerson, Participant, Theme
from events.models import Event
from funding.models import Award

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "users.User"
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Open Data Steward {n}")
    website = "https://steward.example"
    country = "GB"


class OrganisationPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationPerson

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrganisationPerson.Role.LEAD


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Cohort {n}")
    slug = factory.Sequence(lambda n: f"cohort-{n}")
    starts_on = date(2026, 10, 1)
    ends_on = date(2027, 3, 31)
    status = Cohort.Status.RUNNING


class OpenCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpenCall

    cohort = factory.SubFactory(CohortFactory)
    title = factory.Sequence(lambda n: f"Open call {n}")
    slug = factory.Sequence(lambda n: f"call-{n}")
    summary = "Join a peer learning network."
    description = "Six months of peer learning."
    eligibility = "Organisations that steward open data."
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    time_zone = "Europe/London"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    call = factory.SubFactory(OpenCallFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.SubFactory(UserFactory)
    data_stewarded = "An open register of companies, used by journalists."
    licence = "CC BY 4.0"
    sustainability = "Paid enterprise API beside free bulk downloads."
    contribution = "Our experience running a data commons."
    time_commitment = "Two days a month"
    funding_requested = Decimal("15000.00")
    consent_to_publish = True

    @factory.post_generation
    def themes(obj, create, extracted, **kwargs):
        # Themes come from a data migration; default to the first one.
        if create:
            obj.themes.set(extracted if extracted is not None else Theme.objects.order_by("position")[:1])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    cohort = factory.SubFactory(CohortFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    membership = factory.SubFactory(MembershipFactory)
    user = factory.SubFactory(UserFactory)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    cohort = factory.SubFactory(CohortFactory)
    title = factory.Sequence(lambda n: f"Roundtable {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=90))
    time_zone = "Europe/London"


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Award

    membership = factory.SubFactory(MembershipFactory)
    amount = Decimal("20000.00")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    call = factory.SubFactory(OpenCallFactory)
    label = factory.Sequence(lambda n: f"Extra question {n}")
    kind = Question.Kind.SHORT_TEXT


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    call = factory.SubFactory(OpenCallFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = Decimal("1.00")


def reviewer(**kwargs):
    """A user in the Reviewers group."""
    from django.contrib.auth.models import Group

    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


class ReviewAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewAssignment

    application = factory.SubFactory(ApplicationFactory, status=Application.Status.UNDER_REVIEW)
    reviewer = factory.LazyFunction(reviewer)


class InstalmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "funding.Instalment"

    award = factory.SubFactory(AwardFactory)
    amount = Decimal("1000.00")
    due_on = date(2027, 1, 31)
