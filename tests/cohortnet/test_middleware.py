"""NotYoursIs404Middleware: a service's "not allowed" on a member page is a 404; the admin keeps its 403."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import resolve, reverse

from cohortnet.middleware import NotYoursIs404Middleware
from events.models import SupportSlot
from events.services import support_slot_book
from tests.factories import MembershipFactory, ParticipantFactory, UserFactory
from tests.helpers import World


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
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return World()


@pytest.mark.django_db
def test_a_refusal_from_a_service_reaches_the_person_as_a_404(client, world):
    """Staff see a slot but belong to no organisation: the booking service refuses, the page says 404."""
    staff = world.users["staff"]
    with pytest.raises(PermissionDenied):
        support_slot_book(slot=world.slot, user=staff)

    client.force_login(staff)
    response = client.post(reverse("events:slot_book", args=[world.slot.pk]))

    assert response.status_code == 404
    assert SupportSlot.objects.get(pk=world.slot.pk).booked_by_id is None


@pytest.mark.django_db
def test_cancelling_another_organisations_booking_is_a_404(client, world):
    booked = support_slot_book(slot=world.slot, user=world.users["participant_x"])
    other_organisation = ParticipantFactory(membership=MembershipFactory(cohort=world.cohort_x)).user

    client.force_login(other_organisation)
    response = client.post(reverse("events:slot_cancel", args=[world.slot.pk]))

    assert response.status_code == 404
    assert SupportSlot.objects.get(pk=world.slot.pk).booked_by_id == booked.booked_by_id


@pytest.mark.django_db
def test_staff_refused_by_the_admin_still_get_403(client, settings):
    settings.ADMIN_REQUIRE_MFA = False
    client.force_login(UserFactory(is_staff=True))  # staff, but no model permissions

    assert client.get(reverse("admin:funding_award_changelist")).status_code == 403
