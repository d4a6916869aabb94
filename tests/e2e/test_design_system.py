"""The design system on a phone (390×844) in Chromium: nothing overflows sideways, tables turn into labelled
cards, the menu collapses behind a button and shows the person's name, and axe finds nothing serious."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cohorts.models import Theme
from cohorts.services import resource_add
from funding.models import TimeEntry
from outcomes.models import Publication, PublicationVersion
from tests.e2e.helpers import severe_violations
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    AwardFactory,
    InstalmentFactory,
    MembershipFactory,
    OrganisationPersonFactory,
    ParticipantFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LONG_WEBSITE = "https://data.an-organisation-with-a-very-long-domain-name-for-its-open-data.example/registers/all"


@pytest.fixture
def member():
    """A lead contact of a member organisation with themes, an award with payments, time and applications."""
    lead = OrganisationPersonFactory(
        organisation__name="Riverside Community Open Environmental Data Collaborative",
        organisation__website=LONG_WEBSITE,
        organisation__country="GB",
        user__name="Maya Okafor",
        user__email="maya.okafor.lead.contact@riverside-community-open-data.example",
    )
    membership = MembershipFactory(organisation=lead.organisation)
    membership.themes.set(Theme.objects.order_by("position")[:3])
    ParticipantFactory(membership=membership, user=lead.user, show_contact_details=True)
    for n in range(3):
        other = ParticipantFactory(
            membership__cohort=membership.cohort,
            membership__organisation__name=f"Harbour Tide Open Data Trust {n}",
            membership__organisation__website=LONG_WEBSITE,
            show_contact_details=True,
        )
        other.membership.themes.set(Theme.objects.order_by("-position")[:2])
    award = AwardFactory(membership=membership)
    InstalmentFactory(award=award, amount=Decimal("5000.00"), due_on=date(2027, 1, 31))
    InstalmentFactory(award=award, amount=Decimal("7500.00"), due_on=date(2027, 3, 31))
    TimeEntry.objects.create(
        membership=membership,
        user=lead.user,
        date=date(2026, 11, 2),
        hours=Decimal("2.50"),
        activity="Wrote the guide to publishing the river sensor readings as open data",
    )
    for _ in range(2):
        ApplicationFactory(organisation=lead.organisation, created_by=lead.user, status="submitted")
    resource_add(cohort=membership.cohort, user=lead.user, title="Guide", url=LONG_WEBSITE)
    publication = Publication.objects.create(cohort=membership.cohort, title="What we learned", slug="what-we-learned")
    PublicationVersion.objects.create(
        publication=publication,
        number=1,
        title="What we learned",
        sections=[{"theme": "Sustainability", "text": LONG_WEBSITE}],
        contributors=[{"user_id": lead.user.pk, "name": lead.user.name, "organisation": LONG_WEBSITE}],
        licence="CC-BY-4.0",
        published_at=timezone.now(),
    )
    return lead, membership, award


def _sign_in(browser, live_server, user, viewport):
    page = browser.new_context(viewport=viewport, timezone_id="Europe/London").new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_pages_fit_a_phone_and_pass_axe(live_server, browser, member):
    lead, membership, award = member
    page = _sign_in(browser, live_server, lead.user, PHONE)
    slug = membership.cohort.slug
    widths, violations = {}, []
    for path in [
        reverse("cohorts:directory", args=[slug]),
        award.get_absolute_url(),
        reverse("applications:list"),
        reverse("cohorts:list"),
        reverse("cohorts:resources", args=[slug]),
        reverse("cohorts:contributions", args=[slug]),
        lead.organisation.get_absolute_url(),
        reverse("outcomes:publication", args=["what-we-learned"]),
    ]:
        page.goto(f"{live_server.url}{path}")
        widths[path] = _scroll_width(page)
        violations += severe_violations(page)
    # The budget, as staff read it on a phone: its seven-column table stacks too.
    staff = _sign_in(browser, live_server, UserFactory(is_staff=True), PHONE)
    budget = reverse("funding:dashboard", args=[slug])
    staff.goto(f"{live_server.url}{budget}")
    widths[budget] = _scroll_width(staff)
    violations += severe_violations(staff)
    assert widths == dict.fromkeys(widths, 390)
    assert violations == [], "\n".join(violations)


def test_a_table_becomes_labelled_cards_on_a_phone_and_stays_a_table_on_a_laptop(live_server, browser, member):
    lead, _membership, award = member
    page = _sign_in(browser, live_server, lead.user, PHONE)
    page.goto(f"{live_server.url}{award.get_absolute_url()}")
    first_due = page.locator("table.table-stack").first.locator("tbody td").first
    expect(first_due).to_have_text("31 Jan 2027")
    assert first_due.evaluate("td => getComputedStyle(td, '::before').content") == '"Due"'
    assert first_due.evaluate("td => getComputedStyle(td).display") == "grid"
    # The header row is there for screen readers only; each row is a card as wide as the page allows.
    header = page.locator("table.table-stack").first.locator("thead")
    assert header.bounding_box()["width"] <= 1
    row = page.locator("table.table-stack").first.locator("tbody tr").first.bounding_box()
    assert 300 < row["width"] <= 390

    wide = _sign_in(browser, live_server, lead.user, {"width": 1280, "height": 800})
    wide.goto(f"{live_server.url}{award.get_absolute_url()}")
    cell = wide.locator("table.table-stack").first.locator("tbody td").first
    assert cell.evaluate("td => getComputedStyle(td, '::before').content") == "none"
    assert cell.evaluate("td => getComputedStyle(td).display") == "table-cell"
    expect(wide.get_by_role("columnheader", name="Due")).to_be_visible()


def test_the_menu_collapses_on_a_phone_and_names_the_person(live_server, browser, member):
    lead, membership, _award = member
    page = _sign_in(browser, live_server, lead.user, PHONE)
    page.goto(f"{live_server.url}{reverse('cohorts:directory', args=[membership.cohort.slug])}")
    profile = page.get_by_role("link", name="Maya Okafor (your profile)")
    expect(profile).to_be_hidden()
    page.get_by_role("button", name="Show navigation").click()
    expect(profile).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).not_to_contain_text(lead.user.email)
    assert _scroll_width(page) == 390
