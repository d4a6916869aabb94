from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.serializers import serialize
from django.utils import timezone

from applications.models import Application, OpenCall
from chat.models import ChatMessage, Room
from chat.services import MENTION_KIND, mentioned_people
from cohortnet.management.commands.seed_demo import PARTICIPANT_EMAIL, STAFF_EMAIL
from cohortnet.staff_home import staff_home
from cohortnet.users.models import User
from cohorts.models import Cohort, Membership, Message, Participant
from events.models import RSVP, Event
from funding.models import Award, DayRate, FundingChange, Instalment, TimeEntry
from notifications.models import Email
from outcomes.models import Report, ReportRound
from tests.helpers import project_app_labels

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _debug_on(settings):
    # seed_demo is for laptops, where DEBUG is on; the test runner turns it off.
    settings.DEBUG = True


def _snapshot() -> str:
    # Every app of ours, and allauth's email addresses (the demo people's sign-in addresses).
    models = [m for label in [*project_app_labels(), "account"] for m in apps.get_app_config(label).get_models()]
    return "".join(serialize("json", m.objects.order_by("pk")) for m in models)


def test_seed_demo_creates_the_demo_programme(capsys):
    call_command("seed_demo")
    running = Cohort.objects.get(slug="cohort-2")
    assert running.status == Cohort.Status.RUNNING
    assert Membership.objects.filter(cohort=running).count() == 7
    assert Participant.objects.filter(membership__cohort=running).count() == 11
    assert Event.objects.filter(cohort=running).count() == 12
    assert Event.objects.filter(cohort=running, kind="roundtable").values("theme").distinct().count() == 4
    assert Award.objects.filter(membership__cohort=running).count() == 7
    call = OpenCall.objects.get(slug="cohort-3-open-call")
    assert call.is_open()
    assert timedelta(days=29) < call.closes_at - timezone.now() <= timedelta(days=31)
    out = capsys.readouterr().out
    assert "staff@cohortnet.example / cohortnet-demo-2026" in out
    assert "applicant@example.org / cohortnet-demo-2026" in out
    assert "participant@example.org / cohortnet-demo-2026" in out


def test_the_staff_home_has_something_in_every_stage_on_demo_data():
    call_command("seed_demo")
    home = staff_home(User.objects.get(email=STAFF_EMAIL))
    counts = {(section.title, figure.label): figure.count for section in home.sections for figure in section.counts}
    by_state = {label: n for (title, label), n in counts.items() if title == "Applications by workflow state"}
    # The two-stage call (_demo_stages) adds a shortlisted draft, two expressions not taken further and an
    # accepted application.
    assert {label: n for label, n in by_state.items() if n} == {
        "Draft": 1,
        "Submitted": 3,
        "Under review": 2,
        "Accepted": 2,
        "Not accepted": 1,
    }
    assert counts[("Reviews", "Assigned, not yet submitted")] == 2
    assert counts[("Reviews", "Conflicts declared on applications still being decided")] == 1
    assert counts[("Email", "Decisions made, emails held for review")] == 3
    assert counts[("Funding", "Instalments due by today, not yet paid")] == 1
    assert counts[("Funding", "Instalments awaiting approval")] == 2
    assert counts[("Funding", "Instalments approved, awaiting payment")] == 1
    assert len(home.events) == 3
    # The held emails are for one call, so "send all held for this call" has them all; they greet people by name.
    held = Email.objects.filter(status=Email.Status.HELD, kind="decision")
    assert held.values("batch").distinct().count() == 1
    assert sorted(email.body_text.split(",")[0] for email in held) == [
        "Dear Hugo Martin",
        "Dear Mei Lin",
        "Dear Sipho Dlamini",
    ]
    # The accepted organisation joined the next cohort; the scores are there for the weighted totals.
    accepted = Application.objects.get(status=Application.Status.ACCEPTED, call__slug="cohort-3-open-call")
    assert Membership.objects.filter(cohort__slug="cohort-3", organisation=accepted.organisation).exists()
    assert accepted.assignments.filter(submitted_at__isnull=False).count() == 2
    assert FundingChange.objects.filter(action="instalment approved").count() == 1
    assert TimeEntry.objects.count() == 1


