"""events/admin.py: attendance marked in bulk and the attendance report."""

import pytest
from django.urls import reverse

from events import services
from events.models import RSVP
from tests.events.helpers import _participants, _started
from tests.factories import EventFactory, UserFactory


@pytest.mark.django_db
def test_attendance_is_marked_in_bulk_and_reported(client):
    event = EventFactory()
    people = _participants(event.cohort, 3)
    for person in people:
        services.rsvp_set(event=event, user=person, going=True)
    _started(event)
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    rsvps = list(RSVP.objects.order_by("pk"))
    client.post(
        reverse("admin:events_rsvp_changelist"),
        {"action": "mark_attended", "_selected_action": [r.pk for r in rsvps[:2]]},
    )
    client.post(reverse("admin:events_rsvp_changelist"), {"action": "mark_no_show", "_selected_action": [rsvps[2].pk]})
    assert list(RSVP.objects.order_by("pk").values_list("attendance", flat=True)) == ["attended", "attended", "no_show"]
    report = client.post(
        reverse("admin:events_event_changelist"), {"action": "attendance_report", "_selected_action": [event.pk]}
    )
    (row,) = report.context["rows"]
    assert (row["going"], row["attended"], row["no_show"]) == (3, 2, 1)


@pytest.mark.django_db
def test_the_answer_list_names_a_person_without_a_membership_alone(client):
    # Staff may answer an event too; their answer has no membership, and the list must still draw.
    event = EventFactory()
    [participant] = _participants(event.cohort, 1)
    services.rsvp_set(event=event, user=participant, going=True)
    staff = UserFactory(is_staff=True, is_superuser=True, name="Ada Lovelace", email="ada@cohortnet.example")
    RSVP.objects.create(event=event, user=staff, status=RSVP.Status.GOING)
    client.force_login(staff)
    response = client.get(reverse("admin:events_rsvp_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ada Lovelace &lt;ada@cohortnet.example&gt;</td>" in html
    membership = RSVP.objects.get(user=participant).membership
    assert f"{participant} ({membership.organisation})".replace("<", "&lt;").replace(">", "&gt;") in html


@pytest.mark.django_db
def test_attendance_at_an_event_yet_to_start_is_refused_with_a_message(client):
    event = EventFactory(title="Data standards clinic", time_zone="Europe/London")
    [person] = _participants(event.cohort, 1)
    rsvp = services.rsvp_set(event=event, user=person, going=True)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for action in ("mark_attended", "mark_no_show"):
        response = client.post(
            reverse("admin:events_rsvp_changelist"), {"action": action, "_selected_action": [rsvp.pk]}, follow=True
        )
        assert response.status_code == 200
        assert "Data standards clinic has not started yet" in response.content.decode()
        assert "mark attendance once it has started." in response.content.decode()
        assert RSVP.objects.get().attendance == ""


@pytest.mark.django_db
def test_the_attendance_service_refuses_an_event_yet_to_start(client):
    from django.core.exceptions import ValidationError

    event = EventFactory(title="Clinic")
    [person] = _participants(event.cohort, 1)
    rsvp = services.rsvp_set(event=event, user=person, going=True)
    with pytest.raises(ValidationError, match="Clinic has not started yet"):
        services.attendance_mark(rsvps=[rsvp], attendance=RSVP.Attendance.ATTENDED)
    # Clearing stays possible.
    assert services.attendance_mark(rsvps=[rsvp], attendance="") == 1


@pytest.mark.django_db
def test_attendance_in_the_event_pages_inline_before_it_starts_is_a_form_error(client):
    from funding.models import TimeEntry
    from tests.test_admin_refusals import admin_form_data, inline_index

    event = EventFactory(title="Data standards clinic", capacity=None)
    [person] = _participants(event.cohort, 1)
    rsvp = services.rsvp_set(event=event, user=person, going=True)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:events_event_change", args=[event.pk])
    data = admin_form_data(client.get(url))
    data[f"rsvps-{inline_index(data, 'rsvps', rsvp.pk)}-attendance"] = RSVP.Attendance.ATTENDED
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Data standards clinic has not started yet" in response.content.decode()
    assert RSVP.objects.get().attendance == ""
    assert not TimeEntry.objects.exists()
