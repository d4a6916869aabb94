"""The event page and the RSVP answer (issue #20): fewer queries, the same answer box."""

import pytest
from django.template import engines
from django.urls import reverse

from events import services
from events.forms import WrittenInputForm
from events.models import RSVP
from tests.events.helpers import _participants
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _answer(client, event, answer):
    return client.post(reverse("events:rsvp", args=[event.pk]), {"answer": answer}, **HTMX)


def test_answering_going_again_costs_no_write_and_shows_going(client, django_assert_num_queries):
    event = EventFactory(capacity=10)
    [person] = _participants(event.cohort, 1)
    client.force_login(person)
    assert _answer(client, event, "going").status_code == 200
    # session, user, event with the permission check; in the service: the locked event with its cohort,
    # permission, the answer (unchanged: no membership, no write), inside a savepoint and its release; then the
    # counts for the box. No cohort query under the lock, no membership, no second read of the answer.
    with django_assert_num_queries(9):
        response = _answer(client, event, "going")
    box = response.content.decode()
    assert 'state-going">Going</span>' in box
    assert "9 of 10 places left" in box
    assert RSVP.objects.get(event=event, user=person).status == RSVP.Status.GOING


def test_the_answer_box_after_an_htmx_answer_shows_the_new_answer_and_counts(client):
    event = EventFactory(capacity=1)
    first, second = _participants(event.cohort, 2)
    services.rsvp_set(event=event, user=first, going=True)
    client.force_login(second)
    box = _answer(client, event, "going").content.decode()
    assert 'state-waitlisted">On the waiting list</span>' in box
    assert "1 on the waiting list" in box
    box = _answer(client, event, "not_going").content.decode()
    assert 'state-not_going">Not going</span>' in box
    assert "1 on the waiting list" not in box


def test_the_event_page_shows_the_viewers_own_answer_from_the_counts_query(client):
    event = EventFactory(online_url="https://meet.example/room")
    [person] = _participants(event.cohort, 1)
    client.force_login(person)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "You have not answered yet." in page
    assert "https://meet.example/room" not in page  # the link is for people going
    services.rsvp_set(event=event, user=person, going=True)
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'state-going">Going</span>' in page
    assert "https://meet.example/room" in page


def test_the_blank_written_input_form_is_crispys_own(client):
    event = EventFactory()
    [person] = _participants(event.cohort, 1)
    client.force_login(person)
    page = client.get(event.get_absolute_url()).content.decode()
    crispy = engines["django"].from_string("{% load crispy_forms_tags %}{{ form|crispy }}")
    assert crispy.render({"form": WrittenInputForm()}) in page


def test_a_written_input_with_errors_is_drawn_with_its_errors(client):
    event = EventFactory()
    [person] = _participants(event.cohort, 1)
    client.force_login(person)
    response = client.post(reverse("events:written_input", args=[event.pk]), {"body": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
