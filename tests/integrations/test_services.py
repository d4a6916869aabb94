"""Signing, back-off and posting to a real receiver on loopback, driven through the services."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cohorts.services import message_post
from integrations import services
from integrations.models import Kind, WebhookDelivery, WebhookEndpoint
from tests.factories import CohortFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_signature_is_the_hmac_of_timestamp_dot_body():
    assert services.signature("whsec_test", 1767225600, b'{"kind":"thread.created"}') == (
        "sha256=e4717ee4dbfd232e3d1d32d3ca5cdbdb934f18178bf32ee917f0a5100fcc9e1a"
    )


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 60), (2, 120), (3, 240), (4, 480), (5, 960), (6, 1920), (7, 3600), (8, 3600)],
)
def test_back_off_doubles_from_a_minute_up_to_an_hour(attempts, seconds):
    assert services.retry_delay(attempts, rand=0) == timedelta(seconds=seconds)
    # Jitter makes each wait up to a quarter longer, never shorter.
    assert services.retry_delay(attempts, rand=0.5) == timedelta(seconds=seconds * 1.125)


def test_random_jitter_stays_within_a_quarter():
    waits = {services.retry_delay(1) for _ in range(50)}
    assert all(timedelta(seconds=60) <= wait < timedelta(seconds=75) for wait in waits)
    assert len(waits) > 1


def _thread(endpoint, subject="Budget templates"):
    return message_post(cohort=endpoint.cohort, author=UserFactory(is_staff=True), subject=subject, body="Hello")


def test_a_thread_reaches_the_receiver_once_signed_after_a_failure_and_a_retry(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = _thread(endpoint)
    assert len(callbacks) == 1  # the task, published after commit, ran (eagerly) and met the 500

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
    assert delivery.last_error == "HTTP 500: server says no"
    assert timedelta(seconds=59) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=75)
    assert receiver.attempts == 1
    assert receiver.received == []

    # Not due yet: the sweep leaves it.
    assert services.webhooks_deliver_due() == 0
    assert receiver.attempts == 1

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert services.webhooks_deliver_due() == 1
        assert services.webhooks_deliver_due() == 0  # delivered: never again

    assert receiver.attempts == 2
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.signature_valid(endpoint.secret)
    assert not got.signature_valid("whsec_someone-else")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status, delivery.last_error) == (
        "delivered",
        2,
        204,
        "",
    )
    assert delivery.delivered_at is not None
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["X-CohortNet-Event"] == "thread.created"
    assert got.headers["X-CohortNet-Delivery"] == str(delivery.uid)
    assert got.json == {
        "id": str(delivery.uid),
        "kind": "thread.created",
        "text": f"New thread in Data Stewards 2026: “Budget templates” "
        f"https://cohortnet.example.org/cohorts/data-stewards-2026/messages/{message.pk}/",
        "cohort": {
            "slug": "data-stewards-2026",
            "name": "Data Stewards 2026",
            "url": "https://cohortnet.example.org/cohorts/data-stewards-2026/",
        },
        "thread": {
            "id": message.pk,
            "subject": "Budget templates",
            "url": f"https://cohortnet.example.org/cohorts/data-stewards-2026/messages/{message.pk}/",
            "created_at": message.created_at.isoformat(),
        },
    }


def _delivery(endpoint, **fields) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        endpoint=endpoint, kind=Kind.THREAD_CREATED, key=f"test:{uuid.uuid4().hex}", payload={"kind": "test"}, **fields
    )


def test_after_the_last_attempt_a_delivery_is_failed_and_left_for_staff(endpoint, receiver):
    receiver.answers = [503] * services.MAX_ATTEMPTS
    delivery = _delivery(endpoint)
    at = timezone.now()
    for _attempt in range(services.MAX_ATTEMPTS):
        with time_machine.travel(at):
            assert services.webhooks_deliver_due() == 0
        at += timedelta(hours=2)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 8, None)
    assert delivery.last_error == "HTTP 503: server says no"
    assert receiver.attempts == 8

    with time_machine.travel(at + timedelta(days=1)):
        assert services.webhooks_deliver_due() == 0
    assert receiver.attempts == 8  # failed rows are not tried again by themselves

    staff = UserFactory(is_staff=True)
    services.webhook_delivery_retry(delivery=delivery, by=staff)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("pending", 0, None)
    assert services.webhooks_deliver_due() == 1
    assert len(receiver.received) == 1


def test_only_a_failed_delivery_can_be_retried(endpoint):
    from django.core.exceptions import ValidationError

    delivery = _delivery(endpoint)
    with pytest.raises(ValidationError) as refused:
        services.webhook_delivery_retry(delivery=delivery, by=UserFactory(is_staff=True))
    assert refused.value.messages == ["Only failed deliveries can be retried; this one is pending."]


def test_a_redirect_is_not_followed(endpoint, receiver):
    receiver.answers = [302]
    delivery = _delivery(endpoint)
    assert services.webhook_deliver(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.last_error == "HTTP 302: redirects are not followed; use the final address."
    assert (delivery.status, delivery.response_status) == ("pending", 302)
    assert receiver.attempts == 1


def test_a_receiver_that_is_down_is_retried_later(allow_local, receiver):
    receiver.stop()  # nothing listens on its port any more
    endpoint = WebhookEndpoint.objects.create(cohort=CohortFactory(), name="Down", url=receiver.url)
    receiver.start()  # a fresh server on another port, for the fixture to stop
    delivery = _delivery(endpoint)
    assert services.webhook_deliver(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert delivery.last_error.startswith("ConnectionRefusedError")


def test_with_local_addresses_not_allowed_nothing_is_posted_to_this_machine(endpoint, receiver, settings):
    settings.WEBHOOKS_ALLOW_LOCAL = False
    delivery = _delivery(endpoint)
    assert services.webhook_deliver(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.last_error == (
        "Use an https:// address: http:// is allowed only to this machine, and only when WEBHOOKS_ALLOW_LOCAL is on."
    )
    assert receiver.attempts == 0


def test_a_name_resolving_to_a_private_address_is_refused_when_sending(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_LOCAL = False
    monkeypatch.setattr(services.socket, "getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("10.1.2.3", 443))])
    with pytest.raises(services.DeliveryError) as refused:
        services._post("https://hooks.example.org/in", b"{}", {})
    assert str(refused.value) == (
        "hooks.example.org is on a private network (10.1.2.3): webhooks go only to the internet."
    )


def test_a_turned_off_endpoint_keeps_its_deliveries_waiting(endpoint, receiver):
    delivery = _delivery(endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
    assert services.webhook_deliver(delivery_id=delivery.pk) is False
    assert services.webhooks_deliver_due() == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=True)
    assert services.webhooks_deliver_due() == 1
    assert receiver.attempts == 1


def test_a_second_task_for_the_same_delivery_posts_nothing(endpoint, receiver):
    delivery = _delivery(endpoint)
    assert services.webhook_deliver(delivery_id=delivery.pk) is True
    assert services.webhook_deliver(delivery_id=delivery.pk) is False
    assert receiver.attempts == 1


def test_a_dead_workers_claim_goes_back_to_the_queue_and_is_posted(endpoint, receiver):
    delivery = _delivery(endpoint, status="sending", attempts=1, claim_token="dead", claimed_at=timezone.now())
    assert services.webhooks_deliver_due() == 0  # a live claim is left alone
    WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_at=timezone.now() - timedelta(minutes=2))
    assert services.webhooks_deliver_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert receiver.attempts == 1


def test_a_claim_stale_after_the_last_attempt_is_failed(endpoint, receiver):
    delivery = _delivery(
        endpoint,
        status="sending",
        attempts=services.MAX_ATTEMPTS,
        claim_token="dead",
        claimed_at=timezone.now() - timedelta(minutes=5),
    )
    assert services.webhooks_deliver_due() == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == ("failed", "The worker stopped while posting it.")
    assert receiver.attempts == 0


def test_an_unexpected_error_while_posting_is_recorded_and_retried(endpoint, monkeypatch):
    def broken(*_args):
        raise ValueError("something no one foresaw")

    monkeypatch.setattr(services, "_post", broken)
    delivery = _delivery(endpoint)
    assert services.webhook_deliver(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.claim_token) == ("pending", 1, "")
    assert delivery.last_error == "ValueError: something no one foresaw"
