"""Staff work on reports through the admin's forms and buttons (outcomes/admin/reports.py); refusals are messages."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from funding.models import Instalment
from notifications.models import Email
from outcomes import services_reports as services
from outcomes.models import Report, ReportRound
from tests.factories import ParticipantFactory, UserFactory
from tests.funding.helpers import finance
from tests.helpers import World
from tests.outcomes.reports_helpers import make_round

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world():
    return World()


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _submitted(world) -> Report:
    report = make_round(world.cohort_x).reports.get(membership=world.participant.membership)
    question = report.round.questions.get()
    lead = world.participant.user
    report = services.report_save(report=report, user=lead, answers={str(question.pk): "Done"}, version=0)
    return services.report_submit(report=report, by=lead)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _change(staff_client, report, **data):
    url = reverse("admin:outcomes_report_change", args=[report.pk])
    base = {"staff_comments": report.staff_comments, "instalment": report.instalment_id or ""}
    return staff_client.post(url, {**base, **data})


def test_adding_a_round_with_questions_opens_a_report_per_member(staff_client, world):
    ParticipantFactory(membership__cohort=world.cohort_x)
    response = staff_client.post(
        reverse("admin:outcomes_reportround_add"),
        {
            "cohort": world.cohort_x.pk,
            "kind": "final",
            "title": "Final report",
            "introduction": "",
            "due_at_0": "2027-03-20",
            "due_at_1": "17:00:00",
            "time_zone": "Europe/London",
            "questions-TOTAL_FORMS": "1",
            "questions-INITIAL_FORMS": "0",
            "questions-MIN_NUM_FORMS": "0",
            "questions-MAX_NUM_FORMS": "1000",
            "questions-0-text": "What changed?",
            "questions-0-kind": "long_text",
            "questions-0-required": "on",
            "questions-0-position": "0",
            "questions-0-help_text": "",
            "questions-0-choices": "",
        },
    )
    assert response.status_code == 302
    report_round = ReportRound.objects.get(title="Final report")
    assert report_round.reports.count() == 2
    assert "Opened a report for 2 member organisation(s)." in _messages(response)


def test_staff_accept_with_the_button_and_the_tied_instalment_becomes_due(staff_client, world):
    report = _submitted(world)
    response = _change(staff_client, report, instalment=world.instalment.pk, _save="Save")
    assert response.status_code == 302
    assert Instalment.objects.get(pk=world.instalment.pk).held_for == (
        f"the Mid-point progress report of {world.org_a.name}"
    )
    response = _change(staff_client, Report.objects.get(pk=report.pk), staff_comments="Thank you.", _accept="Accept")
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.staff_comments) == ("accepted", "Thank you.")
    instalment = Instalment.objects.get(pk=world.instalment.pk)
    assert instalment.held_for == ""
    assert f"Report accepted. The instalment of £1,000.00 is now due on {instalment.due_on:%d %b %Y}." in _messages(
        response
    )
    # The organisation's people hear of it through the outbox, once each.
    assert sorted(Email.objects.filter(kind="report_accepted").values_list("to_email", flat=True)) == sorted(
        [world.participant.user.email, world.colleague.email]
    )


def test_returning_without_comments_is_a_form_error_not_a_500(staff_client, world):
    report = _submitted(world)
    response = _change(staff_client, report, staff_comments="", _return="Return")
    assert response.status_code == 200
    assert "Write what the organisation should change: returning needs comments." in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == "submitted"


def test_accepting_a_draft_is_refused_on_the_form(staff_client, world):
    report = make_round(world.cohort_x).reports.get(membership=world.participant.membership)
    response = _change(staff_client, report, _accept="Accept")
    assert response.status_code == 200
    assert "Only a submitted report can be accepted or returned; this one is draft." in response.content.decode()


def test_the_accept_action_reports_refusals_per_row(staff_client, world):
    submitted = _submitted(world)
    draft = make_round(world.cohort_x, title="Second").reports.get(membership=world.participant.membership)
    response = staff_client.post(
        reverse("admin:outcomes_report_changelist"),
        {"action": "accept", "_selected_action": [submitted.pk, draft.pk]},
    )
    assert response.status_code == 302
    assert _messages(response) == [
        f"Second: {world.org_a.name}: Only a submitted report can be accepted or returned; this one is draft.",
        "Accepted 1 report(s); any instalment that waited for one is released and now due.",
    ]


def test_approving_a_held_instalment_in_the_admin_is_a_message(client, world):
    report = _submitted(world)
    services.report_tie_instalment(report=report, instalment=world.instalment, by=world.users["staff"])
    officer = finance(is_superuser=True)
    client.force_login(officer)
    response = client.post(
        reverse("admin:funding_instalment_changelist"),
        {"action": "approve", "_selected_action": [world.instalment.pk]},
    )
    assert response.status_code == 302
    assert _messages(response) == [
        f"{world.instalment}: This instalment waits for the Mid-point progress report of {world.org_a.name} "
        "to be accepted: it can be approved and paid once staff accept that report."
    ]
    assert Instalment.objects.get(pk=world.instalment.pk).status == "scheduled"


def test_an_instalment_of_another_organisation_cannot_be_chosen(staff_client, world):
    report = _submitted(world)
    # The form offers only this organisation's scheduled instalments: any other key is not a choice.
    response = _change(staff_client, report, instalment=999999, _save="Save")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Instalment.objects.get(pk=world.instalment.pk).due_on == date(2027, 1, 31)


def _rounds(cohort, count: int) -> None:
    for index in range(count):
        make_round(cohort, title=f"Report {index}")


@pytest.mark.parametrize("rows", [1, 20])
def test_the_report_changelist_costs_the_same_at_1_and_20(staff_client, django_assert_num_queries, rows):
    participant = ParticipantFactory()
    _rounds(participant.membership.cohort, rows)
    with django_assert_num_queries(6):
        response = staff_client.get(reverse("admin:outcomes_report_changelist"))
    assert response.context["cl"].result_count == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_the_organisations_report_list_costs_the_same_at_1_and_20(client, django_assert_num_queries, rows):
    participant = ParticipantFactory()
    _rounds(participant.membership.cohort, rows)
    client.force_login(participant.user)
    with django_assert_num_queries(6):
        response = client.get(reverse("outcomes:reports"))
    assert len(response.context["reports"]) == rows


def test_a_round_with_a_submitted_report_cannot_be_deleted(staff_client, world):
    report = _submitted(world)
    response = staff_client.post(reverse("admin:outcomes_reportround_delete", args=[report.round_id]), {"post": "yes"})
    assert response.status_code == 403
    assert ReportRound.objects.filter(pk=report.round_id).exists()
