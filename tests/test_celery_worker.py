"""A real Celery worker (and beat) on Redis, working on the test database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from cohortnet.celery import app
from notifications.models import Email
from notifications.tasks import email_send_task

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent


def _test_database_url() -> str:
    """DATABASE_URL pointed at the test database pytest-django created."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _start(queue: str, *args: str, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start ``celery -A cohortnet <args>`` on the test database; ``env`` overrides the defaults below."""
    overrides = env or {}
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": os.environ["REDIS_URL"],
        # A queue of this test's own, so nothing else on the Redis server interferes.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "SWEEP_INTERVAL_SECONDS": "1",
        "EMAIL_URL": "consolemail://",
        "CONN_MAX_AGE": "0",
        **overrides,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    handle = log.open("w")
    return subprocess.Popen(  # noqa: S603 -- our own interpreter and fixed arguments
        [sys.executable, "-m", "celery", "-A", "cohortnet", *args],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def _use_broker(url: str) -> str:
    """Point this process's publishers at ``url``, dropping its connections to the old broker; returns the old URL."""
    previous = app.conf.broker_url
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
    return previous


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


@pytest.fixture
def worker(tmp_path):
    queue = f"test-{uuid.uuid4().hex}"
    log = tmp_path / "worker.log"
    process = _start(queue, "worker", "--pool", "solo", "-Q", queue, "-l", "info", log=log)
    yield queue, process, log
    _stop(process)
    # Pass the worker's output on when a test fails: it says why.
    print(log.read_text())


def _queued(subject: str) -> Email:
    return Email.objects.create(
        key=f"test:{uuid.uuid4().hex}", kind="test", to_email="ada@example.org", subject=subject, body_text="Hello"
    )


def _sent(email: Email):
    def check():
        email.refresh_from_db()
        return email.status == Email.Status.SENT

    return check


def test_a_task_sent_through_redis_is_run_by_the_worker(worker):
    queue, _process, log = worker
    email = _queued("Sent by the worker")

    email_send_task.apply_async(kwargs={"email_id": email.pk}, queue=queue)

    assert _wait_for(_sent(email)), "the worker did not send the email within 60 s"
    assert email.attempts == 1
    assert email.sent_at is not None
    assert _wait_for(lambda: "Subject: Sent by the worker" in log.read_text(), timeout=10)


def test_beat_schedules_the_sweep_and_the_worker_sends_what_was_missed(worker, tmp_path):
    queue, _process, _log = worker
    # A row whose on-commit task never reached the broker.
    missed = _queued("Found by the sweep")
    beat = _start(queue, "beat", "-l", "info", "-s", str(tmp_path / "celerybeat-schedule"), log=tmp_path / "beat.log")
    try:
        assert _wait_for(_sent(missed)), "beat's sweep did not get the missed email sent within 60 s"
    finally:
        _stop(beat)
    assert "cohortnet.sweep" in (tmp_path / "beat.log").read_text()


def _going_event_due_now():
    """An event whose 24-hour reminder fell due a minute ago, with one person going."""
    from datetime import timedelta

    from django.utils import timezone

    from events.services import rsvp_set
    from tests.factories import EventFactory, ParticipantFactory

    starts = timezone.now() + timedelta(hours=24) - timedelta(minutes=1)
    event = EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=1), title="Roundtable: reminders")
    person = ParticipantFactory(membership__cohort=event.cohort).user
    rsvp_set(event=event, user=person, going=True)
    return event, person


def test_a_real_worker_sends_a_due_event_reminder_end_to_end(worker, tmp_path):
    queue, _process, log = worker
    _event, person = _going_event_due_now()
    beat = _start(queue, "beat", "-l", "info", "-s", str(tmp_path / "celerybeat-schedule"), log=tmp_path / "beat.log")
    try:
        assert _wait_for(
            lambda: Email.objects.filter(kind="reminder_event_going", to_email=person.email, status="sent").exists()
        ), "no reminder was sent within 60 s"
    finally:
        _stop(beat)
    assert Email.objects.filter(kind="reminder_event_going").count() == 1
    assert _wait_for(lambda: "Subject: Reminder: Roundtable: reminders" in log.read_text(), timeout=10)


def test_with_redis_stopped_nothing_is_lost_and_everything_goes_once_it_is_back(tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from applications.services import application_submit
    from tests.factories import ApplicationFactory, OpenCallFactory, OrganisationPersonFactory

    port = 6391
    url = f"redis://127.0.0.1:{port}/0"
    previous_env = os.environ["REDIS_URL"]
    previous = _use_broker(url)
    server = None
    try:
        # Redis is stopped: people still submit and staff still create events.
        link = OrganisationPersonFactory()
        call = OpenCallFactory(closes_at=timezone.now() + timedelta(days=3))
        application = ApplicationFactory(call=call, organisation=link.organisation, created_by=link.user)
        application_submit(application=application, user=link.user)
        _event, person = _going_event_due_now()
        assert Email.objects.get(kind="application_submitted").status == "queued"

        server = subprocess.Popen(  # noqa: S603 -- a Redis of this test's own, on loopback
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        queue = f"test-{uuid.uuid4().hex}"
        os.environ["REDIS_URL"] = url  # the worker and beat below connect to this Redis
        processes = [
            _start(queue, "worker", "--pool", "solo", "-Q", queue, "-l", "info", log=tmp_path / "w.log"),
            _start(queue, "beat", "-l", "info", "-s", str(tmp_path / "schedule"), log=tmp_path / "b.log"),
        ]
        try:
            assert _wait_for(lambda: not Email.objects.exclude(status="sent").exists(), timeout=90), (
                tmp_path / "w.log"
            ).read_text()
        finally:
            for process in processes:
                _stop(process)
    finally:
        _use_broker(previous)
        os.environ["REDIS_URL"] = previous_env
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
    kinds = sorted(Email.objects.values_list("kind", flat=True))
    assert kinds == ["application_submitted", "reminder_event_going"]
    assert sorted(Email.objects.values_list("to_email", flat=True)) == sorted([link.user.email, person.email])
