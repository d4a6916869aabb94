"""The outcomes dataset in /data/: totals only, means from three answers on, no person."""

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort
from events.models import RSVP
from funding.models import TimeEntry
from outcomes.models import FeedbackForm
from outcomes.services_feedback import feedback_respond
from tests.factories import EventFactory, ParticipantFactory
from tests.outcomes.feedback_helpers import past_event_form

pytestmark = pytest.mark.django_db


def _rows(client, cohort, fmt):
    response = client.get(reverse("open_data_file", args=[cohort.slug, "outcomes", fmt]))
    assert response.status_code == 200
    if fmt == "json":
        return json.loads(response.content)["rows"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_outcomes_dataset_counts_sessions_attendance_hours_and_feedback_scores_and_names_no_one(client):
    s = past_event_form()
    cohort = s.form.cohort
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.RUNNING)
    membership = s.attendee.participations.get().membership
    # Two more attendees, so the scale has three answers and its mean is published.
    more = [ParticipantFactory(membership=membership).user for _ in range(2)]
    for person in more:
        RSVP.objects.create(event=s.form.event, user=person, status="going", attendance="attended")
    for person, score in zip([s.attendee, *more], ["5", "4", "4"], strict=True):
        feedback_respond(form=s.form, user=person, answers={s.scale.pk: score, s.text.pk: f"From {person.name}"})
    # A second form with one answer only: its mean stays empty.
    lone = FeedbackForm.objects.create(
        cohort=cohort, title="Mid-point", opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=3),
    )  # fmt: skip
    question = lone.questions.create(label="How is it going?", kind="scale")
    feedback_respond(form=lone, user=s.no_show, answers={question.pk: "2"})
    # Not a session held: one still ahead, one cancelled.
    EventFactory(cohort=cohort)
    EventFactory(cohort=cohort, status="cancelled", starts_at=timezone.now() - timedelta(days=3))
    # Both forms have closed (scores are published only then), the lone one first.
    FeedbackForm.objects.filter(pk=lone.pk).update(closes_at=timezone.now() - timedelta(minutes=2))
    FeedbackForm.objects.filter(pk=s.form.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    TimeEntry.objects.create(
        membership=membership, user=s.attendee, date=date(2026, 11, 2), hours=Decimal("1.50"), activity="Roundtable"
    )
    TimeEntry.objects.create(
        membership=membership, user=s.no_show, date=date(2026, 11, 3), hours=Decimal("2.25"), activity="Reading"
    )

    assert _rows(client, cohort, "json") == [
        {"measure": "sessions", "form": "", "question": "", "answers": "", "value": 1},
        {"measure": "attendances", "form": "", "question": "", "answers": "", "value": 3},
        {"measure": "hours", "form": "", "question": "", "answers": "", "value": "3.75"},
        {"measure": "feedback_responses", "form": "Mid-point", "question": "", "answers": 1, "value": ""},
        {"measure": "feedback_score", "form": "Mid-point", "question": "How is it going?", "answers": 1, "value": ""},
        {"measure": "feedback_responses", "form": "How was the roundtable?", "question": "", "answers": 3, "value": ""},
        {
            "measure": "feedback_score",
            "form": "How was the roundtable?",
            "question": "How useful was it?",
            "answers": 3,
            "value": "4.33",
        },
    ]
    text = client.get(reverse("open_data_file", args=[cohort.slug, "outcomes", "csv"])).content.decode("utf-8-sig")
    assert text.splitlines()[0] == '"measure","form","question","answers","value"'
    for person in (s.attendee, s.no_show, *more):
        assert person.name not in text
        assert person.email not in text
    assert "From " not in text  # no text answer is published


def _scores(client, cohort):
    return [
        (row["form"], row["answers"], row["value"])
        for row in _rows(client, cohort, "json")
        if row["measure"].startswith("feedback")
    ]


def test_a_mean_is_published_only_once_the_form_has_closed_and_a_form_not_yet_open_is_not_listed(client):
    s = past_event_form()
    cohort = s.form.cohort
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.RUNNING)
    membership = s.attendee.participations.get().membership
    more = [ParticipantFactory(membership=membership).user for _ in range(3)]
    for person in more:
        RSVP.objects.create(event=s.form.event, user=person, status="going", attendance="attended")
    FeedbackForm.objects.create(
        cohort=cohort, title="End of cohort", opens_at=timezone.now() + timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=8),
    )  # fmt: skip
    title = "How was the roundtable?"
    for person, score in zip([s.attendee, *more[:2]], ["5", "4", "4"], strict=True):
        feedback_respond(form=s.form, user=person, answers={s.scale.pk: score})
    # Open: counts only, so a fourth answer could not be read back from a moving mean.
    assert _scores(client, cohort) == [(title, 3, ""), (title, 3, "")]
    feedback_respond(form=s.form, user=more[2], answers={s.scale.pk: "1"})
    assert _scores(client, cohort) == [(title, 4, ""), (title, 4, "")]
    FeedbackForm.objects.filter(pk=s.form.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert _scores(client, cohort) == [(title, 4, ""), (title, 4, "3.50")]
