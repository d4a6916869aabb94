"""Progress and final reports: drafts by anyone at the organisation, submission by the lead, staff decisions,
the instalment that waits for a report, reminders, and the pages (outcomes/services_reports.py, views_reports.py).
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from funding import services as funding_services
from funding.models import FundingChange, Instalment
from notifications.models import Email
from notifications.reminders import reminders_sweep
from outcomes import services_reports as services
from outcomes.models import Report
from tests.factories import ParticipantFactory, UserFactory
from tests.funding.helpers import finance
from tests.helpers import World
from tests.outcomes.reports_helpers import DUE, make_round

pytestmark = pytest.mark.django_db

QUESTIONS = (
    ("What did you do?", "long_text", True),
    ("People involved", "number", False),
    ("On track?", "yes_no", True),
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world():
    return World()


def _report(world, **kwargs) -> Report:
    report_round = make_round(world.cohort_x, questions=QUESTIONS, **kwargs)
    return report_round.reports.get(membership=world.participant.membership)


def _answers(report, *values) -> dict:
    return {str(q.pk): v for q, v in zip(report.round.questions.all(), values, strict=True)}


def _submitted(world) -> Report:
    report = _report(world)
    lead = world.participant.user
    report = services.report_save(
        report=report, user=lead, answers=_answers(report, "Ran two roundtables", Decimal("4"), "yes"), version=0
    )
    return services.report_submit(report=report, by=lead)


# --- Opening, drafts, concurrency ---------------------------------------------------------------


def test_a_round_gives_each_member_organisation_one_draft_report(world):
    other = ParticipantFactory(membership__cohort=world.cohort_x)
    report_round = make_round(world.cohort_x)
    assert sorted(report_round.reports.values_list("membership_id", "status")) == sorted(
        [(world.participant.membership_id, "draft"), (other.membership_id, "draft")]
    )
    assert services.report_round_open(report_round=report_round) == 0  # again: nothing new


def test_any_participant_saves_a_draft_and_a_stale_page_is_refused_naming_who_saved(world):
    report = _report(world)
    saved = services.report_save(
        report=report, user=world.colleague, answers=_answers(report, "Draft one", "", ""), version=0
    )
    assert (saved.version, saved.updated_by, saved.answers[str(report.round.questions.first().pk)]) == (
        1,
        world.colleague,
        "Draft one",
    )
    with pytest.raises(services.ReportConflict) as excinfo:
        services.report_save(
            report=report, user=world.participant.user, answers=_answers(report, "Mine", "", ""), version=0
        )
    assert excinfo.value.messages[0].startswith(f"{world.colleague.display_name} saved this report at ")
    report.refresh_from_db()
    assert report.answers[str(report.round.questions.first().pk)] == "Draft one"  # not overwritten


def test_someone_outside_the_organisation_cannot_save(world):
    report = _report(world)
    with pytest.raises(PermissionDenied):
        services.report_save(report=report, user=world.users["participant_y"], answers={}, version=0)


# --- Submitting -------------------------------------------------------------------------------


def test_a_colleague_who_is_not_the_lead_cannot_submit_and_is_told_who_can(world):
    report = _report(world)
    services.report_save(report=report, user=world.colleague, answers=_answers(report, "Done", "", "yes"), version=0)
    with pytest.raises(ValidationError) as excinfo:
        services.report_submit(report=report, by=world.colleague)
    assert excinfo.value.messages == [
        f"Only the lead contact ({world.participant.user.display_name}) can submit this report. "
        "Your answers are saved as a draft; ask them to submit it."
    ]
    report.refresh_from_db()
    assert report.status == "draft"


def test_submitting_with_a_required_answer_missing_names_the_question(world):
    report = _report(world)
    services.report_save(
        report=report, user=world.participant.user, answers=_answers(report, "Done", "", ""), version=0
    )
    with pytest.raises(ValidationError) as excinfo:
        services.report_submit(report=report, by=world.participant.user)
    assert excinfo.value.messages == ["Answer these questions before submitting: On track?."]


def test_the_lead_submits_then_it_can_no_longer_be_edited(world):
    report = _submitted(world)
    assert (report.status, report.submitted_by) == ("submitted", world.participant.user)
    with pytest.raises(ValidationError) as excinfo:
        services.report_save(report=report, user=world.participant.user, answers={}, version=report.version)
    assert excinfo.value.messages == [
        "This report is submitted, so it can no longer be changed. Staff will return it if anything needs changing."
    ]


# --- Staff decisions and emails -----------------------------------------------------------------


def test_returning_needs_comments_then_the_organisation_edits_and_resubmits(world, django_capture_on_commit_callbacks):
    report = _submitted(world)
    staff = world.users["staff"]
    with pytest.raises(ValidationError) as excinfo:
        services.report_return(report=report, by=staff, comments="  ")
    assert excinfo.value.message_dict == {
        "staff_comments": ["Write what the organisation should change: returning needs comments."]
    }
    with django_capture_on_commit_callbacks():
        report = services.report_return(report=report, by=staff, comments="Please add the numbers.")
    assert report.status == "returned"
    emails = Email.objects.filter(kind="report_returned").order_by("to_email")
    assert sorted(e.to_email for e in emails) == sorted([world.participant.user.email, world.colleague.email])
    assert "Please add the numbers." in emails[0].body_text
    report = services.report_save(
        report=report,
        user=world.colleague,
        answers=_answers(report, "More", Decimal("7"), "yes"),
        version=report.version,
    )
    report = services.report_submit(report=report, by=world.participant.user)
    assert report.status == "submitted"
    assert report.answers[str(report.round.questions.all()[1].pk)] == "7"


def test_only_staff_decide_and_only_a_submitted_report(world):
    report = _report(world)
    with pytest.raises(ValidationError) as excinfo:
        services.report_accept(report=report, by=world.users["staff"])
    assert excinfo.value.messages == ["Only a submitted report can be accepted or returned; this one is draft."]
    with pytest.raises(PermissionDenied):
        services.report_accept(report=report, by=world.participant.user)


# --- The instalment that waits for a report -------------------------------------------------------


def test_a_tied_instalment_cannot_be_approved_until_the_report_is_accepted_then_it_falls_due(world):
    report = _submitted(world)
    staff, officer = world.users["staff"], finance()
    instalment = world.instalment  # £1,000.00 due 31 Jan 2027
    services.report_tie_instalment(report=report, instalment=instalment, by=staff)
    instalment.refresh_from_db()
    assert instalment.held_for == f"the Mid-point progress report of {world.org_a.name}"
    with pytest.raises(ValidationError) as excinfo:
        funding_services.instalment_approve(instalment=instalment, by=officer)
    assert excinfo.value.messages == [
        f"This instalment waits for the Mid-point progress report of {world.org_a.name} to be accepted: "
        "it can be approved and paid once staff accept that report."
    ]
    with time_machine.travel("2027-02-10 10:00Z", tick=False):
        services.report_accept(report=report, by=staff)
    instalment.refresh_from_db()
    # Accepted after its date: it is due from the day of acceptance.
    assert (instalment.held_for, instalment.due_on, instalment.status) == ("", date(2027, 2, 10), "scheduled")
    assert list(FundingChange.objects.filter(instalment=instalment).values_list("action", flat=True)) == [
        "instalment scheduled",
        "instalment held",
        "instalment released",
    ]
    funding_services.instalment_approve(instalment=instalment, by=officer)
    assert Instalment.objects.get(pk=instalment.pk).status == "approved"


def test_accepted_before_its_date_the_instalment_keeps_its_due_date(world):
    report = _submitted(world)
    services.report_tie_instalment(report=report, instalment=world.instalment, by=world.users["staff"])
    with time_machine.travel("2027-01-05 10:00Z", tick=False):
        services.report_accept(report=report, by=world.users["staff"])
    assert Instalment.objects.get(pk=world.instalment.pk).due_on == date(2027, 1, 31)


def test_only_the_organisations_scheduled_instalment_can_be_tied(world):
    report = _report(world)
    staff = world.users["staff"]
    other = funding_services.instalment_schedule(
        award=funding_services.award_create(
            membership=ParticipantFactory(membership__cohort=world.cohort_x).membership,
            amount=Decimal("5000.00"),
            created_by=staff,
        ),
        amount=Decimal("100.00"),
        due_on=date(2027, 1, 1),
        by=staff,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.report_tie_instalment(report=report, instalment=other, by=staff)
    assert excinfo.value.message_dict == {
        "instalment": ["Choose an instalment of this organisation's award for this cohort."]
    }


def test_untying_releases_the_instalment_with_its_date(world):
    report = _report(world)
    staff = world.users["staff"]
    services.report_tie_instalment(report=report, instalment=world.instalment, by=staff)
    services.report_tie_instalment(report=report, instalment=None, by=staff)
    instalment = Instalment.objects.get(pk=world.instalment.pk)
    assert (instalment.held_for, instalment.due_on) == ("", date(2027, 1, 31))


def test_a_held_instalment_is_not_reminded_to_finance(world):
    report = _report(world)
    finance()
    services.report_tie_instalment(report=report, instalment=world.instalment, by=world.users["staff"])
    with time_machine.travel("2027-01-30 09:00Z", tick=False):
        reminders_sweep()
    assert Email.objects.filter(kind="reminder_instalment_due").count() == 0


# --- Reminders ----------------------------------------------------------------------------------


def test_the_reminder_before_the_due_date_goes_once_to_each_person_of_an_unsubmitted_report(world):
    submitted_round_org = ParticipantFactory(membership__cohort=world.cohort_x)  # another organisation
    _report(world)
    with time_machine.travel(DUE - timedelta(hours=20), tick=False):
        assert reminders_sweep() == 3  # two people at A, one at the other organisation
        assert reminders_sweep() == 0  # a second sweep writes nothing new
    rows = Email.objects.filter(kind="reminder_report_due")
    assert sorted(r.to_email for r in rows) == sorted(
        [world.participant.user.email, world.colleague.email, submitted_round_org.user.email]
    )
    mine = rows.get(to_email=world.participant.user.email)
    assert mine.subject == f"Report due: Mid-point progress report ({world.org_a.name})"
    assert "is due in 20 hours, on Friday 15 January 2027, 17:00 GMT (Europe/London)" in mine.body_text


def test_no_reminder_once_the_report_is_submitted(world):
    _submitted(world)
    with time_machine.travel(DUE - timedelta(hours=20), tick=False):
        reminders_sweep()
    assert Email.objects.filter(kind="reminder_report_due", to_email=world.participant.user.email).count() == 0


# --- Pages --------------------------------------------------------------------------------------


def _post(report, *values, action="save", version=None):
    data = {"version": report.version if version is None else version, action: ""}
    for q, v in zip(report.round.questions.all(), values, strict=True):
        data[f"q{q.pk}"] = v
    return data


def test_another_organisations_report_is_a_404(client, world):
    report = _report(world)
    client.force_login(world.users["participant_y"])
    assert client.get(report.get_absolute_url()).status_code == 404
    assert client.post(report.get_absolute_url(), _post(report, "x", "", "")).status_code == 404


def test_a_colleague_pressing_submit_keeps_the_text_and_sees_who_can_submit(client, world):
    report = _report(world)
    client.force_login(world.colleague)
    response = client.post(report.get_absolute_url(), _post(report, "Our text", "3", "yes", action="submit"))
    assert response.status_code == 200
    assert f"Only the lead contact ({world.participant.user.display_name}) can submit this report." in (
        response.content.decode()
    )
    report.refresh_from_db()
    assert (report.status, report.answers[str(report.round.questions.first().pk)]) == ("draft", "Our text")
    assert "Our text" in response.content.decode()


def test_the_lead_submits_in_the_page_and_the_list_shows_the_status(client, world):
    report = _report(world)
    client.force_login(world.participant.user)
    response = client.post(report.get_absolute_url(), _post(report, "Our text", "3", "yes", action="submit"))
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).status == "submitted"
    page = client.get(reverse("outcomes:reports")).content.decode()
    assert "Mid-point progress report" in page
    assert "Submitted" in page


def test_a_stale_page_keeps_the_writers_text_and_shows_what_was_saved_meanwhile(client, world):
    report = _report(world)
    services.report_save(
        report=report, user=world.colleague, answers=_answers(report, "Colleague's", "", ""), version=0
    )
    client.force_login(world.participant.user)
    response = client.post(report.get_absolute_url(), _post(report, "Lead's", "", "", version=0))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Lead&#x27;s" in page
    assert "Colleague&#x27;s" in page
    assert f"{world.colleague.display_name} saved this report at" in page
    # The page now carries the newer version: saving again (knowingly) goes through.
    assert 'name="version" value="1"' in page


def test_a_bad_number_is_a_form_error_not_a_500(client, world):
    report = _report(world)
    client.force_login(world.colleague)
    response = client.post(report.get_absolute_url(), _post(report, "Text kept", "many", ""))
    assert response.status_code == 200
    assert "Enter a number, like 12 or 3.5" in response.content.decode()
    assert "Text kept" in response.content.decode()


def test_the_organisation_sees_staff_comments_on_a_returned_report(client, world):
    report = _submitted(world)
    services.report_return(report=report, by=world.users["staff"], comments="Add the numbers please.")
    client.force_login(world.colleague)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Returned for changes" in page
    assert "Add the numbers please." in page


def test_the_list_says_what_to_do_when_nothing_is_due(client):
    client.force_login(UserFactory())
    assert "No reports are due" in client.get(reverse("outcomes:reports")).content.decode()


def test_the_organisation_sees_its_instalment_waiting_for_the_report(client, world):
    report = _report(world)
    services.report_tie_instalment(report=report, instalment=world.instalment, by=world.users["staff"])
    client.force_login(world.participant.user)
    page = client.get(world.award.get_absolute_url()).content.decode()
    assert f"Waiting for the Mid-point progress report of {world.org_a.name}" in page
    assert 'href="/reports/"' in page


def test_the_cohort_page_links_to_the_organisations_reports(client, world):
    client.force_login(world.participant.user)
    page = client.get(world.cohort_x.get_absolute_url()).content.decode()
    assert f"{world.org_a.name}'s progress and final reports" in page
