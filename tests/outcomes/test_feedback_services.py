"""Answering feedback forms, anonymity in the database, and the invitations and reminders through the outbox."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from notifications.models import Email, ReminderRule
from notifications.reminders import reminders_sweep
from outcomes.models import FeedbackAnswer, FeedbackForm, FeedbackRespondent, FeedbackResponse
from outcomes.services_feedback import feedback_invitations_queue, feedback_respond
from tests.factories import UserFactory
from tests.outcomes.feedback_helpers import past_event_form

pytestmark = pytest.mark.django_db

TABLE = "outcomes_feedbackresponse"


def _answers(s, *, scale="4"):
    return {s.scale.pk: scale, s.choice.pk: "Discussion", s.yes_no.pk: "yes", s.text.pk: "More time for questions"}


def test_an_anonymous_answer_stores_no_user_and_only_the_day_in_the_database():
    with time_machine.travel(datetime(2026, 11, 20, 15, 42, 7, tzinfo=UTC), tick=False):
        s = past_event_form(anonymous=True)
        response = feedback_respond(form=s.form, user=s.attendee, answers=_answers(s))
    # The table's columns: nothing that could hold a person or a time finer than the day.
    # The table's columns, read from the database itself (Django's introspection, on PostgreSQL and SQLite).
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, TABLE)
        cursor.execute(
            "SELECT user_id, submitted_on, anonymous FROM outcomes_feedbackresponse WHERE id = %s", [response.pk]
        )
        user_id, submitted_on, anonymous = cursor.fetchone()
    types = {c.name: connection.introspection.get_field_type(c.type_code, c) for c in description if c.name != "id"}
    assert set(c.name for c in description) == {"id", "form_id", "user_id", "anonymous", "submitted_on"}
    assert types == {
        "form_id": "BigIntegerField",
        "user_id": "BigIntegerField",
        "anonymous": "BooleanField",
        "submitted_on": "DateField",
    }
    assert user_id is None
    assert anonymous is True
    assert type(submitted_on) is date
    assert submitted_on == date(2026, 11, 20)
    # Who answered is kept apart: form and person only, under a random key, with no time at all.
    with connection.cursor() as cursor:
        respondent_columns = {
            c.name for c in connection.introspection.get_table_description(cursor, "outcomes_feedbackrespondent")
        }
        answer_types = [
            connection.introspection.get_field_type(c.type_code, c)
            for c in connection.introspection.get_table_description(cursor, "outcomes_feedbackanswer")
        ]
    assert respondent_columns == {"id", "form_id", "user_id"}
    assert not {"DateTimeField", "DateField", "TimeField"} & set(answer_types)
    assert list(FeedbackRespondent.objects.values_list("user_id", flat=True)) == [s.attendee.pk]
    assert FeedbackRespondent._meta.pk.get_internal_type() == "UUIDField"


def test_the_database_refuses_a_user_on_an_anonymous_answer():
    s = past_event_form(anonymous=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackResponse.objects.create(form=s.form, user=s.attendee, anonymous=True, submitted_on=date(2026, 11, 2))


def test_a_named_answer_keeps_its_person_and_the_values():
    s = past_event_form()
    response = feedback_respond(form=s.form, user=s.attendee, answers=_answers(s, scale="5"))
    assert response.user == s.attendee
    assert {a.question.label: (a.text, a.number) for a in response.answers.all()} == {
        "How useful was it?": ("", Decimal("5.00")),
        "Best part": ("Discussion", None),
        "Come again?": ("yes", None),
        "Anything else": ("More time for questions", None),
    }


@pytest.mark.parametrize("anonymous", [False, True])
def test_a_person_answers_once(anonymous):
    s = past_event_form(anonymous=anonymous)
    feedback_respond(form=s.form, user=s.attendee, answers=_answers(s))
    with pytest.raises(ValidationError, match="already answered"):
        feedback_respond(form=s.form, user=s.attendee, answers=_answers(s))
    assert FeedbackResponse.objects.count() == 1
    # And the database refuses a second "who has answered" row even past the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackRespondent.objects.create(form=s.form, user=s.attendee)


def test_someone_who_did_not_attend_is_refused():
    s = past_event_form()
    for person in (s.no_show, UserFactory()):
        with pytest.raises(PermissionDenied):
            feedback_respond(form=s.form, user=person, answers=_answers(s))
    assert FeedbackResponse.objects.count() == 0


def test_a_closed_form_takes_no_answer_and_nothing_is_half_saved():
    s = past_event_form()
    with pytest.raises(ValidationError, match="closed"):
        feedback_respond(form=s.form, user=s.attendee, answers=_answers(s), now=s.form.closes_at)
    s.scale.required = True
    s.scale.save()
    with pytest.raises(ValidationError, match="How useful was it"):
        feedback_respond(form=s.form, user=s.attendee, answers={s.choice.pk: "Talks"})
    assert (FeedbackResponse.objects.count(), FeedbackRespondent.objects.count()) == (0, 0)


def test_an_answer_outside_the_options_is_refused():
    s = past_event_form()
    with pytest.raises(ValidationError, match="1 to 5"):
        feedback_respond(form=s.form, user=s.attendee, answers={s.scale.pk: "9"})
    with pytest.raises(ValidationError, match="options given"):
        feedback_respond(form=s.form, user=s.attendee, answers={s.choice.pk: "Lunch"})


def test_the_invitation_goes_to_attendees_only_after_the_event_ends_exactly_once():
    s = past_event_form(ended_ago=timedelta(hours=-1))  # ends in an hour
    assert feedback_invitations_queue() == 0
    with time_machine.travel(s.form.event.ends_at + timedelta(minutes=1)):
        assert feedback_invitations_queue() == 1
        assert feedback_invitations_queue() == 0
    emails = Email.objects.filter(kind="feedback_invitation")
    assert list(emails.values_list("to_email", flat=True)) == ["maya@river.example"]
    email = emails.get()
    assert email.key == f"feedback-invite:{s.form.pk}:{s.attendee.pk}"
    assert email.subject == "Your feedback: How was the roundtable?"
    assert f"/feedback/{s.form.pk}/" in email.body_text
    assert "Hello Maya Okafor" in email.body_text


def test_someone_marked_as_attended_later_is_invited_at_the_next_sweep_and_no_one_after_closing():
    s = past_event_form()
    assert feedback_invitations_queue() == 1
    rsvp = s.no_show.rsvps.get()
    rsvp.attendance = "attended"
    rsvp.save()
    assert feedback_invitations_queue() == 1
    assert sorted(Email.objects.values_list("to_email", flat=True)) == ["maya@river.example", "tom@river.example"]
    FeedbackForm.objects.filter(pk=s.form.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    Email.objects.all().delete()
    assert feedback_invitations_queue() == 0


def test_a_cohort_form_goes_to_the_cohorts_participants_when_it_opens():
    s = past_event_form()
    form = FeedbackForm.objects.create(
        cohort=s.form.cohort,
        title="Mid-point",
        opens_at=timezone.now() + timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=8),
    )
    form.questions.create(label="How is it going?", kind="scale")
    Email.objects.all().delete()
    FeedbackForm.objects.filter(pk=s.form.pk).delete()
    assert feedback_invitations_queue() == 0
    with time_machine.travel(form.opens_at + timedelta(seconds=1)):
        assert feedback_invitations_queue() == 2
    assert sorted(Email.objects.values_list("to_email", flat=True)) == ["maya@river.example", "tom@river.example"]


def test_the_reminder_before_closing_goes_to_those_who_have_not_answered():
    s = past_event_form(ended_ago=timedelta(days=2), closes_in=timedelta(days=1))
    rsvp = s.no_show.rsvps.get()
    rsvp.attendance = "attended"
    rsvp.save()
    feedback_respond(form=s.form, user=s.attendee, answers=_answers(s))
    assert ReminderRule.objects.filter(kind="feedback_closing", offset=timedelta(days=2)).exists()
    assert reminders_sweep() == 1
    assert reminders_sweep() == 0
    reminder = Email.objects.get(kind="reminder_feedback_closing")
    assert reminder.to_email == "tom@river.example"
    assert reminder.subject == "Reminder: your feedback on How was the roundtable?"
    assert "closes in 1 day" in reminder.body_text


def test_staff_cannot_make_an_answered_form_anonymous():
    s = past_event_form()
    feedback_respond(form=s.form, user=s.attendee, answers=_answers(s))
    s.form.anonymous = True
    with pytest.raises(ValidationError, match="cannot change"):
        s.form.full_clean()


def test_the_demo_has_a_feedback_form_on_a_past_event_with_three_answers(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: no second answer
    form = FeedbackForm.objects.get(title="How was the welcome session?")
    assert form.event.ends_at < timezone.now()
    assert form.responses.count() == 3
    scale = FeedbackAnswer.objects.filter(response__form=form, question__kind="scale")
    assert sorted(scale.values_list("number", flat=True)) == [Decimal("3.00"), Decimal("4.00"), Decimal("5.00")]
    assert FeedbackForm.objects.get(title="Mid-point check-in").anonymous is True
