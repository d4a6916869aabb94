"""Two submits of one person at the same moment make one answer (PostgreSQL, real threads)."""

import pytest
from django.core.exceptions import ValidationError

from outcomes.models import FeedbackRespondent, FeedbackResponse
from outcomes.services_feedback import feedback_respond
from tests.helpers import race
from tests.outcomes.feedback_helpers import past_event_form

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("anonymous", [False, True])
def test_two_simultaneous_submits_of_one_person_make_one_answer(anonymous):
    s = past_event_form(anonymous=anonymous)
    errors = race(["4", "5"], lambda score: feedback_respond(form=s.form, user=s.attendee, answers={s.scale.pk: score}))
    assert [type(e) for e in errors] == [ValidationError]
    assert "already answered" in str(errors[0])
    assert FeedbackResponse.objects.count() == 1
    assert FeedbackRespondent.objects.count() == 1


def test_two_overlapping_invitation_sweeps_count_each_invitation_once():
    from notifications.models import Email
    from outcomes.services_feedback import feedback_invitations_queue

    past_event_form()
    counts = []
    errors = race([1, 2], lambda _: counts.append(feedback_invitations_queue()))
    assert errors == []
    assert sorted(counts) == [0, 1]
    assert Email.objects.filter(kind="feedback_invitation").count() == 1
