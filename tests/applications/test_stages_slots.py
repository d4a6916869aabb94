"""Interview slots in the admin (#19 QA): who may host, when a slot may be, and a booked slot is cancelled,
never silently deleted."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications import services
from applications.models import Application, InterviewSlot
from notifications.models import Email
from tests.applications.test_stages import _full_submitted, _link
from tests.applications.test_stages import call as call  # noqa: F401 -- the fixture
from tests.applications.test_stages import staff_user as staff_user  # noqa: F401 -- the fixture
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
NINE = datetime(2026, 9, 8, 9, 0, tzinfo=UTC)


def _slot(call, host, starts=NINE, minutes=45, **more):
    return InterviewSlot(call=call, host=host, starts_at=starts, ends_at=starts + timedelta(minutes=minutes), **more)


def _errors(slot):
    with time_machine.travel(NOW, tick=False), pytest.raises(ValidationError) as refused:
        slot.full_clean()
    return refused.value.message_dict


def test_the_host_is_staff_or_a_reviewer_never_an_applicant(call, staff_user):
    applicant = _link().user
    assert _errors(_slot(call, applicant)) == {"host": ["The host must be a staff member or in the Reviewers group."]}
    reviewer = UserFactory(email="rev@programme.example")
    reviewer.groups.add(Group.objects.get_or_create(name=services.REVIEWER_GROUP)[0])
    with time_machine.travel(NOW, tick=False):
        _slot(call, reviewer).full_clean()
        _slot(call, staff_user, starts=NINE + timedelta(hours=2)).full_clean()


def test_overlapping_past_overlong_and_after_decisions_slots_are_refused(call, staff_user):
    _slot(call, staff_user).save()
    overlap = _errors(_slot(call, staff_user, starts=NINE + timedelta(minutes=30)))
    assert overlap["starts_at"][0].startswith("The host already has a slot at that time: Interview at 8 Sep 2026")
    assert _errors(_slot(call, staff_user, starts=NOW - timedelta(hours=1))) == {
        "starts_at": ["This time has passed: offer a slot still to come."]
    }
    assert _errors(_slot(call, staff_user, starts=NINE + timedelta(days=1), minutes=48 * 60)) == {
        "ends_at": ["An interview slot lasts at most 4 hours."]
    }
    call.decisions_by = date(2026, 9, 15)
    call.save()
    assert _errors(_slot(call, staff_user, starts=datetime(2026, 9, 16, 9, 0, tzinfo=UTC))) == {
        "starts_at": [
            "This slot starts after the call's decisions (15 Sep 2026): applicants would hear before their interview."
        ]
    }
    # Another host at the same time is fine.
    other = UserFactory(is_staff=True, email="bo@programme.example")
    with time_machine.travel(NOW, tick=False):
        _slot(call, other).full_clean()


def test_the_admin_offers_only_staff_and_reviewers_as_hosts(call, staff_user, client):
    applicant = _link().user
    client.force_login(staff_user)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("admin:applications_interviewslot_add"))
    hosts = list(page.context["adminform"].form.fields["host"].queryset)
    assert hosts == [staff_user]
    assert applicant not in hosts


def _booked(call, staff_user):
    application, link = _full_submitted(call, staff_user)
    slot = _slot(call, staff_user)
    slot.save()
    with time_machine.travel(NOW, tick=False):
        services.interview_book(slot=slot, application=application, user=link.user)
    return application, slot


def test_a_booked_slot_cannot_be_deleted_in_the_admin_and_says_how_to_free_it(call, staff_user, client):
    _application, slot = _booked(call, staff_user)
    free = _slot(call, staff_user, starts=NINE + timedelta(hours=2))
    free.save()
    client.force_login(staff_user)
    with time_machine.travel(NOW, tick=False):
        refused = client.post(reverse("admin:applications_interviewslot_delete", args=[slot.pk]), {"post": "yes"})
        assert refused.status_code == 302
        page = client.get(reverse("admin:applications_interviewslot_change", args=[slot.pk]), follow=True)
        assert "use the action “Cancel the booking”" in page.content.decode()
        response = client.post(
            reverse("admin:applications_interviewslot_changelist"),
            {"action": "delete_selected", "_selected_action": [slot.pk, free.pk], "post": "yes"},
            follow=True,
        )
    assert response.status_code == 200
    assert "booked by Tide Data, so not deleted" in response.content.decode()
    assert list(InterviewSlot.objects.values_list("pk", flat=True)) == [slot.pk]
    assert not Email.objects.filter(kind="interview_cancelled").exists()


def test_staff_cancel_a_booking_in_the_admin_and_both_sides_are_told(call, staff_user, client):
    application, slot = _booked(call, staff_user)
    client.force_login(staff_user)
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            reverse("admin:applications_interviewslot_changelist"),
            {"action": "cancel_bookings", "_selected_action": [slot.pk]},
            follow=True,
        )
    assert "Cancelled 1 booking(s)" in response.content.decode()
    slot.refresh_from_db()
    assert (slot.application_id, slot.sequence) == (None, 2)
    emails = Email.objects.filter(kind="interview_cancelled").order_by("to_email")
    assert [e.to_email for e in emails] == ["ada@programme.example", "maya@tide.example"]
    assert all(e.attachments[0]["mimetype"] == "text/calendar; method=CANCEL" for e in emails)
    assert Application.objects.get(pk=application.pk).status == Application.Status.SUBMITTED
    # Cancelling a free slot says so.
    with time_machine.travel(NOW, tick=False):
        again = client.post(
            reverse("admin:applications_interviewslot_changelist"),
            {"action": "cancel_bookings", "_selected_action": [slot.pk]},
            follow=True,
        )
    assert "This slot is not booked: there is nothing to cancel." in again.content.decode()
