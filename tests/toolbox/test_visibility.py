"""``get_visible_or_404``: the object a person may see, or a 404 that reads exactly like a missing one."""

import pytest
from django.http import Http404

from cohorts.models import Organisation
from cohorts.permissions import can_act_for_organisation
from tests.factories import OrganisationPersonFactory, UserFactory
from toolbox.visibility import get_visible_or_404


@pytest.fixture
def lead():
    return OrganisationPersonFactory(role="lead")


@pytest.mark.django_db
def test_returns_the_object_the_predicate_allows(lead):
    found = get_visible_or_404(Organisation, can_act_for_organisation, lead.user, pk=lead.organisation_id)

    assert found == lead.organisation


@pytest.mark.django_db
def test_takes_a_queryset_and_keeps_its_joins(lead, django_assert_num_queries):
    queryset = Organisation.objects.filter(name=lead.organisation.name)
    with django_assert_num_queries(1):
        found = get_visible_or_404(queryset, lambda user, obj: True, lead.user, pk=lead.organisation_id)

    assert found.pk == lead.organisation_id


@pytest.mark.django_db
def test_someone_elses_object_is_a_404_worded_as_a_missing_one(lead):
    with pytest.raises(Http404) as refused:
        get_visible_or_404(Organisation, can_act_for_organisation, UserFactory(), pk=lead.organisation_id)
    with pytest.raises(Http404) as missing:
        get_visible_or_404(Organisation, can_act_for_organisation, lead.user, pk=lead.organisation_id + 1000)

    assert str(refused.value) == str(missing.value) == "No Organisation matches the given query."


@pytest.mark.django_db
def test_the_predicate_gets_the_user_and_the_object_and_is_not_asked_about_a_missing_one(lead):
    asked = []

    def predicate(user, obj):
        asked.append((user, obj))
        return True

    get_visible_or_404(Organisation, predicate, lead.user, pk=lead.organisation_id)
    with pytest.raises(Http404):
        get_visible_or_404(Organisation, predicate, lead.user, pk=lead.organisation_id + 1000)

    assert asked == [(lead.user, lead.organisation)]


@pytest.mark.django_db
def test_a_lookup_outside_the_queryset_is_a_404_even_when_the_predicate_allows(lead):
    with pytest.raises(Http404):
        get_visible_or_404(Organisation.objects.none(), lambda user, obj: True, lead.user, pk=lead.organisation_id)
