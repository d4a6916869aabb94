"""Forms of cohorts bind what the services take, no more and no less."""

import pytest

from cohorts.forms import OrganisationForm
from cohorts.models import Organisation
from cohorts.services import PROFILE_FIELDS, organisation_create
from tests.factories import UserFactory


def test_the_organisation_form_binds_the_name_and_the_services_profile_fields_in_order():
    assert OrganisationForm._meta.fields == ["name", *PROFILE_FIELDS]


@pytest.mark.django_db
def test_everything_the_organisation_form_cleans_is_accepted_by_the_service():
    form = OrganisationForm(
        {
            "name": "Tide Data",
            "website": "tide.example",
            "country": "GB",
            "legal_form": "charity",
            "year_founded": "2014",
            "staff_size": "6-20",
            "description": "Tide gauges",
            "open_data": "Sea levels",
            "licences": "CC BY 4.0",
            "access_methods": ["api", "bulk"],
            "reach": "Harbours",
        }
    )
    assert form.is_valid(), form.errors
    organisation = organisation_create(user=UserFactory(), **form.cleaned_data)
    saved = Organisation.objects.values(*PROFILE_FIELDS).get(pk=organisation.pk)
    assert saved == {field: form.cleaned_data[field] for field in PROFILE_FIELDS}
    assert saved["website"] == "https://tide.example"
