"""Selection in stages: expressions of interest, the shortlist, the full application, interviews, feedback."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from applications import services
from applications.models import Application, FeedbackTemplate, InterviewSlot, Question, ReviewAssignment
from cohorts.models import Theme
from notifications.models import Email
from notifications.reminders import reminders_sweep
from notifications.services import email_release
from tests.factories import ApplicationFactory, OpenCallFactory, OrganisationPersonFactory, UserFactory

pytestmark = pytest.mark.django_db

OPENS = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
EXPRESSIONS_CLOSE = datetime(2026, 6, 30, 22, 59, 59, tzinfo=UTC)  # 23:59:59 BST
CLOSES = datetime(2026, 8, 31, 22, 59, tzinfo=UTC)  # 23:59 BST
BOOK_BY = datetime(2026, 9, 10, 16, 0, tzinfo=UTC)
S = Application.Status


@pytest.fixture
def call():
    return OpenCallFactory(
        title="Data Commons 2027",
        opens_at=OPENS,
        expressions_close_at=EXPRESSIONS_CLOSE,
        closes_at=CLOSES,
        interviews_book_by=BOOK_BY,
    )


@pytest.fixture
def staff_user():
    return UserFactory(is_staff=True, is_superuser=True, name="Ada Lovelace", email="ada@programme.example")


def _link(name="Tide Data", person="Maya Patel", email="maya@tide.example"):
    return OrganisationPersonFactory(
        organisation__name=name, user__name=person, user__email=email, user__time_zone="Europe/London"
    )


def _expression(call, link, *, at):
    with time_machine.travel(at, tick=False):
        application = services.application_start(call=call, organisation=link.organisation, user=link.user)
        services.application_save_draft(
            application=application,
            user=link.user,
            answers={"data_stewarded": "Tide tables for small ports."},
            themes=Theme.objects.order_by("position")[:1],
        )
        return services.application_submit(application=application, user=link.user)


# --- The first stage -------------------------------------------------------------------------------


def test_a_two_stage_call_starts_an_expression_of_interest(call):
    link = _link()
    application = _expression(call, link, at=OPENS + timedelta(days=1))
    assert (application.stage, application.status) == (Application.Stage.EXPRESSION, S.SUBMITTED)
    assert application.expression_submitted_at == OPENS + timedelta(days=1)
    email = Email.objects.get(key=f"application:{application.pk}:expression_submitted")
    assert email.subject == "We received your expression of interest in Data Commons 2027"


def test_an_expression_needs_only_the_short_form_and_its_own_questions(call):
    Question.objects.create(call=call, label="Who uses your data?", required=True, stage=Question.Stage.EXPRESSION)
    Question.objects.create(call=call, label="Your budget in detail", required=True, stage=Question.Stage.FULL)
    link = _link()
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        application = services.application_start(call=call, organisation=link.organisation, user=link.user)
        with pytest.raises(ValidationError) as refused:
            services.application_submit(application=application, user=link.user)
    expression_question = call.questions.get(stage=Question.Stage.EXPRESSION)
    assert set(refused.value.message_dict) == {"data_stewarded", "themes", expression_question.field_name}


def test_an_expression_at_the_closing_second_is_accepted(call):
    application = _expression(call, _link(), at=EXPRESSIONS_CLOSE)
    assert application.status == S.SUBMITTED


def test_an_expression_a_second_late_is_refused_at_the_first_stage(call):
    link = _link()
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        application = services.application_start(call=call, organisation=link.organisation, user=link.user)
        services.application_save_draft(
            application=application,
            user=link.user,
            answers={"data_stewarded": "Tide tables."},
            themes=Theme.objects.order_by("position")[:1],
        )
    with (
        time_machine.travel(EXPRESSIONS_CLOSE + timedelta(seconds=1), tick=False),
        pytest.raises(ValidationError) as refused,
    ):
        services.application_submit(application=application, user=link.user)
    assert refused.value.messages == [
        "Expressions of interest closed on 30 June 2026 at 23:59 BST (Europe/London). "
        "Your draft is kept, but it can no longer be changed or submitted."
    ]
    application.refresh_from_db()
    assert (application.status, application.expression_submitted_at) == (S.DRAFT, None)


def test_no_new_expression_once_expressions_close(call):
    link = _link()
    with (
        time_machine.travel(EXPRESSIONS_CLOSE + timedelta(seconds=1), tick=False),
        pytest.raises(ValidationError) as refused,
    ):
        services.application_start(call=call, organisation=link.organisation, user=link.user)
    assert refused.value.messages == [
        "Expressions of interest closed on 30 June 2026 at 23:59 BST (Europe/London): "
        "only shortlisted organisations complete the full application."
    ]


def test_an_extension_moves_the_first_stage_deadline_for_that_organisation_only(call):
    link = _link()
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        application = services.application_start(call=call, organisation=link.organisation, user=link.user)
    Application.objects.filter(pk=application.pk).update(deadline_extended_until=EXPRESSIONS_CLOSE + timedelta(days=2))
    application.refresh_from_db()
    assert application.deadline == EXPRESSIONS_CLOSE + timedelta(days=2)
    assert Application.objects.with_deadline().get(pk=application.pk).deadline_at == EXPRESSIONS_CLOSE + timedelta(
        days=2
    )
    services.application_save_draft(
        application=application,
        user=link.user,
        answers={"data_stewarded": "Tide tables."},
        themes=Theme.objects.order_by("position")[:1],
        at=EXPRESSIONS_CLOSE + timedelta(days=1),
    )
    with time_machine.travel(EXPRESSIONS_CLOSE + timedelta(days=1), tick=False):
        assert services.application_submit(application=application, user=link.user).status == S.SUBMITTED


def test_a_one_stage_call_keeps_its_single_deadline():
    one_stage = OpenCallFactory(opens_at=OPENS, closes_at=CLOSES)
    application = ApplicationFactory(call=one_stage)
    assert (application.stage, application.deadline) == (Application.Stage.FULL, CLOSES)
    assert Application.objects.with_deadline().get(pk=application.pk).deadline_at == CLOSES


# --- The shortlist ---------------------------------------------------------------------------------


def test_shortlisting_opens_the_full_application_and_invites_each_person(call, staff_user, client, settings):
    link = _link()
    colleague = OrganisationPersonFactory(organisation=link.organisation, user__email="sam@tide.example")
    application = _expression(call, link, at=OPENS + timedelta(days=1))
    with time_machine.travel(EXPRESSIONS_CLOSE + timedelta(days=1), tick=False):
        application = services.expression_shortlist(application=application, by=staff_user)
    assert (application.stage, application.status) == (Application.Stage.FULL, S.DRAFT)
    assert application.deadline == CLOSES
    emails = Email.objects.filter(kind="shortlisted").order_by("to_email")
    assert [e.to_email for e in emails] == ["maya@tide.example", colleague.user.email]
    assert all(e.subject == "You are invited to the full application: Data Commons 2027" for e in emails)
    full_url = f"{settings.SITE_URL}{reverse('applications:full', args=[application.pk])}"
    assert all(f"Complete it here: {full_url}\n" in e.body_text for e in emails)
    client.force_login(link.user)
    with time_machine.travel(EXPRESSIONS_CLOSE + timedelta(days=2), tick=False):
        response = client.get(reverse("applications:full", args=[application.pk]))
    assert response.status_code == 200
    assert "Full application to Data Commons 2027" in response.content.decode()


def test_an_organisation_not_shortlisted_cannot_open_the_full_form(call, client):
    link = _link()
    application = _expression(call, link, at=OPENS + timedelta(days=1))
    client.force_login(link.user)
    with time_machine.travel(EXPRESSIONS_CLOSE + timedelta(days=2), tick=False):
        response = client.get(reverse("applications:full", args=[application.pk]))
    assert response.status_code == 404


def test_a_draft_expression_cannot_be_shortlisted(call, staff_user):
    link = _link()
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        application = services.application_start(call=call, organisation=link.organisation, user=link.user)
    with pytest.raises(ValidationError) as refused:
        services.expression_shortlist(application=application, by=staff_user)
    assert refused.value.messages == ["Only a submitted expression of interest can be shortlisted; this one is draft."]


def test_an_expression_cannot_be_accepted_without_the_full_application(call, staff_user):
    application = _expression(call, _link(), at=OPENS + timedelta(days=1))
    services.application_transition(application=application, to=S.UNDER_REVIEW, by=staff_user)
    with pytest.raises(ValidationError) as refused:
        services.application_transition(application=application, to=S.ACCEPTED, by=staff_user)
    assert refused.value.messages == [
        "This is an expression of interest: choose “Invite to the full application” to shortlist it, or decline it."
    ]


def test_the_admin_action_shortlists_and_reports_refusals(call, staff_user, client):
    submitted = _expression(call, _link(), at=OPENS + timedelta(days=1))
    other = _link(name="Harbour Maps", email="lee@harbour.example")
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        draft = services.application_start(call=call, organisation=other.organisation, user=other.user)
    client.force_login(staff_user)
    with time_machine.travel(EXPRESSIONS_CLOSE + timedelta(days=1), tick=False):
        response = client.post(
            reverse("admin:applications_application_changelist"),
            {"action": "shortlist_expressions", "_selected_action": [submitted.pk, draft.pk]},
            follow=True,
        )
    texts = [str(m) for m in response.context["messages"]]
    assert "Harbour Maps: Only a submitted expression of interest can be shortlisted; this one is draft." in texts
    assert (
        "Shortlisted 1 expression(s) of interest: each organisation is emailed a link to the full application." in texts
    )
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted.stage, draft.stage) == (Application.Stage.FULL, Application.Stage.EXPRESSION)


# --- Reminders -------------------------------------------------------------------------------------


def test_reminders_for_each_stage_and_none_for_the_not_shortlisted(call, staff_user):
    shortlisted_link = _link()
    other_link = _link(name="Harbour Maps", person="Lee Chan", email="lee@harbour.example")
    late_link = _link(name="Quay Data", person="Ola Ade", email="ola@quay.example")
    shortlisted = _expression(call, shortlisted_link, at=OPENS + timedelta(days=1))
    _expression(call, other_link, at=OPENS + timedelta(days=1))
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        services.application_start(call=call, organisation=late_link.organisation, user=late_link.user)
    # A day before expressions close: the unsubmitted expression is reminded, the submitted ones are not.
    with time_machine.travel(EXPRESSIONS_CLOSE - timedelta(hours=23), tick=False):
        reminders_sweep()
        reminders_sweep()
    drafts = Email.objects.filter(kind="reminder_call_draft")
    assert [e.to_email for e in drafts] == ["ola@quay.example"]
    assert drafts[0].subject == "Reminder: your expression of interest in Data Commons 2027 is not submitted yet"
    assert 'The expression of interest from Quay Data in "Data Commons 2027" is still a draft.' in drafts[0].body_text
    with time_machine.travel(EXPRESSIONS_CLOSE + timedelta(days=1), tick=False):
        services.expression_shortlist(application=shortlisted, by=staff_user)
    # A week before the full application closes: only the shortlisted, not started, hear; once.
    with time_machine.travel(CLOSES - timedelta(days=6), tick=False):
        reminders_sweep()
        reminders_sweep()
    not_started = Email.objects.filter(kind="reminder_call_full_not_started")
    assert [e.to_email for e in not_started] == ["maya@tide.example"]
    assert not_started[0].subject == "Reminder: start your full application to Data Commons 2027"
    assert Email.objects.filter(to_email="lee@harbour.example", kind__startswith="reminder_").count() == 0
    # Started: the full application's own draft reminder takes over the day before.
    services.application_save_draft(
        application=shortlisted, user=shortlisted_link.user, answers={"licence": "ODbL"}, at=CLOSES - timedelta(days=2)
    )
    with time_machine.travel(CLOSES - timedelta(hours=20), tick=False):
        reminders_sweep()
    assert list(
        Email.objects.filter(kind="reminder_call_draft", to_email="maya@tide.example").values_list("subject", flat=True)
    ) == ["Reminder: your application to Data Commons 2027 is not submitted yet"]
    # Interviews: once its full application is submitted, the shortlisted organisation that has booked none
    # is reminded before the booking date, once.
    Application.objects.filter(pk=shortlisted.pk).update(status=S.SUBMITTED, submitted_at=CLOSES - timedelta(days=1))
    with time_machine.travel(BOOK_BY - timedelta(hours=20), tick=False):
        reminders_sweep()
        reminders_sweep()
    unbooked = Email.objects.filter(kind="reminder_interview_unbooked")
    assert [(e.to_email, e.subject) for e in unbooked] == [
        ("maya@tide.example", "Reminder: book your interview for Data Commons 2027")
    ]
    assert Email.objects.filter(to_email="lee@harbour.example", kind__startswith="reminder_").count() == 0


# --- Interviews ------------------------------------------------------------------------------------


def _shortlisted(call, staff_user, link=None):
    link = link or _link()
    application = _expression(call, link, at=OPENS + timedelta(days=1))
    with time_machine.travel(EXPRESSIONS_CLOSE + timedelta(days=1), tick=False):
        return services.expression_shortlist(application=application, by=staff_user), link


def _full_submitted(call, staff_user, link=None):
    """Shortlisted, and its full application submitted: from then on it may book an interview."""
    application, link = _shortlisted(call, staff_user, link)
    Application.objects.filter(pk=application.pk).update(status=S.SUBMITTED, submitted_at=CLOSES - timedelta(days=5))
    application.refresh_from_db()
    return application, link


def test_a_shortlisted_organisation_books_a_slot_and_both_sides_get_the_ics(call, staff_user):
    application, link = _full_submitted(call, staff_user)
    slot = InterviewSlot.objects.create(
        call=call,
        host=staff_user,
        starts_at=datetime(2026, 9, 8, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 9, 8, 9, 45, tzinfo=UTC),
        online_url="https://meet.example/interview",
    )
    with time_machine.travel(datetime(2026, 9, 1, tzinfo=UTC), tick=False):
        services.interview_book(slot=slot, application=application, user=link.user)
    slot.refresh_from_db()
    assert (slot.application_id, slot.booked_by_user_id, slot.sequence) == (application.pk, link.user.pk, 1)
    emails = Email.objects.filter(kind="interview_booked").order_by("to_email")
    assert [e.to_email for e in emails] == ["ada@programme.example", "maya@tide.example"]
    for email in emails:
        (attachment,) = email.attachments
        assert attachment["mimetype"] == "text/calendar; method=REQUEST"
        assert f"UID:{slot.uid}" in attachment["content"]
        assert "DTSTART;TZID=Europe/London:20260908T100000" in attachment["content"]
        assert "mailto:maya@tide.example" in attachment["content"]
    assert emails[1].subject == "Interview booked: Tide Data on 08 Sep 2026"


def _booked(call, staff_user):
    application, link = _full_submitted(call, staff_user)
    slot = InterviewSlot.objects.create(
        call=call,
        host=staff_user,
        starts_at=datetime(2026, 9, 8, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 9, 8, 9, 45, tzinfo=UTC),
    )
    with time_machine.travel(datetime(2026, 9, 1, tzinfo=UTC), tick=False):
        services.interview_book(slot=slot, application=application, user=link.user)
    return application, link, slot


def _assert_cancelled(slot, reason):
    slot.refresh_from_db()
    assert (slot.application_id, slot.booked_by_user_id, slot.booked_at, slot.sequence) == (None, None, None, 2)
    emails = Email.objects.filter(kind="interview_cancelled").order_by("to_email")
    assert [e.to_email for e in emails] == ["ada@programme.example", "maya@tide.example"]
    for email in emails:
        (attachment,) = email.attachments
        assert attachment["mimetype"] == "text/calendar; method=CANCEL"
        assert f"UID:{slot.uid}" in attachment["content"]
        assert "SEQUENCE:2" in attachment["content"]
        assert "STATUS:CANCELLED" in attachment["content"]
        assert reason in email.body_text
    assert emails[1].subject == "Interview cancelled: Tide Data on 08 Sep 2026"


def test_withdrawing_frees_the_interview_slot_and_both_sides_get_a_cancel(call, staff_user):
    application, link, slot = _booked(call, staff_user)
    with time_machine.travel(datetime(2026, 9, 2, tzinfo=UTC), tick=False):
        services.application_withdraw(application=application, user=link.user)
    _assert_cancelled(slot, "The application has been withdrawn.")


def test_declining_frees_the_interview_slot_and_both_sides_get_a_cancel(call, staff_user):
    application, _link_, slot = _booked(call, staff_user)
    Application.objects.filter(pk=application.pk).update(status=S.UNDER_REVIEW)
    with time_machine.travel(datetime(2026, 9, 2, tzinfo=UTC), tick=False):
        services.application_transition(application=application, to=S.REJECTED, by=staff_user)
    _assert_cancelled(slot, "The application has been declined.")


def test_an_interview_that_took_place_keeps_its_booking_when_declined(call, staff_user):
    application, _link_, slot = _booked(call, staff_user)
    Application.objects.filter(pk=application.pk).update(status=S.UNDER_REVIEW)
    with time_machine.travel(datetime(2026, 9, 9, tzinfo=UTC), tick=False):
        services.application_transition(application=application, to=S.REJECTED, by=staff_user)
    slot.refresh_from_db()
    assert (slot.application_id, slot.sequence) == (application.pk, 1)
    assert not Email.objects.filter(kind="interview_cancelled").exists()


def test_a_second_booking_and_another_calls_slot_are_refused(call, staff_user):
    application, link = _full_submitted(call, staff_user)
    first, second = (
        InterviewSlot.objects.create(
            call=call,
            host=staff_user,
            starts_at=datetime(2026, 9, 8, 9 + n, 0, tzinfo=UTC),
            ends_at=datetime(2026, 9, 8, 9 + n, 45, tzinfo=UTC),
        )
        for n in range(2)
    )
    elsewhere = InterviewSlot.objects.create(
        call=OpenCallFactory(),
        host=staff_user,
        starts_at=datetime(2026, 9, 8, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 9, 8, 9, 45, tzinfo=UTC),
    )
    at = datetime(2026, 9, 1, tzinfo=UTC)
    services.interview_book(slot=first, application=application, user=link.user, at=at)
    with pytest.raises(ValidationError) as refused:
        services.interview_book(slot=second, application=application, user=link.user, at=at)
    assert refused.value.messages == ["You have booked an interview already."]
    with pytest.raises(PermissionDenied):
        services.interview_book(slot=elsewhere, application=application, user=link.user, at=at)


def test_an_organisation_not_shortlisted_cannot_book(call, staff_user, client):
    link = _link()
    application = _expression(call, link, at=OPENS + timedelta(days=1))
    slot = InterviewSlot.objects.create(
        call=call,
        host=staff_user,
        starts_at=datetime(2026, 9, 8, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 9, 8, 9, 45, tzinfo=UTC),
    )
    with pytest.raises(PermissionDenied):
        services.interview_book(slot=slot, application=application, user=link.user, at=OPENS + timedelta(days=2))
    client.force_login(link.user)
    assert client.get(reverse("applications:interview", args=[application.pk])).status_code == 404


def test_a_shortlisted_organisation_books_only_once_its_full_application_is_submitted(call, staff_user, client):
    application, link = _shortlisted(call, staff_user)
    slot = InterviewSlot.objects.create(
        call=call,
        host=staff_user,
        starts_at=datetime(2026, 9, 8, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 9, 8, 9, 45, tzinfo=UTC),
    )
    at = datetime(2026, 8, 1, tzinfo=UTC)
    with pytest.raises(PermissionDenied):
        services.interview_book(slot=slot, application=application, user=link.user, at=at)
    client.force_login(link.user)
    with time_machine.travel(at, tick=False):
        assert client.get(reverse("applications:interview", args=[application.pk])).status_code == 404
        assert "Choose an interview time" not in client.get(application.get_absolute_url()).content.decode()
    Application.objects.filter(pk=application.pk).update(status=S.SUBMITTED, submitted_at=at)
    with time_machine.travel(at, tick=False):
        assert "Choose an interview time" in client.get(application.get_absolute_url()).content.decode()
    application.refresh_from_db()
    services.interview_book(slot=slot, application=application, user=link.user, at=at)


def test_interview_notes_are_for_reviewers_and_staff_never_the_applicant(call, staff_user, client):
    application, link = _shortlisted(call, staff_user)
    InterviewSlot.objects.create(
        call=call,
        host=staff_user,
        starts_at=datetime(2026, 9, 8, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 9, 8, 9, 45, tzinfo=UTC),
        application=application,
        booked_by_user=link.user,
        notes="Strong governance; unsure about the API budget.",
    )
    client.force_login(staff_user)
    page = client.get(reverse("admin:applications_application_change", args=[application.pk])).content.decode()
    assert "Strong governance; unsure about the API budget." in page
    client.force_login(link.user)
    own = client.get(application.get_absolute_url()).content.decode()
    assert "Strong governance" not in own
    assignment = ReviewAssignment.objects.create(application=application, reviewer=UserFactory(name="Rita Alvarez"))
    client.force_login(assignment.reviewer)
    review = client.get(assignment.get_absolute_url()).content.decode()
    assert "Strong governance; unsure about the API budget." in review


# --- Feedback --------------------------------------------------------------------------------------


def _decided_with_feedback(call, staff_user):
    application, link = _shortlisted(call, staff_user)
    Application.objects.filter(pk=application.pk).update(status=S.UNDER_REVIEW)
    services.application_feedback_set(
        application=application, feedback="Your governance stood out; grow the user base.", by=staff_user
    )
    services.application_transition(application=application, to=S.ACCEPTED, by=staff_user)
    return application, link


def test_feedback_is_invisible_until_the_decision_email_is_sent(
    call, staff_user, client, mailoutbox, django_capture_on_commit_callbacks
):
    application, link = _decided_with_feedback(call, staff_user)
    client.force_login(link.user)
    # Decided, its email held: neither the page nor any email sent shows the feedback.
    before = client.get(application.get_absolute_url()).content.decode()
    assert "Your governance stood out" not in before
    assert "Feedback on your application" not in before
    assert all("Your governance stood out" not in m.body for m in mailoutbox)
    (held,) = Email.objects.filter(key__startswith=f"decision:{application.pk}:accepted:")
    assert held.status == Email.Status.HELD
    with django_capture_on_commit_callbacks(execute=True):
        email_release(email=held, by=staff_user)
    held.refresh_from_db()
    assert held.status == Email.Status.SENT
    (sent,) = [m for m in mailoutbox if m.to == ["maya@tide.example"] and "accepted" in m.subject]
    assert sent.body.endswith("Feedback on your application\n\nYour governance stood out; grow the user base.\n")
    after = client.get(application.get_absolute_url()).content.decode()
    assert "Feedback on your application" in after
    assert "Your governance stood out; grow the user base." in after


def test_reviewers_private_comments_never_reach_the_applicant(call, staff_user, client):
    application, link = _decided_with_feedback(call, staff_user)
    ReviewAssignment.objects.create(
        application=application, reviewer=staff_user, comment="Private: budget looks padded.", submitted_at=OPENS
    )
    Email.objects.filter(key__startswith=f"decision:{application.pk}:").update(status=Email.Status.SENT, sent_at=OPENS)
    client.force_login(link.user)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "Your governance stood out" in page
    assert "budget looks padded" not in page
    assert all("budget looks padded" not in e.body_text for e in Email.objects.all())


def test_feedback_starts_from_the_calls_template_and_held_emails_follow(call, staff_user):
    application, _link_ = _shortlisted(call, staff_user)
    Application.objects.filter(pk=application.pk).update(status=S.UNDER_REVIEW)
    services.application_transition(application=application, to=S.REJECTED, by=staff_user)
    template = FeedbackTemplate.objects.create(
        call=call, title="Not this time", body="Thank you, $organisation: $call was very competitive."
    )
    services.application_feedback_set(application=application, feedback="", template=template, by=staff_user)
    application.refresh_from_db()
    assert application.feedback == "Thank you, Tide Data: Data Commons 2027 was very competitive."
    (held,) = Email.objects.filter(key__startswith=f"decision:{application.pk}:rejected:")
    assert held.body_text.endswith(
        "Feedback on your application\n\nThank you, Tide Data: Data Commons 2027 was very competitive.\n"
    )


def test_feedback_cannot_change_once_the_decision_email_is_sent(call, staff_user):
    application, _ = _decided_with_feedback(call, staff_user)
    Email.objects.filter(key__startswith=f"decision:{application.pk}:").update(status=Email.Status.SENT, sent_at=OPENS)
    with pytest.raises(ValidationError) as refused:
        services.application_feedback_set(application=application, feedback="Something else.", by=staff_user)
    assert refused.value.messages == [RELEASED_REFUSAL]


RELEASED_REFUSAL = (
    "The decision email has been released with the feedback it had then (it may be queued, not yet sent): "
    "the feedback can no longer change."
)


@pytest.mark.parametrize("status", [Email.Status.QUEUED, Email.Status.SENDING, Email.Status.FAILED])
def test_feedback_cannot_change_once_the_decision_email_is_released_even_unsent(call, staff_user, client, status):
    application, link = _decided_with_feedback(call, staff_user)
    Email.objects.filter(key__startswith=f"decision:{application.pk}:").update(status=status)
    with pytest.raises(ValidationError) as refused:
        services.application_feedback_set(application=application, feedback="Something else.", by=staff_user)
    assert refused.value.messages == [RELEASED_REFUSAL]
    application.refresh_from_db()
    assert application.feedback == "Your governance stood out; grow the user base."
    (email,) = Email.objects.filter(key__startswith=f"decision:{application.pk}:")
    assert email.body_text.endswith("Feedback on your application\n\nYour governance stood out; grow the user base.\n")
    # Not sent yet: the status page still keeps the feedback back.
    client.force_login(link.user)
    assert "Your governance stood out" not in client.get(application.get_absolute_url()).content.decode()


def test_feedback_still_changes_while_the_decision_email_is_held_or_cancelled(call, staff_user):
    application, _ = _decided_with_feedback(call, staff_user)
    services.application_feedback_set(application=application, feedback="Held: fine.", by=staff_user)
    Email.objects.filter(key__startswith=f"decision:{application.pk}:").update(status=Email.Status.CANCELLED)
    services.application_feedback_set(application=application, feedback="Cancelled: fine too.", by=staff_user)
    application.refresh_from_db()
    assert application.feedback == "Cancelled: fine too."


@pytest.mark.parametrize("status", [Email.Status.SENT, Email.Status.QUEUED])
def test_feedback_written_in_the_admin_and_refused_there_with_a_message(call, staff_user, client, status):
    application, _ = _decided_with_feedback(call, staff_user)
    Email.objects.filter(key__startswith=f"decision:{application.pk}:").update(status=status, sent_at=OPENS)
    client.force_login(staff_user)
    url = reverse("admin:applications_application_change", args=[application.pk])
    response = client.post(
        url,
        {
            "feedback": "Changed after sending.",
            "feedback_template": "",
            "deadline_extended_until_0": "",
            "deadline_extended_until_1": "",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
            "interview_slot-TOTAL_FORMS": "0",
            "interview_slot-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "the feedback can no longer change" in response.content.decode()
    application.refresh_from_db()
    assert application.feedback == "Your governance stood out; grow the user base."


# --- Open data -------------------------------------------------------------------------------------


def test_open_data_counts_each_stage_per_call(call, staff_user, client):
    first, first_link = _shortlisted(call, staff_user)
    _shortlisted(call, staff_user, link=_link(name="Harbour Maps", email="lee@harbour.example"))
    _expression(call, _link(name="Quay Data", email="ola@quay.example"), at=OPENS + timedelta(days=2))
    Application.objects.filter(pk=first.pk).update(status=S.ACCEPTED, submitted_at=CLOSES - timedelta(days=1))
    one_stage = OpenCallFactory(title="Open Maps 2026", opens_at=OPENS - timedelta(days=1), closes_at=CLOSES)
    ApplicationFactory(call=one_stage, status=S.SUBMITTED, submitted_at=OPENS)
    response = client.get(reverse("open_data_selection", args=["json"]))
    rows = {row["call"]: row for row in response.json()["rows"]}
    assert {
        k: rows["Data Commons 2027"][k] for k in ("stages", "expressions", "shortlisted", "applied", "accepted")
    } == {
        "stages": 2,
        "expressions": 3,
        "shortlisted": 2,
        "applied": 1,
        "accepted": 1,
    }
    assert {k: rows["Open Maps 2026"][k] for k in ("stages", "expressions", "shortlisted", "applied", "accepted")} == {
        "stages": 1,
        "expressions": None,
        "shortlisted": None,
        "applied": 1,
        "accepted": 0,
    }
    csv = client.get(reverse("open_data_selection", args=["csv"])).content.decode("utf-8-sig")
    assert csv.splitlines()[0] == (
        '"call","cohort","stages","opened_at","closes_at","expressions","shortlisted","applied","accepted"'
    )
    page = client.get(reverse("open_data")).content.decode()
    assert "Selection in numbers" in page
    assert "Tide Data" not in page


def test_the_call_page_names_both_stages_and_stops_offering_to_apply_once_expressions_close(call, client):
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        before = client.get(call.get_absolute_url()).content.decode()
    assert (
        "Open for expressions of interest until <strong>Tue 30 Jun 2026, 23:59 BST (Europe/London)</strong>" in before
    )
    assert reverse("applications:start", args=[call.slug]) in before
    with time_machine.travel(EXPRESSIONS_CLOSE + timedelta(seconds=1), tick=False):
        after = client.get(call.get_absolute_url()).content.decode()
    assert "Expressions of interest have closed." in after
    assert reverse("applications:start", args=[call.slug]) not in after


@pytest.mark.parametrize("rows", [1, 20])
def test_the_interview_slots_list_costs_the_same_for_1_and_20_rows(
    call, staff_user, client, rows, django_assert_num_queries
):
    for n in range(rows):
        application, link = _shortlisted(
            call, staff_user, link=_link(name=f"Steward {n}", email=f"lead{n}@steward.example")
        )
        InterviewSlot.objects.create(
            call=call,
            host=staff_user,
            starts_at=datetime(2026, 9, 8, 9, n, tzinfo=UTC),
            ends_at=datetime(2026, 9, 8, 10, n, tzinfo=UTC),
            application=application if n % 2 == 0 else None,
            booked_by_user=link.user if n % 2 == 0 else None,
        )
    client.force_login(staff_user)
    with django_assert_num_queries(6):
        response = client.get(reverse("admin:applications_interviewslot_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == rows


# --- The pipeline's confirmation page (#19 QA) ---------------------------------------------------


def test_the_confirmation_page_promises_nothing_for_an_expression_it_would_refuse(call, client, staff_user):
    link = _link()
    application = _expression(call, link, at=OPENS + timedelta(days=1))
    Application.objects.filter(pk=application.pk).update(status=S.UNDER_REVIEW)
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:applications_application_changelist"),
        {"action": "accept_applications", "_selected_action": [application.pk]},
    )
    page = response.content.decode()
    assert "None of these applications can take this step, so nothing will change." in page
    assert "will take this step" not in page
    assert "Nothing: This is an expression of interest: shortlist it" in page
    assert Application.objects.get(pk=application.pk).status == S.UNDER_REVIEW


# --- Dates staff type (#19 QA) -------------------------------------------------------------------


def test_an_expressions_extension_ends_after_its_stage_and_before_the_call_closes(call):
    application = _expression(call, _link(), at=OPENS + timedelta(days=1))
    application.deadline_extended_until = EXPRESSIONS_CLOSE - timedelta(days=1)
    with pytest.raises(ValidationError) as early:
        application.full_clean()
    assert early.value.message_dict == {
        "deadline_extended_until": [
            "An extension must end after this stage's deadline (30 Jun 2026, 23:59 BST): leave it empty for none."
        ]
    }
    application.deadline_extended_until = CLOSES + timedelta(days=1)
    with pytest.raises(ValidationError) as late:
        application.full_clean()
    assert late.value.message_dict == {
        "deadline_extended_until": [
            "An expression of interest cannot be extended past the call's closing (31 Aug 2026, 23:59 BST): "
            "the full application would have no time left."
        ]
    }
    application.deadline_extended_until = EXPRESSIONS_CLOSE + timedelta(days=3)
    application.full_clean()


def test_the_admin_refuses_a_bad_extension_with_a_message(call, staff_user, client):
    application = _expression(call, _link(), at=OPENS + timedelta(days=1))
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:applications_application_change", args=[application.pk]),
        {
            "feedback": "",
            "feedback_template": "",
            "deadline_extended_until_0": "15/09/2026",
            "deadline_extended_until_1": "12:00",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
            "interview_slot-TOTAL_FORMS": "0",
            "interview_slot-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "An expression of interest cannot be extended past the call" in response.content.decode()
    application.refresh_from_db()
    assert application.deadline_extended_until is None


@pytest.mark.parametrize(
    ("book_by", "message"),
    [
        (EXPRESSIONS_CLOSE - timedelta(days=1), "Interviews are booked once expressions of interest close"),
        (OPENS - timedelta(days=1), "Interviews are booked once expressions of interest close"),
        (datetime(2026, 9, 20, 12, 0, tzinfo=UTC), "Interviews must be booked before the decisions date"),
    ],
)
def test_interviews_book_by_falls_between_the_shortlist_and_the_decisions(call, book_by, message):
    from datetime import date

    call.decisions_by = date(2026, 9, 15)
    call.interviews_book_by = book_by
    with pytest.raises(ValidationError) as refused:
        call.full_clean()
    assert refused.value.message_dict["interviews_book_by"][0].startswith(message)
    call.interviews_book_by = BOOK_BY
    call.full_clean()


def test_a_one_stage_call_has_no_interviews_to_book():
    one_stage = OpenCallFactory(opens_at=OPENS, closes_at=CLOSES)
    one_stage.interviews_book_by = BOOK_BY
    with pytest.raises(ValidationError) as refused:
        one_stage.full_clean()
    assert refused.value.message_dict == {
        "interviews_book_by": ["Only a two-stage call (with expressions of interest) has interviews to book."]
    }


# --- What applicants read (#19 QA) ---------------------------------------------------------------


def test_an_expressions_status_page_shows_only_what_its_form_asked(call, client):
    Question.objects.create(call=call, label="Who uses your data?", stage=Question.Stage.EXPRESSION)
    Question.objects.create(call=call, label="Your budget in detail", stage=Question.Stage.FULL)
    link = _link()
    application = _expression(call, link, at=OPENS + timedelta(days=1))
    client.force_login(link.user)
    with time_machine.travel(OPENS + timedelta(days=2), tick=False):
        page = client.get(application.get_absolute_url()).content.decode()
    assert "Your answers to the expression of interest" in page
    assert "Who uses your data?" in page
    assert "The open data you steward, and who uses it" in page
    assert "Your budget in detail" not in page
    assert "The open licence(s) the data is published under" not in page
    assert "Funding requested" not in page


def test_the_call_card_says_expressions_closed_once_new_organisations_are_refused(call, client):
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        before = client.get(reverse("applications:call_list")).content.decode()
    with time_machine.travel(EXPRESSIONS_CLOSE + timedelta(days=1), tick=False):
        after = client.get(reverse("applications:call_list")).content.decode()
    assert 'state-open">Open<' in before
    assert "Expressions of interest until Tue 30 Jun 2026, 23:59 BST" in before
    assert 'state-open">Open<' not in after
    assert 'state-closed">Shortlisted only<' in after
    assert "Expressions of interest closed Tue 30 Jun 2026, 23:59 BST" in after
    assert "full applications from the shortlisted until Mon 31 Aug 2026, 23:59 BST" in after


def test_submitting_an_expression_says_expression_of_interest(call, client):
    link = _link()
    client.force_login(link.user)
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        application = services.application_start(call=call, organisation=link.organisation, user=link.user)
        response = client.post(
            reverse("applications:edit", args=[application.pk]),
            {
                "data_stewarded": "Tide tables for small ports.",
                "themes": [Theme.objects.order_by("position").first().pk],
                "submit_application": "1",
            },
            follow=True,
        )
    texts = [str(m) for m in response.context["messages"]]
    assert texts == ["Your expression of interest has been submitted. We have emailed you a copy."]


def test_the_form_after_the_deadline_offers_no_save_or_submit(call, client):
    link = _link()
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        application = services.application_start(call=call, organisation=link.organisation, user=link.user)
    client.force_login(link.user)
    with time_machine.travel(EXPRESSIONS_CLOSE + timedelta(hours=1), tick=False):
        page = client.get(reverse("applications:edit", args=[application.pk])).content.decode()
    assert "You can submit until" not in page
    assert 'name="save_draft"' not in page
    assert 'name="submit_application"' not in page
    assert "The deadline passed on <strong>Tue 30 Jun 2026, 23:59 BST" in page
    assert "this expression of interest can no longer be saved or submitted" in page


def test_shortlisting_again_says_already_shortlisted(call, staff_user):
    application, _link_ = _shortlisted(call, staff_user)
    with pytest.raises(ValidationError) as refused:
        services.expression_shortlist(application=application, by=staff_user)
    assert refused.value.messages == ["Tide Data is already shortlisted: it has been invited."]


def test_the_hosts_email_names_the_interview_page_it_links(call, staff_user):
    _booked(call, staff_user)
    host_email = Email.objects.get(kind="interview_booked", to_email="ada@programme.example")
    assert "Write your notes on this interview's page in the admin: http" in host_email.body_text
    assert "/admin/applications/interviewslot/" in host_email.body_text
