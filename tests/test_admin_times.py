"""Staff type and read each time in the admin in the object's own zone: what they type is what pages show."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from applications.models import Application
from events.models import Event
from tests.factories import (
    ApplicationFactory,
    EventFactory,
    OpenCallFactory,
    OrganisationPersonFactory,
    UserFactory,
)
from tests.test_admin_refusals import admin_form_data
from toolbox.templatetags.zones import zoned

pytestmark = pytest.mark.django_db

# (zone, date and time typed, the instant stored): a summer and a winter date in London, and two zones elsewhere.
TYPED = [
    pytest.param("Europe/London", "2027-08-31", "23:59", datetime(2027, 8, 31, 22, 59, tzinfo=UTC), id="london-bst"),
    pytest.param("Europe/London", "2027-12-31", "23:59", datetime(2027, 12, 31, 23, 59, tzinfo=UTC), id="london-gmt"),
    pytest.param("Asia/Kathmandu", "2027-08-31", "23:59", datetime(2027, 8, 31, 18, 14, tzinfo=UTC), id="kathmandu"),
    pytest.param("America/New_York", "2027-12-31", "23:59", datetime(2028, 1, 1, 4, 59, tzinfo=UTC), id="new-york"),
]


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(("zone", "day", "time", "stored"), TYPED)
def test_a_calls_closing_time_typed_in_the_admin_is_the_one_the_call_page_prints(
    staff_client, client, zone, day, time, stored
):
    # The call starts in London: a zone changed on the same form reads the times in the new zone.
    call = OpenCallFactory(time_zone="Europe/London")
    url = reverse("admin:applications_opencall_change", args=[call.pk])
    data = admin_form_data(staff_client.get(url))
    data.update(closes_at_0=day, closes_at_1=time, time_zone=zone)
    assert staff_client.post(url, data).status_code == 302
    call.refresh_from_db()
    assert call.closes_at == stored
    printed = zoned(stored, zone)
    assert f"{day[8:].lstrip('0')} " in printed
    assert ", 23:59 " in printed
    assert printed in client.get(reverse("applications:call_detail", args=[call.slug])).content.decode()


@pytest.mark.parametrize(("zone", "day", "time", "stored"), TYPED)
def test_the_admin_shows_a_stored_time_in_the_objects_zone_and_names_it(staff_client, zone, day, time, stored):
    call = OpenCallFactory(time_zone=zone, closes_at=stored)
    response = staff_client.get(reverse("admin:applications_opencall_change", args=[call.pk]))
    form = response.context["adminform"].form
    page = response.content.decode()
    shown_day = "/".join(reversed(day.split("-")))  # the site's en-GB format: 31/08/2027
    assert f'name="closes_at_0" value="{shown_day}"' in page
    assert f'name="closes_at_1" value="{time}:00"' in page
    assert f"In {zone} time, the call's time zone (set below)" in page
    assert form["closes_at"].help_text.endswith(
        f"In {zone} time, the call's time zone (set below): what you type is what the public pages show."
    )
    # Posting the form back unchanged changes nothing.
    url = reverse("admin:applications_opencall_change", args=[call.pk])
    assert staff_client.post(url, admin_form_data(response)).status_code == 302
    call.refresh_from_db()
    assert call.closes_at == stored


def test_the_call_list_in_the_admin_prints_each_calls_times_in_its_zone(staff_client):
    OpenCallFactory(time_zone="Europe/London", closes_at=datetime(2027, 8, 31, 22, 59, tzinfo=UTC))
    OpenCallFactory(time_zone="Asia/Kathmandu", closes_at=datetime(2027, 12, 31, 18, 14, tzinfo=UTC))
    page = staff_client.get(reverse("admin:applications_opencall_changelist")).content.decode()
    assert "31 Aug 2027, 23:59 BST" in page
    assert "31 Dec 2027, 23:59 +0545" in page


@pytest.mark.parametrize(("zone", "day", "time", "stored"), TYPED)
def test_an_extension_typed_in_the_admin_is_read_in_the_calls_zone(staff_client, client, zone, day, time, stored):
    application = ApplicationFactory(
        status=Application.Status.DRAFT,
        call__time_zone=zone,
        call__closes_at=datetime(2027, 1, 31, 12, 0, tzinfo=UTC),
    )
    url = reverse("admin:applications_application_change", args=[application.pk])
    data = admin_form_data(staff_client.get(url))
    data.update(deadline_extended_until_0=day, deadline_extended_until_1=time)
    assert staff_client.post(url, data).status_code == 302
    application.refresh_from_db()
    assert application.deadline_extended_until == stored
    # The applicant is told the same time.
    OrganisationPersonFactory(organisation=application.organisation, user=application.created_by)
    client.force_login(application.created_by)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert f"before {zoned(stored, zone)}." in page


@pytest.mark.parametrize(("zone", "day", "time", "stored"), TYPED)
def test_event_times_typed_in_the_admin_are_the_ones_the_event_page_prints(staff_client, zone, day, time, stored):
    event = EventFactory(time_zone="Europe/London")
    url = reverse("admin:events_event_change", args=[event.pk])
    data = admin_form_data(staff_client.get(url))
    data.update(starts_at_0=day, starts_at_1="21:59", ends_at_0=day, ends_at_1=time, time_zone=zone)
    assert staff_client.post(url, data).status_code == 302
    event.refresh_from_db()
    assert (event.starts_at, event.ends_at, event.time_zone) == (stored - timedelta(hours=2), stored, zone)
    page = staff_client.get(reverse("events:detail", args=[event.pk])).content.decode()
    # The page prints the start in full and, on the same day, the end as its clock time ("… to 23:59").
    assert zoned(event.starts_at, zone) in page
    assert f"to {time}" in page


def test_a_time_the_clocks_skip_is_refused_on_the_form(staff_client):
    event = EventFactory(time_zone="Europe/London")
    url = reverse("admin:events_event_change", args=[event.pk])
    data = admin_form_data(staff_client.get(url))
    # 01:30 does not exist in London on 28 March 2027: the clocks go from 01:00 GMT to 02:00 BST.
    data.update(starts_at_0="2027-03-28", starts_at_1="01:30", ends_at_0="2027-03-28", ends_at_1="03:00")
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["starts_at"] == [
        "2027-03-28 01:30:00 couldn’t be interpreted in time zone Europe/London; "
        "it may be ambiguous or it may not exist."
    ]
    event.refresh_from_db()
    assert event.starts_at != datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert Event.objects.get(pk=event.pk).sequence == 0


# 31 October 2027 in London: 01:30 BST (00:30 UTC), then the clocks go back and it is 01:30 GMT (01:30 UTC).
FIRST_PASS = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
SECOND_PASS = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(("stored", "shown"), [(FIRST_PASS, "01:30:00 BST"), (SECOND_PASS, "01:30:00 GMT")])
def test_an_event_in_the_repeated_hour_shows_its_pass_and_saves_unchanged(staff_client, stored, shown):
    event = EventFactory(time_zone="Europe/London", starts_at=stored, ends_at=stored + timedelta(hours=1))
    url = reverse("admin:events_event_change", args=[event.pk])
    data = admin_form_data(staff_client.get(url))
    assert (data["starts_at_0"], data["starts_at_1"]) == ("31/10/2027", shown)

    # Another field changed: the time posted back as shown is the same instant, not refused nor moved an hour.
    assert staff_client.post(url, {**data, "capacity": "40"}).status_code == 302
    event.refresh_from_db()
    assert (event.starts_at, event.capacity, event.sequence) == (stored, 40, 0)


def test_a_time_in_the_repeated_hour_is_read_by_the_abbreviation_typed_with_it(staff_client):
    event = EventFactory(time_zone="Europe/London")
    url = reverse("admin:events_event_change", args=[event.pk])
    data = admin_form_data(staff_client.get(url))
    data.update(starts_at_0="31/10/2027", ends_at_0="31/10/2027", ends_at_1="03:00")

    response = staff_client.post(url, {**data, "starts_at_1": "01:30"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["starts_at"] == [
        "01:30 happens twice on 31/10/2027 in Europe/London, as the clocks go back: "
        "type 01:30 BST for the first time or 01:30 GMT for the second."
    ]
    response = staff_client.post(url, {**data, "starts_at_1": "01:30 CET"})
    assert response.context["adminform"].form.errors["starts_at"] == [
        "31/10/2027 01:30 in Europe/London is BST or GMT, not CET."
    ]

    for typed, stored in (("01:30 BST", FIRST_PASS), ("01:30:00 GMT", SECOND_PASS)):
        assert staff_client.post(url, {**data, "starts_at_1": typed}).status_code == 302
        event.refresh_from_db()
        assert event.starts_at == stored
        page = staff_client.get(reverse("events:detail", args=[event.pk])).content.decode()
        assert f"Sun 31 Oct 2027, 01:30 {typed.split()[-1]} (Europe/London)" in page
