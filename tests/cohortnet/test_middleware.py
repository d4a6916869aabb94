"""NotYoursIs404Middleware: a service's "not allowed" on a member page is a 404; the admin keeps its 403."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone

from cohortnet.middleware import NotYoursIs404Middleware
from events.models import SupportSlot
from events.services import support_slot_book
from tests.factories import CohortFactory, MembershipFactory, ParticipantFactory, UserFactory


def _raised_in(path: str, exception: Exception):
    request = RequestFactory().post(path)
    request.resolver_match = resolve(path)
    return NotYoursIs404Middleware(lambda request: None).process_exception(request, exception)


def test_permission_denied_on_a_member_page_is_a_404():
    response = _raised_in(reverse("events:slot_cancel", args=[1]), PermissionDenied("not your booking"))

    assert response.status_code == 404
    assert b"not your booking" not in response.content


@pytest.mark.parametrize(
    "path",
    [reverse("applications:edit", args=[1]), reverse("funding:award", args=[1]), reverse("dashboard")],
)
def test_every_app_and_the_assemblys_own_pages_are_member_pages(path):
    assert _raised_in(path, PermissionDenied()).status_code == 404


def test_the_admin_keeps_its_403():
    assert _raised_in(reverse("admin:index"), PermissionDenied()) is None


def test_other_exceptions_are_left_to_django():
    assert _raised_in(reverse("events:slot_cancel", args=[1]), ValidationError("no")) is None


@pytest.fixture
def slot():
    starts = timezone.now() + timedelta(days=2)
    return SupportSlot.objects.create(
        cohort=CohortFactory(), host=UserFactory(is_staff=True), starts_at=starts, ends_at=starts + timedelta(hours=1)
    )


@pytest.mark.django_db
def test_a_refusal_from_a_service_reaches_the_person_as_a_404(client, slot):
    """Staff see a slot but belong to no organisation: the booking service refuses, the page says 404."""
    staff = UserFactory(is_staff=True)
    with pytest.raises(PermissionDenied):
        support_slot_book(slot=slot, user=staff)

    client.force_login(staff)
    response = client.post(reverse("events:slot_book", args=[slot.pk]))

    assert response.status_code == 404
    assert SupportSlot.objects.get(pk=slot.pk).booked_by_id is None


@pytest.mark.django_db
def test_cancelling_another_organisations_booking_is_a_404(client, slot):
    booker = ParticipantFactory(membership=MembershipFactory(cohort=slot.cohort)).user
    support_slot_book(slot=slot, user=booker)
    other = ParticipantFactory(membership=MembershipFactory(cohort=slot.cohort)).user

    client.force_login(other)
    response = client.post(reverse("events:slot_cancel", args=[slot.pk]))

    assert response.status_code == 404
    assert SupportSlot.objects.get(pk=slot.pk).booked_by.participants.get().user == booker


@pytest.mark.django_db
def test_staff_refused_by_the_admin_still_get_403(client, settings):
    settings.ADMIN_REQUIRE_MFA = False
    client.force_login(UserFactory(is_staff=True))  # staff, but no model permissions

    assert client.get(reverse("admin:funding_award_changelist")).status_code == 403
