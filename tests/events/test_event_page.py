"""The event page (like Luma's): cover, who is going within the directory's consent, places left, the join link."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Theme
from events.models import RSVP, Event
from tests.factories import EventFactory, MembershipFactory, OrganisationFactory, ParticipantFactory
from toolbox.timezones import BROWSER_ZONE_COOKIE

pytestmark = pytest.mark.django_db


def _going(event, *, listed: bool, name: str, people: int = 1):
    membership = MembershipFactory(
        cohort=event.cohort, organisation=OrganisationFactory(name=name), listed_publicly=listed
    )
    for _ in range(people):
        user = ParticipantFactory(membership=membership).user
        RSVP.objects.create(event=event, user=user, membership=membership, status=RSVP.Status.GOING)
    return membership


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _viewer(event, listed=False, name="Viewer Org"):
    membership = MembershipFactory(
        cohort=event.cohort, organisation=OrganisationFactory(name=name), listed_publicly=listed
    )
    return ParticipantFactory(membership=membership).user


def test_going_organisations_are_named_only_with_consent_and_the_rest_counted(client):
    event = EventFactory()
    _going(event, listed=True, name="River Data Trust", people=2)
    _going(event, listed=True, name="Alpine Open Maps")
    _going(event, listed=False, name="Quiet Registry")
    _going(event, listed=False, name="Hidden Commons")
    client.force_login(_viewer(event))
    response = client.get(event.get_absolute_url())
    assert [m.organisation.name for m in response.context["going_organisations"]] == [
        "Alpine Open Maps",
        "River Data Trust",
    ]
    text = _text(response)
    assert "Alpine Open Maps" in text
    assert "River Data Trust" in text
    assert "Quiet Registry" not in text
    assert "Hidden Commons" not in text
    assert "And 2 other organisations." in text


def test_the_viewers_own_organisation_is_named_to_them(client):
    event = EventFactory()
    mine = _going(event, listed=False, name="Our Own Org")
    _going(event, listed=False, name="Somebody Else")
    me = ParticipantFactory(membership=mine).user
    client.force_login(me)
    text = _text(client.get(event.get_absolute_url()))
    assert "Our Own Org" in text
    assert "Somebody Else" not in text
    assert "And 1 other organisation." in text


def test_not_going_and_waiting_organisations_are_not_listed(client):
    event = EventFactory()
    membership = MembershipFactory(
        cohort=event.cohort, organisation=OrganisationFactory(name="Maybe Later"), listed_publicly=True
    )
    for status in (RSVP.Status.NOT_GOING, RSVP.Status.WAITLISTED):
        RSVP.objects.create(
            event=event, user=ParticipantFactory(membership=membership).user, membership=membership, status=status
        )
    client.force_login(_viewer(event))
    text = _text(client.get(event.get_absolute_url()))
    assert "Maybe Later" not in text
    assert "No organisation has said it is going yet" in text


def test_places_left_in_exact_words(client):
    event = EventFactory(capacity=30)
    _going(event, listed=True, name="Twelve People", people=18)
    client.force_login(_viewer(event))
    assert "12 of 30 places left" in _text(client.get(event.get_absolute_url()))


def test_a_full_event_offers_the_waiting_list(client):
    event = EventFactory(capacity=2)
    _going(event, listed=True, name="Two People", people=2)
    viewer = _viewer(event)
    client.force_login(viewer)
    text = _text(client.get(event.get_absolute_url()))
    assert "Full — join the waiting list" in text
    assert "places left" not in text
    client.post(reverse("events:rsvp", args=[event.pk]), {"answer": "going"})
    assert RSVP.objects.get(user=viewer).status == RSVP.Status.WAITLISTED
    text = _text(client.get(event.get_absolute_url()))
    assert "Full · 1 on the waiting list" in text
    assert "join the waiting list" not in text


def test_the_htmx_answer_box_updates_places_left(client):
    event = EventFactory(capacity=3)
    viewer = _viewer(event)
    client.force_login(viewer)
    response = client.post(reverse("events:rsvp", args=[event.pk]), {"answer": "going"}, headers={"HX-Request": "true"})
    assert "2 of 3 places left" in _text(response)


def test_the_join_link_is_only_for_people_going(client):
    event = EventFactory(online_url="https://meet.example/room-42")
    viewer = _viewer(event)
    client.force_login(viewer)
    body = client.get(event.get_absolute_url()).content.decode()
    assert "https://meet.example/room-42" not in body
    assert "The online link appears here once you are going." in body
    client.post(reverse("events:rsvp", args=[event.pk]), {"answer": "going"})
    body = client.get(event.get_absolute_url()).content.decode()
    assert 'href="https://meet.example/room-42"' in body
    assert "Join the event now" not in body  # a week away: a plain link, not the big button


@pytest.mark.parametrize(
    ("minutes_before_start", "button", "note"),
    [
        (31, False, None),
        (29, True, "Starts in under 30 minutes."),
        (-45, True, "Under way now."),  # 45 minutes in, of 90
        (-91, False, None),  # over
    ],
)
def test_the_join_button_is_prominent_from_30_minutes_before_and_while_under_way(
    client, minutes_before_start, button, note
):
    start = timezone.now().replace(microsecond=0) + timedelta(days=2)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(minutes=90), online_url="https://meet.example/r")
    viewer = _viewer(event)
    RSVP.objects.create(event=event, user=viewer, status=RSVP.Status.GOING)
    client.force_login(viewer)
    with time_machine.travel(start - timedelta(minutes=minutes_before_start), tick=False):
        body = client.get(event.get_absolute_url()).content.decode()
    assert ('class="btn btn-primary btn-lg w-100 event-join" href="https://meet.example/r"' in body) is button
    if note:
        assert note in body


def test_a_person_not_going_gets_no_join_button_even_when_it_starts(client):
    start = timezone.now().replace(microsecond=0) + timedelta(days=2)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(minutes=90), online_url="https://meet.example/r")
    client.force_login(_viewer(event))
    with time_machine.travel(start - timedelta(minutes=5), tick=False):
        body = client.get(event.get_absolute_url()).content.decode()
    assert "https://meet.example/r" not in body
    assert "Join the event now" not in body


def test_cover_in_the_theme_colour_and_slate_without_a_theme(client):
    theme = Theme.objects.create(name="Health data", slug="health-data", colour=Theme.Colour.ROSE)
    themed = EventFactory(theme=theme, kind=Event.Kind.WORKSHOP)
    plain = EventFactory(cohort=themed.cohort)
    client.force_login(_viewer(themed))
    body = client.get(themed.get_absolute_url()).content.decode()
    assert '<header class="event-cover theme-rose mb-4">' in body
    assert '<span class="theme-badge theme-rose">Health data</span>' in body
    assert ">Workshop</span>" in body
    assert '<header class="event-cover theme-slate mb-4">' in client.get(plain.get_absolute_url()).content.decode()


def test_pre_reading_and_add_to_calendar(client):
    from cohorts.services import resource_add

    event = EventFactory()
    viewer = _viewer(event)
    resource = resource_add(cohort=event.cohort, user=viewer, title="Licensing guide", url="https://guide.example/")
    event.pre_reading.add(resource)
    client.force_login(viewer)
    body = client.get(event.get_absolute_url()).content.decode()
    assert 'href="https://guide.example/" rel="noopener">Licensing guide</a>' in body
    assert f'href="{reverse("events:ics", args=[event.pk])}"' in body
    assert "Google Calendar</a>" in body
    assert "Outlook</a>" in body


def test_your_time_beside_the_event_time(client):
    start = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(minutes=90))
    viewer = _viewer(event)
    client.force_login(viewer)
    text = _text(client.get(event.get_absolute_url()))
    assert "Tue 1 Dec 2026, 14:00 GMT (Europe/London) to 15:30" in text
    assert 'class="your-time"' not in text
    assert ", your time" not in text
    client.cookies[BROWSER_ZONE_COOKIE] = "Asia/Tokyo"
    body = client.get(event.get_absolute_url()).content.decode()
    assert (
        '<span class="your-time">Tue 1 Dec, 23:00 JST, your time</span>; '
        'ends <span class="your-time">Wed 2 Dec, 00:30 JST, your time</span>'
    ) in body


@pytest.mark.parametrize("organisations", [1, 15])
def test_event_page_queries_do_not_grow_with_organisations_going(client, django_assert_num_queries, organisations):
    from cohorts.services import resource_add

    event = EventFactory(capacity=100, online_url="https://meet.example/x")
    viewer = _viewer(event)
    for n in range(organisations):
        _going(event, listed=n % 2 == 0, name=f"Org {n:02}", people=2)
        resource = resource_add(cohort=event.cohort, user=viewer, title=f"Guide {n}", url=f"https://g{n}.example/")
        event.pre_reading.add(resource)
    client.force_login(viewer)
    # session, user, event with the permission check, counts with the own answer, organisations going,
    # pre-reading, navbar
    with django_assert_num_queries(7):
        assert client.get(event.get_absolute_url()).status_code == 200
