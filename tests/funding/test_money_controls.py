"""Money controls: the budget checked when an instalment is scheduled, one invoice per instalment,
approving kept apart from paying, and instalment edits in the admin going through the services."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from funding import services
from funding.models import FundingChange, Instalment
from tests.factories import AwardFactory, UserFactory
from tests.helpers import race

pytestmark = pytest.mark.django_db


def finance(**kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name="Finance"))
    return user


def schedule(award, amount, by=None, **kwargs):
    return services.instalment_schedule(award=award, amount=Decimal(amount), due_on=date(2027, 1, 31), by=by, **kwargs)


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="staff@cohortnet.example"))
    return client


# --- Scheduling within what remains ------------------------------------------------------------


def test_scheduling_beyond_what_remains_is_refused_in_pounds_and_writes_nothing():
    award = AwardFactory(amount=Decimal("20000.00"))
    schedule(award, "10000.00")
    schedule(award, "7500.00")
    with pytest.raises(ValidationError) as excinfo:
        schedule(award, "2500.01")
    assert excinfo.value.message_dict == {
        "amount": [
            "Scheduling £2,500.01 would take this award's instalments over the award: "
            "only £2,500.00 remains of this £20,000.00 award."
        ]
    }
    assert Instalment.objects.filter(award=award).count() == 2
    assert FundingChange.objects.filter(award=award).count() == 2
    # Exactly what remains still fits.
    assert schedule(award, "2500.00").amount == Decimal("2500.00")


def test_approved_and_paid_instalments_count_and_cancelled_ones_give_their_amount_back():
    award = AwardFactory(amount=Decimal("10000.00"))
    approver, payer = finance(), finance()
    paid = schedule(award, "4000.00")
    services.instalment_approve(instalment=paid, by=approver)
    services.instalment_mark_paid(instalment=paid, by=payer)
    services.instalment_approve(instalment=schedule(award, "3000.00"), by=approver)
    cancelled = schedule(award, "3000.00")
    with pytest.raises(ValidationError) as excinfo:
        schedule(award, "0.01")
    assert excinfo.value.messages == [
        "Scheduling £0.01 would take this award's instalments over the award: "
        "only £0.00 remains of this £10,000.00 award."
    ]
    services.instalment_cancel(instalment=cancelled, by=approver)
    assert schedule(award, "3000.00").status == Instalment.Status.SCHEDULED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_people_scheduling_5000_at_once_on_a_20000_award_schedule_exactly_four():
    award = AwardFactory(amount=Decimal("20000.00"))
    staff = UserFactory(is_staff=True)
    errors = race(range(10), lambda _n: schedule(award, "5000.00", by=staff))
    assert Instalment.objects.filter(award=award).count() == 4
    assert FundingChange.objects.filter(award=award, action="instalment scheduled").count() == 4
    assert len(errors) == 6
    assert {type(e) for e in errors} == {ValidationError}
    assert {m for e in errors for m in e.messages} == {
        "Scheduling £5,000.00 would take this award's instalments over the award: "
        "only £0.00 remains of this £20,000.00 award."
    }


def test_the_admin_add_form_refuses_scheduling_beyond_what_remains(staff_client):
    award = AwardFactory(amount=Decimal("20000.00"))
    schedule(award, "17500.00")
    response = staff_client.post(
        reverse("admin:funding_instalment_add"),
        {"award": award.pk, "amount": "2500.01", "due_on": "2027-02-28", "invoice_reference": ""},
    )
    assert response.status_code == 200
    assert "only £2,500.00 remains of this £20,000.00 award." in response.content.decode()
    assert Instalment.objects.filter(award=award).count() == 1


# --- One invoice, one instalment ----------------------------------------------------------------


def test_an_invoice_reference_repeated_on_one_award_is_refused_in_any_case():
    award = AwardFactory()
    first = schedule(award, "1000.00", invoice_reference="INV-001")
    with pytest.raises(ValidationError) as excinfo:
        schedule(award, "1000.00", invoice_reference="inv-001")
    assert excinfo.value.message_dict == {
        "invoice_reference": [
            "Invoice reference inv-001 is already used by the instalment of £1,000.00 due 31 Jan 2027 on this award."
        ]
    }
    other = schedule(award, "500.00", invoice_reference="INV-002")
    with pytest.raises(ValidationError):
        services.instalment_update(instalment=other, by=None, invoice_reference="INV-001")
    # Another award may have its own INV-001, and a cancelled instalment's invoice may pay its replacement.
    assert schedule(AwardFactory(), "1000.00", invoice_reference="INV-001").invoice_reference == "INV-001"
    services.instalment_cancel(instalment=first, by=finance())
    assert schedule(award, "1000.00", invoice_reference="INV-001").status == Instalment.Status.SCHEDULED


def test_the_database_refuses_a_repeated_invoice_reference_written_around_the_service():
    award = AwardFactory()
    Instalment.objects.create(award=award, amount=Decimal("1"), due_on=date(2027, 1, 1), invoice_reference="A-1")
    Instalment.objects.create(
        award=award, amount=Decimal("1"), due_on=date(2027, 1, 1), invoice_reference="A-1", status="cancelled"
    )
    Instalment.objects.create(award=award, amount=Decimal("1"), due_on=date(2027, 1, 1), invoice_reference="")
    Instalment.objects.create(award=award, amount=Decimal("1"), due_on=date(2027, 1, 1), invoice_reference="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Instalment.objects.create(award=award, amount=Decimal("1"), due_on=date(2027, 1, 1), invoice_reference="a-1")


def test_the_admin_add_form_refuses_a_repeated_invoice_reference(staff_client):
    award = AwardFactory()
    schedule(award, "1000.00", invoice_reference="INV-7")
    response = staff_client.post(
        reverse("admin:funding_instalment_add"),
        {"award": award.pk, "amount": "1000.00", "due_on": "2027-02-28", "invoice_reference": "INV-7"},
    )
    assert response.status_code == 200
    assert "INV-7 is already used" in response.content.decode() or (
        "already used by another instalment of this award" in response.content.decode()
    )
    assert Instalment.objects.filter(award=award).count() == 1


# --- Approving and paying are kept apart ----------------------------------------------------------


def test_the_person_who_approved_cannot_mark_it_paid_and_another_can():
    instalment = schedule(AwardFactory(), "1000.00")
    approver, payer = finance(), finance(email="payer@cohortnet.example")
    services.instalment_approve(instalment=instalment, by=approver)
    with pytest.raises(ValidationError) as excinfo:
        services.instalment_mark_paid(instalment=instalment, by=approver)
    assert excinfo.value.messages == [
        "You approved this instalment, so another member of Finance must mark it paid: "
        "approving and paying are kept apart."
    ]
    instalment.refresh_from_db()
    assert instalment.status == Instalment.Status.APPROVED
    services.instalment_mark_paid(instalment=instalment, by=payer)
    instalment.refresh_from_db()
    assert (instalment.status, instalment.approved_by, instalment.paid_by) == ("paid", approver, payer)
    assert "waiver" not in FundingChange.objects.get(action="instalment paid").after


def test_a_one_person_finance_team_may_waive_the_separation_and_the_history_says_so(settings):
    settings.FUNDING_ALLOW_SAME_APPROVER_AND_PAYER = True
    instalment = schedule(AwardFactory(), "1000.00")
    officer = finance()
    services.instalment_approve(instalment=instalment, by=officer)
    services.instalment_mark_paid(instalment=instalment, by=officer)
    instalment.refresh_from_db()
    assert (instalment.approved_by, instalment.paid_by) == (officer, officer)
    paid = FundingChange.objects.get(action="instalment paid")
    assert paid.by == officer
    assert paid.after["status"] == "paid"
    assert paid.after["waiver"] == ("approved and paid by the same person (FUNDING_ALLOW_SAME_APPROVER_AND_PAYER)")


def test_the_admin_mark_paid_action_refuses_the_approver(client):
    from django.contrib.auth.models import Permission

    instalment = schedule(AwardFactory(), "1000.00")
    officer = finance()
    officer.user_permissions.add(*Permission.objects.filter(content_type__app_label="funding"))
    services.instalment_approve(instalment=instalment, by=officer)
    client.force_login(officer)
    response = client.post(
        reverse("admin:funding_instalment_changelist"),
        {"action": "mark_paid", "_selected_action": [instalment.pk]},
        follow=True,
    )
    assert "another member of Finance must mark it paid" in response.content.decode()
    instalment.refresh_from_db()
    assert instalment.status == Instalment.Status.APPROVED


# --- Instalment edits go through the service ----------------------------------------------------


def test_the_amount_of_a_scheduled_instalment_cannot_change_even_outside_the_admin():
    instalment = schedule(AwardFactory(), "1000.00")
    with pytest.raises(ValidationError) as excinfo:
        services.instalment_update(instalment=instalment, by=None, amount=Decimal("999.00"))
    assert excinfo.value.messages == [
        "The amount of a scheduled instalment is fixed; cancel it and schedule a new one instead."
    ]
    instalment.refresh_from_db()
    assert instalment.amount == Decimal("1000.00")
    assert list(FundingChange.objects.values_list("action", flat=True)) == ["instalment scheduled"]
    # Passing the same amount back (as a form might) is not a change.
    services.instalment_update(instalment=instalment, by=None, amount=Decimal("1000.00"))


def test_a_paid_instalments_due_date_is_history():
    instalment = schedule(AwardFactory(), "1000.00")
    services.instalment_approve(instalment=instalment, by=finance())
    services.instalment_mark_paid(instalment=instalment, by=finance())
    with pytest.raises(ValidationError) as excinfo:
        services.instalment_update(instalment=instalment, by=None, due_on=date(2027, 6, 1))
    assert excinfo.value.message_dict == {"due_on": ["A paid instalment's due date can no longer change."]}
    # Its invoice reference may still be filled in after payment.
    updated = services.instalment_update(instalment=instalment, by=None, invoice_reference="R-9")
    assert updated.invoice_reference == "R-9"


def test_the_admin_add_form_schedules_through_the_service(staff_client):
    award = AwardFactory(amount=Decimal("20000.00"))
    response = staff_client.post(
        reverse("admin:funding_instalment_add"),
        {"award": award.pk, "amount": "2500.00", "due_on": "2027-02-28", "invoice_reference": "INV-1"},
    )
    assert response.status_code == 302
    instalment = Instalment.objects.get(award=award)
    change = FundingChange.objects.get(instalment=instalment)
    assert (change.action, change.by.email, change.before) == ("instalment scheduled", "staff@cohortnet.example", {})
    assert change.after == {
        "amount": "2500.00",
        "due_on": "2027-02-28",
        "status": "scheduled",
        "invoice_reference": "INV-1",
        "invoice_file": "",
    }


def test_the_admin_change_form_writes_the_history_and_leaves_the_amount_alone(staff_client):
    instalment = schedule(AwardFactory(), "1000.00", invoice_reference="INV-1")
    url = reverse("admin:funding_instalment_change", args=[instalment.pk])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(
        url, {"amount": "5.00", "due_on": "2027-03-31", "invoice_reference": "INV-1b", "award": AwardFactory().pk}
    )
    assert response.status_code == 302
    instalment.refresh_from_db()
    assert (instalment.amount, instalment.due_on, instalment.invoice_reference) == (
        Decimal("1000.00"),
        date(2027, 3, 31),
        "INV-1b",
    )
    change = FundingChange.objects.get(action="instalment changed")
    assert change.by.email == "staff@cohortnet.example"
    assert change.instalment == instalment
    assert (change.before["due_on"], change.after["due_on"]) == ("2027-01-31", "2027-03-31")
    assert (change.before["invoice_reference"], change.after["invoice_reference"]) == ("INV-1", "INV-1b")
    assert change.before["amount"] == change.after["amount"] == "1000.00"


def test_saving_the_admin_change_form_unchanged_writes_no_history(staff_client):
    instalment = schedule(AwardFactory(), "1000.00", invoice_reference="INV-1")
    url = reverse("admin:funding_instalment_change", args=[instalment.pk])
    response = staff_client.post(url, {"due_on": "2027-01-31", "invoice_reference": "INV-1"})
    assert response.status_code == 302
    assert list(FundingChange.objects.values_list("action", flat=True)) == ["instalment scheduled"]
