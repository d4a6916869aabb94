import pytest
from django.urls import reverse

from cohorts.models import Organisation, OrganisationPerson
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    client.force_login(UserFactory())
    return client


def test_creating_an_organisation_makes_you_its_lead_and_returns_to_next(signed_in):
    response = signed_in.post(
        reverse("cohorts:organisation_create"),
        {"name": "Harbour Tide Data Trust", "website": "harbourtide.example", "next": "/calls/x/apply/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/calls/x/apply/"
    organisation = Organisation.objects.get()
    assert organisation.website == "https://harbourtide.example"
    assert OrganisationPerson.objects.get(organisation=organisation).role == "lead"


def test_next_pointing_elsewhere_is_ignored(signed_in):
    response = signed_in.post(
        reverse("cohorts:organisation_create"), {"name": "Harbour Tide", "next": "https://evil.example/"}
    )
    assert response["Location"] == Organisation.objects.get().get_absolute_url()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 201}, "name", "Ensure this value has at most 200 characters (it has 201)."),
        ({"name": "Tide", "website": "not a url"}, "website", "Enter a valid URL."),
        ({"name": "Ti\x00de"}, "name", "Null characters are not allowed."),
    ],
)
def test_bad_organisation_input_is_a_field_error_and_the_rest_is_kept(signed_in, data, field, message):
    response = signed_in.post(reverse("cohorts:organisation_create"), {**data, "country": "PT"})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert '<option value="PT" selected>Portugal</option>' in response.content.decode()
    assert Organisation.objects.count() == 0
