"""People have names: how a person is named, in the admin and by the demo data."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from applications.models import Application
from cohortnet.management.commands._demo_stages import PEOPLE as STAGES_PEOPLE
from cohortnet.management.commands.seed_demo import PEOPLE
from cohortnet.users.models import User
from cohorts.admin import country_filter
from events.models import RSVP
from tests.factories import ApplicationFactory, EventFactory, OrganisationFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(name="Grace Mensah", is_staff=True, is_superuser=True))
    return client


def test_a_person_with_a_name_is_shown_as_name_and_address():
    user = User(name="Maya Okafor", email="maya@example.org")
    assert str(user) == "Maya Okafor <maya@example.org>"
    assert user.display_name == "Maya Okafor"
    assert user.get_full_name() == "Maya Okafor"
    assert user.get_short_name() == "Maya"


def test_a_person_without_a_name_is_shown_as_their_address():
    user = User(name="", email="old.account@example.org")
    assert str(user) == "old.account@example.org"
    assert user.display_name == "old.account@example.org"
    assert user.get_full_name() == "old.account@example.org"


def test_the_rows_that_point_at_a_person_name_them():
    participant = ParticipantFactory(
        user=UserFactory(name="Maya Okafor", email="maya@example.org"),
        membership__organisation__name="Tide Trust",
    )
    assert str(participant) == "Maya Okafor <maya@example.org> (Tide Trust)"


def test_the_admin_finds_people_by_name_and_lists_them_by_name(staff_client):
    UserFactory(name="Maya Okafor", email="m.o@example.org")
    UserFactory(name="Kofi Boateng", email="kofi@example.org")
    response = staff_client.get(reverse("admin:users_user_changelist"), {"q": "okafor"})
    assert response.status_code == 200
    assert [user.email for user in response.context["cl"].result_list] == ["m.o@example.org"]
    page = response.content.decode()
    assert "Maya Okafor" in page
    assert "kofi@example.org" not in page


def test_the_admin_shows_participants_as_name_and_address(staff_client):
    ParticipantFactory(user=UserFactory(name="Maya Okafor", email="maya@example.org"))
    ParticipantFactory(user=UserFactory(name="", email="no.name@example.org"))
    page = staff_client.get(reverse("admin:cohorts_participant_changelist")).content.decode()
    assert "Maya Okafor &lt;maya@example.org&gt;" in page
    assert "no.name@example.org" in page


def test_the_person_autocomplete_offers_name_and_address(staff_client):
    UserFactory(name="Maya Okafor", email="maya@example.org")
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"term": "okafor", "app_label": "cohorts", "model_name": "participant", "field_name": "user"},
    )
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["Maya Okafor <maya@example.org>"]


def test_the_country_filter_offers_exactly_the_countries_present_by_name(staff_client):
    for country in ["PT", "GB", "KE", "GB", ""]:
        OrganisationFactory(country=country)
    response = staff_client.get(reverse("admin:cohorts_organisation_changelist"))
    country_filter = next(f for f in response.context["cl"].filter_specs if f.title == "country")
    assert country_filter.lookup_choices == [("KE", "Kenya"), ("PT", "Portugal"), ("GB", "United Kingdom")]
    filtered = staff_client.get(reverse("admin:cohorts_organisation_changelist"), {"country": "GB"})
    assert sorted(o.country.code for o in filtered.context["cl"].result_list) == ["GB", "GB"]


@pytest.mark.parametrize("organisations", [1, 20])
def test_the_country_filter_costs_one_query(rf, django_assert_num_queries, organisations):
    model_admin = admin.site._registry[Application]
    OrganisationFactory.create_batch(organisations, country="PT")
    ApplicationFactory(organisation__country="KE")
    with django_assert_num_queries(1):
        spec = country_filter("organisation__country")(rf.get("/"), {}, Application, model_admin)
    # Countries of organisations that applied, not of every organisation.
    assert spec.lookup_choices == [("KE", "Kenya")]


def test_the_applications_list_filters_by_the_countries_of_the_organisations_that_applied(staff_client):
    ApplicationFactory(organisation__country="PT")
    OrganisationFactory(country="KE")
    response = staff_client.get(reverse("admin:applications_application_changelist"))
    country = next(f for f in response.context["cl"].filter_specs if f.title == "country")
    assert country.lookup_choices == [("PT", "Portugal")]


@pytest.mark.parametrize("value", ["XX", "G" * 500, "gb"])
def test_a_country_that_is_no_code_is_the_admins_bad_filter_not_a_500(staff_client, value):
    OrganisationFactory(country="GB")
    response = staff_client.get(reverse("admin:cohorts_organisation_changelist"), {"country": value})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:cohorts_organisation_changelist") + "?e=1"


def test_seed_demo_gives_every_demo_person_a_name(settings):
    settings.DEBUG = True  # seed_demo is for laptops
    call_command("seed_demo")
    named = dict(User.objects.values_list("email", "name"))
    assert named == {**PEOPLE, **STAGES_PEOPLE}


def test_the_answers_list_names_the_person_and_their_organisation_and_finds_them_by_name(staff_client):
    participant = ParticipantFactory(
        user=UserFactory(name="Maya Okafor", email="maya@example.org"), membership__organisation__name="Tide Trust"
    )
    event = EventFactory(cohort=participant.membership.cohort)
    RSVP.objects.create(event=event, user=participant.user, membership=participant.membership, status="going")
    response = staff_client.get(reverse("admin:events_rsvp_changelist"), {"q": "okafor"})
    assert response.context["cl"].result_count == 1
    assert "Maya Okafor &lt;maya@example.org&gt; (Tide Trust)" in response.content.decode()
