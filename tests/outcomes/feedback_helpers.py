"""A past event with one attendee, one no-show and a feedback form on it: shared by the feedback tests."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from events.models import RSVP
from outcomes.models import FeedbackForm, FeedbackQuestion
from tests.factories import EventFactory, MembershipFactory, ParticipantFactory


@dataclass
class Setting:
    form: FeedbackForm
    attendee: object
    no_show: object
    scale: FeedbackQuestion
    choice: FeedbackQuestion
    yes_no: FeedbackQuestion
    text: FeedbackQuestion


def past_event_form(*, anonymous: bool = False, ended_ago=timedelta(hours=2), closes_in=timedelta(days=7)) -> Setting:
    membership = MembershipFactory(organisation__name="River Data Trust")
    attendee = ParticipantFactory(
        membership=membership, user__name="Maya Okafor", user__email="maya@river.example"
    ).user
    no_show = ParticipantFactory(membership=membership, user__name="Tom Ruiz", user__email="tom@river.example").user
    ends = timezone.now() - ended_ago
    event = EventFactory(cohort=membership.cohort, title="Roundtable: revenue", starts_at=ends - timedelta(hours=1))
    event.ends_at = ends
    event.save()
    RSVP.objects.create(event=event, user=attendee, status=RSVP.Status.GOING, attendance=RSVP.Attendance.ATTENDED)
    RSVP.objects.create(event=event, user=no_show, status=RSVP.Status.GOING, attendance=RSVP.Attendance.NO_SHOW)
    form = FeedbackForm.objects.create(
        cohort=membership.cohort,
        event=event,
        title="How was the roundtable?",
        anonymous=anonymous,
        closes_at=timezone.now() + closes_in,
    )
    kind = FeedbackQuestion.Kind
    scale = FeedbackQuestion.objects.create(form=form, label="How useful was it?", kind=kind.SCALE, position=1)
    choice = FeedbackQuestion.objects.create(
        form=form, label="Best part", kind=kind.SINGLE_CHOICE, choices="Talks\nDiscussion\nPeople", position=2
    )
    yes_no = FeedbackQuestion.objects.create(form=form, label="Come again?", kind=kind.YES_NO, position=3)
    text = FeedbackQuestion.objects.create(form=form, label="Anything else", kind=kind.LONG_TEXT, position=4)
    return Setting(form, attendee, no_show, scale, choice, yes_no, text)
