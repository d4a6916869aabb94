"""Reminders: once per person, on time in their zone, late after an outage, re-timed or dropped when things change."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from applications.services import application_submit
from cohortnet.tasks import sweep
from events.services import event_cancel, event_changed, rsvp_set
from notifications.models import Email, ReminderOptOut, ReminderRule
from notifications.reminders import opt_out_link, reminders_sweep, time_left
from notifications.services import emails_send_due
from tests.factories import (
    ApplicationFactory,
    EventFactory,
    MembershipFactory,
    OpenCallFactory,
    OrganisationPersonFactory,
    ParticipantFactory,
)
from tests.helpers import race
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


def _only_rules(kind, *offsets):
    ReminderRule.objects.exclude(kind=kind, offset__in=offsets).update(active=False)
    for offset in offsets:
        ReminderRule.objects.update_or_create(kind=kind, offset=offset, defaults={"active": True})


def _sweep_at(moment):
    """The periodic task as beat runs it, at ``moment``: write what is due, then send it."""
    with time_machine.travel(moment, tick=False):
        return sweep()


@pytest.mark.django_db
def test_after_a_three_hour_outage_the_day_before_reminder_goes_late_saying_how_long_is_left(mailoutbox):
    _only_rules("event_going", timedelta(days=1), timedelta(hours=1))
    event, (stays, leaves) = _event_with_people(2)
    assert _sweep_at(START - timedelta(days=1, minutes=1)) == {"reminders_queued": 0, "emails_sent": 0}
    # The worker is down for 3 hours, from the moment the 1-day reminder fell due; meanwhile one person drops out.
    with time_machine.travel(START - timedelta(hours=22), tick=False):
        rsvp_set(event=event, user=leaves, going=False)

    assert _sweep_at(START - timedelta(hours=21)) == {"reminders_queued": 1, "emails_sent": 1}
    email = Email.objects.get(kind="reminder_event_going")
    assert email.to_email == stays.email
    assert email.key == f"reminder:event_going:event-{event.pk}:{stays.pk}:1440:{int(START.timestamp())}"
    assert f'A reminder that you are going to "{event.title}", which starts in 21 hours:' in email.body_text
    assert [m.to for m in mailoutbox] == [[stays.email]]

    # The sweep runs again (beat's next minute, and a retried task at the same instant): nothing more.
    assert _sweep_at(START - timedelta(hours=21)) == {"reminders_queued": 0, "emails_sent": 0}
    assert _sweep_at(START - timedelta(hours=20, minutes=59)) == {"reminders_queued": 0, "emails_sent": 0}
    assert len(mailoutbox) == 1

    # The 1-hour reminder still goes at its own time.
    assert _sweep_at(START - timedelta(hours=1)) == {"reminders_queued": 1, "emails_sent": 1}
    last = Email.objects.get(key__endswith=f":{stays.pk}:60:{int(START.timestamp())}")
    assert "which starts in 1 hour:" in last.body_text
    assert [m.to for m in mailoutbox] == [[stays.email], [stays.email]]


@pytest.mark.django_db
def test_after_an_outage_a_sweep_a_minute_after_the_21_hour_mark_still_says_21_hours(mailoutbox):
    # Beat sweeps once a minute: the first sweep after the outage comes up to a minute past the round hour.
    _only_rules("event_going", timedelta(days=1), timedelta(hours=1))
    event, (person,) = _event_with_people(1)
    assert _sweep_at(START - timedelta(days=1, minutes=1)) == {"reminders_queued": 0, "emails_sent": 0}

    assert _sweep_at(START - timedelta(hours=20, minutes=59, seconds=1)) == {"reminders_queued": 1, "emails_sent": 1}
    email = Email.objects.get(kind="reminder_event_going")
    assert email.key == f"reminder:event_going:event-{event.pk}:{person.pk}:1440:{int(START.timestamp())}"
    assert f'A reminder that you are going to "{event.title}", which starts in 21 hours:' in email.body_text
    assert mailoutbox[0].body == email.body_text


@pytest.mark.parametrize(
    ("left", "said"),
    [
        (timedelta(hours=20, minutes=59), "21 hours"),
        (timedelta(days=1, hours=3, minutes=10), "1 day, 3 hours"),
        (timedelta(hours=2, minutes=34), "2 hours, 35 minutes"),
        (timedelta(minutes=59, seconds=10), "1 hour"),
        (timedelta(minutes=7), "7 minutes"),
        (timedelta(seconds=5), "1 minute"),
    ],
)
def test_time_left_is_rounded_as_people_say_it(left, said):
    assert time_left(START, START - left) == said


@pytest.mark.django_db
def test_when_two_reminders_of_a_kind_are_overdue_only_the_later_one_goes(mailoutbox, caplog):
    _only_rules("event_going", timedelta(days=1), timedelta(hours=3))
    event, (person,) = _event_with_people(1)
    assert _sweep_at(START - timedelta(hours=25)) == {"reminders_queued": 0, "emails_sent": 0}
    # Down from 25 hours before the start until 2 hours before: both the 1-day and the 3-hour reminder are overdue.
    with caplog.at_level(logging.INFO, logger="notifications.reminders"):
        assert _sweep_at(START - timedelta(hours=2)) == {"reminders_queued": 1, "emails_sent": 1}
    email = Email.objects.get(kind="reminder_event_going")
    assert email.key == f"reminder:event_going:event-{event.pk}:{person.pk}:180:{int(START.timestamp())}"
    assert "which starts in 2 hours:" in email.body_text
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "notifications.reminders"] == [
        (
            "INFO",
            f"Skipped the event_going reminder 1 day, 0:00:00 before 2026-12-10T14:00:00+00:00 for event-{event.pk} "
            "(recipients: 1): the one 3:00:00 before is due too and is sent instead",
        )
    ]
    assert _sweep_at(START - timedelta(hours=1)) == {"reminders_queued": 0, "emails_sent": 0}
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_reminder_whose_subject_passed_is_skipped_and_logged_once_not_sent_late(mailoutbox, caplog):
    _only_rules("event_going", timedelta(days=1), timedelta(hours=1))
    event, _people = _event_with_people(2)
    assert _sweep_at(START - timedelta(days=1)) == {"reminders_queued": 2, "emails_sent": 2}
    # The worker is down from 23 hours before the start until after it: the 1-hour reminder can no longer be true.
    with caplog.at_level(logging.INFO, logger="notifications.reminders"):
        assert _sweep_at(START + timedelta(minutes=5)) == {"reminders_queued": 0, "emails_sent": 0}
        assert _sweep_at(START + timedelta(minutes=6)) == {"reminders_queued": 0, "emails_sent": 0}
    assert Email.objects.filter(kind="reminder_event_going", key__contains=":60:").count() == 0
    assert len(mailoutbox) == 2
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "notifications.reminders"] == [
        (
            "WARNING",
            f"Skipped the event_going reminder for event-{event.pk} (recipients: 2): "
            "the event started at 2026-12-10T14:00:00+00:00, before a sweep could send it",
        )
    ]


@pytest.mark.django_db
def test_after_an_outage_only_drafts_still_unsubmitted_get_the_latest_due_reminder(mailoutbox):
    # The default call_draft rules: 7 days, 1 day and 3 hours before the call closes.
    closes = START
    with time_machine.travel(closes - timedelta(days=10), tick=False):
        call = OpenCallFactory(closes_at=closes)
        waiting, done = OrganisationPersonFactory(), OrganisationPersonFactory()
        draft = ApplicationFactory(call=call, organisation=waiting.organisation, created_by=waiting.user)
        submitted = ApplicationFactory(call=call, organisation=done.organisation, created_by=done.user)
    assert _sweep_at(closes - timedelta(days=1, hours=1))["reminders_queued"] == 2  # the 7-day ones, late
    # Down for 5 hours, over the 1-day mark; one organisation submits meanwhile.
    with time_machine.travel(closes - timedelta(hours=22), tick=False):
        application_submit(application=submitted, user=done.user)
    mailoutbox.clear()

    # The sweep also sends the submission's confirmation, queued meanwhile.
    assert _sweep_at(closes - timedelta(hours=20)) == {"reminders_queued": 1, "emails_sent": 2}
    email = Email.objects.get(key__endswith=f":{waiting.user.pk}:1440:{int(closes.timestamp())}")
    assert email.key == f"reminder:call_draft:application-{draft.pk}:{waiting.user.pk}:1440:{int(closes.timestamp())}"
    assert "It must be submitted within 20 hours, by Thursday 10 December 2026, 14:00 GMT" in email.body_text
    assert [m.to for m in mailoutbox if m.subject.startswith("Reminder")] == [[waiting.user.email]]
    assert not Email.objects.filter(kind="reminder_call_draft", to_email=done.user.email, key__contains=":1440:")


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
    response = client.post(opt_out_link(leaves, "event_going").replace("http://127.0.0.1:8000", ""))
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
        "call_draft", "call_full_not_started", "interview_unbooked", "review_pending", "event_going",
        "event_unanswered", "instalment_due", "feedback_closing", "report_due",
    ]  # fmt: skip
    client.post(reverse("notifications:preferences"), {"kinds": ["event_going"]})
    assert sorted(ReminderOptOut.objects.filter(user=person).values_list("kind", flat=True)) == [
        "call_draft", "call_full_not_started", "event_unanswered", "feedback_closing", "instalment_due",
        "interview_unbooked", "report_due", "review_pending",
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

    def sweep_once(_):
        with time_machine.travel(now, tick=False):
            reminders_sweep(now=now)

    errors = race(range(8), sweep_once)
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
