"""A named feedback answer is in its person's download, and erasing the person keeps it without them."""

import pytest

from outcomes.models import FeedbackRespondent, FeedbackResponse
from outcomes.services_feedback import feedback_invitations_queue, feedback_respond
from privacy.erasure import erase_person
from privacy.exports import EXPORTS, rows_of, serialise
from tests.factories import UserFactory
from tests.outcomes.feedback_helpers import past_event_form

pytestmark = pytest.mark.django_db


def test_the_download_holds_a_named_answer_with_its_questions_and_answers():
    s = past_event_form()
    feedback_respond(form=s.form, user=s.attendee, answers={s.scale.pk: "4", s.text.pk: "More time"})
    [row] = [serialise(r, EXPORTS["outcomes.FeedbackResponse"]) for r in rows_of(FeedbackResponse, s.attendee)]
    assert row["answers"] == [
        {"question": "How useful was it?", "answer": "4"},
        {"question": "Anything else", "answer": "More time"},
    ]
    assert row["user"] == s.attendee.pk


def test_an_anonymous_answer_is_not_in_the_download_only_that_they_answered():
    s = past_event_form(anonymous=True)
    feedback_respond(form=s.form, user=s.attendee, answers={s.scale.pk: "4"})
    assert list(rows_of(FeedbackResponse, s.attendee)) == []
    assert rows_of(FeedbackRespondent, s.attendee).count() == 1


def test_erasing_the_person_keeps_the_answer_without_them():
    s = past_event_form()
    response = feedback_respond(form=s.form, user=s.attendee, answers={s.scale.pk: "4"})
    erase_person(user=s.attendee, by=UserFactory(is_staff=True, is_superuser=True))
    response.refresh_from_db()
    assert response.user_id is None
    assert response.answers.get().number == 4
    assert not FeedbackRespondent.objects.filter(user=s.attendee).exists()


def test_no_invitation_for_a_cancelled_event():
    s = past_event_form()
    s.form.event.status = "cancelled"
    s.form.event.save()
    assert feedback_invitations_queue() == 0
