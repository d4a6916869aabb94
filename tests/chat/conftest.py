"""A running cohort with two participants from two organisations, its general room, an alumnus and an outsider."""

import pytest

from chat.services import room_get_or_create
from cohorts.models import Cohort, Theme
from tests.factories import CohortFactory, ParticipantFactory, UserFactory


@pytest.fixture
def cohort():
    return CohortFactory(name="Cohort 2", slug="open-data-2")


@pytest.fixture
def maya(cohort):
    return ParticipantFactory(
        membership__cohort=cohort,
        membership__organisation__name="River Data Trust",
        user__name="Maya Okafor",
        user__email="maya@river.example",
    ).user


@pytest.fixture
def tomas(cohort):
    return ParticipantFactory(
        membership__cohort=cohort,
        membership__organisation__name="Ledgerlight",
        user__name="Tomás Rivera",
        user__email="tomas@ledgerlight.example",
    ).user


@pytest.fixture
def room(cohort):
    return room_get_or_create(cohort=cohort)


@pytest.fixture
def staff():
    return UserFactory(name="Sam Lee", email="sam@programme.example", is_staff=True)


@pytest.fixture
def outsider():
    """A participant of another cohort."""
    return ParticipantFactory(user__name="Olu Ade", user__email="olu@elsewhere.example").user


@pytest.fixture
def ended_cohort():
    return CohortFactory(name="Cohort 1", slug="open-data-1", status=Cohort.Status.COMPLETED)


@pytest.fixture
def alumnus(ended_cohort):
    return ParticipantFactory(
        membership__cohort=ended_cohort,
        membership__organisation__name="Old Maps Collective",
        user__name="Ada Byrne",
        user__email="ada@oldmaps.example",
    ).user


@pytest.fixture
def old_room(ended_cohort):
    return room_get_or_create(cohort=ended_cohort)


def make_theme(name: str, position: int = 0) -> Theme:
    return Theme.objects.create(name=name, slug=name.lower().replace(" ", "-"), position=position)
