"""Admin changelists: the query count does not grow with the rows, and actions use the services."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, Score
from cohorts.models import Membership
from funding.models import Award
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    CriterionFactory,
    EventFactory,
    InstalmentFactory,
    MembershipFactory,
    OpenCallFactory,
    ParticipantFactory,
    ReviewAssignmentFactory,
    UserFactory,
    reviewer,
)

pytestmark = pytest.mark.django_db

# (changelist URL name, factory, queries) — the count is the same for 1 and 20 rows. The long lists
# (LongChangelistMixin) count their rows once, not twice; the instalment list asks for the Finance
# group once per request, not once per action.
CHANGELISTS = [
    ("admin:applications_application_changelist", ApplicationFactory, 9),  # + state counts, countries present
    ("admin:events_event_changelist", EventFactory, 7),
    ("admin:funding_award_changelist", AwardFactory, 6),
    ("admin:cohorts_membership_changelist", MembershipFactory, 6),
    ("admin:cohorts_participant_changelist", ParticipantFactory, 6),
    ("admin:funding_instalment_changelist", InstalmentFactory, 6),
]


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("rows", [1, 20])
@pytest.mark.parametrize(("url_name", "factory", "queries"), CHANGELISTS)
def test_changelist_queries_do_not_grow_with_rows(
    staff_client, django_assert_num_queries, rows, url_name, factory, queries
):
    factory.create_batch(rows)
    with django_assert_num_queries(queries):
        response = staff_client.get(reverse(url_name))
    assert response.status_code == 200
    assert response.context["cl"].result_count == rows


def test_accept_action_makes_members_and_reports_what_it_could_not_do(staff_client):
    submitted = ApplicationFactory(status=Application.Status.UNDER_REVIEW)
    draft = ApplicationFactory()
    response = staff_client.post(
        reverse("admin:applications_application_changelist"),
        {"action": "accept_applications", "_selected_action": [submitted.pk, draft.pk], "post": "yes"},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert (
        f"{draft.organisation}: A draft application must be submitted before it can be accepted: "
        "only the organisation can submit it, from its application page."
    ) in texts
    assert "Accepted 1 application(s). Decision emails are held in the outbox for you to read and send." in texts
    assert list(Membership.objects.values_list("organisation", flat=True)) == [submitted.organisation_id]
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT


def test_award_over_the_cap_is_refused_in_the_admin(staff_client):
    membership = MembershipFactory()
    response = staff_client.post(
        reverse("admin:funding_award_add"),
        {
            "membership": membership.pk,
            "amount": "20000.01",
            "status": "offered",
            "notes": "",
            "instalments-TOTAL_FORMS": "0",
            "instalments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["amount"] == ["Enter an amount of at most £20,000"]
    assert not Award.objects.exists()


@pytest.mark.parametrize("rows", [1, 50])
def test_application_changelist_with_reviews_costs_the_same_at_1_and_50(staff_client, django_assert_num_queries, rows):
    call = OpenCallFactory()
    criterion = CriterionFactory(call=call, weight=Decimal("2.00"))
    for _ in range(rows):
        assignment = ReviewAssignmentFactory(application__call=call, submitted_at=timezone.now())
        Score.objects.create(assignment=assignment, criterion=criterion, value=4)
    with django_assert_num_queries(9):
        response = staff_client.get(reverse("admin:applications_application_changelist"))
    assert response.context["cl"].result_count == rows
    assert "4.00" in response.content.decode()
    assert "1 / 1" in response.content.decode()


def test_long_changelist_checkbox_is_the_markup_the_admin_script_selects(staff_client):
    application = ApplicationFactory(organisation__name="Open Rivers & Co")
    response = staff_client.get(reverse("admin:applications_application_changelist"))
    checkbox = (
        f'<input type="checkbox" name="_selected_action" value="{application.pk}" class="action-select" '
        f'aria-label="Select this object for an action - Open Rivers &amp; Co → {application.call}">'
    )
    assert checkbox in response.content.decode()
    assert response.content.decode().count('class="action-select"') == 1


def _change_form_data(response) -> dict:
    """What the admin's change form would post back unchanged: its fields and each inline's forms."""
    data = {}
    for formset in [
        response.context["adminform"].form,
        *(i.formset for i in response.context["inline_admin_formsets"]),
    ]:
        forms = [formset] if not hasattr(formset, "management_form") else [formset.management_form, *formset.forms]
        for form in forms:
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if value is not None:
                    data[form.add_prefix(name)] = value.pk if hasattr(value, "pk") else value
    return data


def test_staff_extend_a_deadline_and_remove_a_reviewer_from_the_change_form(staff_client):
    assignment = ReviewAssignmentFactory()
    application = assignment.application
    url = reverse("admin:applications_application_change", args=[application.pk])
    data = _change_form_data(staff_client.get(url))
    data["deadline_extended_until_0"], data["deadline_extended_until_1"] = "2027-01-15", "12:00:00"
    data["assignments-0-DELETE"] = "on"
    response = staff_client.post(url, data)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.deadline_extended_until is not None
    assert not application.assignments.exists()


def test_a_reviewer_added_in_the_change_form_is_assigned_by_the_service(staff_client):
    application = ApplicationFactory(status=Application.Status.SUBMITTED)
    url = reverse("admin:applications_application_change", args=[application.pk])
    data = _change_form_data(staff_client.get(url))
    data["assignments-TOTAL_FORMS"] = 1
    data["assignments-0-reviewer"] = reviewer().pk
    response = staff_client.post(url, data)
    assert response.status_code == 302
    (assignment,) = application.assignments.all()
    assert (assignment.reviewer_id, assignment.assigned_by_id) == (
        data["assignments-0-reviewer"],
        response.wsgi_request.user.pk,
    )


def _rows_on_page(response) -> int:
    return len(response.context["cl"].result_list)


def test_changelists_show_50_rows_and_staff_choose_100_or_200(staff_client):
    """Issue #20's decision: 50 rows per page; 100 and 200 on the page; the choice survives paging and filters."""
    InstalmentFactory.create_batch(120)
    url = reverse("admin:funding_instalment_changelist")
    response = staff_client.get(url)
    assert (_rows_on_page(response), response.context["cl"].paginator.num_pages) == (50, 3)
    html = response.content.decode()
    assert '<nav class="per-page" aria-label="Rows per page">' in html
    assert '<strong aria-current="page">50</strong>' in html
    assert '<a href="?per_page=100">100</a>' in html
    assert '<a href="?per_page=200">200</a>' in html

    response = staff_client.get(url, {"per_page": "100", "p": "2"})
    assert (_rows_on_page(response), response.context["cl"].page_num) == (20, 2)
    html = response.content.decode()
    assert "?p=1&amp;per_page=100" in html  # the page links keep the choice
    assert "?per_page=200" in html
    assert "p=2&amp;per_page=200" not in html  # a new size starts at page 1

    response = staff_client.get(url, {"per_page": "200", "status__exact": "scheduled"})
    assert (response.status_code, _rows_on_page(response)) == (200, 120)  # not taken for a filter (no ?e=1)


@pytest.mark.parametrize("value", ["7", "100000", "-50", "abc", "", "1e3"])
def test_a_page_size_not_offered_is_the_default_never_an_error(staff_client, value):
    InstalmentFactory.create_batch(60)
    response = staff_client.get(reverse("admin:funding_instalment_changelist"), {"per_page": value})
    assert (response.status_code, _rows_on_page(response)) == (200, 50)


def test_a_short_list_has_no_chooser(staff_client):
    InstalmentFactory.create_batch(3)
    html = staff_client.get(reverse("admin:funding_instalment_changelist")).content.decode()
    assert "Rows per page" not in html


def test_every_project_changelist_pages_at_50():
    from django.contrib import admin

    from tests.helpers import project_app_labels

    ours = [ma for model, ma in admin.site._registry.items() if model._meta.app_label in project_app_labels()]
    assert {(ma.list_per_page, ma.get_changelist(None).__name__) for ma in ours} == {(50, "SizedChangeList")}
