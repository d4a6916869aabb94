"""An applicant drafts with autosave across a sign-out; staff accept and send the reviewed decision email once."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Application
from notifications.models import Email
from tests.factories import PASSWORD, OpenCallFactory, OrganisationPersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    return context


def _sign_in(page, email):
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_draft_autosave_sign_out_sign_in_submit_and_a_decision_sent_once(live_server, browser, mailoutbox):
    base = live_server.url
    call = OpenCallFactory(title="Open call: stewards", closes_at=timezone.now() + timedelta(days=30))
    link = OrganisationPersonFactory(organisation__name="Riverwatch Water Commons")
    staff = UserFactory(email="staff@cohortnet.example", is_staff=True, is_superuser=True)

    page = _context(browser).new_page()
    page.goto(f"{base}/accounts/login/")
    _sign_in(page, link.user.email)
    page.goto(f"{base}{call.get_absolute_url()}")
    page.get_by_role("link", name="Apply now").click()
    page.get_by_role("button", name="Start the application").click()

    # Typing is saved without pressing anything.
    page.get_by_label("The open data you steward, and who uses it").fill("River readings from 300 volunteers.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved automatically at")
    application = Application.objects.get()
    assert application.data_stewarded == "River readings from 300 volunteers."

    # Sign out, sign in again: the draft is there.
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{base}/accounts/login/")
    _sign_in(page, link.user.email)
    page.get_by_role("link", name="Open call: stewards").click()
    page.get_by_role("link", name="Continue your application").click()
    expect(page.get_by_label("The open data you steward, and who uses it")).to_have_value(
        "River readings from 300 volunteers."
    )

    page.get_by_label("The open licence(s) the data is published under").fill("CC BY 4.0")
    page.get_by_label("How the work is sustained (revenue model)").fill("Council contracts.")
    page.get_by_label("Collaborative data collection and maintenance").check()
    page.get_by_label("What you can contribute to the other organisations").fill("Volunteer training.")
    page.get_by_label("Time you can commit between the cohort's start and end").fill("A day a month")
    page.get_by_label("Funding requested (GBP)").fill("12000")
    page.get_by_label("We agree to contribute to the programme's published output").check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("status").filter(has_text="Submitted. We received it on")).to_be_visible()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED

    # Staff review and accept; the decision email waits in the outbox.
    admin = _context(browser).new_page()
    admin.goto(f"{base}/admin/")
    _sign_in(admin, staff.email)
    for action, confirm, message in [
        ("Start review", "Yes, start review: 1 application", "Moved to review 1 application(s)."),
        (
            "Accept: make the organisation a member of the cohort",
            "Yes, accept: 1 application",
            "Accepted 1 application(s). Decision emails are held in the outbox for you to read and send.",
        ),
    ]:
        admin.goto(f"{base}/admin/applications/application/")
        admin.get_by_role("row", name=re.compile("Riverwatch Water Commons")).get_by_role("checkbox").check()
        admin.get_by_label("Action:").select_option(label=action)
        admin.get_by_role("button", name="Go").click()
        admin.get_by_role("button", name=confirm).click()
        expect(admin.get_by_text(message)).to_be_visible()
    held = Email.objects.get(kind="decision")
    assert held.status == Email.Status.HELD
    assert not [m for m in mailoutbox if "accepted" in m.subject]

    # Staff read it, edit it, and send it.
    admin.goto(f"{base}/admin/notifications/email/{held.pk}/change/")
    admin.get_by_label("Subject").fill("Welcome to the cohort, Riverwatch")
    admin.get_by_role("button", name="Save", exact=True).click()
    for attempt in range(2):  # the second attempt must not send again
        admin.goto(f"{base}/admin/notifications/email/?kind__exact=decision")
        admin.get_by_role("row", name=re.compile("Welcome to the cohort")).get_by_role("checkbox").check()
        admin.get_by_label("Action:").select_option(label="Send the selected held emails")
        admin.get_by_role("button", name="Go").click()
        if attempt == 0:
            admin.get_by_role("button", name="Yes, send 1 email").click()
            expect(admin.get_by_text("Released 1 email(s).")).to_be_visible()
    expect(
        admin.get_by_text(
            f"Welcome to the cohort, Riverwatch → {link.user.email}: only held emails can be sent; this one is sent."
        )
    ).to_be_visible()

    decision_emails = [m for m in mailoutbox if m.subject == "Welcome to the cohort, Riverwatch"]
    assert len(decision_emails) == 1
    assert decision_emails[0].to == [link.user.email]
    held.refresh_from_db()
    assert held.status == Email.Status.SENT
