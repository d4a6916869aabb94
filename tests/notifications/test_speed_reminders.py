"""Reminder fan-out rendered once per event and time zone: every person's email is what a render of their own says."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from events.services import ANSWER_SALT, answer_link, rsvp_set
from notifications.models import Email, ReminderRule
from notifications.reminders import opt_out_link, reminders_sweep, time_left
from notifications.services import (
    _Claim,
    _claim_batch,
    _send_claimed,
    email_queue,
    html_from_text,
    render_email,
    render_email_shared,
)
from tests.factories import EventFactory, MembershipFactory, ParticipantFactory

START = datetime(2026, 12, 10, 14, 0, tzinfo=UTC)
# Name, zone: no name, markup and an address in a name, a name like a link, the event's zone and others.
PEOPLE = [
    ("", "Europe/London"),
    ("Ana & <b>Bo</b>", "America/New_York"),
    ("Zoë https://evil.example/x", "Europe/London"),
    ('O\'Neil "Q"', "Asia/Tokyo"),
    ("", "America/New_York"),
    ("Ana & <b>Bo</b>", "Asia/Tokyo"),
]


def _people(event):
    membership = MembershipFactory(cohort=event.cohort)
    return [ParticipantFactory(membership=membership, user__name=n, user__time_zone=z).user for n, z in PEOPLE]


def _own_render(template, event, user, now, moment=None):
    """What the reminder said before: the whole template rendered with this one person's context."""
    return render_email(template, {
        "event": event, "user": user, "time_left": time_left(moment or event.starts_at, now),
        "starts": event.starts_at.astimezone(ZoneInfo(user.time_zone)),
        "starts_event_zone": event.starts_at.astimezone(ZoneInfo(event.time_zone)),
        "opt_out_link": opt_out_link(user, "event_going" if "going" in template else "event_unanswered"),
        "going_link": answer_link(event=event, user=user, answer="going"),
        "not_going_link": answer_link(event=event, user=user, answer="not_going"),
    })  # fmt: skip


def _only_rule(kind, offset):
    ReminderRule.objects.all().delete()
    ReminderRule.objects.create(kind=kind, offset=offset)


@pytest.mark.django_db
def test_each_going_reminder_is_byte_for_byte_its_own_render():
    _only_rule("event_going", timedelta(hours=24))
    event = EventFactory(
        starts_at=START, ends_at=START + timedelta(hours=2), location="Room <1>", online_url="https://meet.example/r"
    )
    people = _people(event)
    with time_machine.travel(START - timedelta(days=5), tick=False):
        for person in people:
            rsvp_set(event=event, user=person, going=True)
    now = START - timedelta(hours=24)
    # Frozen, so the signed links (which carry a time stamp) come out the same in both renders.
    with time_machine.travel(now, tick=False):
        assert reminders_sweep(now=now) == len(people)
        rows = {e.to_email: e for e in Email.objects.filter(kind="reminder_event_going")}
        for person in people:
            text, html = _own_render("events/email/reminder_going", event, person, now)
            assert (rows[person.email].body_text, rows[person.email].body_html) == (text, html), person.name
    # Each person's links are their own.
    for person in people:
        body = rows[person.email].body_text
        token = body.split("/events/answer/")[1].split("/")[0]
        assert signing.loads(token, salt=ANSWER_SALT)["u"] == person.pk
        assert f"({person.time_zone})" in body
        assert body.startswith(f"Hello {person.name or 'there'},")


@pytest.mark.django_db
def test_each_unanswered_reminder_is_byte_for_byte_its_own_render():
    _only_rule("event_unanswered", timedelta(days=2))
    deadline = START - timedelta(days=1)
    event = EventFactory(starts_at=START, ends_at=START + timedelta(hours=1), rsvp_deadline=deadline)
    people = _people(event)
    now = deadline - timedelta(days=2)
    with time_machine.travel(now, tick=False):
        assert reminders_sweep(now=now) == len(people)
        rows = {e.to_email: e for e in Email.objects.filter(kind="reminder_event_unanswered")}
        for person in people:
            text, html = _own_render("events/email/reminder_unanswered", event, person, now, event.rsvp_deadline)
            assert (rows[person.email].body_text, rows[person.email].body_html) == (text, html), person.name


@pytest.mark.parametrize(
    "text",
    ["", "Hello\n\nA & B <i>\nhttps://x.example/a?b=1&c=2.\n\n\n\nEnd", "only\none", "http://a.example/<b>"],
)
def test_the_html_part_is_the_wrapper_template_rendered(text):
    assert html_from_text(text) == render_to_string("notifications/email/wrapper.html", {"text": "".join([text])})


