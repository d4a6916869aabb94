"""Links in emails change nothing on a GET (mail scanners follow them); one button POSTs the change.

Every reminder and mailing-list email carries RFC 8058 headers, and the
one-click POST a mail provider sends (no cookies, no CSRF token) unsubscribes.
"""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cohorts.models import Participant
from cohorts.services import message_post
from events import services as event_services
from events.models import RSVP
from notifications.models import Email, ReminderOptOut, ReminderRule
from notifications.reminders import REGISTRY, opt_out_link, reminders_sweep
from notifications.services import emails_send_due
from notifications.unsubscribe import unsubscribe_link
from tests.factories import EventFactory, MembershipFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
ONE_CLICK = "List-Unsubscribe=One-Click"


def _path(link: str) -> str:
    assert link.startswith(SITE)
    return link.removeprefix(SITE)


def _one_click(path: str):
    """What a mail provider sends (RFC 8058 section 3.1): a bare POST, no cookies, CSRF checks on."""
    return Client(enforce_csrf_checks=True).post(path, ONE_CLICK, content_type="application/x-www-form-urlencoded")


def _one_button(response) -> str:
    """The page's own content (not the site's navigation): one form with one button."""
    assert response.status_code == 200
    page = response.content.decode().split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert page.count("<form") == 1
    assert page.count("<button") == 1
    return page


def _participant_in(cohort):
    return ParticipantFactory(membership=MembershipFactory(cohort=cohort)).user


# --- Answers to events ---------------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "status"), [("going", "going"), ("not_going", "not_going")])
def test_an_answer_link_shows_one_button_and_only_the_post_answers(answer, status):
    event = EventFactory(title="Barriers roundtable")
    person = _participant_in(event.cohort)
    path = _path(event_services.answer_link(event=event, user=person, answer=answer))
    browser = Client(enforce_csrf_checks=True)

    page = _one_button(browser.get(path))
    assert "Barriers roundtable" in page
    assert RSVP.objects.count() == 0

    # The button's POST keeps Django's CSRF check: the page set the cookie and the form carries the token.
    token = browser.cookies["csrftoken"].value
    response = browser.post(path, {"csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert list(RSVP.objects.values_list("user", "status")) == [(person.pk, status)]
    assert "_auth_user_id" not in browser.session


def test_an_answer_posted_without_the_page_is_refused_and_changes_nothing():
    event = EventFactory()
    person = _participant_in(event.cohort)
    path = _path(event_services.answer_link(event=event, user=person, answer="going"))
    assert Client(enforce_csrf_checks=True).post(path).status_code == 403
    assert RSVP.objects.count() == 0


def test_a_tampered_answer_link_is_a_400_on_get_and_post(client):
    event = EventFactory()
    person = _participant_in(event.cohort)
    path = _path(event_services.answer_link(event=event, user=person, answer="going"))
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA/") else "BBB") + "/"
    assert client.get(tampered).status_code == 400
    assert client.post(tampered).status_code == 400
    assert RSVP.objects.count() == 0


# --- Unsubscribing -------------------------------------------------------------------------------


def test_an_unsubscribe_link_shows_one_button_and_only_the_post_stops_the_reminders(client):
    person = UserFactory()
    path = _path(unsubscribe_link(person, "event_going"))
    page = _one_button(client.get(path))
    assert REGISTRY["event_going"].label in page
    assert ReminderOptOut.objects.count() == 0
    assert client.post(path).status_code == 200
    assert list(ReminderOptOut.objects.values_list("user", "kind")) == [(person.pk, "event_going")]


def test_the_links_in_reminders_already_sent_also_wait_for_the_button(client):
    person = UserFactory()
    path = _path(opt_out_link(person, "event_going"))
    _one_button(client.get(path))
    assert ReminderOptOut.objects.count() == 0
    assert _one_click(path).status_code == 200
    assert list(ReminderOptOut.objects.values_list("user", "kind")) == [(person.pk, "event_going")]


def test_a_tampered_or_unknown_unsubscribe_link_is_a_400_and_changes_nothing(client):
    person = UserFactory()
    path = _path(unsubscribe_link(person, "event_going"))
    assert client.get(path[:-4] + "xyz/").status_code == 400
    assert _one_click(path[:-4] + "xyz/").status_code == 400
    assert _one_click(_path(unsubscribe_link(person, "no_such_kind"))).status_code == 400
    assert ReminderOptOut.objects.count() == 0


def test_a_reminder_carries_the_one_click_headers_and_they_unsubscribe_without_signing_in(mailoutbox):
    ReminderRule.objects.exclude(kind="event_going", offset=timedelta(hours=24)).update(active=False)
    ReminderRule.objects.get_or_create(kind="event_going", offset=timedelta(hours=24))
    event = EventFactory()
    person = _participant_in(event.cohort)
    event_services.rsvp_set(event=event, user=person, going=True)
    with time_machine.travel(event.starts_at - timedelta(hours=24), tick=False):
        assert reminders_sweep() == 1
        link = unsubscribe_link(person, "event_going")  # signed at the same instant, so the same text
    email = Email.objects.get(kind="reminder_event_going")
    assert email.headers == {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": ONE_CLICK}

    emails_send_due()
    (message,) = mailoutbox
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK

    assert _one_click(_path(link)).status_code == 200
    assert list(ReminderOptOut.objects.values_list("user", "kind")) == [(person.pk, "event_going")]


def test_a_mailing_list_email_carries_the_one_click_headers_for_that_cohort_only(mailoutbox):
    member = ParticipantFactory()
    cohort = member.membership.cohort
    elsewhere = ParticipantFactory(user=member.user)  # the same person in another cohort
    with time_machine.travel(timezone.now(), tick=False):
        message_post(cohort=cohort, author=UserFactory(is_staff=True), subject="Hello", body="Welcome")
        link = unsubscribe_link(member.user, "cohort_message", cohort.pk)
    email = Email.objects.get(kind="cohort_message")
    one_click = {k: email.headers[k] for k in ("List-Unsubscribe", "List-Unsubscribe-Post")}
    assert one_click == {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": ONE_CLICK}
    emails_send_due()
    (message,) = mailoutbox
    assert {k: message.extra_headers[k] for k in ("List-Unsubscribe", "List-Unsubscribe-Post")} == one_click

    page = _one_button(Client().get(_path(link))).replace("\n", " ")
    assert f"emails of the messages in {cohort.name}" in page
    assert Participant.objects.get(pk=member.pk).delivery == "each"

    assert _one_click(_path(link)).status_code == 200
    assert dict(Participant.objects.values_list("pk", "delivery")) == {member.pk: "none", elsewhere.pk: "each"}


def test_a_mailing_list_link_for_a_cohort_the_person_left_changes_nothing():
    member = ParticipantFactory()
    cohort = member.membership.cohort
    link = unsubscribe_link(member.user, "cohort_message", cohort.pk)
    member.delete()
    assert _one_click(_path(link)).status_code == 400
