"""A first-time applicant's journey at desktop and phone width (issue 15's acceptance).

Signs in, adds the organisation, reads the open call, starts an application and
types answers, submits too early (funding over the cap, then a required answer
missing): each time the error summary takes focus and its link moves focus to
the field; fixes both and submits; the status page says it was received. axe finds
no serious or critical violation on any page on the way, and no page breaks the
Content Security Policy.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Application
from tests.e2e.helpers import severe_violations
from tests.factories import PASSWORD, OpenCallFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

DATA = "The open data you steward, and who uses it"
LICENCE = "The open licence(s) the data is published under"
SUSTAINED = "How the work is sustained (revenue model)"
CONTRIBUTION = "What you can contribute to the other organisations"
TIME = "Time you can commit between the cohort's start and end"
CONSENT = "We agree to contribute to the programme's published output"


# No CSS transition or finite animation still running on the page.
SETTLED = """() => document.getAnimations().every(
  (a) => a.playState !== "running" || a.effect.getComputedTiming().iterations === Infinity
)"""


class Journey:
    """One person's page, and what went wrong on the pages it visited: axe's serious or critical findings,
    Content Security Policy reports in the console, and a page wider than the window (sideways scrolling).
    Shared by the participant and keyboard journeys."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        page.on(
            "console",
            lambda msg: (
                self.problems.append(f"CSP on {page.url}: {msg.text}")
                if "Content Security Policy" in msg.text
                else None
            ),
        )

    def check(self, what: str):
        """axe on the page as it is now, and whether it fits the window's width.

        First the page's finite transitions end (a button that has just taken the focus fades to its focus
        colours over 0.15s; axe would otherwise measure the contrast of a colour halfway there).
        """
        self.page.wait_for_load_state("load")
        self.page.wait_for_function(SETTLED)
        self.problems += [f"[{what}] {line}" for line in severe_violations(self.page)]
        overflow = self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            self.problems.append(f"[{what}] {self.page.url}: {overflow}px wider than the window (scrolls sideways)")


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_applicant_recovers_from_a_failed_submit_and_submits(live_server, browser, viewport):
    base = live_server.url
    call = OpenCallFactory(
        title="Open call: peer learning for open data stewards",
        closes_at=timezone.now() + timedelta(days=30),
        funding_cap=Decimal("20000.00"),
    )
    person = UserFactory(name="Maya Okafor", email="maya@harbourtide.example")

    context = browser.new_context(viewport=VIEWPORTS[viewport], timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    journey = Journey(context.new_page())
    page = journey.page

    # The open call, then "Apply now": sign in first.
    page.goto(f"{base}{call.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(call.title)
    journey.check("call page")
    page.get_by_role("link", name="Apply now").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    journey.check("sign in")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()

    # No organisation yet: add it first, then back to starting the application.
    expect(page).to_have_url(re.compile(r"/organisations/"))
    journey.check("add an organisation")
    page.get_by_label("Name", exact=True).fill("Harbour Tide Data Trust")
    page.get_by_role("textbox", name=re.compile(r"^Website")).fill("harbourtide.example")
    page.get_by_role("button", name="Create organisation").click()
    expect(page.get_by_label("Apply on behalf of")).to_have_value(re.compile(r"\d+"))
    journey.check("start the application")
    page.get_by_role("button", name="Start the application").click()

    # Answers typed, but the licence left blank and more funding than the call gives.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Application to {call.title}")
    journey.check("application form")
    page.get_by_label(DATA).fill("Open tide tables for 40 small ports.")
    page.get_by_label(SUSTAINED).fill("Paid enterprise API beside open bulk files.")
    page.get_by_label(CONTRIBUTION).fill("Running volunteer surveys.")
    page.get_by_label(TIME).fill("Two days a month")
    page.get_by_label("Sustainability and revenue models").check()
    page.get_by_label("Funding requested").fill("25000")
    page.get_by_label(CONSENT).check()
    page.get_by_role("button", name="Submit application").click()

    # Every problem at once, in the page's order: the licence still missing, and the amount over the cap
    # (said in money). The error summary takes focus and each link leads to its field.
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    expect(links.first).to_contain_text(LICENCE)
    expect(links.nth(1)).to_contain_text("Funding requested")
    expect(links.nth(1)).to_contain_text("at most £20,000")
    journey.check("application form, funding over the cap")
    # Nothing typed is lost.
    expect(page.get_by_label(DATA)).to_have_value("Open tide tables for 40 small ports.")
    expect(page.get_by_label("Funding requested")).to_have_value("25000")
    expect(page.get_by_label(CONSENT)).to_be_checked()
    links.nth(1).click()
    expect(page.get_by_label("Funding requested")).to_be_focused()
    assert focused_id(page) == "id_funding_requested"
    assert Application.objects.get().status == Application.Status.DRAFT

    # Within the cap, but the licence is still blank: submitting is refused for that, the same way.
    page.get_by_label("Funding requested").fill("18000")
    page.get_by_role("button", name="Submit application").click()
    expect(summary).to_be_focused()
    expect(links).to_have_count(1)
    expect(links.first).to_contain_text(LICENCE)
    journey.check("application form, licence missing")
    expect(page.get_by_label("Funding requested")).to_have_value("18000")
    links.first.click()
    expect(page.get_by_label(LICENCE)).to_be_focused()
    assert focused_id(page) == "id_licence"
    assert Application.objects.get().status == Application.Status.DRAFT

    # Fixed, and submitted: the status page.
    page.get_by_label(LICENCE).fill("ODbL 1.0")
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your application to {call.title}")
    expect(page.get_by_role("status").filter(has_text="We received it on")).to_contain_text("Submitted")
    journey.check("application status")

    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED
    assert application.organisation.name == "Harbour Tide Data Trust"
    assert application.licence == "ODbL 1.0"
    assert application.funding_requested == Decimal("18000.00")
    assert list(application.themes.values_list("name", flat=True)) == ["Sustainability and revenue models"]
    assert not journey.problems, "\n".join(journey.problems)
    context.close()
