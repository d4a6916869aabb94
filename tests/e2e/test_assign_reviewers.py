"""The admin's "Assign reviewers" action in Chromium: the list, the page (axe, strict CSP), balance, the message."""

import pytest
from playwright.sync_api import expect

from applications.models import ReviewAssignment
from tests.e2e.helpers import severe_violations
from tests.factories import PASSWORD, ApplicationFactory, OrganisationPersonFactory, UserFactory, reviewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_balance_two_reviewers_over_two_applications_from_the_list(live_server, browser):
    base = live_server.url
    ana = reviewer(name="Ana Abara", email="ana@uni-a.example")
    ben = reviewer(name="Ben Bello", email="ben@uni-b.example")
    cleo = reviewer(name="Cleo Cruz", email="cleo@register.example")  # shares Open Register's domain
    link = OrganisationPersonFactory(organisation__name="Open Register", user__email="lead@register.example")
    first = ApplicationFactory(status="submitted", organisation=link.organisation)
    second = ApplicationFactory(status="submitted", organisation__name="Tide Tables")
    staff = UserFactory(is_staff=True, is_superuser=True)

    page = browser.new_page()
    page.set_default_timeout(10_000)
    refused = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(f"{base}/admin/applications/application/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("checkbox", name="Select all objects on this page").check()
    page.get_by_label("Action:").select_option("assign_reviewers")
    page.get_by_role("button", name="Go").click()

    expect(page.get_by_role("heading", name="Assign reviewers", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Not offered: conflicts of interest")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Cleo Cruz (cleo@register.example)")).to_have_count(0)
    severe = severe_violations(page)
    assert severe == [], "\n".join(severe)

    page.get_by_role("radio", name="Balance:").check()
    page.get_by_label("Reviewers each application should have (balance)").fill("2")
    page.get_by_role("button", name="Assign reviewers").click()
    expect(page.get_by_text("Reviewers assigned.")).to_be_visible()
    assert refused == []
    # All start at 0: Open Register takes Ana and Ben (Cleo conflicts); then Cleo (0) and Ana (1, before Ben by name).
    assert set(ReviewAssignment.objects.values_list("application_id", "reviewer_id")) == {
        (first.pk, ana.pk),
        (first.pk, ben.pk),
        (second.pk, cleo.pk),
        (second.pk, ana.pk),
    }