@pytest.mark.django_db
def test_a_shared_render_refuses_to_print_anything_else_about_the_person(tmp_path, settings):
    (tmp_path / "t.txt").write_text("{% autoescape off %}{{ user.email }}{% endautoescape %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    person = ParticipantFactory().user
    with pytest.raises(RuntimeError, match="user.email"):
        render_email_shared("t", {}, person=person, fields={"user.name": person.name}, key=(), cache={})


@pytest.mark.django_db
def test_one_confirmation_covers_the_batch_and_a_row_taken_back_is_skipped(mailoutbox):
    emails = [
        email_queue(key=f"c:{n}", kind="test", to=f"p{n}@example.org", subject=f"S{n}", body_text="Hi", send_now=False)
        for n in range(5)
    ]
    with _Claim() as claim:
        batch = _claim_batch(datetime.now(UTC), claim)
        Email.objects.filter(pk=emails[3].pk).update(claim_token="another-worker")
        with CaptureQueriesContext(connection) as queries:
            assert _send_claimed(batch, None, datetime.now(UTC), claim) == 4
    # Renew and read the rest once, then one mark per email sent: not a confirmation per email.
    statements = [q["sql"].split()[0] for q in queries.captured_queries if q["sql"].split()[0] in ("SELECT", "UPDATE")]
    assert statements == ["UPDATE", "SELECT", "UPDATE", "UPDATE", "UPDATE", "UPDATE"]
    assert [m.subject for m in mailoutbox] == ["S0", "S1", "S2", "S4"]


@pytest.mark.django_db(transaction=True)  # autocommit, as in the worker: the mark is a transaction of its own
@pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's")
def test_the_sent_mark_does_not_wait_for_the_disk_and_nothing_else_changes(mailoutbox):
    row = email_queue(key="mark", kind="test", to="p@example.org", subject="S", body_text="Hi", send_now=False)
    with _Claim() as claim:
        batch = _claim_batch(datetime.now(UTC), claim)
        with CaptureQueriesContext(connection) as queries:
            assert _send_claimed(batch, None, datetime.now(UTC), claim) == 1
    sql = [q["sql"] for q in queries.captured_queries]
    mark = next(n for n, text in enumerate(sql) if text.startswith("UPDATE") and "'sent'" in text)
    assert sql[mark - 1] == "SET LOCAL synchronous_commit TO OFF"
    with connection.cursor() as cursor:  # only the mark's own transaction: the connection's setting is back
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    row.refresh_from_db()
    assert row.status == Email.Status.SENT
    assert [m.subject for m in mailoutbox] == ["S"]


ICS = "BEGIN:VCALENDAR\r\nSUMMARY:Réunion\r\nEND:VCALENDAR\r\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("subject", "name"),
    [("Reminder: Roundtable", ""), ("Réunion : « Données » " * 4, "Zoë"), ("x" * 90, "A, B; C <d>")],
)
def test_a_message_is_written_to_the_same_bytes_as_with_pythons_default_policy(subject, name):
    from email.policy import compat32

    from notifications.services import _message
    from notifications.unsubscribe import unsubscribe_headers

    person = ParticipantFactory(user__name=name).user
    row = email_queue(
        key="bytes", kind="reminder_event_going", to=person.email, subject=subject, body_text="Hello\n\nhttps://x.example/a",
        body_html="<p>Hello</p>", headers=unsubscribe_headers(person, "event_going"), send_now=False,
        attachments=[{"filename": "event.ics", "mimetype": "text/calendar", "content": ICS}],
    )  # fmt: skip
    message = _message(row, None).message()
    ours = message.as_bytes(linesep="\r\n")
    message.policy = compat32
    assert ours == message.as_bytes(linesep="\r\n")


def test_a_plain_header_line_is_what_pythons_header_folding_writes():
    import random
    import string
    from email.policy import compat32

    from notifications.services import _POLICY

    chance = random.Random(20)
    alphabet = string.ascii_letters + string.digits + " \t;,:<>\"'=()@.-/"
    for _ in range(20000):
        name = chance.choice(["Subject", "To", "Content-Disposition", "X"])
        value = "".join(chance.choice(alphabet) for _ in range(chance.randint(0, 90)))
        assert _POLICY.fold_binary(name, value) == compat32.fold_binary(name, value), (name, value)
