"""How an outbox row becomes a message: the HTML part's links and the MIME structure."""

import email
import email.policy

import pytest

from notifications.models import Email
from notifications.services import _message
from notifications.templatetags.email_html import linkify


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "Details: https://example.org/events/4/",
            'Details: <a href="https://example.org/events/4/">https://example.org/events/4/</a>',
        ),
        (
            "See https://example.org/a?b=1&c=2.",
            'See <a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a>.',
        ),
        (
            '"Join (https://meet.example/x)"',
            '&quot;Join (<a href="https://meet.example/x">https://meet.example/x</a>)&quot;',
        ),
        ("<b>no link</b> & javascript:alert(1)", "&lt;b&gt;no link&lt;/b&gt; &amp; javascript:alert(1)"),
        ("http://a.example/<script>", '<a href="http://a.example/">http://a.example/</a>&lt;script&gt;'),
        ("", ""),
    ],
)
def test_linkify_escapes_the_text_and_links_only_web_addresses(text, html):
    assert linkify(text) == html


ICS = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


@pytest.mark.django_db
def test_an_outbox_message_has_its_own_boundaries_and_all_three_parts():
    row = Email.objects.create(
        key="k", kind="reminder_event_going", to_email="ada@example.org", subject="Reminder: Roundtable",
        body_text="Hello Ada", body_html="<p>Hello Ada</p>",
        attachments=[{"filename": "event.ics", "mimetype": "text/calendar", "content": ICS}],
    )  # fmt: skip
    sent = email.message_from_bytes(_message(row, None).message().as_bytes(), policy=email.policy.default)
    boundaries = [part.get_boundary() for part in sent.walk() if part.is_multipart()]
    assert len(boundaries) == 2
    assert all(b.startswith("==cohortnet-") and len(b) == len("==cohortnet-") + 32 + 2 for b in boundaries)
    assert boundaries[0] != boundaries[1]
    assert [part.get_content_type() for part in sent.walk() if not part.is_multipart()] == [
        "text/plain", "text/html", "text/calendar",
    ]  # fmt: skip
    assert sent.get_body(("plain",)).get_content() == "Hello Ada"
    assert sent.get_body(("html",)).get_content() == "<p>Hello Ada</p>"
    ics = next(part for part in sent.walk() if part.get_content_type() == "text/calendar")
    assert ics.get_filename() == "event.ics"
    assert ics.get_content().splitlines() == ["BEGIN:VCALENDAR", "END:VCALENDAR"]


@pytest.mark.django_db
def test_headers_given_to_email_queue_are_stored_and_sent(mailoutbox):
    from notifications.services import email_queue, emails_send_due

    headers = {"List-Unsubscribe": "<https://example.org/u/1/>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    row = email_queue(
        key="headers", kind="reminder_event_going", to="ada@example.org", subject="Reminder", body_text="Hi",
        headers=headers, send_now=False,
    )  # fmt: skip
    row.refresh_from_db()
    assert row.headers == {
        "List-Unsubscribe": "<https://example.org/u/1/>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert emails_send_due() == 1
    sent = email.message_from_bytes(mailoutbox[0].message().as_bytes(), policy=email.policy.default)
    assert sent["List-Unsubscribe"] == "<https://example.org/u/1/>"
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
