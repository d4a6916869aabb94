"""Fixes after QA: empty forms, empty answers, reminders too close to the invitation, and smaller points."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP
from notifications.models import Email
from notifications.reminders import reminders_sweep
from outcomes.models import FeedbackQuestion, FeedbackRespondent, FeedbackResponse
from outcomes.services_feedback import feedback_invitations_queue, feedback_respond
from tests.factories import ParticipantFactory, UserFactory
from tests.outcomes.feedback_helpers import past_event_form
from tests.test_admin_refusals import admin_form_data
from toolbox.csvutils import csv_safe

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


@pytest.mark.parametrize("choices", ["A\nA", "Talks\ntalks\nPeople", "Talks\n  Talks  \nPeople"])
def test_an_option_given_twice_is_refused(choices):
    s = past_event_form()
    question = FeedbackQuestion(form=s.form, label="Which?", kind="single_choice", choices=choices)
    with pytest.raises(ValidationError) as refused:
        question.full_clean()
    assert refused.value.message_dict["choices"][0].endswith("is there twice: give each option once.")


@pytest.mark.parametrize("label", ["Two\nlines", "Tab\there", "Bell\x07"])
def test_titles_and_labels_refuse_line_breaks_and_control_characters(label):
    s = past_event_form()
    message = "Use one line of plain text: no line breaks or control characters."
    question = FeedbackQuestion(form=s.form, label=label, kind="scale")
    with pytest.raises(ValidationError) as refused:
        question.full_clean()
    assert refused.value.message_dict == {"label": [message]}
    s.form.title = label
    with pytest.raises(ValidationError) as refused:
        s.form.full_clean()
    assert refused.value.message_dict == {"title": [message]}


def test_a_text_answer_keeps_tabs_and_line_breaks_and_loses_other_control_characters():
    s = past_event_form()
    response = feedback_respond(
        form=s.form, user=s.attendee, answers={s.text.pk: "Good\r\nvery\tgood\x00\x1b[31m\x07", s.scale.pk: "3"}
    )
    assert response.answers.get(question=s.text).text == "Good\nvery\tgood[31m"


def test_a_negative_number_stays_a_number_in_the_csv(client):
    s = past_event_form()
    number = s.form.questions.create(label="Budget change", kind="number", position=5)
    feedback_respond(form=s.form, user=s.attendee, answers={number.pk: Decimal("-12.50"), s.text.pk: "-1 point"})
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    text = client.get(reverse("outcomes:feedback_results_csv", kwargs={"pk": s.form.pk})).content.decode()
    row = text.splitlines()[1]
    assert row.endswith('"","","","\'-1 point","-12.5"')  # text is still guarded; the number is not
    assert csv_safe(Decimal("-12.5")) == "-12.5"
    assert csv_safe(-3) == "-3"
    assert csv_safe("-3") == "'-3"


def test_a_second_submit_says_the_first_answers_are_kept(client):
    s = past_event_form()
    client.force_login(s.attendee)
    url = reverse("outcomes:feedback_answer", kwargs={"pk": s.form.pk})
    client.post(url, {s.scale.field_name: "4"})
    html = client.post(url, {s.scale.field_name: "1"}, follow=True).content.decode()
    assert "You have already answered; your first answers are kept." in html
    assert FeedbackResponse.objects.get().answers.get().number == Decimal("4.00")
    with pytest.raises(ValidationError) as refused:
        feedback_respond(form=s.form, user=s.attendee, answers={s.scale.pk: "2"})
    assert refused.value.messages == ["You have already answered; your first answers are kept."]


def test_an_event_that_is_no_event_is_refused_without_the_cohort_form_message_and_the_zone_note_is_true(client):
    s = past_event_form()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:outcomes_feedbackform_add")
    page = client.get(url)
    html = page.content.decode()
    assert (
        "Type it in UTC (forms have no time zone of their own); the answer page and the emails show it "
        "to each person in their own time zone."
    ) in html
    assert "what you type is what the public pages show" not in html
    data = admin_form_data(page)
    data.update({
        "cohort": s.form.cohort.pk, "event": "999999", "title": "Feedback",
        "closes_at_0": "2030-01-01", "closes_at_1": "12:00",
    })  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["event"]
    assert "A cohort form needs an opening time" not in response.content.decode()
