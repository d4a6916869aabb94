"""Funding: the cap, the lock, who may do what, the dashboard, exports and time."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from events.models import RSVP
from events.services import rsvp_set
from funding import services
from funding.models import Award, FundingChange, Instalment, TimeEntry
from tests.factories import (
    AwardFactory,
    CohortFactory,
    EventFactory,
    MembershipFactory,
    OpenCallFactory,
    ParticipantFactory,
    UserFactory,
)
from tests.helpers import race
from toolbox.templatetags.money import gbp


def finance(**kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name="Finance"))
    return user


def _instalment(award, amount, by):
    return services.instalment_schedule(award=award, amount=Decimal(amount), due_on=date(2027, 1, 31), by=by)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("20000.01", "Ensure this value is less than or equal to 20000.00."),
        ("0", "Ensure this value is greater than or equal to 0.01."),
        ("-5", "Ensure this value is greater than or equal to 0.01."),
        ("lots", "Enter a number."),
        ("NaN", "Enter a number."),
    ],
)
def test_bad_award_amounts_are_refused_with_a_clear_message(client, amount, message):
    membership = MembershipFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:funding_award_add"),
        {"membership": membership.pk, "amount": amount, "status": "offered",
         "instalments-TOTAL_FORMS": "0", "instalments-INITIAL_FORMS": "0",
         "changes-TOTAL_FORMS": "0", "changes-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["amount"] == [message]
    assert Award.objects.count() == 0


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


@pytest.mark.django_db
def test_a_direct_orm_write_past_the_award_raises_integrity_error():
    award = AwardFactory(amount=Decimal("20000.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.filter(pk=award.pk).update(committed=F("amount") + Decimal("0.01"))


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


@pytest.mark.django_db
def test_staff_outside_finance_cannot_approve_or_mark_paid(client):
    award = AwardFactory()
    staff = UserFactory(is_staff=True, is_superuser=True)
    instalment = _instalment(award, "1000.00", staff)
    with pytest.raises(PermissionDenied):
        services.instalment_approve(instalment=instalment, by=staff)
    client.force_login(staff)
    changelist = client.get(reverse("admin:funding_instalment_changelist"))
    assert "approve" not in [name for name, _label in changelist.context["action_form"].fields["action"].choices]
    client.post(
        reverse("admin:funding_instalment_changelist"), {"action": "approve", "_selected_action": [instalment.pk]}
    )
    instalment.refresh_from_db()
    assert instalment.status == Instalment.Status.SCHEDULED

    officer = finance()
    client.force_login(officer)
    # Finance staff need the model permissions to use the admin at all.
    from django.contrib.auth.models import Permission

    officer.user_permissions.add(*Permission.objects.filter(content_type__app_label="funding"))
    client.post(
        reverse("admin:funding_instalment_changelist"), {"action": "approve", "_selected_action": [instalment.pk]}
    )
    instalment.refresh_from_db()
    assert instalment.status == Instalment.Status.APPROVED


@pytest.mark.django_db
def test_an_organisation_sees_its_own_award_and_another_is_a_404(client):
    award = AwardFactory()
    own = ParticipantFactory(membership=award.membership)
    client.force_login(own.user)
    assert client.get(award.get_absolute_url()).status_code == 200
    client.force_login(ParticipantFactory(membership__cohort=award.membership.cohort).user)
    assert client.get(award.get_absolute_url()).status_code == 404
    client.force_login(UserFactory())
    assert client.get(award.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_participants_log_time_and_bad_hours_are_field_errors(client):
    award = AwardFactory()
    participant = ParticipantFactory(membership=award.membership)
    client.force_login(participant.user)
    response = client.post(
        award.get_absolute_url(), {"date": "2026-11-20", "hours": "2.5", "activity": "Drafting the output"}
    )
    assert response.status_code == 302
    assert TimeEntry.objects.get().hours == Decimal("2.50")
    for hours in ("0", "25", "-1", "many"):
        response = client.post(award.get_absolute_url(), {"date": "2026-11-20", "hours": hours, "activity": "x"})
        assert response.status_code == 200
        assert response.context["form"].errors["hours"]
    assert TimeEntry.objects.count() == 1


@pytest.mark.django_db
def test_marking_attendance_creates_the_time_entry_once_and_unmarking_removes_it(client):
    event = EventFactory()
    participant = ParticipantFactory(membership__cohort=event.cohort)
    rsvp = rsvp_set(event=event, user=participant.user, going=True)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:events_rsvp_changelist")
    for _ in range(2):
        client.post(url, {"action": "mark_attended", "_selected_action": [rsvp.pk]})
    entry = TimeEntry.objects.get()
    assert (entry.hours, entry.event, entry.membership) == (Decimal("1.50"), event, participant.membership)
    client.post(url, {"action": "clear_attendance", "_selected_action": [rsvp.pk]})
    assert TimeEntry.objects.count() == 0
    assert RSVP.objects.get().attendance == ""


@pytest.mark.django_db
@pytest.mark.parametrize("orgs", [1, 20])
def test_dashboard_queries_do_not_grow(client, django_assert_num_queries, orgs):
    cohort = CohortFactory()
    officer = finance()
    for _ in range(orgs):
        award = AwardFactory(membership__cohort=cohort)
        services.instalment_approve(instalment=_instalment(award, "1000.00", officer), by=officer)
    client.force_login(UserFactory(is_staff=True))
    # session, user, cohort, the rows (sums as subqueries), the navbar's reviewer check
    with django_assert_num_queries(5):
        response = client.get(reverse("funding:dashboard", args=[cohort.slug]))
    assert response.context["totals"]["approved"] == Decimal("1000.00") * orgs
    assert response.context["totals"]["remaining"] == Decimal("19000.00") * orgs
    assert "<svg" in response.content.decode()


@pytest.mark.django_db
def test_finance_exports_are_formula_safe_and_the_history_is_complete(client):
    award = AwardFactory(membership__organisation__name="=SUM(A1)")
    officer = finance()
    instalment = _instalment(award, "1000.00", officer)
    services.instalment_approve(instalment=instalment, by=officer)
    client.force_login(UserFactory(is_staff=True))
    slug = award.membership.cohort.slug
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("funding:export_instalments", args=[slug])).content.decode("utf-8-sig"))
        )
    )
    assert rows[0][:3] == ["organisation", "award (GBP)", "instalment (GBP)"]
    assert rows[1][0] == "'=SUM(A1)"
    assert rows[1][4] == "Approved"
    history_csv = client.get(reverse("funding:export_history", args=[slug])).content.decode("utf-8-sig")
    history = list(csv.reader(io.StringIO(history_csv)))
    assert [r[4] for r in history[1:]] == ["instalment scheduled", "instalment approved"]
    client.force_login(ParticipantFactory(membership=award.membership).user)
    assert client.get(reverse("funding:export_history", args=[slug])).status_code == 302  # to the admin login


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("20000"), "20,000.00"),
        (Decimal("1234.5"), "1,234.50"),
        (Decimal("0"), "0.00"),
        (Decimal("-250.75"), "-250.75"),
        (1500000, "1,500,000.00"),
        (None, ""),
        ("", ""),
        ("not money", ""),
    ],
)
def test_gbp_filter_prints_pounds_with_separators_and_pence(value, text):
    assert gbp(value) == text
