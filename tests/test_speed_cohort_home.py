"""The cohort home's cached event cells (issue #20): shared by viewers, never stale after a write.

Each page of events caches the cells every viewer sees alike under the events' ``updated_at`` and their
themes' names and colours. Each test renders the page (caching the cells), writes through a service or
the admin's form, and reads the page back expecting the new value; the viewer's own answer and "your
time" are never shared.
"""

import pytest
from django.test import Client
from django.urls import reverse

from cohorts.models import Theme
from events import services
from events.models import RSVP
from tests.admin_forms import admin_save
from tests.factories import EventFactory, ParticipantFactory, UserFactory
from toolbox.timezones import BROWSER_ZONE_COOKIE

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    return staff


def _home(client, cohort) -> str:
    response = client.get(cohort.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _row(page: str, event) -> str:
    return page.split(f'href="{event.get_absolute_url()}"', 1)[1].split("</tr>")[0]


def test_an_event_renamed_by_the_service_is_renamed_on_the_home(member):
    event = EventFactory(cohort=member.cohort, title="Barriers roundtable")
    assert "Barriers roundtable" in _home(member, member.cohort)
    services.event_update(event=event, by=UserFactory(is_staff=True), title="Barriers to publishing")
    page = _home(member, member.cohort)
    assert "Barriers to publishing" in page
    assert "Barriers roundtable" not in page


def test_an_event_cancelled_by_the_service_shows_its_badge(member):
    event = EventFactory(cohort=member.cohort)
    assert "state-cancelled" not in _home(member, member.cohort)
    services.event_cancel(event=event, by=UserFactory(is_staff=True))
    assert 'state-cancelled">Cancelled</span>' in _home(member, member.cohort)


def test_an_event_renamed_in_the_admin_is_renamed_on_the_home(member, staff_client):
    event = EventFactory(cohort=member.cohort, title="Sustainability workshop")
    assert "Sustainability workshop" in _home(member, member.cohort)
    admin_save(staff_client, reverse("admin:events_event_change", args=[event.pk]), title="Revenue models workshop")
    page = _home(member, member.cohort)
    assert "Revenue models workshop" in page
    assert "Sustainability workshop" not in page


def test_a_theme_renamed_in_the_admin_is_renamed_on_the_events(member, staff_client):
    theme = Theme.objects.get(slug="sustainability")
    EventFactory(cohort=member.cohort, theme=theme)
    assert theme.name in _home(member, member.cohort)
    admin_save(staff_client, reverse("admin:cohorts_theme_change", args=[theme.pk]), name="Money and sustainability")
    assert "Money and sustainability" in _home(member, member.cohort)


def test_the_cells_are_shared_but_each_viewer_sees_their_own_answer(member):
    event = EventFactory(cohort=member.cohort)
    other = ParticipantFactory(membership=member.participant.membership)
    services.rsvp_set(event=event, user=other.user, going=True)
    mine = _row(_home(member, member.cohort), event)
    assert "state-going" not in mine
    assert ">Answer</a>" in mine
    theirs_client = Client()
    theirs_client.force_login(other.user)
    theirs = _row(_home(theirs_client, member.cohort), event)
    assert 'state-going">Going</span>' in theirs
    assert RSVP.objects.get(user=other.user).status == RSVP.Status.GOING


def test_your_time_follows_each_viewer_on_shared_cells(member):
    event = EventFactory(cohort=member.cohort, time_zone="Europe/London")
    member.cookies[BROWSER_ZONE_COOKIE] = "Europe/London"
    assert "your time" not in _row(_home(member, member.cohort), event)
    tokyo = Client()
    tokyo.force_login(ParticipantFactory(membership=member.participant.membership).user)
    tokyo.cookies[BROWSER_ZONE_COOKIE] = "Asia/Tokyo"
    assert "JST, your time" in _row(_home(tokyo, member.cohort), event)
