"""The demo shows the publication: two versions, credits of all three kinds, the anonymous person nowhere."""

import pytest
from django.core.management import call_command

from outcomes.models import Publication, PublicationCredit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _debug_on(settings):
    settings.DEBUG = True  # seed_demo is for laptops


def test_the_demo_has_a_publication_published_twice_with_every_kind_of_credit(client):
    call_command("seed_demo")
    publication = Publication.objects.get(slug="cohort-2-what-stewards-learned")
    versions = list(publication.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert "publish what the money pays for" not in versions[0].sections[0]["text"]
    assert "publish what the money pays for" in versions[1].sections[0]["text"]
    assert sorted(publication.credits.values_list("choice", flat=True)) == ["anonymous", "named", "organisation"]
    anonymous = PublicationCredit.objects.get(publication=publication, choice="anonymous").user
    page = client.get(publication.get_absolute_url()).content.decode()
    assert "Kofi" in page.split("Contributors")[1]
    assert anonymous.name not in page
    assert [c["organisation"] for c in versions[1].contributors] == [
        "Ledgerlight Company Register",
        "Threadmap Open Facilities",
    ]
