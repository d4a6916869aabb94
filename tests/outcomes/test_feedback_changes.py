"""Changing a form people have answered: the admin refuses what would corrupt the results, with a message."""

import pytest
from django.urls import reverse

from outcomes.models import FeedbackAnswer, FeedbackForm, FeedbackQuestion
from outcomes.services_feedback import feedback_respond
from tests.factories import EventFactory, MembershipFactory, UserFactory
from tests.outcomes.feedback_helpers import past_event_form
from tests.test_admin_refusals import admin_form_data, inline_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(client):
    s = past_event_form()
    feedback_respond(form=s.form, user=s.attendee, answers={s.scale.pk: "4", s.choice.pk: "Discussion"})
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return s


def _change(client, s, fields):
    url = reverse("admin:outcomes_feedbackform_change", args=[s.form.pk])
    data = admin_form_data(client.get(url))
    for (question, name), value in fields.items():
        data[f"questions-{inline_index(data, 'questions', question.pk)}-{name}"] = value
    return client.post(url, data)


def _page(response) -> str:
    assert response.status_code == 200  # re-rendered, not saved
    return response.content.decode()


def test_an_option_people_picked_cannot_be_renamed_or_removed_but_one_may_be_added(client, answered):
    s = answered
    for choices in ("Talks\nDiscussions\nPeople", "Talks\nPeople"):
        html = _page(_change(client, s, {(s.choice, "choices"): choices}))
        assert "People have picked “Discussion”: keep these options as they are (you may add new ones)." in html
        assert FeedbackQuestion.objects.get(pk=s.choice.pk).choices == "Talks\nDiscussion\nPeople"
    # An option no one picked may go, and a new one may come.
    response = _change(client, s, {(s.choice, "choices"): "Discussion\nPeople\nFood"})
    assert response.status_code == 302
    assert FeedbackQuestion.objects.get(pk=s.choice.pk).choices == "Discussion\nPeople\nFood"


def test_the_kind_of_an_answered_question_cannot_change(client, answered):
    s = answered
    html = _page(_change(client, s, {(s.scale, "kind"): "number"}))
    assert "People have answered this question: its kind cannot change." in html
    assert FeedbackQuestion.objects.get(pk=s.scale.pk).kind == "scale"
    # A question without answers may still change kind.
    assert _change(client, s, {(s.yes_no, "kind"): "short_text"}).status_code == 302
    assert FeedbackQuestion.objects.get(pk=s.yes_no.pk).kind == "short_text"


def test_an_answered_question_cannot_be_deleted_but_an_unanswered_one_can(client, answered):
    s = answered
    html = _page(_change(client, s, {(s.scale, "DELETE"): "on"}))
    assert "People have answered “How useful was it?”: a question with answers cannot be deleted." in html
    assert FeedbackAnswer.objects.count() == 2
    assert FeedbackQuestion.objects.filter(form=s.form).count() == 4
    assert _change(client, s, {(s.text, "DELETE"): "on"}).status_code == 302
    assert not FeedbackQuestion.objects.filter(pk=s.text.pk).exists()


def test_an_answered_form_cannot_move_to_another_event_or_cohort(client, answered):
    s = answered
    url = reverse("admin:outcomes_feedbackform_change", args=[s.form.pk])
    other_event = EventFactory(cohort=s.form.cohort)
    data = admin_form_data(client.get(url))
    data["event"] = other_event.pk
    assert "People have answered already: the event cannot change." in _page(client.post(url, data))
    other_cohort = MembershipFactory().cohort
    data = admin_form_data(client.get(url))
    data.update({"cohort": other_cohort.pk, "event": "", "opens_at_0": "2026-11-01", "opens_at_1": "09:00"})
    assert "People have answered already: the cohort cannot change." in _page(client.post(url, data))
    form = FeedbackForm.objects.get(pk=s.form.pk)
    assert (form.cohort_id, form.event_id) == (s.form.cohort_id, s.form.event_id)


def test_an_unanswered_form_may_still_move(client):
    s = past_event_form()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:outcomes_feedbackform_change", args=[s.form.pk])
    other_event = EventFactory(cohort=s.form.cohort)
    data = admin_form_data(client.get(url))
    data["event"] = other_event.pk
    data["closes_at_0"] = other_event.ends_at.strftime("%Y-%m-%d")
    data["closes_at_1"] = "23:59"
    response = client.post(url, data)
    assert response.status_code == 302
    assert FeedbackForm.objects.get(pk=s.form.pk).event == other_event
