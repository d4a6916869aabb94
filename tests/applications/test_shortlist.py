"""The shortlist: under review → shortlisted → interview, accept, waiting list or decline, in the admin and on the
applicant's status page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications import services
from applications.models import Application, Transition
from applications.workflow import TRANSITIONS
from cohorts.models import Membership
from notifications.models import Email
from tests.factories import ApplicationFactory, OrganisationPersonFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Application.Status
CHANGELIST = "admin:applications_application_changelist"


def _history(application) -> list[tuple[str, str, int | None]]:
    return list(Transition.objects.filter(application=application).values_list("from_status", "to_status", "by"))


def test_the_workflow_places_the_shortlist_between_review_and_the_decisions():
    assert TRANSITIONS[S.UNDER_REVIEW] == {
        S.SHORTLISTED, S.INTERVIEW, S.ACCEPTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN,
    }  # fmt: skip
    assert TRANSITIONS[S.SHORTLISTED] == {S.INTERVIEW, S.ACCEPTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN}
    assert S.SHORTLISTED not in TRANSITIONS[S.INTERVIEW]


@pytest.mark.parametrize("then", [S.INTERVIEW, S.ACCEPTED, S.WAITLISTED, S.REJECTED])
def test_shortlisting_is_recorded_and_leads_on_to_each_next_step(then):
    application = ApplicationFactory(status=S.UNDER_REVIEW)
    staff = UserFactory(is_staff=True)
    services.application_transition(application=application, to=S.SHORTLISTED, by=staff)
    application.refresh_from_db()
    assert (application.status, application.decided_at) == (S.SHORTLISTED, None)
    services.application_transition(application=application, to=then, by=staff)
    application.refresh_from_db()
    assert application.status == then
    assert _history(application) == [(S.UNDER_REVIEW, S.SHORTLISTED, staff.pk), (S.SHORTLISTED, then, staff.pk)]


def test_a_shortlisted_application_can_be_withdrawn_by_its_organisation():
    link = OrganisationPersonFactory()
    application = ApplicationFactory(status=S.SHORTLISTED, organisation=link.organisation)
    services.application_withdraw(application=application, user=link.user)
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN


@pytest.mark.parametrize(
    ("status", "to", "message"),
    [
        (
            S.SUBMITTED,
            S.SHORTLISTED,
            "A submitted application must be put under review before it can be shortlisted: "
            "assign a reviewer or choose “Start review”.",
        ),
        (
            S.INTERVIEW,
            S.SHORTLISTED,
            "An application at the interview stage cannot be shortlisted from here: "
            "it can be accepted, put on the waiting list or declined.",
        ),
        (
            S.SHORTLISTED,
            S.UNDER_REVIEW,
            "A shortlisted application cannot be put under review from here: "
            "it can be invited to interview, accepted, put on the waiting list or declined.",
        ),
        (S.SHORTLISTED, S.SHORTLISTED, "This application is already shortlisted."),
        (S.ACCEPTED, S.SHORTLISTED, "An accepted application has been decided: its status cannot change any more."),
    ],
)
def test_a_refused_shortlist_move_names_the_step(status, to, message):
    application = ApplicationFactory(status=status)
    with pytest.raises(ValidationError) as excinfo:
        services.application_transition(application=application, to=to, by=UserFactory(is_staff=True))
    assert excinfo.value.messages == [message]
    application.refresh_from_db()
    assert application.status == status
    assert _history(application) == []


# --- The admin ------------------------------------------------------------------------------------


def test_the_pipeline_and_the_home_count_the_shortlisted(client, staff):
    call = ApplicationFactory(status=S.SHORTLISTED).call
    ApplicationFactory(call=call, status=S.SHORTLISTED)
    response = client.get(reverse(CHANGELIST), {"call__id__exact": call.pk})
    counts = {s["label"]: (s["count"], s["url"]) for s in response.context["pipeline"]["states"]}
    assert counts["Shortlisted"] == (2, f"?call__id__exact={call.pk}&status__exact=shortlisted")
    assert client.get(reverse(CHANGELIST), {"status__exact": "shortlisted"}).context["cl"].result_count == 2
    home = client.get(reverse("admin:index"))
    figures = [(f.label, f.count, f.url) for section in home.context["staff_home"].sections for f in section.counts]
    assert ("Shortlisted", 2, "/admin/applications/application/?status__exact=shortlisted") in figures


def test_the_application_page_offers_the_steps_after_the_shortlist(client, staff):
    application = ApplicationFactory(status=S.SHORTLISTED)
    response = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    assert [label for label, _url in response.context["decisions"]] == [
        "Invite to interview",
        "Accept",
        "Put on the waiting list",
        "Decline",
    ]
    application = ApplicationFactory(status=S.UNDER_REVIEW)
    page = client.get(reverse("admin:applications_application_change", args=[application.pk])).content.decode()
    link = f'<li><a href="/admin/applications/application/{application.pk}/decide/shortlisted/">Shortlist…</a></li>'
    assert link in page


def test_shortlisting_in_bulk_confirms_first_then_applies_and_refuses_the_early_one(client, staff):
    ready = ApplicationFactory(status=S.UNDER_REVIEW, organisation__name="Open Rivers")
    early = ApplicationFactory(status=S.SUBMITTED, organisation__name="Open Roads")
    data = {"action": "shortlist_applications", "_selected_action": [ready.pk, early.pk]}
    page = client.post(reverse(CHANGELIST), data).content.decode()
    assert (
        "Shortlist: 1 application will take this step. It goes on the shortlist, to be invited to interview or "
        "decided. Its page tells the organisation you would like to know more. No email is sent."
    ) in page
    assert (
        "<td>Nothing: A submitted application must be put under review before it can be shortlisted: "
        "assign a reviewer or choose “Start review”.</td>"
    ) in page
    assert 'value="Yes, shortlist: 1 application"' in page
    ready.refresh_from_db()
    assert ready.status == S.UNDER_REVIEW

    response = client.post(reverse(CHANGELIST), {**data, "post": "yes"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Open Roads: A submitted application must be put under review before it can be shortlisted: "
        "assign a reviewer or choose “Start review”.",
        "Shortlisted 1 application(s).",
    ]
    ready.refresh_from_db()
    early.refresh_from_db()
    assert (ready.status, early.status) == (S.SHORTLISTED, S.SUBMITTED)
    assert _history(ready) == [(S.UNDER_REVIEW, S.SHORTLISTED, staff.pk)]
    assert not Email.objects.exists()
    assert not Membership.objects.exists()


def test_shortlisting_from_the_application_page_confirms_then_returns_to_it(client, staff):
    application = ApplicationFactory(status=S.UNDER_REVIEW)
    url = reverse("admin:applications_application_decide", args=[application.pk, S.SHORTLISTED])
    assert "Shortlist: 1 application will take this step." in client.get(url).content.decode()
    response = client.post(url, {"post": "yes"})
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("admin:applications_application_change", args=[application.pk]),
    )
    application.refresh_from_db()
    assert application.status == S.SHORTLISTED


def test_a_refused_shortlist_from_the_application_page_is_a_message(client, staff):
    application = ApplicationFactory(status=S.INTERVIEW, organisation__name="Open Roads")
    url = reverse("admin:applications_application_decide", args=[application.pk, S.SHORTLISTED])
    response = client.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Open Roads: An application at the interview stage cannot be shortlisted from here: "
        "it can be accepted, put on the waiting list or declined."
    ]
    application.refresh_from_db()
    assert application.status == S.INTERVIEW


# --- The applicant's status page ------------------------------------------------------------------


def test_the_applicant_reads_the_shortlist_in_plain_words(client):
    link = OrganisationPersonFactory()
    application = ApplicationFactory(status=S.SHORTLISTED, organisation=link.organisation)
    client.force_login(link.user)
    page = " ".join(client.get(reverse("applications:detail", args=[application.pk])).content.decode().split())
    assert (
        "<strong>Shortlisted: we'd like to know more.</strong> "
        "Your application is on the shortlist: the programme team will be in touch about the next step."
    ) in page
