"""Fixes to reports found from outside (issue #17): round questions, the round's due time zone, instalments."""

from datetime import UTC, datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from outcomes.models import ReportRound
from tests.factories import UserFactory
from tests.helpers import World

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


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _round_post(world, *questions, **overrides) -> dict:
    data = {
        "cohort": world.cohort_x.pk,
        "kind": "progress",
        "title": "Mid-point",
        "introduction": "",
        "due_at_0": "2027-01-15",
        "due_at_1": "17:00:00",
        "time_zone": "Europe/London",
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for i, (text, kind, choices) in enumerate(questions):
        data |= {
            f"questions-{i}-text": text,
            f"questions-{i}-kind": kind,
            f"questions-{i}-required": "on",
            f"questions-{i}-position": str(i),
            f"questions-{i}-help_text": "",
            f"questions-{i}-choices": choices,
        }
    return data | overrides


def _add(staff_client, data):
    return staff_client.post(reverse("admin:outcomes_reportround_add"), data)


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ("", "A single choice needs at least two options, one per line."),
        ("Only one", "A single choice needs at least two options, one per line."),
        ("A\nA\nB", "Each option must be different: remove the repeated line."),
    ],
)
def test_a_single_choice_without_two_different_options_is_refused(staff_client, world, choices, message):
    response = _add(staff_client, _round_post(world, ("How far along?", "single_choice", choices)))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReportRound.objects.exists()


def test_a_single_choice_with_two_options_is_accepted(staff_client, world):
    response = _add(staff_client, _round_post(world, ("How far along?", "single_choice", "Started\nDone\n")))
    assert response.status_code == 302
    assert ReportRound.objects.get().questions.get().options == ["Started", "Done"]


def test_options_on_a_text_question_are_refused(staff_client, world):
    response = _add(staff_client, _round_post(world, ("What changed?", "long_text", "A\nB")))
    assert response.status_code == 200
    assert "Only a single choice question takes options; clear them for Long text." in response.content.decode()
    assert not ReportRound.objects.exists()


def test_a_round_without_questions_is_refused(staff_client, world):
    response = _add(staff_client, _round_post(world))
    assert response.status_code == 200
    assert "Add at least one question: a round without questions asks the organisations nothing." in (
        response.content.decode()
    )
    assert not ReportRound.objects.exists()


def test_the_due_time_is_read_in_the_rounds_time_zone(staff_client, world):
    data = _round_post(world, ("What changed?", "long_text", ""), time_zone="America/New_York")
    response = _add(staff_client, data)
    assert response.status_code == 302
    report_round = ReportRound.objects.get()
    # 17:00 EST is 22:00 UTC.
    assert report_round.due_at == datetime(2027, 1, 15, 22, 0, tzinfo=UTC)
    page = staff_client.get(reverse("admin:outcomes_reportround_change", args=[report_round.pk])).content.decode()
    assert 'value="17:00:00"' in page
    assert "In America/New_York time, the round's time zone (set below)" in page


def _submitted_report(world, title):
    from outcomes import services_reports as services
    from tests.outcomes.reports_helpers import make_round

    report = make_round(world.cohort_x, title=title).reports.get(membership=world.participant.membership)
    question = report.round.questions.get()
    lead = world.participant.user
    report = services.report_save(report=report, user=lead, answers={str(question.pk): "Done"}, version=0)
    return services.report_submit(report=report, by=lead)


def test_a_released_instalment_is_not_offered_again_and_tying_it_says_why(staff_client, world):
    from django.core.exceptions import ValidationError

    from outcomes import services_reports as services
    from outcomes.admin.reports import ReportAdminForm

    staff = UserFactory(is_staff=True)
    first = _submitted_report(world, "Mid-point")
    services.report_tie_instalment(report=first, instalment=world.instalment, by=staff)
    services.report_accept(report=first, by=staff, comments="")
    second = _submitted_report(world, "Final")
    assert world.instalment not in ReportAdminForm(instance=second).fields["instalment"].queryset
    with pytest.raises(ValidationError) as refusal:
        services.report_tie_instalment(report=second, instalment=world.instalment, by=staff)
    assert refusal.value.message_dict["instalment"] == [
        f"This instalment was released when the Mid-point of {world.org_a.name} was accepted: "
        "it no longer waits for a report. Choose another instalment."
    ]


