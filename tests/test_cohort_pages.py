import re

import pytest
from django.urls import reverse

from events.models import RSVP
from tests.factories import EventFactory, MembershipFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_participant_sees_the_cohorts_events_and_answers_one(client):
    participant = ParticipantFactory()
    cohort = participant.membership.cohort
    event = EventFactory(cohort=cohort, title="Roundtable: sustainability", online_url="https://meet.example/x")
    client.force_login(participant.user)

    page = client.get(cohort.get_absolute_url())
    assert page.status_code == 200
    assert "Roundtable: sustainability" in page.content.decode()

    detail = client.get(event.get_absolute_url())
    assert "https://meet.example/x" not in detail.content.decode()

    response = client.post(reverse("events:rsvp", args=[event.pk]), {"answer": "going"})
    assert response.status_code == 302
    assert RSVP.objects.get(event=event, user=participant.user).status == RSVP.Status.GOING
    assert "https://meet.example/x" in client.get(event.get_absolute_url()).content.decode()


@pytest.mark.parametrize("who", ["stranger", "other_cohort"])
def test_cohort_and_event_pages_are_404_for_outsiders(client, who):
    event = EventFactory()
    user = UserFactory() if who == "stranger" else ParticipantFactory().user
    client.force_login(user)
    assert client.get(event.cohort.get_absolute_url()).status_code == 404
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.post(reverse("events:rsvp", args=[event.pk]), {"answer": "going"}).status_code == 404
    assert RSVP.objects.count() == 0


def test_a_malformed_answer_changes_nothing(client):
    participant = ParticipantFactory()
    event = EventFactory(cohort=participant.membership.cohort)
    client.force_login(participant.user)
    response = client.post(reverse("events:rsvp", args=[event.pk]), {"answer": "maybe"})
    assert response.status_code == 302
    assert RSVP.objects.count() == 0


@pytest.mark.parametrize("rows", [1, 20])
def test_cohort_page_queries_do_not_grow_with_events(client, django_assert_num_queries, rows):
    participant = ParticipantFactory()
    cohort = participant.membership.cohort
    for _ in range(rows):
        EventFactory(cohort=cohort)
    MembershipFactory(cohort=cohort)
    client.force_login(participant.user)
    # session, user, own membership with its cohort (the permission), event count, events with the person's
    # answers, unread threads, slots, members, navbar
    with django_assert_num_queries(9):
        assert client.get(cohort.get_absolute_url()).status_code == 200


def test_an_event_lists_its_pre_reading_for_members(client):
    from cohorts.services import resource_add

    participant = ParticipantFactory()
    cohort = participant.membership.cohort
    event = EventFactory(cohort=cohort)
    resource = resource_add(cohort=cohort, user=participant.user, title="Licensing guide", url="https://guide.example/")
    event.pre_reading.add(resource)
    client.force_login(participant.user)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Pre-reading" in page
    assert 'href="https://guide.example/"' in page


def test_the_cohort_page_lists_upcoming_events_a_page_at_a_time_and_past_ones_apart(client):
    from datetime import timedelta

    from django.utils import timezone

    participant = ParticipantFactory()
    cohort = participant.membership.cohort
    soon = timezone.now() + timedelta(days=1)
    for n in range(30):
        EventFactory(cohort=cohort, title=f"Upcoming {n:02d}", starts_at=soon + timedelta(hours=n))
    EventFactory(cohort=cohort, title="Last month", starts_at=timezone.now() - timedelta(days=30))
    client.force_login(participant.user)
    first = client.get(cohort.get_absolute_url())
    assert [e.title for e, _ in first.context["rows"]][:2] == ["Upcoming 00", "Upcoming 01"]
    assert len(first.context["rows"]) == 25
    assert "Last month" not in first.content.decode()
    second = client.get(cohort.get_absolute_url() + "?page=2")
    assert [e.title for e, _ in second.context["rows"]] == [f"Upcoming {n}" for n in range(25, 30)]
    past = client.get(cohort.get_absolute_url() + "?past=1")
    assert [e.title for e, _ in past.context["rows"]] == ["Last month"]


def test_cohort_home_counts_the_members_and_links_to_the_directory(client):
    participant = ParticipantFactory(membership__organisation__name="Open Rivers")
    cohort = participant.membership.cohort
    MembershipFactory(cohort=cohort, organisation__name="Data Commons Lab")
    client.force_login(participant.user)
    page = client.get(cohort.get_absolute_url()).content.decode()
    directory = reverse("cohorts:directory", args=[cohort.slug])
    assert f'2 organisations in this cohort. <a href="{directory}">See who they are and how to reach them</a>.' in page
    # The names live in the paged directory, not on the home page.
    assert "Data Commons Lab" not in page


def test_the_cohort_pages_events_table_stacks_into_labelled_cards_on_a_phone(client):
    participant = ParticipantFactory()
    cohort = participant.membership.cohort
    EventFactory.create_batch(2, cohort=cohort)
    client.force_login(participant.user)
    html = client.get(cohort.get_absolute_url()).content.decode()
    # The wrap scrolls nothing on a phone: static/css/site.css turns each row into a card, each cell under its label.
    wrapped = re.search(r'<div class="table-stack-wrap">\s*<table class="([^"]*)">(.*?)</table>\s*</div>', html, re.S)
    assert "table-stack" in wrapped[1].split()
    cells = re.findall(r"<td(?: [^>]*)?>", wrapped[2])
    assert [re.search(r'data-label="([^"]*)"', cell)[1] if "data-label" in cell else None for cell in cells] == [
        "Event",
        "When",
        "Your answer",
    ] * 2
