"""Which saves queue a webhook, exactly once, and only when the change commits."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from cohorts.services import message_post
from events.models import Event
from events.services import event_cancel, event_update
from integrations.models import WebhookDelivery, WebhookEndpoint
from tests.factories import CohortFactory, EventFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db

STARTS = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)  # 14:00 in New York (EST, -05:00)


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


@pytest.fixture
def hook(settings):
    settings.SITE_URL = "https://cohortnet.example.org"
    return WebhookEndpoint.objects.create(
        cohort=CohortFactory(name="Data Stewards 2026", slug="data-stewards-2026"),
        name="Matrix room",
        url="https://hooks.example.org/in",
    )


def _event(hook, **fields):
    return EventFactory(
        cohort=hook.cohort,
        title="Roundtable: licences",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(minutes=90),
        time_zone="America/New_York",
        **fields,
    )


def _kinds():
    return list(WebhookDelivery.objects.order_by("pk").values_list("kind", flat=True))


def test_a_new_thread_is_queued_once_and_a_reply_is_not(hook, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        thread = message_post(cohort=hook.cohort, author=staff, subject="Budget templates", body="Hello")
    assert len(callbacks) == 1  # its task is published only after commit
    member = ParticipantFactory(membership__cohort=hook.cohort).user
    message_post(cohort=hook.cohort, author=member, body="Thanks", parent=thread)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.endpoint, delivery.kind, delivery.key, delivery.status) == (
        hook,
        "thread.created",
        f"thread.created:{thread.pk}",
        "pending",
    )
    assert delivery.payload["thread"]["subject"] == "Budget templates"
    # The body and the author stay on the site.
    assert "Hello" not in str(delivery.payload)
    assert staff.email not in str(delivery.payload)


@transaction.atomic
def _then_fail(write, seen: list):
    write()
    seen.append(WebhookDelivery.objects.count())  # written inside the transaction...
    raise RuntimeError("the request failed after the write")


def test_a_thread_rolled_back_queues_nothing_and_publishes_nothing(hook, staff, django_capture_on_commit_callbacks):
    seen = []
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        _then_fail(lambda: message_post(cohort=hook.cohort, author=staff, subject="Never", body="x"), seen)
    assert seen == [1]
    assert WebhookDelivery.objects.count() == 0  # ...and gone with it
    assert callbacks == []


def test_an_event_rolled_back_queues_nothing(hook, django_capture_on_commit_callbacks):
    seen = []
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        _then_fail(lambda: _event(hook), seen)
    assert seen == [1]
    assert WebhookDelivery.objects.count() == 0
    assert callbacks == []


def test_a_new_event_is_queued_with_its_times_in_its_own_zone(hook):
    event = _event(hook)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.kind, delivery.key) == ("event.created", f"event.created:{event.pk}")
    assert delivery.payload == {
        "kind": "event.created",
        "text": "New event in Data Stewards 2026: Roundtable: licences, Thu 3 Dec 2026, 14:00 EST (America/New_York) "
        f"https://cohortnet.example.org/events/{event.pk}/",
        "cohort": {
            "slug": "data-stewards-2026",
            "name": "Data Stewards 2026",
            "url": "https://cohortnet.example.org/cohorts/data-stewards-2026/",
        },
        "event": {
            "id": event.pk,
            "title": "Roundtable: licences",
            "kind": "roundtable",
            "status": "scheduled",
            "starts_at": "2026-12-03T14:00:00-05:00",
            "ends_at": "2026-12-03T15:30:00-05:00",
            "time_zone": "America/New_York",
            "url": f"https://cohortnet.example.org/events/{event.pk}/",
        },
    }


def test_moving_an_event_queues_exactly_one_message_with_the_times_before(hook, staff):
    event = _event(hook, online_url="https://meet.example.org/secret-room")
    later = STARTS + timedelta(days=1)
    event_update(event=event, by=staff, starts_at=later, ends_at=later + timedelta(hours=1))

    assert _kinds() == ["event.created", "event.moved"]
    moved = WebhookDelivery.objects.get(kind="event.moved")
    assert moved.payload["event"]["starts_at"] == "2026-12-04T14:00:00-05:00"
    assert moved.payload["event"]["ends_at"] == "2026-12-04T15:00:00-05:00"
    assert moved.payload["previous"] == {
        "starts_at": "2026-12-03T14:00:00-05:00",
        "ends_at": "2026-12-03T15:30:00-05:00",
    }
    assert moved.payload["text"] == (
        "Moved in Data Stewards 2026: Roundtable: licences, now Fri 4 Dec 2026, 14:00 EST (America/New_York) "
        f"(was Thu 3 Dec 2026, 14:00 EST (America/New_York)) https://cohortnet.example.org/events/{event.pk}/"
    )
    # The online link is shown only to people going: it never leaves in a webhook.
    assert "secret-room" not in str(moved.payload)


def test_moving_an_event_twice_is_two_messages_and_other_changes_none(hook, staff):
    event = _event(hook)
    event_update(event=event, by=staff, title="Roundtable: open licences", capacity=20)
    assert _kinds() == ["event.created"]
    event_update(event=event, by=staff, starts_at=STARTS + timedelta(hours=1), ends_at=STARTS + timedelta(hours=2))
    event_update(event=event, by=staff, starts_at=STARTS, ends_at=STARTS + timedelta(hours=2))
    assert _kinds() == ["event.created", "event.moved", "event.moved"]


def test_cancelling_an_event_queues_exactly_one_message(hook, staff):
    event = _event(hook)
    event_cancel(event=event, by=staff)
    assert _kinds() == ["event.created", "event.cancelled"]
    cancelled = WebhookDelivery.objects.get(kind="event.cancelled")
    assert cancelled.payload["event"]["status"] == "cancelled"
    assert cancelled.payload["text"] == (
        "Cancelled in Data Stewards 2026: Roundtable: licences, Thu 3 Dec 2026, 14:00 EST (America/New_York) "
        f"https://cohortnet.example.org/events/{event.pk}/"
    )


def test_cancelling_while_moving_is_one_cancellation(hook, staff):
    event = _event(hook)
    event_update(
        event=event,
        by=staff,
        status=Event.Status.CANCELLED,
        starts_at=STARTS + timedelta(days=2),
        ends_at=STARTS + timedelta(days=2, hours=1),
    )
    assert _kinds() == ["event.created", "event.cancelled"]


def test_only_the_cohorts_active_endpoints_that_want_the_news_get_it(hook, staff):
    WebhookEndpoint.objects.create(cohort=CohortFactory(), name="Other cohort", url="https://hooks.example.org/b")
    WebhookEndpoint.objects.create(cohort=hook.cohort, name="Off", url="https://hooks.example.org/c", active=False)
    no_moves = WebhookEndpoint.objects.create(
        cohort=hook.cohort, name="No moves", url="https://hooks.example.org/d", on_event_moved=False
    )
    event = _event(hook)
    event_update(event=event, by=staff, starts_at=STARTS + timedelta(hours=1), ends_at=STARTS + timedelta(hours=2))
    assert sorted(WebhookDelivery.objects.values_list("endpoint__name", "kind")) == [
        ("Matrix room", "event.created"),
        ("Matrix room", "event.moved"),
        ("No moves", "event.created"),
    ]
    assert no_moves.deliveries.count() == 1


def test_a_cohort_without_endpoints_costs_one_query_per_save(django_assert_num_queries):
    event = EventFactory()
    event.title = "Renamed"
    # The endpoint lookup, then the UPDATE.
    with django_assert_num_queries(2):
        event.save()
