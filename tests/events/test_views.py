"""events/views.py: answers (email links, htmx), the event page and its .ics, the feed, 404s, written input."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from events import services
from events.models import RSVP, Event
from notifications.models import Email
from tests.events.helpers import _participants
from tests.factories import CohortFactory, EventFactory, ParticipantFactory, UserFactory


def _ics(client, event) -> Calendar:
    response = client.get(reverse("events:ics", args=[event.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


@pytest.mark.django_db
def test_a_one_click_link_sets_that_one_answer_without_a_login(client):
    event = EventFactory()
    (person,) = _participants(event.cohort, 1)
    link = services.answer_link(event=event, user=person, answer="going")
    # The link's page shows one button; its POST answers (tests/test_security_unsubscribe.py).
    response = client.post(link.replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 200
    assert RSVP.objects.get(event=event, user=person).status == RSVP.Status.GOING
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_tampered_link_is_refused_with_a_clear_page_and_changes_nothing(client):
    event = EventFactory()
    (person,) = _participants(event.cohort, 1)
    link = services.answer_link(event=event, user=person, answer="going").replace("http://127.0.0.1:8000", "")
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA/") else "BBB") + "/"
    response = client.get(tampered)
    assert response.status_code == 400
    assert "This link is not valid." in response.content.decode()
    assert RSVP.objects.count() == 0


@pytest.mark.django_db
def test_an_expired_link_is_refused_and_changes_nothing(client):
    event = EventFactory(starts_at=datetime(2031, 1, 1, tzinfo=UTC), ends_at=datetime(2031, 1, 1, 2, tzinfo=UTC))
    (person,) = _participants(event.cohort, 1)
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC), tick=False):
        link = services.answer_link(event=event, user=person, answer="going").replace("http://127.0.0.1:8000", "")
    with time_machine.travel(datetime(2030, 1, 16, tzinfo=UTC), tick=False):
        response = client.get(link)
    assert response.status_code == 400
    assert "This link has expired." in response.content.decode()
    assert RSVP.objects.count() == 0


@pytest.mark.django_db
def test_ics_keeps_its_uid_raises_sequence_and_carries_the_cancellation(client):
    event = EventFactory()
    (person,) = _participants(event.cohort, 1)
    services.rsvp_set(event=event, user=person, going=True)
    client.force_login(person)

    first = _ics(client, event).walk("VEVENT")[0]
    Event.objects.filter(pk=event.pk).update(
        starts_at=event.starts_at + timedelta(hours=1), ends_at=event.ends_at + timedelta(hours=1)
    )
    services.event_changed(event=event)
    second = _ics(client, event).walk("VEVENT")[0]
    services.event_cancel(event=event, by=UserFactory(is_staff=True))
    cancelled = _ics(client, event)

    event.refresh_from_db()
    assert str(first["UID"]) == str(second["UID"]) == event.uid
    assert (first["SEQUENCE"], second["SEQUENCE"], cancelled.walk("VEVENT")[0]["SEQUENCE"]) == (0, 1, 2)
    assert second.decoded("DTSTART") - first.decoded("DTSTART") == timedelta(hours=1)
    assert str(cancelled["METHOD"]) == "CANCEL"
    assert str(cancelled.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    # Everyone going got an update and a cancellation, each with the .ics.
    kinds = list(Email.objects.filter(to_email=person.email).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["event_changed", "event_cancelled"]


@pytest.mark.django_db
def test_an_event_across_the_clocks_going_back_shows_the_right_local_times(client):
    # 23:00 BST on 24 Oct 2026 to 03:00 GMT on 25 Oct: the UK clocks go back at 02:00 BST in between.
    event = EventFactory(
        starts_at=datetime(2026, 10, 24, 22, 0, tzinfo=UTC), ends_at=datetime(2026, 10, 25, 3, 0, tzinfo=UTC)
    )
    (person,) = _participants(event.cohort, 1)
    client.force_login(person)
    calendar = _ics(client, event)
    vevent = calendar.walk("VEVENT")[0]
    assert vevent["DTSTART"].to_ical() == b"20261024T230000"
    assert vevent["DTSTART"].params["TZID"] == "Europe/London"
    assert vevent["DTEND"].to_ical() == b"20261025T030000"
    # Five real hours, though the wall clock moves four: compare as instants.
    assert vevent.decoded("DTEND").astimezone(UTC) - vevent.decoded("DTSTART").astimezone(UTC) == timedelta(hours=5)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Sat 24 Oct 2026, 23:00 BST (Europe/London)" in page
    assert "Sun 25 Oct 2026, 03:00 GMT (Europe/London)" in page


@pytest.mark.django_db
def test_the_online_link_is_only_in_the_calendar_of_people_going(client):
    event = EventFactory(online_url="https://meet.example/room")
    going, other = _participants(event.cohort, 2)
    services.rsvp_set(event=event, user=going, going=True)
    client.force_login(other)
    assert b"meet.example" not in client.get(reverse("events:ics", args=[event.pk])).content
    client.force_login(going)
    assert b"meet.example" in client.get(reverse("events:ics", args=[event.pk])).content


@pytest.mark.django_db
def test_the_personal_feed_has_every_event_with_the_answer_and_a_revoked_address_is_a_404(client):
    cohort = CohortFactory()
    (person,) = _participants(cohort, 1)
    first = EventFactory(cohort=cohort, title="First")
    EventFactory(cohort=cohort, title="Second")
    EventFactory(title="Another cohort's event")
    services.rsvp_set(event=first, user=person, going=True)
    old = services.calendar_token_for(person)

    feed = Calendar.from_ical(client.get(old.get_absolute_url()).content)
    summaries = sorted(str(e["SUMMARY"]) for e in feed.walk("VEVENT"))
    assert summaries == ["First (going)", "Second"]

    services.calendar_token_revoke(user=person)
    assert client.get(old.get_absolute_url()).status_code == 404
    assert client.get(services.calendar_token_for(person).get_absolute_url()).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["stranger", "other_cohort"])
def test_a_non_member_gets_a_404_for_the_event_its_ics_and_its_rsvp_endpoint(client, who):
    event = EventFactory()
    client.force_login(UserFactory() if who == "stranger" else ParticipantFactory().user)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(reverse("events:ics", args=[event.pk])).status_code == 404
    assert client.post(reverse("events:rsvp", args=[event.pk]), {"answer": "going"}).status_code == 404
    assert client.post(reverse("events:written_input", args=[event.pk]), {"body": "x"}).status_code == 404
    assert RSVP.objects.count() == 0


@pytest.mark.django_db
def test_the_htmx_answer_returns_the_answer_box(client):
    event = EventFactory(capacity=1)
    first, second = _participants(event.cohort, 2)
    services.rsvp_set(event=event, user=first, going=True)
    client.force_login(second)
    response = client.post(reverse("events:rsvp", args=[event.pk]), {"answer": "going"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<section id="rsvp"')
    assert "On the waiting list" in body
    bad = client.post(reverse("events:rsvp", args=[event.pk]), {"answer": "maybe"}, headers={"HX-Request": "true"})
    assert bad.status_code == 400
    assert "Choose “Going” or “Not going”." in bad.content.decode()


@pytest.mark.django_db
def test_written_input_reaches_staff(client):
    event = EventFactory()
    (person,) = _participants(event.cohort, 1)
    client.force_login(person)
    response = client.post(reverse("events:written_input", args=[event.pk]), {"body": "Our view on licences"})
    assert response.status_code == 302
    assert list(event.written_inputs.values_list("author", "body")) == [(person.pk, "Our view on licences")]
    response = client.post(reverse("events:written_input", args=[event.pk]), {"body": ""})
    assert response.status_code == 200
    assert response.context["input_form"].errors["body"] == ["This field is required."]


@pytest.mark.django_db
def test_the_event_pages_title_says_error_after_written_input_is_refused_and_not_before(client):
    event = EventFactory(title="Licences and data")
    (person,) = _participants(event.cohort, 1)
    client.force_login(person)
    assert _title(client.get(event.get_absolute_url())) == "Licences and data · CohortNet"
    response = client.post(reverse("events:written_input", args=[event.pk]), {"body": "   "})
    assert response.status_code == 200
    assert _title(response) == "Error: Licences and data · CohortNet"
    assert not event.written_inputs.exists()


def _title(response) -> str:
    return " ".join(re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)[1].split())
