"""Issue 14's acceptance journey on Chromium: staff run a call from the staff home to the budget, without Django.

Staff home → the new application counted → bulk-assign two reviewers with balance → a reviewer scores → staff
accept through the confirmation → preview the held email (the person's name in it) → send all held for the call →
the home's counts change → the award with two instalments inline → Finance (another person) approves one → the
budget dashboard from the award.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from applications.models import Application, ReviewAssignment
from cohorts.models import Membership
from funding.models import Award, Instalment
from notifications.models import Email
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    CriterionFactory,
    OpenCallFactory,
    OrganisationPersonFactory,
    UserFactory,
    reviewer,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The one policy refusal that is expected: the preview frame's own policy blocks the email's decorative inline
#: style (tests/notifications/test_admin_preview.py); every page of the site itself must refuse nothing.
FRAME_POLICY = "directive 'default-src 'none''"


def _sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def _home_count(page, section, label):
    """The link holding the count beside ``label`` in the staff home's ``section`` table."""
    row = (
        page.get_by_role("table", name=section)
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=label, exact=True))
    )
    return row.get_by_role("link")


def test_staff_run_a_call_from_the_staff_home_to_the_budget(live_server, browser, mailoutbox):
    base = live_server.url
    call = OpenCallFactory(title="Peer learning 2027", cohort__name="Stewards 2027")
    relevance = CriterionFactory(call=call, name="Relevance", weight=Decimal("2.00"))
    capacity = CriterionFactory(call=call, name="Capacity", weight=Decimal("1.00"))
    lead = OrganisationPersonFactory(
        organisation__name="Harbour Tide Data Trust", user__name="Maya Okafor", user__email="maya@harbour.example"
    )
    harbour = ApplicationFactory(
        call=call, organisation=lead.organisation, created_by=lead.user, status="submitted",
        funding_requested=Decimal("12000.00"),
    )  # fmt: skip
    other = ApplicationFactory(call=call, organisation__name="Riverwatch Water Commons", status="submitted")
    ana = reviewer(name="Ana Abara", email="ana@uni-a.example")
    ben = reviewer(name="Ben Bello", email="ben@uni-b.example")
    staff = UserFactory(name="Sam Staff", email="sam@cohortnet.example", is_staff=True, is_superuser=True)
    finance = UserFactory(name="Fay Finance", email="fay@cohortnet.example", is_staff=True)
    finance.groups.add(Group.objects.get(name="Finance"))

    refused = []

    def watch(page):
        page.set_default_timeout(10_000)
        page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
        return page

    admin = watch(browser.new_context().new_page())

    # The staff home counts the new applications.
    admin.goto(f"{base}/admin/")
    admin.get_by_label("Email").fill(staff.email)
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Sign In").click()
    expect(admin.get_by_role("heading", name="Site administration")).to_be_visible()
    expect(_home_count(admin, "Applications by workflow state", "Submitted")).to_have_text("2")
    expect(_home_count(admin, "Applications by workflow state", "Accepted")).to_have_text("0")

    # From the count to the list, then two reviewers balanced one each over the two applications.
    _home_count(admin, "Applications by workflow state", "Submitted").click()
    expect(admin.get_by_role("row", name=re.compile("Harbour Tide Data Trust"))).to_be_visible()
    admin.get_by_role("checkbox", name="Select all objects on this page").check()
    admin.get_by_label("Action:").select_option(label="Assign reviewers (choose, or balance by load)")
    admin.get_by_role("button", name="Go").click()
    expect(admin.get_by_role("heading", name="Assign reviewers", level=1)).to_be_visible()
    admin.get_by_role("radio", name="Balance:").check()
    admin.get_by_label("Reviewers each application should have (balance)").fill("1")
    admin.get_by_role("button", name="Assign reviewers").click()
    expect(admin.get_by_text("Reviewers assigned.")).to_be_visible()
    pairs = set(ReviewAssignment.objects.values_list("application_id", "reviewer_id"))
    assert pairs == {(harbour.pk, ana.pk), (other.pk, ben.pk)}
    assert sorted(m.to[0] for m in mailoutbox if m.subject.startswith("Please review")) == [
        "ana@uni-a.example",
        "ben@uni-b.example",
    ]

    # Ana signs in, finds the review first on her landing page and scores it.
    review_page = watch(browser.new_context().new_page())
    _sign_in(review_page, base, ana.email)
    review_page.goto(f"{base}/reviews/")
    review_page.get_by_role("link", name=re.compile("Harbour Tide Data Trust")).first.click()
    review_page.locator(f'input[name="score_{relevance.pk}"][value="4"]').check()
    review_page.locator(f'input[name="score_{capacity.pk}"][value="5"]').check()
    review_page.get_by_label("Accept", exact=True).check()
    review_page.get_by_label("Overall comment").fill("Strong stewardship of tide data.")
    review_page.get_by_role("button", name=re.compile("Submit")).click()
    expect(review_page.get_by_text("Your review has been submitted.")).to_be_visible()

    # Staff accept through the confirmation page, which says what will happen.
    admin.goto(f"{base}/admin/applications/application/?status__exact=under_review")
    harbour_row = admin.get_by_role("row", name=re.compile("Harbour Tide Data Trust"))
    expect(harbour_row.get_by_role("cell", name="4.33")).to_be_visible()  # (2×4 + 1×5) / 3
    harbour_row.get_by_role("checkbox").check()
    admin.get_by_label("Action:").select_option(label="Accept: make the organisation a member of the cohort")
    admin.get_by_role("button", name="Go").click()
    expect(admin.get_by_role("cell", name="Accept: becomes a member of Stewards 2027")).to_be_visible()
    admin.get_by_role("button", name="Yes, accept: 1 application").click()
    expect(
        admin.get_by_text("Accepted 1 application(s). Decision emails are held in the outbox for you to read and send.")
    ).to_be_visible()
    held = Email.objects.get(kind="decision")
    assert (held.status, held.to_email) == (Email.Status.HELD, "maya@harbour.example")

    # The held email, previewed as Maya will see it, then every held email of the call sent after a confirmation.
    admin.goto(f"{base}/admin/")
    expect(_home_count(admin, "Email", "Decisions made, emails held for review")).to_have_text("1")
    _home_count(admin, "Email", "Decisions made, emails held for review").click()
    admin.get_by_role("link", name=held.subject).click()
    expect(admin.get_by_role("heading", name="As Maya Okafor will see it")).to_be_visible()
    frame = admin.frame_locator("iframe.email-preview-html")
    expect(frame.locator("p").first).to_have_text("Dear Maya Okafor,")
    # From the keyboard, as the confirmation pages are meant to be reached.
    admin.get_by_role("link", name=re.compile("Send all 1 held for")).press("Enter")
    expect(admin.locator(".confirm-send-count")).to_contain_text("All 1 email held for ")
    expect(admin.get_by_role("listitem").filter(has_text="Maya Okafor <maya@harbour.example>")).to_have_count(1)
    admin.get_by_role("button", name="Yes, send 1 email").click()
    expect(admin.get_by_text("Sent 1 email(s): they are queued and go out within a minute.")).to_be_visible()
    assert [m.to for m in mailoutbox if m.subject == held.subject] == [["maya@harbour.example"]]

    # The home's counts moved.
    admin.goto(f"{base}/admin/")
    expect(_home_count(admin, "Email", "Decisions made, emails held for review")).to_have_text("0")
    expect(_home_count(admin, "Applications by workflow state", "Accepted")).to_have_text("1")
    expect(_home_count(admin, "Applications by workflow state", "Under review")).to_have_text("1")
    expect(_home_count(admin, "Applications by workflow state", "Submitted")).to_have_text("0")

    # The award, from the membership's "Add award", pre-filled, with two instalments inline.
    membership = Membership.objects.get(cohort=call.cohort, organisation=harbour.organisation)
    admin.goto(f"{base}/admin/cohorts/membership/{membership.pk}/change/")
    admin.get_by_role("link", name="Add award").click()
    expect(admin.get_by_label("Amount (GBP, excluding VAT)")).to_have_value("12000.00")
    for index, (amount, due) in enumerate([("7000.00", "2027-01-31"), ("5000.00", "2027-04-30")]):
        admin.get_by_role("button", name=re.compile("Add another Instalment")).click()
        admin.locator(f'input[name="instalments-{index}-amount"]').fill(amount)
        admin.locator(f'input[name="instalments-{index}-due_on"]').fill(due)
    admin.get_by_role("button", name="Save and continue editing").click()
    expect(admin.get_by_text("was added successfully")).to_be_visible()
    award = Award.objects.get(membership=membership)
    assert (award.amount, award.created_by) == (Decimal("12000.00"), staff)
    assert list(award.instalments.order_by("due_on").values_list("amount", "status")) == [
        (Decimal("7000.00"), Instalment.Status.SCHEDULED),
        (Decimal("5000.00"), Instalment.Status.SCHEDULED),
    ]
    admin.goto(f"{base}/admin/")
    expect(_home_count(admin, "Funding", "Instalments awaiting approval")).to_have_text("2")

    # Fay, of the Finance group, approves the first instalment from the list the home links to.
    books = watch(browser.new_context().new_page())
    books.goto(f"{base}/admin/")
    books.get_by_label("Email").fill(finance.email)
    books.get_by_label("Password").fill(PASSWORD)
    books.get_by_role("button", name="Sign In").click()
    _home_count(books, "Funding", "Instalments awaiting approval").click()
    books.get_by_role("row", name=re.compile("7,000")).get_by_role("checkbox").check()
    books.get_by_label("Action:").select_option(label="Approve (Finance)")
    books.get_by_role("button", name="Go").click()
    expect(books.get_by_text("Approved 1 instalment(s).")).to_be_visible()
    first = award.instalments.get(amount=Decimal("7000.00"))
    assert (first.status, first.approved_by) == (Instalment.Status.APPROVED, finance)

    # The home counts it, and the budget dashboard is one click from the award.
    admin.goto(f"{base}/admin/")
    expect(_home_count(admin, "Funding", "Instalments awaiting approval")).to_have_text("1")
    expect(_home_count(admin, "Funding", "Instalments approved, awaiting payment")).to_have_text("1")
    admin.goto(f"{base}/admin/funding/award/{award.pk}/change/")
    admin.get_by_role("link", name="Budget dashboard").click()
    expect(admin.get_by_text("Scheduled, not yet approved: £5,000.00")).to_be_visible()
    assert Application.objects.get(pk=harbour.pk).status == Application.Status.ACCEPTED

    # No page of the site broke its policy; only the preview frame held back the email's own inline style.
    assert [text for text in refused if FRAME_POLICY not in text] == []
