"""funding/admin.py: instalments scheduled and edited on the award's page, the award pre-filled from the
application, every funding page linked to its neighbours, and the budget chart's legend."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from applications.models import Application
from funding import services
from funding.charts import SERIES
from funding.models import Award, FundingChange, Instalment
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    AwardFactory,
    CohortFactory,
    MembershipFactory,
    OpenCallFactory,
    UserFactory,
)
from tests.funding.helpers import _instalment, finance
from tests.test_admin_refusals import admin_form_data, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _with_new_rows(data: dict, *rows) -> dict:
    """The award form's data with new instalment rows (amount, due on, invoice reference) after the shown ones."""
    shown = int(data["instalments-TOTAL_FORMS"])
    for offset, (amount, due_on, reference) in enumerate(rows):
        index = shown + offset
        data[f"instalments-{index}-amount"] = amount
        data[f"instalments-{index}-due_on"] = due_on
        data[f"instalments-{index}-invoice_reference"] = reference
    data["instalments-TOTAL_FORMS"] = str(shown + len(rows))
    return data


# --- Instalments inline ---------------------------------------------------------------------


def test_two_instalments_added_on_the_award_are_scheduled_through_the_service_with_history(staff_client, staff):
    award = AwardFactory(amount=Decimal("10000.00"))
    url = reverse("admin:funding_award_change", args=[award.pk])
    data = _with_new_rows(
        admin_form_data(staff_client.get(url)), ("6000.00", "2027-01-31", "INV-1"), ("4000.00", "2027-04-30", "")
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302
    assert list(award.instalments.values_list("amount", "due_on", "invoice_reference", "status")) == [
        (Decimal("6000.00"), date(2027, 1, 31), "INV-1", Instalment.Status.SCHEDULED),
        (Decimal("4000.00"), date(2027, 4, 30), "", Instalment.Status.SCHEDULED),
    ]
    history = FundingChange.objects.filter(award=award).order_by("pk")
    assert [(c.action, c.by, c.after["amount"], c.after["due_on"]) for c in history] == [
        ("instalment scheduled", staff, "6000.00", "2027-01-31"),
        ("instalment scheduled", staff, "4000.00", "2027-04-30"),
    ]
    assert [c.instalment for c in history] == list(award.instalments.all())


def test_an_award_and_its_instalments_are_created_in_one_save(staff_client, staff):
    membership = MembershipFactory()
    url = reverse("admin:funding_award_add")
    data = admin_form_data(staff_client.get(url))
    data.update(membership=membership.pk, amount="5000.00")
    response = staff_client.post(
        url, _with_new_rows(data, ("2500.00", "2027-01-31", ""), ("2500.00", "2027-03-31", ""))
    )
    assert response.status_code == 302
    award = Award.objects.get(membership=membership)
    assert list(award.instalments.values_list("amount", flat=True)) == [Decimal("2500.00"), Decimal("2500.00")]
    assert list(FundingChange.objects.filter(award=award).values_list("action", flat=True)) == [
        "award created",
        "instalment scheduled",
        "instalment scheduled",
    ]


def test_an_inline_instalment_beyond_what_remains_is_refused_on_the_form_and_nothing_is_saved(staff_client, staff):
    award = AwardFactory(amount=Decimal("10000.00"))
    _instalment(award, "5000.00", staff)
    url = reverse("admin:funding_award_change", args=[award.pk])
    data = admin_form_data(staff_client.get(url))
    data["notes"] = "Second tranche agreed by phone."
    # The first new row fits; the second takes the award over: the whole save is refused, the first included.
    response = staff_client.post(
        url, _with_new_rows(data, ("3000.00", "2027-02-28", ""), ("2500.00", "2027-05-31", "INV-9"))
    )
    assert refused(response) == [
        "The new instalment of £2,500.00 due 31 May 2027: Scheduling £2,500.00 would take this award's "
        "instalments over the award: only £2,000.00 remains of this £10,000.00 award."
    ]
    assert "only £2,000.00 remains of this £10,000.00 award." in response.content.decode()
    assert list(award.instalments.values_list("amount", flat=True)) == [Decimal("5000.00")]
    assert list(FundingChange.objects.filter(award=award).values_list("action", flat=True)) == ["instalment scheduled"]
    award.refresh_from_db()
    assert award.notes == ""
    # What was typed is kept for the staff member to correct.
    formset = response.context["inline_admin_formsets"][0].formset
    assert [f["amount"].value() for f in formset.forms] == ["5000.00", "3000.00", "2500.00"]  # as the inputs show


def test_editing_an_inline_instalment_goes_through_the_service_and_its_amount_stays_fixed(staff_client, staff):
    award = AwardFactory(amount=Decimal("10000.00"))
    instalment = _instalment(award, "4000.00", staff)
    url = reverse("admin:funding_award_change", args=[award.pk])
    data = admin_form_data(staff_client.get(url))
    data.update({"instalments-0-due_on": "2027-03-15", "instalments-0-invoice_reference": "INV-7"})
    data["instalments-0-amount"] = "9000.00"  # the field is disabled: a posted value is ignored
    assert staff_client.post(url, data).status_code == 302
    instalment.refresh_from_db()
    assert (instalment.amount, instalment.due_on, instalment.invoice_reference) == (
        Decimal("4000.00"),
        date(2027, 3, 15),
        "INV-7",
    )
    change = FundingChange.objects.get(action="instalment changed")
    assert (change.by, change.instalment, change.before["due_on"], change.after["due_on"]) == (
        staff,
        instalment,
        "2027-01-31",
        "2027-03-15",
    )
    assert (change.before["invoice_reference"], change.after["invoice_reference"]) == ("", "INV-7")


def test_an_inline_edit_the_service_refuses_is_a_message_on_the_form(staff_client, staff):
    award = AwardFactory(amount=Decimal("10000.00"))
    _instalment(award, "1000.00", staff)
    other = _instalment(award, "1000.00", staff)
    services.instalment_update(instalment=other, by=staff, invoice_reference="INV-1")
    url = reverse("admin:funding_award_change", args=[award.pk])
    data = admin_form_data(staff_client.get(url))
    data["instalments-0-invoice_reference"] = "inv-1"
    response = staff_client.post(url, data)
    assert refused(response) == [
        "The instalment of £1,000.00 due 31 Jan 2027: Invoice reference inv-1 is already used by the "
        "instalment of £1,000.00 due 31 Jan 2027 on this award."
    ]
    assert list(award.instalments.values_list("invoice_reference", flat=True)) == ["", "INV-1"]


# --- The award pre-filled from the application ---------------------------------------------


def test_adding_an_award_for_a_membership_starts_from_the_accepted_applications_requested_amount(staff_client):
    call = OpenCallFactory()
    accepted = ApplicationFactory(call=call, status=Application.Status.ACCEPTED, funding_requested=Decimal("12345.67"))
    # Another call of the same cohort, not accepted: its amount is not the one.
    ApplicationFactory(
        call=OpenCallFactory(cohort=call.cohort),
        organisation=accepted.organisation,
        status=Application.Status.REJECTED,
        funding_requested=Decimal("999.00"),
    )
    membership = MembershipFactory(cohort=call.cohort, organisation=accepted.organisation)
    response = staff_client.get(f"{reverse('admin:funding_award_add')}?membership={membership.pk}")
    form = response.context["adminform"].form
    assert form.initial["amount"] == Decimal("12345.67")
    assert form["amount"].value() == "12345.67"  # as the input shows it (MoneyField.prepare_value)
    assert 'name="amount" value="12345.67"' in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "999999999", "", "99999999999999999999999"])
