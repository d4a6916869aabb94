"""The staff home (cohortnet/staff_home.py, templates/admin/index.html) and the stages (cohortnet/admin_site.py)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from applications.models import Application, ReviewAssignment
from cohorts.models import Contribution, Theme
from events.models import RSVP, Event, WrittenInput
from funding.models import Instalment
from notifications.models import Email
from tests.factories import (
    ApplicationFactory,
    EventFactory,
    InstalmentFactory,
    MembershipFactory,
    OpenCallFactory,
    ParticipantFactory,
    ReviewAssignmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
S = Application.Status


@pytest.fixture(autouse=True)
def _clock():
    # Signed in and counted at the same instant, so neither the session nor "today" moves under the test.
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _email(key, status, kind="decision"):
    return Email.objects.create(
        key=key,
        kind=kind,
        to_email=f"{key}@example.org",
        subject=key,
        body_text=key,
        status=status,
        sent_at=NOW if status == Email.Status.SENT else None,
    )


@pytest.fixture
def world():
    """A small programme in which every figure on the home page has a row to count and one not to."""
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        late_call = OpenCallFactory(review_deadline=NOW - timedelta(days=2))
        call = OpenCallFactory(review_deadline=NOW + timedelta(days=5))
        for status in [S.DRAFT, S.SUBMITTED, S.SUBMITTED, S.ACCEPTED]:
            ApplicationFactory(call=call, status=status)
        late = ApplicationFactory(call=late_call, status=S.UNDER_REVIEW)
        on_time = ApplicationFactory(call=call, status=S.UNDER_REVIEW)
        accepted = Application.objects.get(status=S.ACCEPTED)
        ReviewAssignmentFactory(application=late)  # open and overdue
        ReviewAssignmentFactory(application=on_time)  # open, in time
        ReviewAssignmentFactory(application=late, submitted_at=NOW)  # done
        ReviewAssignmentFactory(application=on_time, conflict_declared_at=NOW)  # conflict to resolve
        ReviewAssignmentFactory(application=accepted, conflict_declared_at=NOW)  # decided already: not counted

        _email("held-1", Email.Status.HELD)
        _email("held-2", Email.Status.HELD)
        _email("held-other", Email.Status.HELD, kind="invitation")
        _email("failed", Email.Status.FAILED)
        _email("sent", Email.Status.SENT)

        InstalmentFactory(due_on=date(2027, 1, 31))  # due, awaiting approval
        InstalmentFactory(due_on=date(2027, 3, 1), status=Instalment.Status.APPROVED)  # due, awaiting payment
        InstalmentFactory(due_on=date(2027, 6, 1))  # awaiting approval, not yet due
        InstalmentFactory(due_on=date(2027, 1, 1), status=Instalment.Status.PAID)
        InstalmentFactory(due_on=date(2027, 1, 1), status=Instalment.Status.CANCELLED)

        event = EventFactory(title="Data licensing roundtable", starts_at=NOW + timedelta(days=3))
        going, waiting, silent = (ParticipantFactory(membership__cohort=event.cohort) for _ in range(3))
        # The silent person speaks for two organisations of the cohort: counted once.
        ParticipantFactory(membership=MembershipFactory(cohort=event.cohort), user=silent.user)
        RSVP.objects.create(event=event, user=going.user, membership=going.membership, status=RSVP.Status.GOING)
        RSVP.objects.create(event=event, user=waiting.user, status=RSVP.Status.WAITLISTED, waiting_since=NOW)
        WrittenInput.objects.create(event=event, author=waiting.user, body="Our notes on licences.")
        EventFactory(cohort=event.cohort, starts_at=NOW + timedelta(days=20))  # too far ahead
        EventFactory(cohort=event.cohort, starts_at=NOW + timedelta(days=2), status=Event.Status.CANCELLED)
        EventFactory(cohort=event.cohort, starts_at=NOW - timedelta(hours=3))  # already started

        themes = list(Theme.objects.order_by("position")[:2])
        Contribution.objects.create(membership=going.membership, theme=themes[0], learnings="A")
        Contribution.objects.create(membership=going.membership, theme=themes[1], learnings="B")
        Contribution.objects.create(membership=waiting.membership, theme=themes[0], learnings="C", signed_off_at=NOW)
    return event


def _home(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response


def _figures(response) -> dict[str, list[tuple[str, int, str]]]:
    return {
        section.title: [(f.label, f.count, f.url) for f in section.counts]
        for section in response.context["staff_home"].sections
    }


def test_the_home_counts_what_needs_someone_and_links_each_count_to_its_list(staff_client, world):
    response = _home(staff_client)
    applications = "/admin/applications/application/?status__exact="
    reviews = "/admin/applications/reviewassignment/?review="
    assert _figures(response) == {
        "Applications by workflow state": [
            ("Draft", 1, applications + "draft"),
            ("Submitted", 2, applications + "submitted"),
            ("Under review", 2, applications + "under_review"),
            ("Shortlisted", 0, applications + "shortlisted"),
            ("Interview", 0, applications + "interview"),
            ("Accepted", 1, applications + "accepted"),
            ("Waiting list", 0, applications + "waitlisted"),
            ("Not accepted", 0, applications + "rejected"),
            ("Withdrawn", 0, applications + "withdrawn"),
        ],
        "Reviews": [
            ("Assigned, not yet submitted", 2, reviews + "open"),
            ("Past the call's review deadline", 1, reviews + "overdue"),
            ("Conflicts declared on applications still being decided", 1, reviews + "conflict"),
        ],
        "Email": [
            (
                "Decisions made, emails held for review",
                2,
                "/admin/notifications/email/?status__exact=held&kind__exact=decision",
            ),
            ("Emails that failed", 1, "/admin/notifications/email/?status__exact=failed"),
        ],
        "Funding": [
            (
                "Instalments due by today, not yet paid",
                2,
                "/admin/funding/instalment/?status__in=scheduled%2Capproved&due_on__lte=2027-03-01&held=no",
            ),
            ("Instalments awaiting approval", 2, "/admin/funding/instalment/?status__exact=scheduled&held=no"),
            ("Instalments approved, awaiting payment", 1, "/admin/funding/instalment/?status__exact=approved"),
        ],
        "Contributions to the publication": [
            ("Written, waiting for sign-off", 2, "/admin/cohorts/contribution/?signed_off_at__isnull=True"),
        ],
    }
    [event] = response.context["staff_home"].events
    rsvps = f"/admin/events/rsvp/?event__id__exact={world.pk}&status__exact="
    assert (event.title, event.url, event.not_answered, event.written_inputs) == (
        "Data licensing roundtable",
        f"/admin/events/event/{world.pk}/change/",
        1,
        1,
    )
    assert (event.going.count, event.going.url) == (1, rsvps + "going")
    assert (event.waiting.count, event.waiting.url) == (1, rsvps + "waitlisted")
    html = response.content.decode()
    assert "Thu 4 Mar 2027, 10:00 GMT (Europe/London)" in html
    assert f'href="{rsvps}going"' in html.replace("&amp;", "&")


def test_each_linked_list_shows_exactly_the_rows_counted(staff_client, world):
    response = _home(staff_client)
    links = [(f.url, f.count) for s in response.context["staff_home"].sections for f in s.counts]
    [event] = response.context["staff_home"].events
    links += [(event.going.url, 1), (event.waiting.url, 1)]
    shown = []
    for url, _count in links:
        page = staff_client.get(url)
        # A filter the list did not accept would send the admin back to the list with ?e=1.
        assert page.status_code == 200, url
        shown.append((url, page.context["cl"].result_count))
    assert shown == links


def test_the_admin_lists_models_by_stage_of_the_programme(staff_client):
    response = staff_client.get(reverse("admin:index"))
    stages = [(app["name"], [m["object_name"] for m in app["models"]]) for app in response.context["app_list"]]
    assert stages == [
        ("Open call", ["OpenCall", "Invitation", "InterviewSlot", "FeedbackTemplate"]),
        ("Review", ["Application", "ReviewAssignment"]),
        (
            "Cohort",
            [
                "Cohort",
                "Organisation",
                "Membership",
                "Participant",
                "Theme",
                "Message",
                "Resource",
                "Contribution",
                "Publication",
                "PublicationCredit",
            ],
        ),  # fmt: skip
        ("Events", ["Event", "RSVP", "SupportSlot"]),
        ("Funding", ["Award", "Instalment", "TimeEntry"]),
        ("Outcomes", ["FeedbackForm"]),
        ("Reports", ["ReportRound", "Report"]),
        ("Email", ["Email", "ReminderRule", "ReminderOptOut"]),
        ("Integrations", ["WebhookEndpoint", "WebhookDelivery"]),
        ("People and accounts", ["User", "Group", "EmailAddress", "Authenticator"]),
        ("Personal data", ["PrivacyNotice", "Consent", "AccessRecord", "DataExport", "RetentionRun"]),
    ]
    # The sidebar of every other admin page lists the same stages.
    changelist = staff_client.get(reverse("admin:funding_award_changelist"))
    assert [app["name"] for app in changelist.context["available_apps"]] == [name for name, _models in stages]
    html = response.content.decode()
    assert html.index(">Open call</a>") < html.index(">Review</a>") < html.index(">Funding</a>")


def test_an_apps_own_page_still_lists_its_models(staff_client):
    response = staff_client.get(reverse("admin:app_list", args=["funding"]))
    assert response.status_code == 200
    assert [m["object_name"] for m in response.context["app_list"][0]["models"]] == ["Award", "Instalment", "TimeEntry"]


def test_staff_see_only_the_counts_and_stages_of_lists_they_may_view(client, world):
    finance = UserFactory(is_staff=True)
    finance.user_permissions.add(Permission.objects.get(codename="view_instalment"))
    client.force_login(finance)
    response = _home(client)
    assert list(_figures(response)) == ["Funding"]
    assert response.context["staff_home"].events == []
    assert [(app["name"], [m["object_name"] for m in app["models"]]) for app in response.context["app_list"]] == [
        ("Funding", ["Instalment"])
    ]
    assert "Events in the next 14 days" not in response.content.decode()


def test_the_review_list_is_read_only(staff_client, world):
    pk = ReviewAssignment.objects.order_by("pk").first().pk
    assert staff_client.get(reverse("admin:applications_reviewassignment_change", args=[pk])).status_code == 200
    assert staff_client.get(reverse("admin:applications_reviewassignment_add")).status_code == 403


@pytest.mark.parametrize("applications", [1, 50])
def test_the_home_costs_the_same_queries_at_1_and_50_applications(
    staff_client, django_assert_num_queries, applications
):
    call = OpenCallFactory(review_deadline=NOW - timedelta(days=1))
    event = EventFactory(starts_at=NOW + timedelta(days=2))
    for _ in range(applications):
        assignment = ReviewAssignmentFactory(application__call=call)
        participant = ParticipantFactory(membership__cohort=event.cohort)
        RSVP.objects.create(event=event, user=participant.user, status=RSVP.Status.GOING)
        InstalmentFactory()
        _email(f"held-{assignment.pk}", Email.Status.HELD)
    with django_assert_num_queries(9):
        response = _home(staff_client)
    assert _figures(response)["Reviews"][0][1] == applications
    assert response.context["staff_home"].events[0].going.count == applications
