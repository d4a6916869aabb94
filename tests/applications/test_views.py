from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from applications.models import Application
from cohorts.models import Theme
from tests.factories import ApplicationFactory, OpenCallFactory, OrganisationPersonFactory, UserFactory

pytestmark = pytest.mark.django_db

CLOSES = datetime(2026, 8, 31, 22, 59, tzinfo=UTC)  # 23:59 BST


@pytest.fixture
def applicant_client(client):
    link = OrganisationPersonFactory()
    client.force_login(link.user)
    client.link = link
    return client


def _valid_answers(**overrides):
    answers = {
        "data_stewarded": "Open tide data for small ports.",
        "licence": "ODbL 1.0",
        "sustainability": "Consulting income.",
        "contribution": "How we run volunteer data collection.",
        "time_commitment": "Two days a month",
        "funding_requested": "12000.50",
        "consent_to_publish": "on",
        "themes": [str(Theme.objects.get(slug="sustainability").pk)],
    }
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not None}


def test_open_call_page_prints_times_in_the_calls_zone(client):
    call = OpenCallFactory(opens_at=CLOSES - timedelta(days=30), closes_at=CLOSES)
    with time_machine.travel(CLOSES - timedelta(days=1), tick=False):
        response = client.get(call.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert "Mon 31 Aug 2026, 23:59 BST (Europe/London)" in content
    assert reverse("applications:start", args=[call.slug]) in content


def test_closed_call_says_so_and_offers_no_way_to_apply(client):
    call = OpenCallFactory(opens_at=CLOSES - timedelta(days=30), closes_at=CLOSES)
    with time_machine.travel(CLOSES + timedelta(seconds=1), tick=False):
        response = client.get(call.get_absolute_url())
    content = response.content.decode()
    assert "This opportunity is now closed." in content
    assert reverse("applications:start", args=[call.slug]) not in content


def test_upcoming_call_says_when_it_opens(client):
    call = OpenCallFactory(opens_at=CLOSES - timedelta(days=30), closes_at=CLOSES)
    with time_machine.travel(CLOSES - timedelta(days=31), tick=False):
        response = client.get(call.get_absolute_url())
    assert "This call opens on Sat 1 Aug 2026, 23:59 BST (Europe/London)." in response.content.decode()


def test_call_list_shows_open_calls_first(client):
    closed = OpenCallFactory(
        title="Closed call", opens_at=CLOSES - timedelta(days=90), closes_at=CLOSES - timedelta(days=60)
    )
    upcoming = OpenCallFactory(
        title="Upcoming call", opens_at=CLOSES + timedelta(days=5), closes_at=CLOSES + timedelta(days=50)
    )
    open_call = OpenCallFactory(
        title="Open call", opens_at=CLOSES - timedelta(days=5), closes_at=CLOSES + timedelta(days=5)
    )
    with time_machine.travel(CLOSES, tick=False):
        response = client.get(reverse("applications:call_list"))
    titles = [call.title for call in response.context["calls"]]
    assert titles == [open_call.title, upcoming.title, closed.title]


def test_start_without_an_organisation_asks_for_one_first(client):
    client.force_login(UserFactory())
    call = OpenCallFactory()
    response = client.get(reverse("applications:start", args=[call.slug]))
    assert response.status_code == 302
    assert response["Location"] == f"/organisations/new/?next=%2Fcalls%2F{call.slug}%2Fapply%2F"


def test_save_draft_keeps_partial_answers(applicant_client):
    application = ApplicationFactory(
        organisation=applicant_client.link.organisation, created_by=applicant_client.link.user, licence=""
    )
    response = applicant_client.post(
        reverse("applications:edit", args=[application.pk]),
        {"licence": "CC0", "save_draft": "Save draft"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.licence == "CC0"
    assert application.status == Application.Status.DRAFT


def test_submit_through_the_form(applicant_client, mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    application = ApplicationFactory(
        organisation=applicant_client.link.organisation, created_by=applicant_client.link.user
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = applicant_client.post(
            reverse("applications:edit", args=[application.pk]), {**_valid_answers(), "submit_application": "Submit"}
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.funding_requested == Decimal("12000.50")
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("funding_requested", "twelve thousand", "Enter a number."),
        ("funding_requested", "NaN", "Enter a number."),
        ("funding_requested", "1e400", "Ensure that there are no more than 10 digits in total."),
        ("funding_requested", "-5", "Ensure this value is greater than or equal to 0.01."),
        ("funding_requested", "20000.01", "Ensure this value is less than or equal to 20000.00."),
        ("licence", "x" * 201, "Ensure this value has at most 200 characters (it has 201)."),
        ("data_stewarded", "x" * 5001, "Ensure this value has at most 5000 characters (it has 5001)."),
        ("licence", "CC\x00BY", "Null characters are not allowed."),
    ],
)
def test_bad_input_is_a_field_error_and_other_answers_are_kept(applicant_client, field, value, message):
    application = ApplicationFactory(
        organisation=applicant_client.link.organisation, created_by=applicant_client.link.user, data_stewarded=""
    )
    answers = _valid_answers(**{"data_stewarded": "Typed but not yet saved", field: value})
    response = applicant_client.post(
        reverse("applications:edit", args=[application.pk]), {**answers, "save_draft": "1"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field] == [message]
    if field != "data_stewarded":
        assert "Typed but not yet saved</textarea>" in response.content.decode()
    application.refresh_from_db()
    assert application.data_stewarded == ""  # nothing half-saved


def test_submitting_an_empty_form_lists_what_is_missing(applicant_client):
    application = ApplicationFactory(
        organisation=applicant_client.link.organisation,
        created_by=applicant_client.link.user,
        data_stewarded="",
        licence="",
        sustainability="",
        contribution="",
        time_commitment="",
        funding_requested=None,
        consent_to_publish=False,
    )
    response = applicant_client.post(reverse("applications:edit", args=[application.pk]), {"submit_application": "1"})
    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == [
        "consent_to_publish",
        "contribution",
        "data_stewarded",
        "funding_requested",
        "licence",
        "sustainability",
        "themes",
        "time_commitment",
    ]
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_submit_after_the_deadline_is_refused_and_the_typed_answers_are_kept(applicant_client):
    call = OpenCallFactory(opens_at=CLOSES - timedelta(days=30), closes_at=CLOSES)
    application = ApplicationFactory(
        call=call, organisation=applicant_client.link.organisation, created_by=applicant_client.link.user
    )
    with time_machine.travel(CLOSES + timedelta(seconds=1), tick=False):
        response = applicant_client.post(
            reverse("applications:edit", args=[application.pk]),
            {**_valid_answers(licence="Typed at the last second"), "submit_application": "1"},
        )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This call closed on 31 August 2026 at 23:59 BST (Europe/London). "
        "Your draft is kept, but it can no longer be changed or submitted."
    ]
    # The page still shows what was typed; the saved draft is as it was at the deadline.
    assert 'value="Typed at the last second"' in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.licence == "CC BY 4.0"


@pytest.mark.parametrize("name", ["applications:detail", "applications:edit"])
def test_another_organisations_application_is_a_404(applicant_client, name):
    other = ApplicationFactory()
    response = applicant_client.get(reverse(name, args=[other.pk]))
    assert response.status_code == 404


def test_pages_need_a_login(client):
    application = ApplicationFactory()
    response = client.get(reverse("applications:edit", args=[application.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("rows", [1, 50])
def test_application_list_queries_do_not_grow(client, django_assert_num_queries, rows):
    link = OrganisationPersonFactory()
    for _ in range(rows):
        ApplicationFactory(organisation=link.organisation, created_by=link.user)
    client.force_login(link.user)
    # session, user, the list (organisations as a subquery), the navbar's reviewer check
    with django_assert_num_queries(4):
        response = client.get(reverse("applications:list"))
    assert len(response.context["applications"]) == rows


def test_a_second_application_from_the_same_organisation_is_refused_with_a_message(client):
    link = OrganisationPersonFactory()
    first = ApplicationFactory(
        organisation=link.organisation, created_by=link.user, status=Application.Status.SUBMITTED
    )
    client.force_login(link.user)
    response = client.post(
        reverse("applications:start", args=[first.call.slug]), {"organisation": link.organisation.pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == first.get_absolute_url()
    assert f"{link.organisation.name} already has an application to this call" in response.content.decode()
    assert Application.objects.count() == 1


@pytest.mark.parametrize("themes", [1, 6])
def test_a_draft_save_checks_only_the_answers(applicant_client, django_assert_num_queries, themes):
    """The benchmark's draft save took 24 queries: the links to call, organisation and people were
    re-checked on every keystroke save, though a draft save cannot change them."""
    application = ApplicationFactory(
        organisation=applicant_client.link.organisation, created_by=applicant_client.link.user
    )
    chosen = [str(pk) for pk in Theme.objects.values_list("pk", flat=True)[:themes]]
    applicant_client.post(reverse("applications:autosave", args=[application.pk]), _valid_answers(themes=chosen))
    answers = _valid_answers(licence="CC BY 4.0", themes=chosen)
    # session, user, application, permission, the form (themes, questions, chosen themes, funding check),
    # the service (savepoint, locked application, permission, questions, funding check, update, themes)
    with django_assert_num_queries(20):
        response = applicant_client.post(
            reverse("applications:autosave", args=[application.pk]), answers, headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.licence == "CC BY 4.0"
    assert sorted(str(pk) for pk in application.themes.values_list("pk", flat=True)) == sorted(chosen)