def test_an_unreadable_membership_in_the_address_prefills_nothing(staff_client, value):
    response = staff_client.get(f"{reverse('admin:funding_award_add')}?membership={value}")
    assert response.status_code == 200
    assert "amount" not in response.context["adminform"].form.initial


def test_a_membership_added_by_staff_prefills_no_amount(staff_client):
    membership = MembershipFactory()
    response = staff_client.get(f"{reverse('admin:funding_award_add')}?membership={membership.pk}")
    assert response.context["adminform"].form.initial == {"membership": str(membership.pk)}


# --- Every funding page links to its neighbours --------------------------------------------


def _hrefs(response) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', response.content.decode()))


def test_the_award_page_links_to_its_neighbours_and_the_budget_dashboard(staff_client, staff):
    application = ApplicationFactory(status=Application.Status.ACCEPTED)
    award = AwardFactory(membership__cohort=application.call.cohort, membership__organisation=application.organisation)
    membership = award.membership
    hrefs = _hrefs(staff_client.get(reverse("admin:funding_award_change", args=[award.pk])))
    assert {
        f"/admin/cohorts/organisation/{membership.organisation_id}/change/",
        f"/admin/cohorts/cohort/{membership.cohort_id}/change/",
        f"/admin/cohorts/membership/{membership.pk}/change/",
        f"/admin/applications/application/{application.pk}/change/",
        f"/admin/funding/instalment/?award__id__exact={award.pk}",
        f"/funding/cohorts/{membership.cohort.slug}/",
    } <= hrefs
    listing = _hrefs(staff_client.get(reverse("admin:funding_award_changelist")))
    assert f"/funding/cohorts/{membership.cohort.slug}/" in listing


def test_the_instalment_page_links_to_its_award_and_the_budget(staff_client, staff):
    award = AwardFactory()
    instalment = _instalment(award, "1000.00", staff)
    hrefs = _hrefs(staff_client.get(reverse("admin:funding_instalment_change", args=[instalment.pk])))
    assert {
        f"/admin/funding/award/{award.pk}/change/",
        f"/admin/cohorts/membership/{award.membership_id}/change/",
        f"/admin/cohorts/organisation/{award.membership.organisation_id}/change/",
        f"/funding/cohorts/{award.membership.cohort.slug}/",
    } <= hrefs


