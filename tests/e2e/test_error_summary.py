"""The error summary and character count in Chromium (static/js/forms.js).

A failed submit focuses the summary; each of its links, clicked or followed with Enter,
moves focus to its field (a group's first input); the character count counts down, then
over, without stopping the typing.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Application
from tests.e2e.helpers import severe_violations
from tests.factories import PASSWORD, ApplicationFactory, OpenCallFactory, OrganisationPersonFactory, QuestionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in_page(browser, live_server, user):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page, errors


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


@pytest.fixture
def draft():
    link = OrganisationPersonFactory()
    call = OpenCallFactory(closes_at=timezone.now() + timedelta(days=30))
    application = ApplicationFactory(
        call=call,
        organisation=link.organisation,
        created_by=link.user,
        licence="",
        time_commitment="",
    )
    weekly = QuestionFactory(call=call, kind="yes_no", label="Do you publish weekly?", required=True)
    return link.user, application, weekly


def test_a_failed_submit_focuses_the_summary_and_its_links_move_focus_to_the_fields(browser, live_server, draft):
    user, application, weekly = draft
    page, console_errors = _signed_in_page(browser, live_server, user)
    page.goto(f"{live_server.url}{reverse('applications:edit', args=[application.pk])}")
    page.get_by_role("button", name="Submit application").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')") is True
    expect(page).to_have_title(f"Error: Application to {application.call.title} · CohortNet")
    links = summary.get_by_role("link")
    expect(links).to_have_text(
        [
            "The open licence(s) the data is published under: Please answer this question before submitting.",
            "Time you can commit between the cohort's start and end: Please answer this question before submitting.",
            "Do you publish weekly?: Please answer this question before submitting.",
        ]
    )

    # A click moves focus to the input, with its label in view.
    links.nth(0).click()
    assert _focused_id(page) == "id_licence"
    expect(page.get_by_text("The open licence(s) the data is published under", exact=True)).to_be_in_viewport()

    # Enter on a focused link does the same; a radio group's link goes to its first radio button.
    links.nth(2).focus()
    page.keyboard.press("Enter")
    assert _focused_id(page) == f"id_question_{weekly.pk}_0"
    expect(page.get_by_text("Do you publish weekly?", exact=True)).to_be_in_viewport()

    links.nth(1).focus()
    page.keyboard.press("Enter")
    assert _focused_id(page) == "id_time_commitment"

    assert severe_violations(page) == []
    assert console_errors == []
    assert Application.objects.get().status == Application.Status.DRAFT


def test_the_character_count_counts_down_then_over_without_stopping_the_typing(browser, live_server, draft):
    user, application, _ = draft
    QuestionFactory(call=application.call, kind="short_text", label="Your motto")
    page, console_errors = _signed_in_page(browser, live_server, user)
    autosaves = []
    page.on("request", lambda request: autosaves.append(request) if "/autosave/" in request.url else None)
    page.goto(f"{live_server.url}{reverse('applications:edit', args=[application.pk])}")

    motto = page.get_by_label("Your motto")
    count = page.locator(f"#{motto.get_attribute('id')}_count")
    expect(count).to_have_text("You have 300 characters remaining")
    expect(count).to_have_attribute("aria-live", "polite")
    motto.fill("Tides for all")
    expect(count).to_have_text("You have 287 characters remaining")
    motto.fill("x" * 299)
    expect(count).to_have_text("You have 1 character remaining")
    motto.fill("x" * 302)
    expect(count).to_have_text("You have 2 characters too many")
    expect(count).to_have_class("form-text character-count text-danger fw-bold")
    expect(motto).to_have_value("x" * 302)  # not cut off at the limit
    motto.fill("x" * 301)
    expect(count).to_have_text("You have 1 character too many")

    data = page.get_by_label("The open data you steward, and who uses it")
    expect(page.locator("#id_data_stewarded_count")).to_have_text(
        f"You have {5000 - len(application.data_stewarded)} characters remaining"
    )
    data.fill("River readings")
    expect(page.locator("#id_data_stewarded_count")).to_have_text("You have 4986 characters remaining")
    assert console_errors == []
    # The typing left an autosave due two seconds after the last keystroke: let every autosave answer and
    # close the page before the test's data is flushed, or a save's transaction meets the flush (a deadlock).
    page.wait_for_timeout(2_500)
    for request in autosaves:
        request.response()
    page.close()
