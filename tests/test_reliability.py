"""The reliability suite: every lock and de-duplication, raced over ten rounds on PostgreSQL.

One lucky round proves little; ten rounds of real threads make a missing
lock show. Each round builds fresh objects.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from cohorts import services as cohorts
from cohorts.models import OrganisationPerson
from events import services as events
from events.models import RSVP, SupportSlot
from funding import services as funding
from funding.models import Instalment
from notifications.models import Email, ReminderRule
from notifications.reminders import reminders_sweep
from notifications.services import emails_send_due
from tests.factories import (
    AwardFactory,
    CohortFactory,
    EventFactory,
    MembershipFactory,
    OrganisationPersonFactory,
    ParticipantFactory,
    UserFactory,
)
from tests.helpers import race
from tests.smtp_sink import SmtpSink, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROUNDS = range(10)


def test_rsvp_capacity_over_ten_rounds():
    for _ in ROUNDS:
        event = EventFactory(capacity=5)
        people = [ParticipantFactory(membership=MembershipFactory(cohort=event.cohort)).user for _ in range(12)]
        assert race(people, lambda person, event=event: events.rsvp_set(event=event, user=person, going=True)) == []
        assert RSVP.objects.filter(event=event, status="going").count() == 5
        assert RSVP.objects.filter(event=event, status="waitlisted").count() == 7


def test_seats_per_organisation_over_ten_rounds():
    for _ in ROUNDS:
        event = EventFactory(seats_per_organisation=2)
        membership = MembershipFactory(cohort=event.cohort)
        people = [ParticipantFactory(membership=membership).user for _ in range(8)]
        errors = race(people, lambda person, event=event: events.rsvp_set(event=event, user=person, going=True))
        assert len(errors) == 6
        assert all(isinstance(e, ValidationError) for e in errors)
        assert RSVP.objects.filter(event=event, status="going").count() == 2


def test_one_support_slot_one_organisation_over_ten_rounds():
    host = UserFactory(is_staff=True)
    for _ in ROUNDS:
        cohort = CohortFactory()
        slot = SupportSlot.objects.create(
            cohort=cohort,
            host=host,
            starts_at=datetime(2031, 1, 1, 10, tzinfo=UTC),
            ends_at=datetime(2031, 1, 1, 11, tzinfo=UTC),
        )
        people = [ParticipantFactory(membership=MembershipFactory(cohort=cohort)).user for _ in range(6)]
        errors = race(people, lambda person, slot=slot: events.support_slot_book(slot=slot, user=person))
        assert len(errors) == 5
        slot.refresh_from_db()
        assert slot.booked_by is not None


def test_the_funding_cap_over_ten_rounds():
    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name="Finance"))
    for _ in ROUNDS:
        award = AwardFactory(amount=Decimal("10000.00"))
        # Written past the award directly (scheduling would refuse the fifth): the approval lock must still hold.
        instalments = [
            Instalment.objects.create(award=award, amount=Decimal("2500.00"), due_on=date(2027, 1, 1)) for _ in range(8)
        ]
        race(instalments, lambda instalment: funding.instalment_approve(instalment=instalment, by=officer))
        award.refresh_from_db()
        assert award.committed == Decimal("10000.00")
        assert Instalment.objects.filter(award=award, status="approved").count() == 4


def test_two_leads_removing_each_other_leave_one_lead_over_ten_rounds():
    for _ in ROUNDS:
        first = OrganisationPersonFactory()
        second = OrganisationPersonFactory(organisation=first.organisation)
        organisation = first.organisation

        def remove(pair, organisation=organisation):
            cohorts.colleague_remove(organisation=organisation, user_to_remove=pair[1], by=pair[0])

        race([(first.user, second.user), (second.user, first.user)], remove)
        leads = OrganisationPerson.objects.filter(organisation=organisation, role=OrganisationPerson.Role.LEAD)
        assert leads.count() == 1


def test_reminders_and_the_outbox_never_send_twice_over_ten_rounds(mailoutbox):
    ReminderRule.objects.exclude(kind="event_going", offset=timedelta(hours=24)).update(active=False)
    start = datetime(2030, 6, 1, 12, tzinfo=UTC)
    for round_number in ROUNDS:
        moment = start + timedelta(days=round_number)
        event = EventFactory(starts_at=moment, ends_at=moment + timedelta(hours=1))
        people = [ParticipantFactory(membership=MembershipFactory(cohort=event.cohort)).user for _ in range(5)]
        with time_machine.travel(moment - timedelta(days=3), tick=False):
            for person in people:
                events.rsvp_set(event=event, user=person, going=True)
        now = moment - timedelta(hours=24)
        before = len(mailoutbox)

        def step(kind, now=now):
            with time_machine.travel(now, tick=False):
                if kind == "sweep":
                    reminders_sweep(now=now)
                else:
                    emails_send_due()

        assert race(["sweep"] * 4, step) == []
        assert race(["send"] * 4, step) == []
        sent = [m.to[0] for m in mailoutbox[before:]]
        assert sorted(sent) == sorted(p.email for p in people)
        assert Email.objects.filter(key__contains=f":event-{event.pk}:").count() == 5


@pytest.mark.redis
def test_redis_stopped_and_restarted_ten_times_loses_nothing_and_sends_once(tmp_path, mailoutbox):
    import os
    import subprocess
    import uuid

    from django.db import transaction

    from notifications.services import email_queue
    from tests.test_celery_worker import _start, _stop, _use_broker, _wait_for

    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    previous, previous_env = _use_broker(url), os.environ["REDIS_URL"]
    os.environ["REDIS_URL"] = url

    def redis():
        return subprocess.Popen(  # noqa: S603 -- a Redis of this test's own, on loopback
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    queue = f"test-{uuid.uuid4().hex}"
    server = redis()
    workers = [
        _start(queue, "worker", "--pool", "solo", "-Q", queue, "-l", "info", log=tmp_path / "w.log"),
        _start(queue, "beat", "-l", "info", "-s", str(tmp_path / "schedule"), log=tmp_path / "b.log"),
    ]
    try:
        for round_number in ROUNDS:
            server.terminate()
            server.wait(timeout=10)
            with transaction.atomic():  # a user action while Redis is down
                email_queue(
                    key=f"reliability:{round_number}", kind="test", to="ada@example.org", subject="x", body_text="y"
                )
            server = redis()
            assert _wait_for(lambda n=round_number: Email.objects.get(key=f"reliability:{n}").status == "sent", 60)
    finally:
        for process in workers:
            _stop(process)
        server.terminate()
        server.wait(timeout=10)
        _use_broker(previous)
        os.environ["REDIS_URL"] = previous_env
    assert Email.objects.filter(kind="test", status="sent").count() == 10
    assert Email.objects.filter(kind="test").exclude(attempts=1).count() == 0  # each sent once, at the first try


def _redis_server(port: int):
    """A Redis of the test's own on loopback, answering before this returns."""
    import subprocess

    from tests.test_celery_worker import _wait_for

    process = subprocess.Popen(  # noqa: S603 -- a fixed command on loopback
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert _wait_for(lambda: _answers(port), timeout=10), "redis-server did not start"
    return process


def _answers(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _timed(action):
    import time

    started = time.monotonic()
    result = action()
    return result, time.monotonic() - started


@pytest.mark.redis
def test_with_redis_stopped_pages_answer_within_two_seconds_and_each_email_goes_once_it_is_back(
    tmp_path, settings, client
):
    import uuid

    from django.db import transaction
    from django.urls import reverse
    from django.utils import timezone

    from cohortnet.settings import redis_cache
    from notifications.services import publish_pause
    from notifications.tasks import email_send_task
    from tests.applications.test_views import _valid_answers
    from tests.factories import PASSWORD, ApplicationFactory, OpenCallFactory, OrganisationPersonFactory
    from tests.test_celery_worker import _start, _stop, _use_broker, _wait_for

    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    # The deployment's own cache settings (conftest swaps in a local cache), on this test's Redis.
    settings.CACHES = {"default": redis_cache(url)}
    previous_broker = _use_broker(url)
    queue = f"test-{uuid.uuid4().hex}"
    server = _redis_server(port)
    processes = []
    try:
        from django.core.cache import cache

        # Redis was up and in use: the cache and a publisher hold connections to it.
        cache.set("warm", 1)
        assert cache.get("warm") == 1
        email_send_task.apply_async(kwargs={"email_id": 0}, queue=queue)

        link = OrganisationPersonFactory()
        call = OpenCallFactory(closes_at=timezone.now() + timedelta(days=3))
        application = ApplicationFactory(call=call, organisation=link.organisation, created_by=link.user)
        staff = UserFactory(is_staff=True)
        event = EventFactory(title="Roundtable: moved")
        membership = MembershipFactory(cohort=event.cohort)
        people = [ParticipantFactory(membership=membership).user for _ in range(200)]
        RSVP.objects.bulk_create(
            RSVP(event=event, user=person, membership=membership, status=RSVP.Status.GOING) for person in people
        )

        server.kill()
        server.wait(timeout=10)

        signed_in, took_sign_in = _timed(
            lambda: client.post(reverse("account_login"), {"login": link.user.email, "password": PASSWORD})
        )
        submitted, took_submit = _timed(
            lambda: client.post(
                reverse("applications:edit", args=[application.pk]),
                {**_valid_answers(), "submit_application": "Submit"},
            )
        )

        def move():
            with transaction.atomic():  # the admin's request: the change, then the publishes after commit
                return events.event_update(
                    event=event, by=staff, starts_at=event.starts_at + timedelta(hours=2),
                    ends_at=event.ends_at + timedelta(hours=2),
                )  # fmt: skip

        _moved, took_move = _timed(move)
        page, took_page = _timed(lambda: client.get(reverse("applications:detail", args=[application.pk])))

        assert (signed_in.status_code, signed_in["Location"]) == (302, reverse("dashboard"))
        assert (submitted.status_code, page.status_code) == (302, 200)
        print(
            f"sign-in {took_sign_in:.2f} s, submit {took_submit:.2f} s, move {took_move:.2f} s, page {took_page:.2f} s"
        )
        assert max(took_sign_in, took_submit, took_move, took_page) < 2
        assert Email.objects.filter(kind="application_submitted", status="queued").count() == 1
        assert Email.objects.filter(kind="event_changed", status="queued").count() == 200
        assert not Email.objects.exclude(status="queued").exists()

        # Redis is back: the worker and the sweep send everything, each once.
        server = _redis_server(port)
        with SmtpSink() as sink:
            env = {"CELERY_BROKER_URL": url, "REDIS_URL": url, "EMAIL_URL": sink.url}
            processes = [
                _start(queue, "worker", "--pool", "solo", "-Q", queue, "-l", "info", log=tmp_path / "w.log", env=env),
                _start(queue, "beat", "-l", "info", "-s", str(tmp_path / "schedule"), log=tmp_path / "b.log", env=env),
            ]
            assert _wait_for(lambda: not Email.objects.exclude(status="sent").exists(), timeout=120), (
                tmp_path / "w.log"
            ).read_text()
            expected = {(row.to_email, row.subject): 1 for row in Email.objects.all()}
            assert _wait_for(lambda: dict(sink.counts()) == expected, timeout=10), sink.counts()
    finally:
        for process in processes:
            _stop(process)
        server.kill()
        server.wait(timeout=10)
        _use_broker(previous_broker)
        publish_pause.until = 0.0
    assert len(expected) == 201
    assert (people[0].email, "Changed: Roundtable: moved") in expected
