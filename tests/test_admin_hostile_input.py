"""Hostile input typed into the admin's forms is refused on the form, never a 500, and nothing is written.

Found from outside, posting the real admin forms on gunicorn: a year such as
0001 or 9999 was stored (and, for an event, broke its invitations, or even
reading it back), and an autocomplete field posted "abc" drew a 500.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cohorts.models import Membership, OrganisationPerson
from events.models import RSVP, Event
from funding.models import Instalment, TimeEntry
from tests.factories import (
    EventFactory,
    InstalmentFactory,
    MembershipFactory,
    OpenCallFactory,
    OrganisationFactory,
    OrganisationPersonFactory,
    UserFactory,
    reviewer,
)
from tests.test_admin_refusals import admin_form_data, inline_index, refused

pytestmark = pytest.mark.django_db

YEARS_REFUSED = "Enter a date between 2000 and 2100."


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _event_with_people(**kwargs):
    event = EventFactory(**kwargs)
    RSVP.objects.create(event=event, user=UserFactory(), status=RSVP.Status.GOING)
    return event


@pytest.mark.parametrize(
    ("make", "url_name", "typed", "error_field"),
    [
        # Each of these was a 500 (the event's invitation could not be written) or was stored as typed.
        pytest.param(
            _event_with_people,
            "admin:events_event_change",
            {"starts_at_0": "01/01/0001", "starts_at_1": "00:00"},
            "starts_at",
            id="event-starts-year-1",
        ),
        pytest.param(
            _event_with_people,
            "admin:events_event_change",
            {"ends_at_0": "31/12/9999", "ends_at_1": "23:59:59"},
            "ends_at",
            id="event-ends-year-9999",
        ),
        pytest.param(
            _event_with_people,
            "admin:events_event_change",
            {"rsvp_deadline_0": "01/01/0001", "rsvp_deadline_1": "00:00"},
            "rsvp_deadline",
            id="event-rsvp-deadline-year-1",
        ),
        pytest.param(
            OpenCallFactory,
            "admin:applications_opencall_change",
            {"closes_at_0": "31/12/9999", "closes_at_1": "23:59"},
            "closes_at",
            id="call-closes-year-9999",
        ),
        pytest.param(
            InstalmentFactory, "admin:funding_instalment_change", {"due_on": "01/01/0001"}, "due_on", id="due-year-1"
        ),
    ],
)
def test_a_year_far_outside_the_programme_is_refused_on_the_form(staff_client, make, url_name, typed, error_field):
    obj = make()
    before = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname != "updated_at"}
    url = reverse(url_name, args=[obj.pk])
    data = admin_form_data(staff_client.get(url))
    data.update(typed)
    response = staff_client.post(url, data)
    assert refused(response) == [f"{error_field}: {YEARS_REFUSED}"]
    obj.refresh_from_db()
    assert {f: getattr(obj, f) for f in before} == before


def test_an_event_in_a_zone_east_of_greenwich_cannot_be_given_a_time_in_year_1(staff_client):
    # 01/01/0001 00:00 in Kathmandu is a year-0 instant in UTC: stored, the event could no longer be read.
    event = _event_with_people(time_zone="Asia/Kathmandu")
    url = reverse("admin:events_event_change", args=[event.pk])
    data = admin_form_data(staff_client.get(url))
    data.update(rsvp_deadline_0="01/01/0001", rsvp_deadline_1="00:00")
    assert refused(staff_client.post(url, data)) == [f"rsvp_deadline: {YEARS_REFUSED}"]
    assert Event.objects.get(pk=event.pk).rsvp_deadline is None


def test_dates_at_the_edges_of_the_years_allowed_are_kept(staff_client):
    instalment = InstalmentFactory()
    url = reverse("admin:funding_instalment_change", args=[instalment.pk])
    for typed, stored in [("01/01/2000", date(2000, 1, 1)), ("31/12/2100", date(2100, 12, 31))]:
        data = admin_form_data(staff_client.get(url))
        data["due_on"] = typed
        assert staff_client.post(url, data).status_code == 302
        instalment.refresh_from_db()
        assert instalment.due_on == stored


@pytest.mark.parametrize("posted", ["abc", "\x00", "1.5"])
def test_the_people_inline_posted_a_person_that_is_no_key_refuses_it_on_the_form(staff_client, posted):
    organisation = OrganisationFactory()
    lead = OrganisationPersonFactory(organisation=organisation, role=OrganisationPerson.Role.LEAD)
    colleague = OrganisationPersonFactory(organisation=organisation, role=OrganisationPerson.Role.MEMBER)
    url = reverse("admin:cohorts_organisation_change", args=[organisation.pk])
    data = admin_form_data(staff_client.get(url))
    data[f"person_links-{inline_index(data, 'person_links', colleague.pk)}-user"] = posted
    response = staff_client.post(url, data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    expected = "Null characters are not allowed." if posted == "\x00" else "Select a valid choice."
    assert [e for form_errors in formset.errors for e in form_errors.get("user", [])] == [
        expected if posted == "\x00" else f"{expected} That choice is not one of the available choices."
    ]
    assert sorted(OrganisationPerson.objects.values_list("user_id", flat=True)) == sorted(
        [lead.user_id, colleague.user_id]
    )


def test_a_membership_posted_an_organisation_that_is_no_key_is_refused_on_the_form(staff_client):
    cohort = MembershipFactory().cohort
    url = reverse("admin:cohorts_membership_add")
    data = admin_form_data(staff_client.get(url))
    data.update(cohort=cohort.pk, organisation="abc")
    response = staff_client.post(url, data)
    assert refused(response) == [
        "organisation: Select a valid choice. That choice is not one of the available choices."
    ]
    assert Membership.objects.count() == 1


def test_every_inline_with_an_autocomplete_field_is_guarded():
    from django.contrib import admin

    from toolbox.admin_services import GuardedInlineMixin

    unguarded = [
        inline.__name__
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
        if inline.autocomplete_fields and not issubclass(inline, GuardedInlineMixin)
    ]
    assert unguarded == []


# --- Attendance is the day the event took place, where it took place ----------------------------


def _auckland_morning_event():
    # 09:00 on 15 January in Auckland (NZDT, +13) is 20:00 on the 14th in UTC; in the past, as attendance
    # can only be marked once an event has started.
    starts = datetime(2026, 1, 14, 20, 0, tzinfo=UTC)
    event = EventFactory(time_zone="Pacific/Auckland", starts_at=starts, ends_at=starts.replace(hour=22), capacity=None)
    membership = MembershipFactory(cohort=event.cohort)
    rsvp = RSVP.objects.create(event=event, user=UserFactory(), membership=membership, status=RSVP.Status.GOING)
    return event, rsvp


def test_attendance_marked_from_the_rsvp_list_is_time_on_the_events_local_day(staff_client):
    _event, rsvp = _auckland_morning_event()
    response = staff_client.post(
        reverse("admin:events_rsvp_changelist"),
        {"action": "mark_attended", "_selected_action": [rsvp.pk], "index": 0},
    )
    assert response.status_code == 302
    entry = TimeEntry.objects.get(rsvp=rsvp)
    assert (entry.date, entry.hours) == (date(2026, 1, 15), Decimal("2.00"))


def test_attendance_marked_in_the_event_pages_inline_is_time_on_the_same_day(staff_client):
    event, rsvp = _auckland_morning_event()
    url = reverse("admin:events_event_change", args=[event.pk])
    data = admin_form_data(staff_client.get(url))
    data[f"rsvps-{inline_index(data, 'rsvps', rsvp.pk)}-attendance"] = RSVP.Attendance.ATTENDED
    assert staff_client.post(url, data).status_code == 302
    assert TimeEntry.objects.get(rsvp=rsvp).date == date(2026, 1, 15)


def test_an_instalment_refused_for_a_year_outside_the_programme_is_not_scheduled(staff_client):
    instalment = InstalmentFactory()
    url = reverse("admin:funding_instalment_add")
    data = admin_form_data(staff_client.get(url))
    data.update(award=instalment.award_id, amount="10.00", due_on="31/12/9999")
    assert refused(staff_client.post(url, data)) == [f"due_on: {YEARS_REFUSED}"]
    assert list(Instalment.objects.values_list("pk", flat=True)) == [instalment.pk]


# --- The outbox -------------------------------------------------------------------------------


def test_a_held_emails_subject_given_a_line_break_is_refused_on_the_form(staff_client):
    from notifications.models import Email

    email = Email.objects.create(
        key="decision-1",
        kind="decision",
        to_email="lead@example.org",
        subject="Your application has been accepted",
        body_text="Welcome.",
        status=Email.Status.HELD,
    )
    url = reverse("admin:notifications_email_change", args=[email.pk])
    data = admin_form_data(staff_client.get(url))
    data["subject"] = "Accepted\r\nBcc: someone@example.org"
    # Saved, it could never be sent: every attempt failed on the header, after staff had released it.
    assert refused(staff_client.post(url, data)) == ["subject: A subject is one line: remove the line break."]
    email.refresh_from_db()
    assert email.subject == "Your application has been accepted"


# --- Changelist filters typed into the address bar ------------------------------------------------


@pytest.mark.parametrize(
    ("changelist", "query"),
    [
        ("admin:funding_award_changelist", "created_at__year=-1"),
        ("admin:events_event_changelist", "created_at__year=9999999999"),
        ("admin:notifications_email_changelist", "created_at__year=9999999999"),
        ("admin:applications_application_changelist", "reviewer=abc"),
        ("admin:applications_application_changelist", "reviewer=%27"),
        ("admin:mfa_authenticator_changelist", "created_at__year=-1"),
    ],
)
def test_a_filter_that_fails_when_its_query_runs_goes_back_to_the_list_like_any_bad_filter(
    staff_client, changelist, query
):
    reviewer()  # the reviewer filter is offered (and applied) once someone is in the Reviewers group
    url = reverse(changelist)
    response = staff_client.get(f"{url}?{query}")
    assert (response.status_code, response["Location"]) == (302, f"{url}?e=1")


# --- Actions posted rows that are no keys -----------------------------------------------------------


@pytest.mark.parametrize("selected", ["abc", "", "\x00", "1e30"])
@pytest.mark.parametrize(
    ("changelist", "action"),
    [
        ("admin:funding_instalment_changelist", "cancel"),
        ("admin:applications_application_changelist", "start_review"),
        ("admin:events_rsvp_changelist", "mark_attended"),
        ("admin:cohorts_organisation_changelist", "delete_selected"),
    ],
)
def test_an_action_posted_rows_that_are_no_keys_changes_nothing_and_says_so(client, changelist, action, selected):
    from django.contrib.auth.models import Group

    from toolbox.admin_services import UNREADABLE_SELECTION

    user = UserFactory(is_staff=True, is_superuser=True)
    user.groups.add(Group.objects.get(name="Finance"))
    client.force_login(user)
    instalment = InstalmentFactory()
    url = reverse(changelist)
    response = client.post(url, {"action": action, "_selected_action": [selected], "index": 0}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [UNREADABLE_SELECTION]
    instalment.refresh_from_db()
    assert instalment.status == Instalment.Status.SCHEDULED


def test_every_admin_on_the_site_has_the_shared_mixin_the_libraries_included():
    from django.contrib import admin

    from toolbox.admin_services import ServiceAdminMixin

    assert [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, ServiceAdminMixin)
    ] == []


@pytest.mark.parametrize("changelist", ["admin:auth_group_changelist", "admin:account_emailaddress_changelist"])
def test_a_libraries_admin_posted_rows_that_are_no_keys_changes_nothing(staff_client, changelist):
    from toolbox.admin_services import UNREADABLE_SELECTION

    response = staff_client.post(
        reverse(changelist), {"action": "delete_selected", "_selected_action": ["abc"], "index": 0}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [UNREADABLE_SELECTION]


# --- The database's own rules, in words ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"ends_at_0": "01/01/2020", "ends_at_1": "10:00"}, "An event must end after it starts."),
        ({"capacity": "0"}, "The capacity is at least 1; leave it empty for no limit."),
        ({"seats_per_organisation": "0"}, "Seats per organisation are at least 1; leave it empty for no limit."),
    ],
)
def test_an_event_breaking_a_database_rule_is_refused_in_words_staff_can_act_on(staff_client, typed, message):
    event = _event_with_people()
    url = reverse("admin:events_event_change", args=[event.pk])
    data = admin_form_data(staff_client.get(url))
    data.update(typed)
    # It read "Constraint “events_event_capacity_positive” is violated."
    assert refused(staff_client.post(url, data)) == [message]
