"""Reviewer assignment: applications/assignment.py (balance, bulk), the conflict rule in
applications/permissions.py, the email from services.review_assign, the admin action in
applications/admin_assign.py, and the reviewer's landing page."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications import services
from applications.assignment import review_assign_balanced, review_assign_many, reviewers_by_load
from applications.models import Application, ReviewAssignment
from applications.permissions import review_conflict
from notifications.models import Email
from notifications.reminders import reminders_sweep
from tests.factories import (
    ApplicationFactory,
    OrganisationPersonFactory,
    ReviewAssignmentFactory,
    UserFactory,
    reviewer,
)
from tests.test_admin_refusals import admin_form_data

pytestmark = pytest.mark.django_db

S = Application.Status
CHANGELIST = "admin:applications_application_changelist"


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True, name="Sam Staff", email="sam@programme.example")


@pytest.fixture
def trio():
    """Three reviewers on their own domains; Ana already has two open reviews, Ben and Cleo none."""
    ana = reviewer(name="Ana Abara", email="ana@uni-a.example")
    ben = reviewer(name="Ben Bello", email="ben@uni-b.example")
    cleo = reviewer(name="Cleo Cruz", email="cleo@uni-c.example")
    ReviewAssignmentFactory.create_batch(2, reviewer=ana)
    return ana, ben, cleo


def _submitted(n, **kwargs):
    return [ApplicationFactory(status=S.SUBMITTED, **kwargs) for _ in range(n)]


def _assigned(applications):
    return [
        list(
            ReviewAssignment.objects.filter(application=a)
            .order_by("reviewer__name")
            .values_list("reviewer__name", flat=True)
        )
        for a in applications
    ]


def _action(client, applications, **data):
    return client.post(
        reverse(CHANGELIST),
        {"action": "assign_reviewers", "_selected_action": [a.pk for a in applications], **data},
    )


def _messages(response):
    return [str(m) for m in response.wsgi_request._messages]


# --- Balance -----------------------------------------------------------------------------


def test_loads_order_fewest_open_reviews_first_then_by_name(trio):
    ana, ben, cleo = trio
    # A submitted review and one on a decided application are not open.
    ReviewAssignmentFactory(reviewer=ben, submitted_at="2026-01-01T00:00Z")
    ReviewAssignmentFactory(reviewer=cleo, application__status=S.REJECTED)
    assert [(r.name, r.open_reviews) for r in reviewers_by_load()] == [
        ("Ben Bello", 0),
        ("Cleo Cruz", 0),
        ("Ana Abara", 2),
    ]


def test_balance_spreads_five_applications_over_loads_two_nought_nought_exactly(trio, staff):
    applications = _submitted(5)
    for application in applications:
        review_assign_balanced(application=application, by=staff, per_application=1)
    # Ben and Cleo (0) alternate by name until they reach Ana's 2; then Ana, first by name at 2.
    assert _assigned(applications) == [["Ben Bello"], ["Cleo Cruz"], ["Ben Bello"], ["Cleo Cruz"], ["Ana Abara"]]
    assert [(r.name, r.open_reviews) for r in reviewers_by_load()] == [
        ("Ben Bello", 2),
        ("Cleo Cruz", 2),
        ("Ana Abara", 3),
    ]
    assert set(Application.objects.filter(pk__in=[a.pk for a in applications]).values_list("status", flat=True)) == {
        S.UNDER_REVIEW
    }


def test_balance_tops_up_to_the_number_asked_and_counts_reviewers_already_on_it(trio, staff):
    ana, ben, cleo = trio
    first, second = _submitted(2)
    services.review_assign(application=first, reviewer=cleo, by=staff)
    made = review_assign_balanced(application=first, by=staff, per_application=2)
    assert [a.reviewer for a in made] == [ben]
    made = review_assign_balanced(application=second, by=staff, per_application=2)
    # Loads now Ana 2, Ben 1, Cleo 1.
    assert [a.reviewer for a in made] == [ben, cleo]
    with pytest.raises(ValidationError) as excinfo:
        review_assign_balanced(application=second, by=staff, per_application=2)
    assert excinfo.value.messages == ["It already has 2 or more reviewers."]


def test_balance_refuses_when_too_few_reviewers_are_free_and_assigns_nobody(trio, staff):
    (application,) = _submitted(1)
    with pytest.raises(ValidationError) as excinfo:
        review_assign_balanced(application=application, by=staff, per_application=4)
    assert excinfo.value.messages == [
        "It needs 4 more reviewer(s) but only 3 in the Reviewers group can take it without a conflict: "
        "add people to the group, or choose reviewers."
    ]
    assert ReviewAssignment.objects.filter(application=application).count() == 0
    assert Email.objects.filter(kind="review_assigned").count() == 0


def test_balance_skips_a_reviewer_with_a_conflict_even_with_the_lowest_load(trio, staff):
    ana, ben, cleo = trio
    link = OrganisationPersonFactory(organisation__name="Open Register", user__email="lead@uni-b.example")
    (application,) = _submitted(1, organisation=link.organisation)
    made = review_assign_balanced(application=application, by=staff, per_application=1)
    assert [a.reviewer for a in made] == [cleo]


# --- Conflicts -----------------------------------------------------------------------------


def test_a_reviewer_who_acts_for_the_organisation_is_refused_with_the_reason(staff):
    link = OrganisationPersonFactory(organisation__name="Open Register", user__email="lead@register.example")
    own = link.user
    own.name = "Lee Lead"
    own.save()
    own.groups.add(*reviewer().groups.all())
    (application,) = _submitted(1, organisation=link.organisation)
    with pytest.raises(ValidationError) as excinfo:
        services.review_assign(application=application, reviewer=own, by=staff)
    assert excinfo.value.messages == [
        "Lee Lead (lead@register.example) acts for Open Register, so cannot review its application."
    ]
    assert not ReviewAssignment.objects.filter(application=application).exists()
    assert not Email.objects.filter(kind="review_assigned").exists()


def test_a_reviewer_sharing_the_organisations_email_domain_is_refused(staff):
    link = OrganisationPersonFactory(organisation__name="Open Register", user__email="lead@register.example")
    colleague = reviewer(name="Cal Colleague", email="Cal@Register.Example")
    (application,) = _submitted(1, organisation=link.organisation)
    with pytest.raises(ValidationError) as excinfo:
        review_assign_many(application=application, reviewers=[colleague], by=staff)
    assert excinfo.value.messages == [
        "Cal Colleague (Cal@Register.Example) has an email address at register.example, as Open Register's "
        "people do, so cannot review its application."
    ]
    assert not ReviewAssignment.objects.filter(application=application).exists()


def test_a_public_mail_domain_is_no_conflict():
    link = OrganisationPersonFactory(user__email="founder@gmail.com")
    assert review_conflict(reviewer(email="someone@gmail.com"), link.organisation) == ""
    assert review_conflict(reviewer(email="someone@elsewhere.example"), link.organisation) == ""


def test_bulk_choose_is_all_or_nothing_for_an_application(trio, staff):
    ana, ben, cleo = trio
    link = OrganisationPersonFactory(organisation__name="Open Register", user__email="lead@uni-c.example")
    (application,) = _submitted(1, organisation=link.organisation)
    with pytest.raises(ValidationError):
        review_assign_many(application=application, reviewers=[ben, cleo], by=staff)
    assert not ReviewAssignment.objects.filter(application=application).exists()
    assert application.__class__.objects.get(pk=application.pk).status == S.SUBMITTED


# --- The email ---------------------------------------------------------------------------


def test_assigning_emails_the_reviewer_once_by_name_with_the_review_link(staff):
    ana = reviewer(name="Ana Abara", email="ana@uni-a.example")
    (application,) = _submitted(1, organisation__name="Open Register", call__title="Stewards 2027")
    assignment = services.review_assign(application=application, reviewer=ana, by=staff)
    services.review_assign(application=application, reviewer=ana, by=staff)  # again: no second email
    email = Email.objects.get(kind="review_assigned")
    assert (email.to_email, email.subject, email.key, email.status) == (
        "ana@uni-a.example",
        "Please review Open Register's application to Stewards 2027",
        f"review:{assignment.pk}:assigned",
        Email.Status.QUEUED,
    )
    assert email.body_text.startswith("Hello Ana Abara,\n\nYou have been asked to review Open Register's application")
    assert f"{settings.SITE_URL}/reviews/{assignment.pk}/\n" in email.body_text
    assert "Ana Abara" in email.body_html
    assert Email.objects.filter(kind="review_assigned").count() == 1


# --- The admin action --------------------------------------------------------------------


def test_bulk_balance_through_the_admin_shows_the_page_then_assigns(client, trio, staff):
    ana, ben, cleo = trio
    applications = _submitted(5)
    client.force_login(staff)
    page = _action(client, applications)
    assert page.status_code == 200
    assert page.templates[0].name == "admin/applications/assign_reviewers.html"
    html = page.content.decode()
    assert "5 applications selected" in html
    assert "Ben Bello (ben@uni-b.example): 0 open reviews" in html
    assert "Ana Abara (ana@uni-a.example): 2 open reviews" in html
    assert not ReviewAssignment.objects.filter(application__in=applications).exists()

    done = _action(client, applications, confirm="yes", mode="balance", per_application="1")
    assert (done.status_code, done["Location"]) == (302, reverse(CHANGELIST))
    assert _assigned(applications) == [["Ben Bello"], ["Cleo Cruz"], ["Ben Bello"], ["Cleo Cruz"], ["Ana Abara"]]
    names = [a.organisation.name for a in applications]
    assert _messages(done) == [
        f"Reviewers assigned. {names[0]}: Ben Bello; {names[1]}: Cleo Cruz; {names[2]}: Ben Bello; "
        f"{names[3]}: Cleo Cruz; {names[4]}: Ana Abara."
    ]
    assert Email.objects.filter(kind="review_assigned").count() == 5


def test_bulk_choose_through_the_admin_assigns_both_reviewers_to_each(client, trio, staff):
    ana, ben, cleo = trio
    applications = _submitted(2)
    client.force_login(staff)
    done = _action(client, applications, confirm="yes", mode="choose", reviewers=[ben.pk, cleo.pk])
    assert done.status_code == 302
    assert _assigned(applications) == [["Ben Bello", "Cleo Cruz"], ["Ben Bello", "Cleo Cruz"]]


def test_the_form_does_not_offer_a_conflicted_reviewer_and_refuses_one_posted(client, trio, staff):
    ana, ben, cleo = trio
    link = OrganisationPersonFactory(organisation__name="Open Register", user__email="lead@uni-b.example")
    applications = [*_submitted(1, organisation=link.organisation), *_submitted(1)]
    client.force_login(staff)
    html = _action(client, applications).content.decode()
    assert f'name="reviewers" value="{cleo.pk}"' in html
    assert f'name="reviewers" value="{ben.pk}"' not in html
    assert (
        "Open Register: Ben Bello (ben@uni-b.example) has an email address at uni-b.example, as Open Register's "
        "people do, so cannot review its application."
    ) in html.replace("&#x27;", "'")

    refused = _action(client, applications, confirm="yes", mode="choose", reviewers=[ben.pk])
    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        "reviewers": [f"Select a valid choice. {ben.pk} is not one of the available choices."]
    }
    assert not ReviewAssignment.objects.filter(application__in=applications).exists()


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"mode": "sideways"}, {"mode": ["Select a valid choice. sideways is not one of the available choices."]}),
        ({"mode": "balance", "per_application": "two"}, {"per_application": ["Enter a whole number."]}),
        (
            {"mode": "balance", "per_application": "99"},
            {"per_application": ["Ensure this value is less than or equal to 5."]},
        ),
        (
            {"mode": "balance", "per_application": ""},
            {"per_application": ["Say how many reviewers each application should have."]},
        ),
        ({"mode": "choose"}, {"reviewers": ["Choose at least one reviewer, or balance."]}),
        ({"mode": "choose", "reviewers": ["abc"]}, {"reviewers": ["“abc” is not a valid value."]}),
        (
            {"mode": "choose", "reviewers": ["99999999"]},
            {"reviewers": ["Select a valid choice. 99999999 is not one of the available choices."]},
        ),
    ],
)
def test_bad_input_re_renders_the_form_and_assigns_nothing(client, trio, staff, data, errors):
    applications = _submitted(2)
    client.force_login(staff)
    response = _action(client, applications, confirm="yes", **data)
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert not ReviewAssignment.objects.filter(application__in=applications).exists()


def test_a_refused_row_is_a_message_and_the_others_go_ahead(client, trio, staff):
    draft = ApplicationFactory(organisation__name="Drafty")
    (submitted,) = _submitted(1)
    client.force_login(staff)
    done = _action(client, [draft, submitted], confirm="yes", mode="balance", per_application="1")
    assert done.status_code == 302
    assert _messages(done) == [
        "Drafty: Only submitted applications can be reviewed.",
        f"Reviewers assigned. {submitted.organisation.name}: Ben Bello.",
    ]
    assert _assigned([draft, submitted]) == [[], ["Ben Bello"]]


def test_the_action_needs_the_change_permission(client, trio):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_application"))
    applications = _submitted(1)
    client.force_login(viewer)
    response = _action(client, applications, confirm="yes", mode="balance", per_application="1")
    assert response.status_code in (200, 302)
    assert not ReviewAssignment.objects.filter(application__in=applications).exists()


# --- The reviewer's landing page ---------------------------------------------------------


def test_a_reviewers_dashboard_lists_their_reviews_first(client, staff):
    ana = reviewer(name="Ana Abara", email="ana@uni-a.example")
    (application,) = _submitted(1, organisation__name="Open Register")
    services.review_assign(application=application, reviewer=ana, by=staff)
    client.force_login(ana)
    html = client.get(reverse("dashboard")).content.decode()
    assert html.index('id="reviews-heading"') < html.index('id="orgs-heading"')
    assert "Open Register" in html[html.index('id="reviews-heading"') : html.index('id="orgs-heading"')]


def test_someone_who_is_not_a_reviewer_has_no_reviews_section(client):
    person = UserFactory()
    client.force_login(person)
    assert 'id="reviews-heading"' not in client.get(reverse("dashboard")).content.decode()


def test_a_conflicted_reviewer_added_on_the_application_page_is_refused_on_the_form(client, staff):
    link = OrganisationPersonFactory(organisation__name="Open Register", user__email="lead@register.example")
    colleague = reviewer(name="Cal Colleague", email="cal@register.example")
    (application,) = _submitted(1, organisation=link.organisation)
    client.force_login(staff)
    url = reverse("admin:applications_application_change", args=[application.pk])
    data = admin_form_data(client.get(url))
    data.update({"assignments-TOTAL_FORMS": "1", "assignments-0-reviewer": colleague.pk})
    response = client.post(url, data)
    assert response.status_code == 200
    # The dropdown does not offer the colleague (the form refuses the posted choice); review_assign would too.
    assert [errors for formset in response.context["inline_admin_formsets"] for errors in formset.formset.errors] == [
        {
            "reviewer": [
                "Choose a reviewer from the list: only the Reviewers group is offered, without those who act for "
                "this organisation or share its email domain."
            ]
        }
    ]
    assert "Choose a reviewer from the list" in response.content.decode()
    assert not ReviewAssignment.objects.exists()


# --- The reminder -------------------------------------------------------------------------


def test_a_balanced_review_left_unfinished_is_reminded_before_the_review_deadline(staff):
    deadline = datetime(2026, 9, 15, 16, 0, tzinfo=UTC)
    with time_machine.travel(deadline - timedelta(days=20), tick=False):
        ben = reviewer(name="Ben Bello", email="ben@uni-b.example")
        (application,) = _submitted(1, call__review_deadline=deadline, organisation__name="Open Register")
        (assignment,) = review_assign_balanced(application=application, by=staff, per_application=1)
    with time_machine.travel(deadline - timedelta(days=2), tick=False):
        reminders_sweep()
    email = Email.objects.get(kind="reminder_review_pending")
    assert (email.to_email, email.subject) == ("ben@uni-b.example", "Reminder: your review of Open Register")
    assert email.key.startswith(f"reminder:review_pending:review-{assignment.pk}:{ben.pk}:2880:")


@pytest.mark.parametrize("rows", [1, 20])
def test_the_assignment_page_query_count_does_not_grow_with_the_selection(
    client, trio, staff, rows, django_assert_num_queries
):
    applications = _submitted(rows)
    for application in applications:
        OrganisationPersonFactory(organisation=application.organisation)
    client.force_login(staff)
    with django_assert_num_queries(14):
        response = _action(client, applications)
    assert response.status_code == 200
