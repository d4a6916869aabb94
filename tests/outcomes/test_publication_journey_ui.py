"""The publication's journey in Chromium: staff write and are refused, a lead signs off, staff publish, anyone reads.

Staff write a theme's synthesis beside what the members contributed, try to publish and are told which
organisations have not signed off; each lead contact chooses a credit and signs off; staff publish; a visitor
reads version 1 and opens its PDF. axe finds no serious or critical violation, and no page scrolls sideways.
"""

import re

import pytest
from playwright.sync_api import expect

from outcomes.models import PublicationVersion
from tests.e2e.test_applicant_journey_ui import VIEWPORTS, Journey
from tests.factories import PASSWORD
from tests.outcomes.publication_world import NAMED, PublicationWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(browser, base, user, viewport) -> Journey:
    context = browser.new_context(viewport=VIEWPORTS[viewport], timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    journey = Journey(context.new_page())
    journey.page.goto(f"{base}/accounts/login/")
    journey.page.get_by_label("Email").fill(user.email)
    journey.page.get_by_label("Password").fill(PASSWORD)
    journey.page.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()
    journey.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return journey


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_staff_write_leads_sign_off_staff_publish_and_anyone_reads_it(live_server, browser, viewport):
    base = live_server.url
    world = PublicationWorld()
    slug = world.publication.slug

    staff = _sign_in(browser, base, world.staff, viewport)
    page = staff.page
    page.goto(f"{base}/outputs/{slug}/edit/")
    page.get_by_role("link", name="Sustaining volunteers").click()
    expect(page.get_by_text("Harbour learnt")).to_be_visible()
    expect(page.get_by_text("Roundtable notes on volunteers")).to_be_visible()
    staff.check("editor")
    page.get_by_label("Synthesis for this theme").fill("Volunteers stay when they are thanked.")
    page.get_by_role("button", name="Save the synthesis").click()
    expect(page.get_by_text("Saved the synthesis for Sustaining volunteers.")).to_be_visible()
    page.get_by_role("button", name="Publish a new version").click()
    expect(page.get_by_text("Not signed off yet by the lead contact of: Harbour Data, Ledgerlight.")).to_be_visible()
    staff.check("refused")
    assert PublicationVersion.objects.count() == 0

    for lead, organisation, choice in [
        (world.harbour_lead, "Harbour Data", "By my name and organisation"),
        (world.ledger_lead, "Ledgerlight", "By my organisation only"),
    ]:
        member = _sign_in(browser, base, lead, viewport)
        member.page.goto(f"{base}/outputs/{slug}/review/")
        member.page.get_by_label(choice).check()
        member.page.get_by_role("button", name="Save my choice").click()
        expect(member.page.get_by_text("Saved how the publication credits you.")).to_be_visible()
        member.page.get_by_role("button", name=f"Sign off the current text for {organisation}").click()
        expect(member.page.get_by_text(f"Signed off the current text for {organisation}.")).to_be_visible()
        member.check(f"review by {organisation}")
        assert member.problems == []
        member.page.context.close()

    page.goto(f"{base}/outputs/{slug}/edit/")
    page.get_by_role("button", name="Publish a new version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What stewards learned")
    expect(page.get_by_text("Published version 1.")).to_be_visible()
    assert staff.problems == []

    visitor = browser.new_context(viewport=VIEWPORTS[viewport], timezone_id="Europe/London").new_page()
    reader = Journey(visitor)
    visitor.goto(f"{base}/outputs/{slug}/")
    expect(visitor.get_by_role("heading", name="Sustaining volunteers")).to_be_visible()
    expect(visitor.get_by_text(f"{NAMED} (Harbour Data)")).to_be_visible()
    reader.check("public page")
    href = visitor.get_by_role("link", name="PDF").get_attribute("href")
    pdf = visitor.request.get(f"{base}{href}")
    assert pdf.headers["content-type"] == "application/pdf"
    assert reader.problems == []
