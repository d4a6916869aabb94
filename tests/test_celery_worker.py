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

from notifications.models import Email
from notifications.tasks import email_send_task

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent


def _test_database_url() -> str:
    """DATABASE_URL pointed at the test database pytest-django created."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _start(queue: str, *args: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": os.environ["REDIS_URL"],
        # A queue of this test's own, so nothing else on the Redis server interferes.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "SWEEP_INTERVAL_SECONDS": "1",
        "EMAIL_URL": "consolemail://",
        "CONN_MAX_AGE": "0",
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