def _round_change_post(report_round, *, extra=None, **changes) -> dict:
    (question,) = report_round.questions.all()
    data = {
        "kind": report_round.kind,
        "title": report_round.title,
        "introduction": "",
        "due_at_0": "2027-01-15",
        "due_at_1": "17:00:00",
        "time_zone": "Europe/London",
        "questions-TOTAL_FORMS": "2" if extra else "1",
        "questions-INITIAL_FORMS": "1",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "questions-0-id": str(question.pk),
        "questions-0-round": str(report_round.pk),
        "questions-0-text": question.text,
        "questions-0-kind": changes.get("kind", question.kind),
        "questions-0-required": "on",
        "questions-0-position": "0",
        "questions-0-help_text": "",
        "questions-0-choices": changes.get("choices", ""),
    }
    if extra:
        data |= {
            "questions-1-round": str(report_round.pk),
            "questions-1-text": extra[0],
            "questions-1-kind": "long_text",
            "questions-1-position": "1",
            "questions-1-help_text": "",
            "questions-1-choices": "",
        } | ({"questions-1-required": "on"} if extra[1] else {})
    return data


def test_once_a_report_is_submitted_question_kinds_stay_and_new_questions_are_optional(staff_client, world):
    report = _submitted_report(world, "Mid-point")
    report_round = report.round
    url = reverse("admin:outcomes_reportround_change", args=[report_round.pk])
    response = staff_client.post(url, _round_change_post(report_round, kind="number"))
    assert response.status_code == 200
    assert "Reports of this round have been submitted with answers to this question: its kind stays." in (
        response.content.decode()
    )
    assert report_round.questions.get().kind == "long_text"
    response = staff_client.post(url, _round_change_post(report_round, extra=("Anything else?", True)))
    assert response.status_code == 200
    assert "Reports of this round have been submitted without this question: it can only be optional." in (
        response.content.decode()
    )
    assert report_round.questions.count() == 1
    response = staff_client.post(url, _round_change_post(report_round, extra=("Anything else?", False)))
    assert response.status_code == 302
    assert list(report_round.questions.values_list("text", "required")) == [
        ("What did you do?", True),
        ("Anything else?", False),
    ]


def test_while_every_report_is_a_draft_questions_may_change(staff_client, world):
    from tests.outcomes.reports_helpers import make_round

    report_round = make_round(world.cohort_x)
    url = reverse("admin:outcomes_reportround_change", args=[report_round.pk])
    response = staff_client.post(url, _round_change_post(report_round, kind="number", extra=("More?", True)))
    assert response.status_code == 302
    assert list(report_round.questions.values_list("kind", "required")) == [("number", True), ("long_text", True)]


def test_required_questions_are_not_marked_optional_and_optional_ones_are(client, world):
    from tests.outcomes.reports_helpers import make_round

    report_round = make_round(
        world.cohort_x, questions=(("What did you do?", "long_text", True), ("Anything else?", "long_text", False))
    )
    report = report_round.reports.get(membership=world.participant.membership)
    client.force_login(world.participant.user)
    page = client.get(report.get_absolute_url()).content.decode()
    optional = ' <span class="text-body-secondary">(optional)</span>'
    assert f"What did you do?{optional}" not in page
    assert "What did you do?</label>" in page
    assert "(Required to submit.)" in page
    assert f"Anything else?{optional}" in page


def test_the_reminder_says_it_is_a_draft(world):
    from datetime import timedelta

    import time_machine

    from notifications.models import Email
    from notifications.reminders import reminders_sweep
    from tests.outcomes.reports_helpers import DUE, make_round

    make_round(world.cohort_x)
    with time_machine.travel(DUE - timedelta(hours=20), tick=False):
        reminders_sweep()
    body = Email.objects.filter(kind="reminder_report_due").first().body_text
    assert "It is a draft: anyone at your organisation can write it" in body


def test_the_save_conflict_names_the_time_in_the_readers_zone(world):
    from outcomes import services_reports as services
    from tests.outcomes.reports_helpers import make_round

    report = make_round(world.cohort_x).reports.get(membership=world.participant.membership)
    question = report.round.questions.get()
    services.report_save(report=report, user=world.colleague, answers={str(question.pk): "One"}, version=0)
    reader = world.participant.user
    reader.time_zone = "Asia/Tokyo"
    reader.save(update_fields=["time_zone"])
    with pytest.raises(services.ReportConflict) as conflict:
        services.report_save(report=report, user=reader, answers={str(question.pk): "Two"}, version=0)
    report.refresh_from_db()
    from toolbox.timezones import in_zone

    when = in_zone(report.updated_at, "Asia/Tokyo")
    assert f"saved this report at {when:%H:%M} JST (Asia/Tokyo) after you opened it" in conflict.value.messages[0]


def test_the_accept_action_says_it_releases_instalments(staff_client, world):
    from outcomes.admin.reports import ReportAdmin

    assert ReportAdmin.accept.short_description == (
        "Accept the selected submitted reports (releases the instalments that wait for them)"
    )
