"""The publication's lists read in the same number of queries whatever their length; old outputs were copied."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Publication as LegacyPublication
from outcomes.models import Publication, PublicationVersion
from outcomes.publication_documents import open_data_rows
from tests.factories import CohortFactory, UserFactory

pytestmark = pytest.mark.django_db


def _publication_with_versions(count: int, slug: str = "output") -> Publication:
    publication = Publication.objects.create(cohort=CohortFactory(), title="Output", slug=slug)
    for number in range(1, count + 1):
        PublicationVersion.objects.create(
            publication=publication,
            number=number,
            title="Output",
            sections=[{"theme": "Licensing", "text": f"Text {number}"}],
            contributors=[{"user_id": 1, "name": "Ada", "organisation": "Harbour"}],
            licence="CC-BY-4.0",
            published_at=timezone.now(),
        )
    return publication


@pytest.mark.parametrize("versions", [1, 20])
def test_the_public_page_lists_its_versions_in_the_same_number_of_queries(client, django_assert_num_queries, versions):
    publication = _publication_with_versions(versions)
    with django_assert_num_queries(2):
        response = client.get(publication.get_absolute_url())
    assert response.content.decode().count("Version ") >= versions


@pytest.mark.parametrize("rows", [1, 20])
def test_the_admin_list_of_publications_reads_in_the_same_number_of_queries(client, django_assert_num_queries, rows):
    for index in range(rows):
        _publication_with_versions(2, slug=f"output-{index}")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    with django_assert_num_queries(5):
        response = client.get(reverse("admin:outcomes_publication_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
def test_the_open_data_rows_of_publications_read_in_one_query(django_assert_num_queries, rows):
    # The page's datasets read per cohort already; the publications add one query, whatever their number.
    for index in range(rows):
        _publication_with_versions(2, slug=f"output-{index}")
    with django_assert_num_queries(1):
        found = open_data_rows()
    assert [(row["version"], row["pdf"]) for row in found][:1] == [(2, "/outputs/output-0/versions/2/pdf/")]
    assert len(found) == rows


def test_the_old_outputs_are_copied_into_a_first_version_at_the_same_address():
    migration = importlib.import_module("outcomes.migrations.0001_publication")
    cohort, draft_cohort = CohortFactory(), CohortFactory()
    LegacyPublication.objects.create(
        cohort=cohort,
        title="What stewards learned",
        slug="what-stewards-learned",
        published_at=timezone.now(),
        sections=[{"theme": "Licensing", "entries": [{"credit": "Ledgerlight", "text": "Choose CC BY."}]}],
    )
    LegacyPublication.objects.create(cohort=draft_cohort, title="Draft", slug="draft")

    migration.copy_legacy_publications(apps, None)

    copied = Publication.objects.get(slug="what-stewards-learned")
    assert copied.get_absolute_url() == "/outputs/what-stewards-learned/"
    assert list(copied.versions.values_list("number", "sections", "contributors", "licence")) == [
        (1, [{"theme": "Licensing", "text": "Choose CC BY.\n\n*Ledgerlight*"}], [], "CC-BY-4.0")
    ]
    assert Publication.objects.get(slug="draft").versions.count() == 0
