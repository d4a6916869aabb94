"""The whole programme journey in Chromium, as the real users, on the real pages.

A visitor reads the open call, signs up and verifies the email, creates the
organisation, fills in and submits an application; staff accept it in the
admin; the organisation is a member and its participant RSVPs to an event;
staff record the award in the admin.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Application
from cohorts.models import Membership
from events.models import RSVP
from funding.models import Award
from tests.factories import PASSWORD, EventFactory, OpenCallFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPLICANT_EMAIL = "ada@harbourtide.example"
APPLICANT_PASSWORD = "tide-tables-and-harbours-2026"


def _confirmation_link(mailoutbox) -> str:
    (message,) = [m for m in mailoutbox if m.to == [APPLICANT_EMAIL]]
    return re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body).group(0)


def _sign_in(page, base, email, password):
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def test_the_programme_journey(live_server, browser, mailoutbox):
    base = live_server.url
    call = OpenCallFactory(
        title="Open call: peer learning for open data stewards",
        closes_at=timezone.now() + timedelta(days=30),
    )
    event = EventFactory(cohort=call.cohort, title="Roundtable: sustainability and revenue models", capacity=10)
    staff = UserFactory(email="staff@cohortnet.example", is_staff=True, is_superuser=True)

    applicant = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    applicant.set_default_timeout(10_000)
    page = applicant.new_page()
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)

    # A visitor reads the open call and decides to apply.
    page.goto(f"{base}{call.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(call.title)
    expect(page.get_by_text("(Europe/London)").first).to_be_visible()
    page.get_by_role("link", name="Apply now").click()

    # Signs up, and verifies the email from the link in the message.
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_role("link", name="sign up").click()
    page.get_by_label("Full name").fill("Maya Okafor")
    page.get_by_label("Email", exact=True).fill(APPLICANT_EMAIL)
    # Required fields carry no asterisk (GOV.UK: mark the optional ones): "Password" exactly, not "Password (again)".
    page.get_by_role("textbox", name="Password", exact=True).fill(APPLICANT_PASSWORD)
    page.get_by_label("Password (again)").fill(APPLICANT_PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    page.goto(_confirmation_link(mailoutbox).replace("http://testserver", base))
    page.get_by_role("button", name="Confirm").click()

    # Back on the way to applying: creates the organisation first, then
    # fills in and submits the application.
    expect(page.get_by_role("heading", name="Tell us about your organisation")).to_be_visible()
    page.get_by_label("Name").fill("Harbour Tide Data Trust")
    page.get_by_label("Website (optional)", exact=True).fill("https://harbourtide.example")
    page.get_by_label("API", exact=True).check()
    page.get_by_role("button", name="Create organisation").click()
    expect(page.get_by_label("Apply on behalf of")).to_have_value(re.compile(r"\d+"))
    page.get_by_role("button", name="Start the application").click()
    page.get_by_label("The open data you steward, and who uses it").fill("Open tide tables for 40 small ports.")
    page.get_by_label("The open licence(s) the data is published under").fill("ODbL 1.0")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text="Draft saved.")).to_be_visible()
    page.get_by_label("How the work is sustained (revenue model)").fill("Paid enterprise API beside open bulk files.")
    page.get_by_label("What you can contribute to the other organisations").fill("Running volunteer surveys.")
    page.get_by_label("Time you can commit between the cohort's start and end").fill("Two days a month")
    page.get_by_label("Sustainability and revenue models").check()
    page.get_by_label("Funding requested (GBP)").fill("18000")
    page.get_by_label("We agree to contribute to the programme's published output").check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Your application has been submitted.")).to_be_visible()
    expect(page.get_by_text("The programme team will start reviewing applications")).to_be_visible()
    application = Application.objects.get(organisation__name="Harbour Tide Data Trust")
    assert application.status == Application.Status.SUBMITTED
    assert application.funding_requested == Decimal("18000.00")
    assert any("We received your application" in m.subject for m in mailoutbox)

    # Staff accept it in the admin, signing in through the site's login.
    staff_context = browser.new_context()
    staff_context.set_default_timeout(10_000)
    admin = staff_context.new_page()
    admin.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    admin.goto(f"{base}/admin/")
    _sign_in(admin, base, staff.email, PASSWORD)
    expect(admin.get_by_role("heading", name="Site administration")).to_be_visible()
    admin.goto(f"{base}/admin/applications/application/?status__exact=submitted")
    admin.get_by_role("row", name=re.compile("Harbour Tide Data Trust")).get_by_role("checkbox").check()
    admin.get_by_label("Action:").select_option(label="Start review")
    admin.get_by_role("button", name="Go").click()
    expect(admin.get_by_text("Start review: 1 application will take this step.")).to_be_visible()
    admin.get_by_role("button", name="Yes, start review: 1 application").click()
    expect(admin.get_by_text("Moved to review 1 application(s).")).to_be_visible()
    admin.goto(f"{base}/admin/applications/application/?status__exact=under_review")
    admin.get_by_role("row", name=re.compile("Harbour Tide Data Trust")).get_by_role("checkbox").check()
    admin.get_by_label("Action:").select_option(label="Accept: make the organisation a member of the cohort")
    admin.get_by_role("button", name="Go").click()
    expect(admin.get_by_role("cell", name=f"Accept: becomes a member of {call.cohort}")).to_be_visible()
    admin.get_by_role("button", name="Yes, accept: 1 application").click()
    expect(
        admin.get_by_text("Accepted 1 application(s). Decision emails are held in the outbox for you to read and send.")
    ).to_be_visible()
    membership = Membership.objects.get(cohort=call.cohort, organisation__name="Harbour Tide Data Trust")

    # The organisation is a member; its participant sees the events and RSVPs.
    page.goto(f"{base}/dashboard/")
    page.get_by_role("link", name=call.cohort.name).click()
    expect(page.get_by_role("cell", name=re.compile("Roundtable: sustainability and revenue models"))).to_be_visible()
    page.get_by_role("link", name=event.title).click()
    page.get_by_role("button", name="Going", exact=True).click()
    expect(page.get_by_text(f"You are going to {event.title}.")).to_be_visible()
    assert RSVP.objects.get(event=event, user__email=APPLICANT_EMAIL).status == RSVP.Status.GOING

    # Staff record the award in the admin.
    admin.goto(f"{base}/admin/funding/award/add/")
    admin.get_by_label("Membership").select_option(label=str(membership))
    admin.get_by_label("Amount (GBP, excluding VAT)").fill("18000.00")
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.get_by_text("was added successfully")).to_be_visible()
    award = Award.objects.get(membership=membership)
    assert award.amount == Decimal("18000.00")
    assert award.created_by == staff

    # Every page on the way held to the strict Content-Security-Policy.
    assert violations == []
