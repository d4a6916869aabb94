"""Staff are told the step that would allow a refused move; assigning a reviewer starts the review."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications import services
from applications.models import Application, Transition
from notifications.models import Email
from tests.factories import ApplicationFactory, OrganisationPersonFactory, UserFactory, reviewer
from tests.test_admin import _change_form_data

pytestmark = pytest.mark.django_db
S = Application.Status


def _history(application) -> list[tuple[str, str, int | None, str]]:
    return list(
        Transition.objects.filter(application=application).values_list("from_status", "to_status", "by", "note")
    )


@pytest.mark.parametrize(
    ("status", "to", "message"),
    [
        (
            S.SUBMITTED,
            S.ACCEPTED,
            "A submitted application must be put under review before it can be accepted: "
            "assign a reviewer or choose “Start review”.",
        ),
        (
            S.SUBMITTED,
            S.INTERVIEW,
            "A submitted application must be put under review before it can be invited to interview: "
            "assign a reviewer or choose “Start review”.",
        ),
        (
            S.DRAFT,
            S.REJECTED,
            "A draft application must be submitted before it can be declined: "
            "only the organisation can submit it, from its application page.",
        ),
        (
            S.WAITLISTED,
            S.INTERVIEW,
            "An application on the waiting list cannot be invited to interview from here: "
            "it can be accepted or declined.",
        ),
        (
            S.INTERVIEW,
            S.UNDER_REVIEW,
            "An application at the interview stage cannot be put under review from here: "
            "it can be accepted, put on the waiting list or declined.",
        ),
        (S.REJECTED, S.ACCEPTED, "A declined application has been decided: its status cannot change any more."),
        (
            S.WITHDRAWN,
            S.UNDER_REVIEW,
            "A withdrawn application cannot change any more: "
            "the organisation can start a new one while the call is open.",
        ),
        (S.UNDER_REVIEW, S.UNDER_REVIEW, "This application is already under review."),
    ],
)
def test_a_refused_move_names_the_step_that_would_allow_it(status, to, message):
    application = ApplicationFactory(status=status)
    with pytest.raises(ValidationError) as excinfo:
        services.application_transition(application=application, to=to, by=UserFactory(is_staff=True))
    assert excinfo.value.messages == [message]
    application.refresh_from_db()
    assert application.status == status
    assert _history(application) == []


def test_assigning_a_reviewer_starts_the_review_and_the_history_says_who():
    application = ApplicationFactory(status=S.SUBMITTED)
    staff = UserFactory(is_staff=True)
    first = reviewer(email="first@reviewers.example", name="Ada Lovelace")
    second = reviewer(email="second@reviewers.example", name="Grace Hopper")

    services.review_assign(application=application, reviewer=first, by=staff)
    services.review_assign(application=application, reviewer=second, by=staff)

    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    # Only the first assignment moves it; the second finds it under review already.
    assert _history(application) == [
        (S.SUBMITTED, S.UNDER_REVIEW, staff.pk, "Review started: Ada Lovelace assigned."),
    ]
    services.application_transition(application=application, to=S.ACCEPTED, by=staff)
    application.refresh_from_db()
    assert application.status == S.ACCEPTED


@pytest.mark.parametrize("status", [S.UNDER_REVIEW, S.INTERVIEW, S.WAITLISTED])
def test_assigning_a_reviewer_later_in_the_review_moves_nothing(status):
    application = ApplicationFactory(status=status)
    services.review_assign(application=application, reviewer=reviewer(), by=UserFactory(is_staff=True))
    application.refresh_from_db()
    assert application.status == status
    assert _history(application) == []


def test_a_reviewer_added_in_the_admin_starts_the_review_then_accept_works(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    application = ApplicationFactory(status=S.SUBMITTED)
    changelist = reverse("admin:applications_application_changelist")

    response = client.post(
        changelist, {"action": "accept_applications", "_selected_action": [application.pk], "post": "yes"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        f"{application.organisation}: A submitted application must be put under review before it can be "
        "accepted: assign a reviewer or choose “Start review”."
    ]

    url = reverse("admin:applications_application_change", args=[application.pk])
    data = _change_form_data(client.get(url))
    data["assignments-TOTAL_FORMS"] = 1
    data["assignments-0-reviewer"] = reviewer(email="reviewer@reviewers.example", name="Paul Flowers").pk
    assert client.post(url, data).status_code == 302
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    assert _history(application) == [
        (S.SUBMITTED, S.UNDER_REVIEW, staff.pk, "Review started: Paul Flowers assigned."),
    ]

    response = client.post(
        changelist, {"action": "accept_applications", "_selected_action": [application.pk], "post": "yes"}, follow=True
    )
    assert "Accepted 1 application(s). Decision emails are held in the outbox for you to read and send." in [
        str(m) for m in response.context["messages"]
    ]


def test_the_acceptance_email_links_to_the_cohort_not_the_application(settings):
    settings.SITE_URL = "https://cohortnet.example"
    application = ApplicationFactory(status=S.UNDER_REVIEW, call__cohort__slug="stewards-2027")
    OrganisationPersonFactory(organisation=application.organisation, user__name="Ada Lovelace")
    services.application_transition(application=application, to=S.ACCEPTED, by=UserFactory(is_staff=True))
    email = Email.objects.get(kind="decision")
    assert email.body_text == (
        "Dear Ada Lovelace,\n\n"
        f"We are delighted to tell you that {application.organisation.name} has been accepted into the programme.\n"
        "You can now see the cohort, its members and its events: https://cohortnet.example/cohorts/stewards-2027/\n\n"
        "The programme team"
    )


def test_a_calls_own_acceptance_template_can_link_the_cohort(settings):
    settings.SITE_URL = "https://cohortnet.example"
    application = ApplicationFactory(status=S.UNDER_REVIEW, call__cohort__slug="stewards-2027")
    OrganisationPersonFactory(organisation=application.organisation)
    application.call.decision_templates.create(
        decision="accepted", subject="Welcome", body="Cohort: $cohort_url Application: $status_url"
    )
    services.application_transition(application=application, to=S.ACCEPTED, by=UserFactory(is_staff=True))
    assert Email.objects.get(kind="decision").body_text == (
        "Cohort: https://cohortnet.example/cohorts/stewards-2027/ "
        f"Application: https://cohortnet.example/applications/{application.pk}/"
    )
