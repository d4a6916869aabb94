"""applications/admin.py: the pipeline, the staff application page, and deciding through a confirmation page."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Application, Score, Transition
from cohorts.models import Membership
from notifications.models import Email
from tests.factories import (
    ApplicationFactory,
    CriterionFactory,
    OpenCallFactory,
    OrganisationPersonFactory,
    QuestionFactory,
    ReviewAssignmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
S = Application.Status
CHANGELIST = "admin:applications_application_changelist"


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- The pipeline -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 50])
def test_pipeline_costs_the_same_at_1_and_50_applications(client, staff, django_assert_num_queries, rows):
    call = OpenCallFactory()
    criterion = CriterionFactory(call=call, weight=Decimal("2.00"))
    for _ in range(rows):
        assignment = ReviewAssignmentFactory(application__call=call, submitted_at=timezone.now())
        Score.objects.create(assignment=assignment, criterion=criterion, value=4)
        ReviewAssignmentFactory(application=assignment.application, conflict_declared_at=timezone.now())
    with django_assert_num_queries(10):  # 8 + the countries present, for the country filter
        response = client.get(reverse(CHANGELIST), {"call__id__exact": call.pk})
    assert response.context["cl"].result_count == rows
    row = response.context["cl"].result_list[0]
    assert (row.weighted_score, row.reviews_done, row.reviews_assigned, row.conflicts) == (Decimal("4"), 1, 1, 1)


@pytest.mark.parametrize("other_call", [False, True])
def test_pipeline_counts_each_state_of_the_call_filtered_on_and_links_to_them(client, staff, other_call):
    call = OpenCallFactory(title="Stewards 2027")
    ApplicationFactory.create_batch(2, call=call, status=S.SUBMITTED)
    ApplicationFactory(call=call, status=S.UNDER_REVIEW)
    if other_call:  # not counted; with one call only, Django shows no call filter and the title is read here
        ApplicationFactory(status=S.SUBMITTED)
    response = client.get(reverse(CHANGELIST), {"call__id__exact": call.pk})
    pipeline = response.context["pipeline"]
    assert pipeline["call"] == call
    assert [(s["label"], s["count"]) for s in pipeline["states"]] == [
        ("Draft", 0),
        ("Submitted", 2),
        ("Under review", 1),
        ("Shortlisted", 0),
        ("Interview", 0),
        ("Accepted", 0),
        ("Waiting list", 0),
        ("Not accepted", 0),
        ("Withdrawn", 0),
    ]
    submitted = pipeline["states"][1]["url"]
    assert submitted == f"?call__id__exact={call.pk}&status__exact=submitted"
    page = response.content.decode()
    assert "Applications to Stewards 2027, by workflow state" in page
    assert f'<a href="{submitted.replace("&", "&amp;")}">2<span class="visually-hidden"> submitted</span></a>' in page
    assert client.get(reverse(CHANGELIST) + submitted).context["cl"].result_count == 2


def test_pipeline_without_a_call_counts_every_call_and_shows_conflicts(client, staff):
    ApplicationFactory(status=S.SUBMITTED)
    ReviewAssignmentFactory(conflict_declared_at=timezone.now())
    response = client.get(reverse(CHANGELIST))
    assert response.context["pipeline"]["call"] is None
    counts = {s["label"]: s["count"] for s in response.context["pipeline"]["states"]}
    assert (counts["Submitted"], counts["Under review"]) == (1, 1)
    assert '<td class="field-conflicts_declared">1</td>' in response.content.decode()


# --- The staff application page -------------------------------------------------------------


def test_application_page_shows_answers_scores_comments_and_readable_history(client, staff):
    call = OpenCallFactory(time_zone="Europe/London")
    budget = QuestionFactory(call=call, label="Your budget in GBP", kind="number")
    data = QuestionFactory(call=call, label="Is your data <open>?", kind="yes_no")
    QuestionFactory(call=call, label="Anything else?")
    impact = CriterionFactory(call=call, name="Impact", weight=Decimal("3.00"))
    fit = CriterionFactory(call=call, name="Fit", weight=Decimal("1.00"))
    application = ApplicationFactory(
        call=call, status=S.SUBMITTED, extra_answers={str(budget.pk): "12000", str(data.pk): "yes"}
    )
    with time_machine.travel(datetime(2026, 9, 12, 13, 3, tzinfo=UTC), tick=False):
        services.application_transition(application=application, to=S.UNDER_REVIEW, by=staff, note="Looks complete")
    grace = UserFactory(name="Grace Hopper")
    review = ReviewAssignmentFactory(
        application=application, reviewer=grace, submitted_at=timezone.now(),
        recommendation="accept", comment="Strong & clear.",
    )  # fmt: skip
    Score.objects.create(assignment=review, criterion=impact, value=5, comment="Used by many")
    Score.objects.create(assignment=review, criterion=fit, value=1)
    ReviewAssignmentFactory(application=application, reviewer=UserFactory(name="Alan Turing"))

    response = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    page = response.content.decode()
    assert (
        "<dl><dt>Your budget in GBP</dt><dd>12000</dd><dt>Is your data &lt;open&gt;?</dt><dd>yes</dd>"
        "<dt>Anything else?</dt><dd>Not answered</dd></dl>"
    ) in page
    assert '{"' not in page
    assert (
        '<tr><th scope="row">Impact</th><td>3.00</td><td>5</td><td>5.00</td></tr>'
        '<tr><th scope="row">Fit</th><td>1.00</td><td>1</td><td>1.00</td></tr>'
    ) in page
    assert '<th scope="col">Grace Hopper</th>' in page
    # (5 × 3 + 1 × 1) / 4
    assert '<th scope="row" colspan="3">Weighted total</th><td>4.00</td>' in page
    assert (
        "<dt>Grace Hopper recommends: Accept</dt><dd>Strong &amp; clear.<ul><li>Impact: Used by many</li></ul></dd>"
        "<dt>Alan Turing</dt><dd>Not submitted yet.</dd>"
    ) in page
    assert ("<li>12 Sep 14:03 BST — Ada Lovelace moved it from Submitted to Under review: Looks complete</li>") in page


# --- Deciding ---------------------------------------------------------------------------------


def test_accept_from_the_pipeline_asks_first_and_changes_nothing_until_confirmed(client, staff):
    ready = ApplicationFactory(status=S.UNDER_REVIEW, organisation__name="Open Rivers", call__cohort__name="Cohort 7")
    early = ApplicationFactory(status=S.SUBMITTED, organisation__name="Open Roads")
    response = client.post(
        reverse(CHANGELIST), {"action": "accept_applications", "_selected_action": [ready.pk, early.pk]}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Accept: 1 application will take this step. The organisation becomes a member of the call&#x27;s cohort, "
        "and a decision email to each of its people is drafted and held in the outbox for you to read and send."
    ) in page
    assert "<td>Accept: becomes a member of Cohort 7</td>" in page
    assert (
        "<td>Nothing: A submitted application must be put under review before it can be accepted: "
        "assign a reviewer or choose “Start review”.</td>"
    ) in page
    assert f'<input type="hidden" name="_selected_action" value="{ready.pk}">' in page
    assert f'name="_selected_action" value="{early.pk}"' not in page
    assert 'value="Yes, accept: 1 application"' in page
    ready.refresh_from_db()
    assert ready.status == S.UNDER_REVIEW
    assert not Membership.objects.exists()
    assert not Email.objects.exists()


def test_confirming_accept_makes_a_member_and_holds_the_email_and_refuses_the_early_one(client, staff):
    ready = ApplicationFactory(status=S.UNDER_REVIEW)
    OrganisationPersonFactory(organisation=ready.organisation)
    early = ApplicationFactory(status=S.SUBMITTED, organisation__name="Open Roads")
    response = client.post(
        reverse(CHANGELIST),
        {"action": "accept_applications", "_selected_action": [ready.pk, early.pk], "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert _messages(response) == [
        "Open Roads: A submitted application must be put under review before it can be accepted: "
        "assign a reviewer or choose “Start review”.",
        "Accepted 1 application(s). Decision emails are held in the outbox for you to read and send.",
    ]
    ready.refresh_from_db()
    early.refresh_from_db()
    assert (ready.status, early.status) == (S.ACCEPTED, S.SUBMITTED)
    assert list(Membership.objects.values_list("organisation", flat=True)) == [ready.organisation_id]
    assert list(Email.objects.values_list("kind", "status")) == [("decision", Email.Status.HELD)]
    assert list(Transition.objects.filter(application=early)) == []


def test_when_none_can_take_the_step_the_page_says_so_and_offers_no_confirm(client, staff):
    draft = ApplicationFactory(status=S.DRAFT)
    response = client.post(reverse(CHANGELIST), {"action": "reject_applications", "_selected_action": [draft.pk]})
    page = response.content.decode()
    assert "None of these applications can take this step, so nothing will change." in page
    assert (
        "Nothing: A draft application must be submitted before it can be declined: "
        "only the organisation can submit it, from its application page."
    ) in page
    assert 'value="Yes, decline' not in page


def test_the_application_page_offers_only_the_steps_the_workflow_allows(client, staff):
    application = ApplicationFactory(status=S.SUBMITTED)
    response = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    assert response.context["decisions"] == [
        ("Start review", f"/admin/applications/application/{application.pk}/decide/under_review/")
    ]
    application = ApplicationFactory(status=S.UNDER_REVIEW)
    response = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    assert [label for label, _url in response.context["decisions"]] == [
        "Shortlist",
        "Invite to interview",
        "Accept",
        "Put on the waiting list",
        "Decline",
    ]
    assert (
        f'<li><a href="/admin/applications/application/{application.pk}/decide/accepted/">Accept…</a></li>'
    ) in response.content.decode()


def test_deciding_from_the_application_page_confirms_then_applies_and_returns_to_it(client, staff):
    application = ApplicationFactory(status=S.UNDER_REVIEW)
    OrganisationPersonFactory(organisation=application.organisation)
    url = reverse("admin:applications_application_decide", args=[application.pk, S.REJECTED])
    page = client.get(url).content.decode()
    assert "Decline: 1 application will take this step. It is declined, and a decision email" in page
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW

    response = client.post(url, {"post": "yes"})
    change = reverse("admin:applications_application_change", args=[application.pk])
    assert (response.status_code, response["Location"]) == (302, change)
    application.refresh_from_db()
    assert application.status == S.REJECTED
    assert list(Email.objects.values_list("status", flat=True)) == [Email.Status.HELD]
    assert not Membership.objects.exists()


def test_a_refused_step_from_the_application_page_is_a_message_and_changes_nothing(client, staff):
    application = ApplicationFactory(status=S.SUBMITTED, organisation__name="Open Roads")
    url = reverse("admin:applications_application_decide", args=[application.pk, S.ACCEPTED])
    assert "Nothing: A submitted application must be put under review" in client.get(url).content.decode()
    response = client.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert _messages(response) == [
        "Open Roads: A submitted application must be put under review before it can be accepted: "
        "assign a reviewer or choose “Start review”."
    ]
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert not Transition.objects.exists()
    assert not Membership.objects.exists()


@pytest.mark.parametrize(
    ("object_id", "to"), [("abc", "accepted"), ("999999", "accepted"), ("{pk}", "submitted"), ("{pk}", "nonsense")]
)
def test_decide_with_no_such_application_or_step_is_a_404(client, staff, object_id, to):
    application = ApplicationFactory(status=S.UNDER_REVIEW)
    url = f"/admin/applications/application/{object_id.format(pk=application.pk)}/decide/{to}/"
    assert client.post(url, {"post": "yes"}).status_code == 404
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW


def test_staff_who_may_only_view_cannot_decide(client):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_application"))
    client.force_login(viewer)
    application = ApplicationFactory(status=S.UNDER_REVIEW)
    url = reverse("admin:applications_application_decide", args=[application.pk, S.ACCEPTED])
    assert client.post(url, {"post": "yes"}).status_code == 403
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW


# --- In Chromium: the real action form, the confirmation, axe and the page policy -------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_accept_through_the_pipeline_in_chromium_with_no_serious_axe_violation(live_server, browser):
    from tests.e2e.helpers import severe_violations
    from tests.factories import PASSWORD

    staff = UserFactory(is_staff=True, is_superuser=True, name="Sam Staff")
    call = OpenCallFactory(title="Stewards 2027")
    criterion = CriterionFactory(call=call, name="Impact")
    application = ApplicationFactory(call=call, status=S.UNDER_REVIEW, organisation__name="Open Rivers")
    OrganisationPersonFactory(organisation=application.organisation)
    review = ReviewAssignmentFactory(application=application, submitted_at=timezone.now(), comment="Good")
    Score.objects.create(assignment=review, criterion=criterion, value=4)

    page = browser.new_page()
    page.set_default_timeout(10_000)
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)

    page.goto(f"{live_server.url}{reverse(CHANGELIST)}?call__id__exact={call.pk}")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_text("Applications to Stewards 2027, by workflow state").wait_for()
    problems += severe_violations(page)
    page.get_by_role("checkbox", name="Select this object for an action - Open Rivers → Stewards 2027").check()
    page.locator('select[name="action"]').select_option("accept_applications")
    page.get_by_role("button", name="Go").click()
    page.get_by_text("Accept: 1 application will take this step.").wait_for()
    problems += severe_violations(page)
    page.get_by_role("button", name="Yes, accept: 1 application").click()
    page.get_by_text("Accepted 1 application(s).").wait_for()
    assert problems == []  # the pipeline and the confirmation: no policy violation, no serious axe finding

    page.goto(f"{live_server.url}{reverse('admin:applications_application_change', args=[application.pk])}")
    page.get_by_text("Weighted total").wait_for()
    # The whole page, the deadline's date and time boxes, the reviewer rows' remove boxes and the breadcrumbs
    # included. (Django's own admin scripts still try inline styles here, which the policy refuses: not ours.)
    assert severe_violations(page) == []
    assert page.get_by_role("textbox", name="Individual extension until: date").count() == 1
    assert page.get_by_role("textbox", name="Individual extension until: time").count() == 1
    assert page.get_by_role("checkbox", name=f"Remove {review.reviewer.get_full_name()}").count() == 1
    assert page.get_by_role("link", name="Add award").count() == 1
    application.refresh_from_db()
    assert application.status == S.ACCEPTED
    assert Membership.objects.filter(organisation=application.organisation).count() == 1
    assert list(Email.objects.values_list("status", flat=True)) == [Email.Status.HELD]
