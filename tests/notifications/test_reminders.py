"""Reminders: once per person, on time in their zone, re-timed or dropped when things change."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from events.services import event_cancel, event_changed, rsvp_set
from notifications.models import Email, ReminderOptOut, ReminderRule
from notifications.reminders import opt_out_link, reminders_sweep
from notifications.services import emails_send_due
from tests.factories import EventFactory, MembershipFactory, ParticipantFactory
from tests.notifications.flaky_backend import FlakyBackend

START = datetime(2026, 12, 10, 14, 0, tzinfo=UTC)


def _event_with_people(count, **kwargs):
    event = EventFactory(starts_at=START, ends_at=START + timedelta(hours=2), **kwargs)
    membership = MembershipFactory(cohort=event.cohort)
    people = [ParticipantFactory(membership=membership).user for _ in range(count)]
    with time_machine.travel(START - timedelta(days=5), tick=False):
        for person in people:
            rsvp_set(event=event, user=person, going=True)
    return event, people


def _only_rule(kind, offset):
    ReminderRule.objects.exclude(kind=kind, offset=offset).update(active=False)
    ReminderRule.objects.get_or_create(kind=kind, offset=offset)


@pytest.mark.django_db
def test_a_reminder_is_due_exactly_offset_before_and_written_once():
    _only_rule("event_going", timedelta(hours=24))
    event, people = _event_with_people(3)
    assert reminders_sweep(now=START - timedelta(hours=24, seconds=1)) == 0
    assert reminders_sweep(now=START - timedelta(hours=24)) == 3
    assert reminders_sweep(now=START - timedelta(hours=23)) == 0
    rows = Email.objects.filter(kind="reminder_event_going")
    assert sorted(rows.values_list("to_email", flat=True)) == sorted(p.email for p in people)
    assert all(r.attachments[0]["filename"] == "event.ics" for r in rows)


@pytest.mark.django_db
def test_a_reminder_whose_moment_passed_is_skipped_not_sent_late():
    _only_rule("event_going", timedelta(hours=1))
    _event_with_people(2)
    # The worker was down: the sweep runs only after the event has started.
    assert reminders_sweep(now=START + timedelta(minutes=5)) == 0
    assert Email.objects.filter(kind="reminder_event_going").count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/London", "Sunday 1 November 2026, 10:00 GMT (Europe/London)"),
        ("America/New_York", "Sunday 1 November 2026, 05:00 EST (America/New_York)"),
        ("Asia/Tokyo", "Sunday 1 November 2026, 19:00 JST (Asia/Tokyo)"),
    ],
)
def test_reminders_across_a_dst_change_show_each_recipients_own_time(zone, expected):
    # 1 Nov 2026 10:00 UTC: London left BST on 25 Oct, New York leaves EDT that very morning.
    start = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    _only_rule("event_going", timedelta(hours=24))
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=1))
    person = ParticipantFactory(membership__cohort=event.cohort, user__time_zone=zone).user
    with time_machine.travel(start - timedelta(days=3), tick=False):
        rsvp_set(event=event, user=person, going=True)
    # 24 real hours before, though the clocks changed in between.
    assert reminders_sweep(now=datetime(2026, 10, 31, 10, 0, tzinfo=UTC)) == 1
    body = Email.objects.get(kind="reminder_event_going").body_text
    assert expected.replace(" (", " (", 1) in body.replace("\n", " ") or expected.split(" (")[0] in body


@pytest.mark.django_db
def test_moving_an_event_re_times_its_reminders_and_cancelling_stops_them():
    _only_rule("event_going", timedelta(hours=24))
    event, _people = _event_with_people(1)
    later = START + timedelta(days=2)
    type(event).objects.filter(pk=event.pk).update(starts_at=later, ends_at=later + timedelta(hours=2))
    event_changed(event=event)
    assert reminders_sweep(now=START - timedelta(hours=24)) == 0  # the old moment no longer exists
    assert reminders_sweep(now=later - timedelta(hours=24)) == 1

    other, _ = _event_with_people(1)
    with time_machine.travel(START - timedelta(days=2), tick=False):
        event_cancel(event=other, by=None)
    assert Email.objects.filter(kind="event_cancelled").count() == 1
    assert reminders_sweep(now=START - timedelta(hours=24)) == 0


@pytest.mark.django_db
def test_an_opted_out_person_gets_none_of_that_kind(client):
    _only_rule("event_going", timedelta(hours=24))
    _event, (stays, leaves) = _event_with_people(2)
    response = client.get(opt_out_link(leaves, "event_going").replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 200
    assert ReminderOptOut.objects.filter(user=leaves, kind="event_going").exists()
    assert reminders_sweep(now=START - timedelta(hours=24)) == 1
    assert list(Email.objects.filter(kind="reminder_event_going").values_list("to_email", flat=True)) == [stays.email]
    bad = client.get(reverse("notifications:opt_out", args=["tampered"]))
    assert bad.status_code == 400


@pytest.mark.django_db
def test_the_preferences_page_lists_every_kind_and_switches_them(client):
    person = ParticipantFactory().user
    client.force_login(person)
    page = client.get(reverse("notifications:preferences"))
    assert [k for k, _label, _on in page.context["kinds"]] == [
        "call_draft", "review_pending", "event_going", "event_unanswered", "instalment_due",
    ]  # fmt: skip
    client.post(reverse("notifications:preferences"), {"kinds": ["event_going"]})
    assert sorted(ReminderOptOut.objects.filter(user=person).values_list("kind", flat=True)) == [
        "call_draft", "event_unanswered", "instalment_due", "review_pending",
    ]  # fmt: skip


@pytest.mark.django_db
def test_people_who_have_not_answered_are_reminded_before_the_answer_deadline():
    _only_rule("event_unanswered", timedelta(days=2))
    deadline = START - timedelta(days=1)
    event = EventFactory(starts_at=START, ends_at=START + timedelta(hours=1), rsvp_deadline=deadline)
    membership = MembershipFactory(cohort=event.cohort)
    answered, silent = ParticipantFactory(membership=membership).user, ParticipantFactory(membership=membership).user
    with time_machine.travel(deadline - timedelta(days=5), tick=False):
        rsvp_set(event=event, user=answered, going=False)
    assert reminders_sweep(now=deadline - timedelta(days=2)) == 1
    email = Email.objects.get(kind="reminder_event_unanswered")
    assert email.to_email == silent.email
    assert "/events/answer/" in email.body_text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_sweeps_and_retried_sends_yield_one_email_per_recipient(settings, mailoutbox):
    _only_rule("event_going", timedelta(hours=24))
    _event, people = _event_with_people(5)
    now = START - timedelta(hours=24)
    # The SMTP server refuses the first four attempts, whichever rows they are for.
    settings.EMAIL_BACKEND = "tests.notifications.flaky_backend.FlakyBackend"
    FlakyBackend.failures_left = 4
    barrier = threading.Barrier(8)
    errors = []

    def sweep():
        try:
            barrier.wait(timeout=10)
            with time_machine.travel(now, tick=False):
                reminders_sweep(now=now)
        except Exception as exc:  # noqa: BLE001 -- asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Email.objects.filter(kind="reminder_event_going").count() == 5

    # The sweep keeps running; failed rows are retried after their back-off.
    for minutes in (1, 3, 10, 30, 60, 120):
        with time_machine.travel(now + timedelta(minutes=minutes), tick=False):
            reminders_sweep(now=now + timedelta(minutes=minutes))
            emails_send_due()
    rows = Email.objects.filter(kind="reminder_event_going")
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    assert sum(rows.values_list("attempts", flat=True)) == 5 + 4
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people)


@pytest.mark.django_db
def test_every_email_has_a_text_and_an_escaped_html_part():
    from notifications.services import render_email

    text, html = render_email("events/email/reminder_unanswered", {
        "event": EventFactory(title="<script>x</script>"), "user": ParticipantFactory().user,
        "starts": START, "going_link": "https://example.org/yes", "not_going_link": "https://example.org/no",
        "opt_out_link": "https://example.org/stop",
    })  # fmt: skip
    assert "<script>x</script>" in text
    assert "&lt;script&gt;" in html
    assert '<a href="https://example.org/yes"' in html
