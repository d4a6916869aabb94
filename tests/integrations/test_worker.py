"""A real Celery worker and beat on Redis post a webhook to a receiver on loopback: once, signed, after a retry."""

import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from cohortnet.celery import app
from cohorts.services import message_post
from integrations.models import WebhookDelivery, WebhookEndpoint
from tests.factories import CohortFactory, UserFactory
from tests.test_celery_worker import _start, _stop, _wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ENV = {"WEBHOOKS_ALLOW_LOCAL": "true", "SITE_URL": "https://cohortnet.example.org"}


def _state(delivery):
    delivery.refresh_from_db()
    return delivery.status, delivery.attempts


def test_a_thread_reaches_the_receiver_once_with_a_valid_signature_after_a_failure_and_a_retry(
    receiver, settings, tmp_path
):
    settings.WEBHOOKS_ALLOW_LOCAL = True
    settings.SITE_URL = ENV["SITE_URL"]
    receiver.answers = [500]
    queue = f"test-{uuid.uuid4().hex}"
    worker = _start(queue, "worker", "--pool", "solo", "-Q", queue, "-l", "info", log=tmp_path / "w.log", env=ENV)
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue  # what this process publishes after commit goes to the worker above
    try:
        endpoint = WebhookEndpoint.objects.create(cohort=CohortFactory(), name="Slack", url=receiver.url)
        thread = message_post(
            cohort=endpoint.cohort, author=UserFactory(is_staff=True), subject="Budget templates", body="Hello"
        )
        delivery = WebhookDelivery.objects.get()

        # The task published after commit: the worker posts, the receiver answers 500, the row waits to retry.
        assert _wait_for(lambda: _state(delivery) == ("pending", 1)), (tmp_path / "w.log").read_text()
        assert delivery.last_error == "HTTP 500: server says no"
        assert delivery.next_attempt_at > timezone.now()
        assert (receiver.attempts, receiver.received) == (1, [])

        # The back-off has passed: beat's sweep finds the row and has it posted.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        beat = _start(queue, "beat", "-l", "info", "-s", str(tmp_path / "schedule"), log=tmp_path / "b.log", env=ENV)
        try:
            assert _wait_for(lambda: _state(delivery) == ("delivered", 2)), (tmp_path / "w.log").read_text()
            time.sleep(3)  # three more sweeps: nothing is posted twice
        finally:
            _stop(beat)
    finally:
        app.conf.task_default_queue = previous_queue
        _stop(worker)

    assert receiver.attempts == 2
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.signature_valid(endpoint.secret)
    assert got.headers["X-CohortNet-Delivery"] == str(delivery.uid)
    assert got.json["thread"]["subject"] == "Budget templates"
    assert (
        got.json["thread"]["url"]
        == f"https://cohortnet.example.org/cohorts/{endpoint.cohort.slug}/messages/{thread.pk}/"
    )
    assert "cohortnet.sweep" in (tmp_path / "b.log").read_text()
