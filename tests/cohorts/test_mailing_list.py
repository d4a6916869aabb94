"""cohorts/mailing_list.py: delivery as each person chose, list and threading headers, the daily digest."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cohortnet.tasks import sweep
from cohorts import services
from cohorts.mailing_list import digests_queue
from cohorts.models import Cohort, Participant
from cohorts.reply_address import reply_token
from notifications.models import Email
from notifications.services import emails_send_due
from notifications.unsubscribe import unsubscribe_link
from tests.factories import CohortFactory, MembershipFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.SITE_URL = "https://cohorts.example.org"
    settings.INBOUND_MAIL_DOMAIN = "reply.example.org"


def _cohort_with(*deliveries):
    cohort = CohortFactory(name="Data Stewards 2026", slug="stewards-2026")
    membership = MembershipFactory(cohort=cohort)
    people = [ParticipantFactory(membership=membership, delivery=d) for d in deliveries]
    return cohort, people


def test_a_new_thread_carries_exact_list_threading_and_reply_headers(mailoutbox):
    cohort, (author, reader) = _cohort_with("each", "each")
    thread = services.message_post(cohort=cohort, author=author.user, subject="Licences", body="Which one?")
    emails_send_due()
    assert [m.to for m in mailoutbox] == [[reader.user.email]]  # never the author's own
    sent = mailoutbox[0].message()
    token = reply_token(user_id=reader.user.pk, thread_id=thread.pk)
    assert sent["Subject"] == "[Data Stewards 2026] Licences"
    assert sent["Message-ID"] == thread.email_message_id
    assert thread.email_message_id.startswith(f"<msg-{thread.pk}.")
    assert thread.email_message_id.endswith("@cohorts.example.org>")
    assert sent["List-Id"] == "Data Stewards 2026 <stewards-2026.lists.cohorts.example.org>"
    assert sent["List-Post"] == f"<mailto:reply+{token}@reply.example.org>"
    assert sent["Reply-To"] == f"reply+{token}@reply.example.org"
    assert sent["List-Archive"] == f"<https://cohorts.example.org/cohorts/stewards-2026/messages/{thread.pk}/>"
    assert sent["List-Unsubscribe"] == f"<{unsubscribe_link(reader.user, 'cohort_message', cohort.pk)}>"
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent["Precedence"] == "list"
    assert sent["In-Reply-To"] is None
    assert len(f"reply+{token}") <= 64
    assert "Reply to this email to post your reply in the thread" in mailoutbox[0].body


def test_a_reply_is_emailed_threaded_under_its_thread(mailoutbox):
    cohort, (author, reader) = _cohort_with("each", "each")
    thread = services.message_post(cohort=cohort, author=author.user, subject="Licences", body="Which one?")
    emails_send_due()
    mailoutbox.clear()
    reply = services.message_post(cohort=cohort, author=reader.user, body="CC BY 4.0.", parent=thread)
    emails_send_due()
    assert [m.to for m in mailoutbox] == [[author.user.email]]
    sent = mailoutbox[0].message()
    assert sent["Subject"] == "Re: [Data Stewards 2026] Licences"
    assert sent["Message-ID"] == reply.email_message_id
    assert sent["In-Reply-To"] == thread.email_message_id
    assert sent["References"] == thread.email_message_id
    assert "CC BY 4.0." in mailoutbox[0].body
    assert "replied in “Licences”" in mailoutbox[0].body


def test_alumni_get_list_post_no_and_no_reply_to(mailoutbox):
    cohort, (author, reader) = _cohort_with("each", "each")
    staff = UserFactory(is_staff=True)
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.COMPLETED)
    cohort.refresh_from_db()
    services.message_post(cohort=cohort, author=staff, subject="Final report", body="Out now.")
    emails_send_due()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([author.user.email, reader.user.email])
    assert {m.message()["List-Post"] for m in mailoutbox} == {"NO"}
    assert {m.message()["Reply-To"] for m in mailoutbox} == {None}
    assert all("Reply to this email" not in m.body for m in mailoutbox)


def test_without_an_inbound_domain_no_reply_address_is_offered(settings, mailoutbox):
    settings.INBOUND_MAIL_DOMAIN = ""
    cohort, (author, reader) = _cohort_with("each", "each")
    services.message_post(cohort=cohort, author=author.user, subject="Licences", body="Which one?")
    emails_send_due()
    sent = mailoutbox[0].message()
    assert (sent["List-Post"], sent["Reply-To"]) == ("NO", None)
    assert "Reply to this email" not in mailoutbox[0].body


def test_each_digest_and_none_get_what_they_chose(mailoutbox):
    cohort, (author, each, digest, none) = _cohort_with("each", "each", "digest", "none")
    thread = services.message_post(cohort=cohort, author=author.user, subject="Hello", body="First.")
    services.message_post(cohort=cohort, author=each.user, body="Second.", parent=thread)
    emails_send_due()
    # Each: the thread; the author: the reply to their thread; digest and none: nothing now.
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == sorted(
        [
            (each.user.email, "[Data Stewards 2026] Hello"),
            (author.user.email, "Re: [Data Stewards 2026] Hello"),
        ]
    )


def test_the_digest_groups_a_days_messages_into_one_email_per_person_once(mailoutbox):
    cohort, (author, digest_a, digest_b) = _cohort_with("each", "digest", "digest")
    other = CohortFactory(name="Other cohort")
    other_member = ParticipantFactory(membership=MembershipFactory(cohort=other), user=digest_a.user, delivery="digest")
    with time_machine.travel(DAY, tick=False):
        thread = services.message_post(cohort=cohort, author=author.user, subject="Plans", body="Alpha words.")
        services.message_post(cohort=cohort, author=author.user, body="Bravo words.", parent=thread)
        services.message_post(cohort=cohort, author=digest_b.user, body="Charlie words.", parent=thread)
        services.message_post(cohort=other, author=UserFactory(is_staff=True), subject="Elsewhere", body="Delta.")
    with time_machine.travel(DAY + timedelta(hours=8), tick=False):  # the day before: nothing
        assert digests_queue() == 0
    mailoutbox.clear()
    Email.objects.all().delete()
    with time_machine.travel(DAY + timedelta(days=1, minutes=1), tick=False):
        sweep()
        sweep()  # beat running it twice sends nothing twice
        assert digests_queue() == 0
    digests = {m.to[0]: m for m in mailoutbox}
    assert len(mailoutbox) == 2
    assert sorted(digests) == sorted([digest_a.user.email, digest_b.user.email])
    a_body = digests[digest_a.user.email].body
    assert digests[digest_a.user.email].subject == "Your cohort messages for 24 November 2026: 4 new"
    for words in ("Alpha words.", "Bravo words.", "Charlie words.", "Delta.", "== Data Stewards 2026 =="):
        assert words in a_body
    assert "== Other cohort ==" in a_body
    b_body = digests[digest_b.user.email].body
    assert digests[digest_b.user.email].subject == "Your cohort messages for 24 November 2026: 2 new"
    assert "Alpha words." in b_body
    assert "Bravo words." in b_body
    assert "Charlie words." not in b_body  # their own
    assert Email.objects.filter(key=f"digest:{digest_a.user.pk}:2026-11-24").count() == 1
    assert other_member.delivery == "digest"


def test_the_digest_unsubscribe_link_stops_every_digest(client):
    cohort, (author, reader) = _cohort_with("each", "digest")
    with time_machine.travel(DAY, tick=False):
        services.message_post(cohort=cohort, author=author.user, subject="Plans", body="Alpha.")
    with time_machine.travel(DAY + timedelta(days=1), tick=False):
        digests_queue()
    link = Email.objects.get(kind="cohort_digest").headers["List-Unsubscribe"].strip("<>")
    assert client.post(link.removeprefix("https://cohorts.example.org")).status_code == 200
    assert Participant.objects.get(pk=reader.pk).delivery == "none"


def test_a_delivery_outside_the_choices_is_refused():
    _cohort, (person,) = _cohort_with("each")
    with pytest.raises(ValidationError):
        services.participant_preferences_set(
            participant=person, user=person.user, delivery="hourly", show_contact_details=False
        )


@pytest.mark.django_db(transaction=True)
def test_the_old_email_switch_becomes_each_message_or_none():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    on, off = ParticipantFactory(), ParticipantFactory()
    executor = MigrationExecutor(connection)
    before = [("cohorts", "0007_thread_read")]
    executor.migrate(before)
    OldParticipant = executor.loader.project_state(before).apps.get_model("cohorts", "Participant")  # noqa: N806
    OldParticipant.objects.filter(pk=off.pk).update(receive_messages=False)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert dict(Participant.objects.values_list("pk", "delivery")) == {on.pk: "each", off.pk: "none"}


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("Stewards, 2026", '"Stewards, 2026" <ids.lists.cohorts.example.org>'),
        ("Données ouvertes", "=?utf-8?q?Donn=C3=A9es_ouvertes?= <ids.lists.cohorts.example.org>"),
    ],
)
def test_the_list_id_keeps_its_id_plain_whatever_the_cohorts_name(mailoutbox, name, header):
    cohort = CohortFactory(name=name, slug="ids")
    author, reader = (ParticipantFactory(membership=MembershipFactory(cohort=cohort)) for _ in range(2))
    services.message_post(cohort=cohort, author=author.user, subject="Hello", body="Hi.")
    emails_send_due()
    assert mailoutbox[0].message()["List-Id"] == header
    assert mailoutbox[0].to == [reader.user.email]
