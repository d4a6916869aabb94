"""Issue 17's report journey in Chromium: a lead submits a report → staff accept it in the Django admin with its
button → the instalment tied to it becomes due (in the database, in the admin and on the organisation's page).

A colleague who is not the lead first presses "Submit report": their text is kept and the page names the lead.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from funding import services as funding_services
from funding.models import Instalment
from outcomes import services_reports
from outcomes.models import Report
from tests.e2e.test_applicant_journey_ui import Journey
from tests.factories import PASSWORD, MembershipFactory, OrganisationPersonFactory, ParticipantFactory, UserFactory
from tests.outcomes.reports_helpers import make_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTIONS = (("What has your organisation done so far?", "long_text", True), ("On track?", "yes_no", True))


def _sign_in(context, base, user, *, admin: bool = False):
    page = context.new_page()
    page.goto(f"{base}/admin/" if admin else f"{base}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()
    return page


def test_a_lead_submits_staff_accept_in_the_admin_and_the_tied_instalment_becomes_due(live_server, browser):
    base = live_server.url
    membership = MembershipFactory(organisation__name="River Data Trust", cohort__name="Stewards 2026")
    lead_link = OrganisationPersonFactory(
        organisation=membership.organisation, user__name="Maya Okafor", user__email="maya@riverdata.example"
    )
    lead = ParticipantFactory(membership=membership, user=lead_link.user, role="lead").user
    colleague = ParticipantFactory(
        membership=membership, user__name="Tom Reed", user__email="tom@riverdata.example"
    ).user
    staff = UserFactory(name="Sam Lee", email="sam@cohortnet.example", is_staff=True, is_superuser=True)
    award = funding_services.award_create(membership=membership, amount=Decimal("20000.00"), created_by=staff)
    yesterday = timezone.localdate() - timedelta(days=1)
    instalment = funding_services.instalment_schedule(
        award=award, amount=Decimal("6000.00"), due_on=yesterday, by=staff
    )
    report_round = make_round(membership.cohort, questions=QUESTIONS, due_at=timezone.now() + timedelta(days=10))
    report = report_round.reports.get(membership=membership)
    services_reports.report_tie_instalment(report=report, instalment=instalment, by=staff)
    assert Instalment.objects.get(pk=instalment.pk).held_for == "the Mid-point progress report of River Data Trust"

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)

    # A colleague writes the draft, and cannot submit it: the text stays, the lead is named.
    journey = Journey(_sign_in(context, base, colleague))
    page = journey.page
    page.goto(f"{base}/reports/")
    journey.check("the organisation's reports")
    page.get_by_role("link", name="Mid-point progress report").click()
    page.get_by_label(re.compile("What has your organisation done so far")).fill("Two roundtables on licensing.")
    page.get_by_role("button", name="Submit report").click()
    expect(page.get_by_text("Only the lead contact (Maya Okafor) can submit this report.")).to_be_visible()
    expect(page.get_by_label(re.compile("What has your organisation done so far"))).to_have_value(
        "Two roundtables on licensing."
    )
    journey.check("a colleague's refused submit")
    assert Report.objects.get(pk=report.pk).status == "draft"
    context.clear_cookies()

    # The lead finishes and submits.
    journey = Journey(_sign_in(context, base, lead))
    page = journey.page
    page.goto(f"{base}{report.get_absolute_url()}")
    expect(page.get_by_label(re.compile("What has your organisation done so far"))).to_have_value(
        "Two roundtables on licensing."
    )
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Submit report").click()
    expect(page.get_by_text("Report submitted.")).to_be_visible()
    journey.check("the submitted report")
    assert Report.objects.get(pk=report.pk).status == "submitted"
    context.clear_cookies()

    # Staff accept it in the admin, with the report page's button.
    admin = _sign_in(context, base, staff, admin=True)
    admin.goto(f"{base}/admin/outcomes/report/")
    admin.get_by_role("link", name="River Data Trust").click()
    expect(admin.get_by_text("Two roundtables on licensing.")).to_be_visible()
    admin.get_by_label("Comments to the organisation").fill("Thank you: clear and complete.")
    admin.get_by_role("button", name="Accept report").click()
    today = timezone.localdate()
    expect(
        admin.get_by_text(f"Report accepted. The instalment of £6,000.00 is now due on {today:%d %b %Y}.")
    ).to_be_visible()

    report.refresh_from_db()
    instalment.refresh_from_db()
    assert (report.status, report.decided_by, report.staff_comments) == (
        "accepted",
        staff,
        "Thank you: clear and complete.",
    )
    # It was due yesterday but waited for the report: it falls due today, and Finance may now approve it.
    assert (instalment.held_for, instalment.status, instalment.due_on) == ("", "scheduled", today)
    assert instalment.due_on > yesterday

    admin.goto(f"{base}/admin/funding/instalment/{instalment.pk}/change/")
    expect(admin.locator(".field-held_for")).not_to_contain_text("Mid-point progress report")
    context.clear_cookies()

    # The organisation sees the instalment due, no longer waiting, and the staff's comment on its report.
    journey = Journey(_sign_in(context, base, lead))
    page = journey.page
    page.goto(f"{base}{award.get_absolute_url()}")
    row = page.get_by_role("row", name=re.compile("£6,000.00"))
    expect(row).to_contain_text("Scheduled")
    expect(row).to_contain_text(f"{today.day} {today:%b %Y}")
    expect(row).not_to_contain_text("Waiting for")
    page.goto(f"{base}{report.get_absolute_url()}")
    expect(page.get_by_text("Thank you: clear and complete.")).to_be_visible()
    journey.check("the accepted report")
    assert journey.problems == []
