"""A participant answers with the htmx button, downloads the .ics, cancels, and the next person is promoted."""

from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from events.models import RSVP
from events.services import rsvp_set
from tests.factories import PASSWORD, EventFactory, MembershipFactory, ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_answer_download_cancel_and_the_next_person_is_promoted(live_server, browser, mailoutbox):
    base = live_server.url
    event = EventFactory(title="Roundtable: barriers to publishing", capacity=1)
    membership = MembershipFactory(cohort=event.cohort)
    person = ParticipantFactory(membership=membership).user
    waiting = ParticipantFactory(membership=MembershipFactory(cohort=event.cohort)).user

    context = browser.new_context(accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/?next={event.get_absolute_url()}")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    # The htmx button swaps the answer box in place: no page load.
    page.evaluate("window.__same_page = true")
    page.get_by_role("button", name="Going", exact=True).click()
    expect(page.locator("#rsvp-status")).to_contain_text("Going")
    expect(page.get_by_text("You are going to Roundtable: barriers to publishing.")).to_be_visible()
    assert page.evaluate("window.__same_page") is True

    rsvp_set(event=event, user=waiting, going=True)
    assert RSVP.objects.get(user=waiting).status == RSVP.Status.WAITLISTED

    with page.expect_download() as download_info:
        page.get_by_role("link", name=".ics file").click()
    calendar = Calendar.from_ical(Path(download_info.value.path()).read_bytes())
    assert str(calendar.walk("VEVENT")[0]["UID"]) == event.uid

    page.get_by_role("button", name="Cancel: not going").click()
    expect(page.locator("#rsvp-status")).to_contain_text("Not going")
    assert RSVP.objects.get(user=waiting).status == RSVP.Status.GOING
    assert [m.to for m in mailoutbox if m.subject.startswith("A place is yours")] == [[waiting.email]]