def test_the_membership_page_offers_add_award_then_links_to_the_award(staff_client):
    membership = MembershipFactory()
    url = reverse("admin:cohorts_membership_change", args=[membership.pk])
    hrefs = _hrefs(staff_client.get(url))
    assert f"/admin/funding/award/add/?membership={membership.pk}" in hrefs
    assert f"/funding/cohorts/{membership.cohort.slug}/" in hrefs
    award = AwardFactory(membership=membership)
    hrefs = _hrefs(staff_client.get(url))
    assert f"/admin/funding/award/{award.pk}/change/" in hrefs
    assert f"/admin/funding/award/add/?membership={membership.pk}" not in hrefs


def test_the_cohort_page_and_list_link_to_the_budget_and_the_budget_back(staff_client):
    award = AwardFactory()
    cohort = award.membership.cohort
    budget = f"/funding/cohorts/{cohort.slug}/"
    assert budget in _hrefs(staff_client.get(reverse("admin:cohorts_cohort_change", args=[cohort.pk])))
    assert budget in _hrefs(staff_client.get(reverse("admin:cohorts_cohort_changelist")))
    dashboard = _hrefs(staff_client.get(budget))
    assert {
        f"/admin/cohorts/cohort/{cohort.pk}/change/",
        f"/admin/funding/award/{award.pk}/change/",
        f"/admin/funding/award/?membership__cohort__id__exact={cohort.pk}",
    } <= dashboard


# --- The budget chart ----------------------------------------------------------------------


def test_the_budget_legend_matches_the_bars_colours_and_shows_scheduled_amounts(client, staff):
    cohort = CohortFactory()
    first = AwardFactory(membership__cohort=cohort, amount=Decimal("10000.00"))
    second = AwardFactory(membership__cohort=cohort, amount=Decimal("5000.00"))
    approver, payer = finance(), finance()
    paid = _instalment(first, "1000.00", staff)
    services.instalment_approve(instalment=paid, by=approver)
    services.instalment_mark_paid(instalment=paid, by=payer)
    services.instalment_approve(instalment=_instalment(first, "2000.00", staff), by=approver)
    _instalment(first, "3000.00", staff)
    _instalment(second, "1500.00", staff)
    services.instalment_cancel(instalment=_instalment(second, "700.00", staff), by=approver)
    client.force_login(staff)
    response = client.get(reverse("funding:dashboard", args=[cohort.slug]))
    page = response.content.decode()
    legend = re.findall(r'<text data-series="(\w+)"[^>]*>([^<]+)</text>', page)
    assert legend == [
        ("unscheduled", "Not yet scheduled: £7,500.00"),
        ("scheduled", "Scheduled, not yet approved: £4,500.00"),
        ("approved", "Approved, not yet paid: £2,000.00"),
        ("paid", "Paid: £1,000.00"),
    ]
    swatches = re.findall(r'<rect data-series="(\w+)" x="0"[^>]* fill="(#[0-9a-f]{6})"/>', page)
    bars = set(re.findall(r'<rect data-series="(\w+)" x="220"[^>]* fill="(#[0-9a-f]{6})"/>', page))
    assert swatches == [(s.key, s.colour) for s in SERIES]
    assert bars == set(swatches)
    assert (
        "Not yet scheduled (grey): £7,500.00. Scheduled, not yet approved (amber): £4,500.00. "
        "Approved, not yet paid (light blue): £2,000.00. Paid (dark blue): £1,000.00."
    ) in page
    assert response.context["totals"]["scheduled"] == Decimal("4500.00")


# --- In Chromium, as staff take it -----------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_add_the_award_from_the_membership_with_two_instalments_then_open_the_budget(live_server, browser):
    base = live_server.url
    application = ApplicationFactory(status=Application.Status.ACCEPTED, funding_requested=Decimal("12000.00"))
    membership = MembershipFactory(cohort=application.call.cohort, organisation=application.organisation)
    staff = UserFactory(email="staff@cohortnet.example", is_staff=True, is_superuser=True)
    context = browser.new_context()
    context.set_default_timeout(10_000)
    admin = context.new_page()
    violations = []
    admin.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    admin.goto(f"{base}/admin/")
    admin.get_by_label("Email").fill(staff.email)
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Sign In").click()
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
    assert list(award.instalments.values_list("amount", flat=True)) == [Decimal("7000.00"), Decimal("5000.00")]
    admin.get_by_role("link", name="Budget dashboard").click()
    expect(admin.get_by_text("Scheduled, not yet approved: £12,000.00")).to_be_visible()
    assert violations == []
