"""The publication's writes at the same moment (PostgreSQL, real threads): no 500, no duplicate."""

import pytest
from django.core.exceptions import ValidationError

from outcomes import publication_services as services
from outcomes.models import PublicationCredit, PublicationVersion
from tests.helpers import race
from tests.outcomes.publication_world import PublicationWorld

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_first_credit_choices_of_one_person_at_once_make_one_credit():
    world = PublicationWorld()
    errors = race(
        ["named", "anonymous", "organisation"],
        lambda choice: services.publication_credit_set(
            publication=world.publication, user=world.anonymous, choice=choice
        ),
    )
    assert errors == []
    assert PublicationCredit.objects.filter(user=world.anonymous).count() == 1


def test_two_publishes_at_once_make_one_version():
    world = PublicationWorld()
    world.write()
    world.credits()
    world.sign_off()
    errors = race(range(3), lambda _n: services.publication_publish(publication=world.publication, by=world.staff))
    assert [(type(e), e.messages) for e in errors] == [(ValidationError, ["Nothing changed since version 1."])] * 2
    assert list(PublicationVersion.objects.values_list("number", flat=True)) == [1]