def test_the_demo_participant_has_a_chat_with_a_mention_an_event_to_go_to_and_two_unread_threads():
    call_command("seed_demo")
    running = Cohort.objects.get(slug="cohort-2")
    maya = User.objects.get(email=PARTICIPANT_EMAIL)
    (room,) = Room.objects.all()
    assert (room.cohort, room.name) == (running, "General")
    assert list(ChatMessage.objects.values_list("room", "author__email", "body")) == [
        (
            room.pk,
            STAFF_EMAIL,
            "Good morning, everyone. This room is for quick questions between sessions; longer discussions work "
            "better as a thread in Messages.",
        ),
        (
            room.pk,
            "kofi@threadmap.example",
            "@Maya Okafor how does Ledgerlight answer companies that ask to be taken off the register? "
            "We get a few of those a month.",
        ),
        (
            room.pk,
            PARTICIPANT_EMAIL,
            "We point them to our public-interest statement and correct anything wrong within a week. "
            "Happy to share the wording.",
        ),
        (room.pk, "aoife@riverwatch.example", "Please do: Riverwatch is writing its first takedown policy."),
    ]
    # The mention names Maya, and, written directly, it queued no email.
    mention = ChatMessage.objects.all()[1]
    assert [person.email for person in mentioned_people(room, mention.body, mention.author)] == [PARTICIPANT_EMAIL]
    assert not Email.objects.filter(kind=MENTION_KIND).exists()
    # Answers to events still ahead (the past welcome session's attendance is the feedback demo's).
    assert list(
        RSVP.objects.filter(event__starts_at__gt=timezone.now()).values_list(
            "event__title", "user__email", "status", "membership__organisation__name"
        )
    ) == [
        (
            "Mid-point networking and collaborations",
            PARTICIPANT_EMAIL,
            RSVP.Status.GOING,
            "Ledgerlight Company Register",
        )
    ]
    unread = Message.objects.unread_for(maya, [running.pk]).order_by("pk")
    assert list(unread.values_list("subject", "author__email")) == [
        ("Welcome to cohort 2", STAFF_EMAIL),
        ("Bulk downloads: who pays for the bandwidth?", "kofi@threadmap.example"),
    ]


def test_one_demo_thread_has_a_theme_and_one_demo_participant_chose_the_daily_digest():
    call_command("seed_demo")
    call_command("seed_demo")  # and a second run leaves them as they are
    themed = Message.objects.threads().exclude(theme=None)
    assert list(themed.values_list("subject", "theme__slug")) == [
        ("Bulk downloads: who pays for the bandwidth?", "sustainability")
    ]
    assert list(
        Participant.objects.exclude(delivery=Participant.Delivery.EACH).values_list("user__email", "delivery")
    ) == [("marta@threadmap.example", "digest")]


def test_running_seed_demo_twice_changes_nothing():
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first
    # RSVPs: the demo participant's answer, and four attended the welcome session (the feedback demo).
    assert (ChatMessage.objects.count(), RSVP.objects.count(), Message.objects.threads().count()) == (4, 5, 2)


def test_seed_demo_refuses_when_debug_is_off(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert Cohort.objects.count() == 0


def test_seed_demo_has_a_call_selecting_in_stages():
    call_command("seed_demo")
    call = OpenCall.objects.get(slug="cohort-4-expressions-of-interest")
    assert call.has_stages
    applications = call.applications.order_by("organisation__name")
    assert applications.filter(expression_submitted_at__isnull=False).count() == 4
    assert applications.filter(shortlisted_at__isnull=False).count() == 2
    accepted = applications.get(status=Application.Status.ACCEPTED)
    assert accepted.organisation.name == "Harbour Tides Open Data"
    assert accepted.feedback.startswith("The panel valued")
    assert accepted.interview_slot.notes == "Clear about users; the revenue model is early."
    assert call.interview_slots.filter(application__isnull=True).count() == 2


def test_seed_demo_has_a_report_round_with_an_accepted_and_a_submitted_report_and_a_held_instalment():
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    running = Cohort.objects.get(slug="cohort-2")
    assert DayRate.objects.get(cohort=running).rate == Decimal("350.00")
    report_round = ReportRound.objects.get(cohort=running)
    assert sorted(report_round.reports.exclude(status="draft").values_list("status", flat=True)) == [
        "accepted",
        "submitted",
    ]
    held = Instalment.objects.exclude(held_for="").get()
    assert Report.objects.get(instalment=held).status == "submitted"
    assert held.amount == Decimal("5000.00")
    # The accepted report was decided after it was submitted, and not in the future.
    accepted = report_round.reports.get(status="accepted")
    assert accepted.submitted_at <= accepted.decided_at <= timezone.now()
