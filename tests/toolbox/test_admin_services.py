"""apply_to_each: the one loop every admin action runs its service through."""

from types import SimpleNamespace

import pytest
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from events.models import Event
from tests.factories import EventFactory, UserFactory
from toolbox.admin_services import apply_to_each


class _Admin:
    def __init__(self):
        self.said = []

    def message_user(self, request, message, level):
        self.said.append((message, level))


STAFF = SimpleNamespace(user="staff")
ROWS = [Event(pk=1, title="One"), Event(pk=2, title="Two"), Event(pk=3, title="Three")]


def test_each_refusal_is_an_error_naming_the_row_and_the_rest_are_done_and_counted():
    admin, called = _Admin(), []

    def service(*, event, by, note):
        called.append((event.pk, by, note))
        if event.pk == 2:
            raise ValidationError(["Not this one.", "Really."])

    count = apply_to_each(
        admin, STAFF, ROWS, service, done="Did {count} row(s).", name=lambda row: f"Row {row.pk}", note="Sorry"
    )
    assert (count, called) == (2, [(1, "staff", "Sorry"), (2, "staff", "Sorry"), (3, "staff", "Sorry")])
    assert admin.said == [("Row 2: Not this one. Really.", messages.ERROR), ("Did 2 row(s).", messages.SUCCESS)]


def test_nothing_done_says_no_success_and_a_permission_refusal_stops_at_once():
    admin, called = _Admin(), []

    def service(*, event, by):
        called.append(event.pk)
        raise PermissionDenied

    count = apply_to_each(admin, STAFF, ROWS, service, done="Did {count} row(s).", denied="Finance only.")
    assert (count, called) == (0, [1])
    assert admin.said == [("Finance only.", messages.ERROR)]


@pytest.mark.django_db
def test_cancelling_events_in_the_admin_reports_the_refused_and_counts_the_cancelled(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    live, cancelled = EventFactory(title="Roundtable"), EventFactory(title="Old", status=Event.Status.CANCELLED)
    response = client.post(
        reverse("admin:events_event_changelist"),
        {"action": "cancel_events", "_selected_action": [live.pk, cancelled.pk]},
        follow=True,
    )
    assert sorted(str(m) for m in response.context["messages"]) == [
        "Cancelled 1 event(s); everyone going or waiting is told.",
        f"{cancelled}: This event is already cancelled.",
    ]
    live.refresh_from_db()
    assert live.status == Event.Status.CANCELLED
