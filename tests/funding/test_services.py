"""funding/services.py: the call's cap, the award lock, approving, paying and cancelling instalments."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funding import services
from funding.models import FundingChange, Instalment
from tests.factories import AwardFactory, CohortFactory, MembershipFactory, OpenCallFactory
from tests.funding.helpers import _instalment, finance
from tests.helpers import race


@pytest.mark.django_db
def test_the_open_calls_lower_cap_is_enforced_too():
    cohort = CohortFactory()
    OpenCallFactory(cohort=cohort, funding_cap=Decimal("15000.00"))
    with pytest.raises(ValidationError) as excinfo:
        services.award_create(membership=MembershipFactory(cohort=cohort), amount=Decimal("15000.01"), created_by=None)
    assert excinfo.value.message_dict == {
        "amount": ["This cohort's open call funds at most £15,000.00 per organisation."]
    }


@pytest.mark.django_db
def test_approving_past_an_award_cut_after_scheduling_is_refused_naming_what_remains():
    award = AwardFactory(amount=Decimal("10000.00"))
    officer = finance()
    services.instalment_approve(instalment=_instalment(award, "7500.00", officer), by=officer)
    last = _instalment(award, "2500.00", officer)
    # Cutting the award to above what is approved is allowed; the scheduled instalment no longer fits.
    services.award_update(award=award, by=officer, amount=Decimal("9999.99"))
    with pytest.raises(ValidationError) as excinfo:
        services.instalment_approve(instalment=last, by=officer)
    assert excinfo.value.messages == [
        "Approving £2,500.00 would take approved and paid instalments over the award of £9,999.99: £2,499.99 remains."
    ]
    award.refresh_from_db()
    assert award.committed == Decimal("7500.00")


@pytest.mark.django_db
def test_paying_and_cancelling_keep_the_total_right_and_the_history():
    award = AwardFactory(amount=Decimal("20000.00"))
    officer = finance(email="finance@cohortnet.example")
    approver = finance()
    first = _instalment(award, "5000.00", officer)
    second = _instalment(award, "3000.00", officer)
    services.instalment_approve(instalment=first, by=approver)
    services.instalment_mark_paid(instalment=first, by=officer)
    services.instalment_approve(instalment=second, by=officer)
    services.instalment_cancel(instalment=second, by=officer)
    award.refresh_from_db()
    assert award.committed == Decimal("5000.00")
    assert list(FundingChange.objects.values_list("action", flat=True)) == [
        "instalment scheduled",
        "instalment scheduled",
        "instalment approved",
        "instalment paid",
        "instalment approved",
        "instalment cancelled",
    ]
    paid = FundingChange.objects.get(action="instalment paid")
    assert (paid.before["status"], paid.after["status"], paid.by.email) == (
        "approved",
        "paid",
        "finance@cohortnet.example",
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_finance_officers_approving_2500_each_leave_exactly_eight_approved():
    award = AwardFactory(amount=Decimal("20000.00"))
    officer = finance()
    # Written past the award directly (as an award cut after scheduling would leave them): the approval lock holds.
    instalments = [
        Instalment.objects.create(award=award, amount=Decimal("2500.00"), due_on=date(2027, 1, 31)) for _ in range(20)
    ]
    refused = race(instalments, lambda instalment: services.instalment_approve(instalment=instalment, by=officer))
    award.refresh_from_db()
    assert Instalment.objects.filter(award=award, status="approved").count() == 8
    assert award.committed == Decimal("20000.00")
    assert [type(exc) for exc in refused] == [ValidationError] * 12


# --- Holding an instalment for a report (outcomes ties and releases; funding knows only the label) ---


@pytest.mark.django_db
def test_only_a_scheduled_instalment_can_be_held_and_a_held_one_cannot_be_paid_either():
    award = AwardFactory(amount=Decimal("10000.00"))
    officer = finance()
    approved = _instalment(award, "1000.00", officer)
    services.instalment_approve(instalment=approved, by=officer)
    with pytest.raises(ValidationError) as excinfo:
        services.instalment_hold(instalment=approved, reason="the final report of X", by=officer)
    assert excinfo.value.messages == ["Only a scheduled instalment can wait for a report; this one is approved."]
    held = services.instalment_hold(
        instalment=_instalment(award, "500.00", officer), reason="the final report of X", by=officer
    )
    assert held.state_label == "Waiting for the final report of X"
    # Releasing without a date keeps the due date; releasing twice changes nothing more.
    released = services.instalment_release(instalment=held, by=officer)
    assert (released.held_for, released.due_on) == ("", date(2027, 1, 31))
    assert services.instalment_release(instalment=released, by=officer).due_on == date(2027, 1, 31)
    assert list(FundingChange.objects.filter(instalment=held).values_list("action", flat=True)) == [
        "instalment scheduled",
        "instalment held",
        "instalment released",
    ]
