"""Each kind of reminder fired end to end: the periodic sweep (`cohortnet.sweep`) to the outbox row, sent."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db.models import Count

from cohortnet.tasks import sweep
from events.models import RSVP
from notifications.models import Email
from notifications.reminders import reminders_sweep
from outcomes.models import FeedbackForm
from tests.factories import (
    ApplicationFactory,
    EventFactory,
    InstalmentFactory,
    OpenCallFactory,
    OrganisationPersonFactory,
    ParticipantFactory,
    ReviewAssignmentFactory,
    UserFactory,
    reviewer,
)
from tests.outcomes.reports_helpers import make_round

# The default rules (migration 0003) are in force: call_draft 7 days, 1 day and 3 hours before,
# review_pending 2 days before, instalment_due 3 days before 09:00 UTC on the due date.


@pytest.mark.django_db
def test_an_unsubmitted_draft_is_reminded_a_day_before_the_call_closes(mailoutbox):
    closes = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
    with time_machine.travel(closes - timedelta(days=20), tick=False):
        call = OpenCallFactory(title="Stewards 2027", closes_at=closes)
        link = OrganisationPersonFactory(organisation__name="Open Register", user__email="lead@register.example")
        lead = link.user
        draft = ApplicationFactory(call=call, organisation=link.organisation)
        ApplicationFactory(call=call, status="submitted")  # submitted: nothing to remind

    with time_machine.travel(closes - timedelta(days=1), tick=False):
        assert sweep() == {"reminders_queued": 1, "emails_sent": 1}

    email = Email.objects.get(kind="reminder_call_draft")
    assert email.to_email == "lead@register.example"
    assert email.subject == "Reminder: your application to Stewards 2027 is not submitted yet"
    assert email.key == f"reminder:call_draft:application-{draft.pk}:{lead.pk}:1440:{int(closes.timestamp())}"
    assert (
        'The application from Open Register to "Stewards 2027" is still a draft. It must be submitted within '
        "1 day, by Thursday 10 December 2026, 12:00 GMT (Europe/London)."
    ) in email.body_text
    assert email.status == Email.Status.SENT
    assert [m.to for m in mailoutbox] == [["lead@register.example"]]


@pytest.mark.django_db
def test_a_pending_review_is_reminded_two_days_before_the_review_deadline(mailoutbox):
    deadline = datetime(2026, 9, 15, 16, 0, tzinfo=UTC)
    with time_machine.travel(deadline - timedelta(days=20), tick=False):
        assignment = ReviewAssignmentFactory(
            application__organisation__name="Apparel Map",
            application__call__title="Cohort 3",
            application__call__review_deadline=deadline,
            reviewer=reviewer(email="reviewer@institute.example"),
        )
        ReviewAssignmentFactory(
            application=assignment.application, submitted_at=deadline - timedelta(days=5)
        )  # already done

    with time_machine.travel(deadline - timedelta(days=2), tick=False):
        assert sweep() == {"reminders_queued": 1, "emails_sent": 1}

    email = Email.objects.get(kind="reminder_review_pending")
    assert email.to_email == "reviewer@institute.example"
    assert email.subject == "Reminder: your review of Apparel Map"
    assert (
        email.key
        == f"reminder:review_pending:review-{assignment.pk}:{assignment.reviewer.pk}:2880:{int(deadline.timestamp())}"
    )
    assert (
        'Your review of Apparel Map\'s application to "Cohort 3" is due within 2 days, '
        "by Tuesday 15 September 2026, 17:00 BST (Europe/London)."
    ) in email.body_text
    assert f"/reviews/{assignment.pk}/" in email.body_text
    assert [m.to for m in mailoutbox] == [["reviewer@institute.example"]]


@pytest.mark.django_db
def test_finance_is_reminded_three_days_before_an_instalment_falls_due(mailoutbox):
    falls_due = datetime(2027, 1, 31, 9, 0, tzinfo=UTC)
    with time_machine.travel(falls_due - timedelta(days=30), tick=False):
        finance = UserFactory(email="finance@institute.example", is_staff=True)
        finance.groups.add(Group.objects.get(name="Finance"))
        UserFactory(email="staff@institute.example", is_staff=True)  # staff but not Finance: no reminder
        instalment = InstalmentFactory(
            award__membership__organisation__name="Open Register", amount="2500.00", due_on=date(2027, 1, 31)
        )
        InstalmentFactory(due_on=date(2027, 1, 31), status="paid")  # paid: nothing to remind

    with time_machine.travel(falls_due - timedelta(days=3), tick=False):
        assert sweep() == {"reminders_queued": 1, "emails_sent": 1}

    email = Email.objects.get(kind="reminder_instalment_due")
    assert email.to_email == "finance@institute.example"
    assert email.subject == "Instalment due: £2,500.00 to Open Register"
    assert (
        email.key
        == f"reminder:instalment_due:instalment-{instalment.pk}:{finance.pk}:4320:{int(falls_due.timestamp())}"
    )
    assert (
        "An instalment of £2500.00 to Open Register falls due in 3 days, on Sunday 31 January 2027. It is scheduled."
    ) in email.body_text
    assert f"/admin/funding/instalment/{instalment.pk}/change/" in email.body_text
    assert [m.to for m in mailoutbox] == [["finance@institute.example"]]


def _one_of_each(at):
    """At ``at``, one reminder of every kind is due; each subject has its own recipient."""
    call = OpenCallFactory(closes_at=at + timedelta(hours=3), review_deadline=at + timedelta(days=2))
    ApplicationFactory(call=call, organisation=OrganisationPersonFactory().organisation)
    ReviewAssignmentFactory(application__call=call)
    event = EventFactory(starts_at=at + timedelta(hours=1), rsvp_deadline=at + timedelta(days=2))
    ParticipantFactory(membership__cohort=event.cohort)  # has not answered
    going = ParticipantFactory(membership__cohort=event.cohort).user
    RSVP.objects.create(event=event, user=going, status=RSVP.Status.GOING)
    InstalmentFactory(due_on=(at + timedelta(days=3)).date())
    feedback_form = FeedbackForm.objects.create(
        cohort=ParticipantFactory().membership.cohort,
        title="Mid-point",
        opens_at=at - timedelta(days=5),
        closes_at=at + timedelta(days=1),
    )
    feedback_form.questions.create(label="How is it going?", kind="scale")  # a form with no question is not sent
    make_round(ParticipantFactory().membership.cohort, due_at=at + timedelta(hours=20))  # a report not submitted


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_the_sweeps_queries_do_not_grow_with_the_reminders_it_writes(count, django_assert_num_queries):
    at = datetime(2027, 1, 28, 9, 0, tzinfo=UTC)
    with time_machine.travel(at - timedelta(days=10), tick=False):
        finance = UserFactory(is_staff=True)
        finance.groups.add(Group.objects.get(name="Finance"))
        for _ in range(count):
            _one_of_each(at)
    # The opt-outs, a savepoint, the rules, 2 + 1 + 3 + 1 + 2 + 3 + 2 to find the subjects and people of the seven
    # kinds, one look-up of their keys and one insert per kind, the rules' time stamp, the savepoint's release; and
    # one query each for the two kinds of selection in stages, which have nothing due here.
    with django_assert_num_queries(35):
        assert reminders_sweep(now=at) == 7 * count
    assert list(Email.objects.values_list("kind").annotate(n=Count("pk")).order_by("kind")) == [
        ("reminder_call_draft", count),
        ("reminder_event_going", count),
        ("reminder_event_unanswered", count),
        ("reminder_feedback_closing", count),
        ("reminder_instalment_due", count),
        ("reminder_report_due", count),
        ("reminder_review_pending", count),
    ]
