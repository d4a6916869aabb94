"""Fixes after QA: empty forms, empty answers, reminders too close to the invitation, and smaller points."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP
from notifications.models import Email
from notifications.reminders import reminders_sweep
from outcomes.models import FeedbackRespondent, FeedbackResponse
from outcomes.services_feedback import feedback_invitations_queue, feedback_respond
from tests.factories import ParticipantFactory, UserFactory
from tests.outcomes.feedback_helpers import past_event_form

pytestmark = pytest.mark.django_db


def test_a_form_without_questions_is_not_sent_until_it_has_one():
    s = past_event_form()
    s.form.questions.all().delete()
    assert feedback_invitations_queue() == 0
    assert Email.objects.count() == 0
    s.form.questions.create(label="How was it?", kind="scale")
    assert feedback_invitations_queue() == 1


def test_an_empty_submission_is_refused_and_nothing_is_saved(client):
    s = past_event_form()
    with pytest.raises(ValidationError, match="Answer at least one question before sending."):
        feedback_respond(form=s.form, user=s.attendee, answers={})
    client.force_login(s.attendee)
    response = client.post(reverse("outcomes:feedback_answer", kwargs={"pk": s.form.pk}), {})
    assert response.status_code == 400
    assert "Answer at least one question before sending." in response.content.decode()
    assert (FeedbackResponse.objects.count(), FeedbackRespondent.objects.count()) == (0, 0)


def test_a_form_without_questions_gets_no_closing_reminder():
    s = past_event_form(closes_in=timedelta(days=1))
    s.form.questions.all().delete()
    assert reminders_sweep() == 0
    assert not Email.objects.filter(kind="reminder_feedback_closing").exists()


def test_a_form_opening_inside_the_reminder_window_gets_its_invitation_and_no_reminder_in_the_same_sweep():
    s = past_event_form(ended_ago=timedelta(hours=2), closes_in=timedelta(days=1))  # rule: 2 days before closing
    assert feedback_invitations_queue() == 1
    assert reminders_sweep() == 0
    assert list(Email.objects.values_list("kind", flat=True)) == ["feedback_invitation"]
    # A day after it opened the reminder may go (the sweep runs every minute; its clock is its previous run).
    with time_machine.travel(s.form.event.ends_at + timedelta(hours=24)):
        assert reminders_sweep() == 0
    with time_machine.travel(s.form.event.ends_at + timedelta(hours=24, minutes=1)):
        assert reminders_sweep() == 1
    assert Email.objects.filter(kind="reminder_feedback_closing", to_email="maya@river.example").count() == 1


def _three_anonymous_answers():
    s = past_event_form(anonymous=True)
    people = [s.attendee]
    for name in ("Ana Lima", "Ben Cole"):
        person = ParticipantFactory(membership=s.attendee.participations.get().membership, user__name=name).user
        RSVP.objects.create(event=s.form.event, user=person, status="going", attendance="attended")
        people.append(person)
    # Given in this order: Zed first, Alpha last.
    for person, score, text in zip(people, ["2", "5", "3"], ["Zed", "mid", "Alpha"], strict=True):
        feedback_respond(form=s.form, user=person, answers={s.scale.pk: score, s.text.pk: text})
    return s


def test_an_anonymous_forms_csv_and_results_do_not_follow_the_order_answers_were_given_in(client):
    s = _three_anonymous_answers()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    text = client.get(reverse("outcomes:feedback_results_csv", kwargs={"pk": s.form.pk})).content.decode()
    day = timezone.now().date().isoformat()
    assert text.splitlines()[1:] == [
        f'"1","{day}","2","","","Zed"',
        f'"2","{day}","3","","","Alpha"',
        f'"3","{day}","5","","","mid"',
    ]
    page = client.get(reverse("outcomes:feedback_results", kwargs={"pk": s.form.pk}))
    texts = next(r for r in page.context["results"] if r.question == s.text).texts
    assert texts == ["Alpha", "mid", "Zed"]
