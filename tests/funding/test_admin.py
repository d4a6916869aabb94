"""funding/admin.py: award amounts on the form, Finance-only actions, attendance recording time."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from events.models import RSVP
from events.services import rsvp_set
from funding import services
from funding.models import Award, Instalment, TimeEntry
from tests.events.helpers import _started
from tests.factories import AwardFactory, EventFactory, MembershipFactory, ParticipantFactory, UserFactory
from tests.funding.helpers import _instalment, finance
from tests.test_admin_refusals import admin_form_data, refused


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("20000.01", "Enter an amount of at most £20,000"),
        ("£20,000.01", "Enter an amount of at most £20,000"),
        ("0", "Enter an amount of at least £0.01"),
        ("-5", "Enter an amount of at least £0"),
        ("12500.505", "Enter an amount in pounds, like 12500 or 12500.50"),
        ("lots", "Enter an amount in pounds, like 12500 or 12500.50"),
        ("NaN", "Enter an amount in pounds, like 12500 or 12500.50"),
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
def test_an_award_typed_as_people_write_money_is_saved_in_pounds_and_pence(client):
    membership = MembershipFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:funding_award_add")
    data = admin_form_data(client.get(url))
    data.update(membership=membership.pk, amount="£12,500.50")
    assert client.post(url, data).status_code == 302
    assert Award.objects.get(membership=membership).amount == Decimal("12500.50")


@pytest.mark.django_db
def test_an_instalment_over_the_cap_on_the_award_page_is_refused_in_pounds_and_nothing_is_saved(client):
    award = AwardFactory(amount=Decimal("10000.00"))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:funding_award_change", args=[award.pk])
    data = admin_form_data(client.get(url))
    data.update({"instalments-TOTAL_FORMS": "1", "instalments-0-amount": "20000.01",
                 "instalments-0-due_on": "2027-01-31", "instalments-0-invoice_reference": ""})  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors == [
        {"amount": ["Enter an amount of at most £20,000"]}
    ]
    assert not Instalment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("20000.01", "amount: Enter an amount of at most £20,000"),
        ("0", "amount: Enter an amount of at least £0.01"),
        ("ten pounds", "amount: Enter an amount in pounds, like 12500 or 12500.50"),
    ],
)
def test_a_bad_instalment_amount_on_the_instalment_page_is_refused_in_pounds(client, amount, message):
    award = AwardFactory(amount=Decimal("10000.00"))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:funding_instalment_add")
    data = admin_form_data(client.get(url))
    data.update(award=award.pk, amount=amount, due_on="2027-01-31")
    assert refused(client.post(url, data)) == [message]
    assert not Instalment.objects.exists()


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
def test_marking_attendance_creates_the_time_entry_once_and_unmarking_removes_it(client):
    event = EventFactory()
    participant = ParticipantFactory(membership__cohort=event.cohort)
    rsvp = rsvp_set(event=event, user=participant.user, going=True)
    _started(event)
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
def test_attendance_without_a_membership_counts_for_the_persons_membership_in_the_cohort(client):
    # An answer saved without its organisation (as the demo's were) still records the time.
    event = _started(EventFactory())
    participant = ParticipantFactory(membership__cohort=event.cohort)
    rsvp = RSVP.objects.create(event=event, user=participant.user, status=RSVP.Status.GOING)
    assert services.attendance_record(rsvps=[rsvp], attendance=RSVP.Attendance.ATTENDED) == 1
    entry = TimeEntry.objects.get()
    assert (entry.hours, entry.membership, entry.user) == (Decimal("1.50"), participant.membership, participant.user)


@pytest.mark.django_db
def test_attendance_of_staff_taking_part_for_no_organisation_records_no_time(client):
    event = _started(EventFactory())
    staff = UserFactory(is_staff=True)
    rsvp = RSVP.objects.create(event=event, user=staff, status=RSVP.Status.GOING)
    assert services.attendance_record(rsvps=[rsvp], attendance=RSVP.Attendance.ATTENDED) == 1
    assert not TimeEntry.objects.exists()
