"""Demo feedback: a form on the past welcome session, with a few answers, and an anonymous mid-point form.

Idempotent like the rest of seed_demo: forms are found by title, people answer once.
"""

from datetime import timedelta

from django.utils import timezone

from cohorts.models import Cohort, Participant
from events.models import RSVP, Event
from outcomes.models import FeedbackForm, FeedbackQuestion, FeedbackRespondent
from outcomes.services_feedback import feedback_respond

EVENT_TITLE = "Welcome networking session"
FORM_TITLE = "How was the welcome session?"
MIDPOINT_TITLE = "Mid-point check-in"

QUESTIONS = [
    ("How useful was the session?", FeedbackQuestion.Kind.SCALE, "", True),
    ("What helped most?", FeedbackQuestion.Kind.SINGLE_CHOICE, "Introductions\nSmall groups\nThe shared notes", False),
    ("Would you come to another?", FeedbackQuestion.Kind.YES_NO, "", False),
    ("What should we change?", FeedbackQuestion.Kind.LONG_TEXT, "", False),
]
#: What three attendees answered, in the questions' order.
ANSWERS = [
    ("5", "Small groups", "yes", "More time in the small groups, please."),
    ("4", "Introductions", "yes", ""),
    ("3", "Small groups", "no", "A shorter first half."),
]


def seed_feedback(cohort: Cohort, *, demo_participant_email: str) -> None:
    event = Event.objects.filter(cohort=cohort, title=EVENT_TITLE).first()
    if event is None:
        return
    people = [
        p.user for p in Participant.objects.filter(membership__cohort=cohort).select_related("user").order_by("pk")
    ]
    demo = [u for u in people if u.email == demo_participant_email]
    answering = [u for u in people if u.email != demo_participant_email][: len(ANSWERS)]
    # The demo participant attended too, and has the form still to answer.
    for user in answering + demo:
        RSVP.objects.get_or_create(
            event=event,
            user=user,
            defaults={
                "status": RSVP.Status.GOING,
                "attendance": RSVP.Attendance.ATTENDED,
                "membership": Participant.objects.filter(membership__cohort=cohort, user=user).first().membership,
            },
        )
    form, created = FeedbackForm.objects.get_or_create(
        cohort=cohort,
        event=event,
        title=FORM_TITLE,
        defaults={
            "intro": "Five minutes, four questions: it helps us plan the next sessions.",
            "closes_at": timezone.now() + timedelta(days=14),
        },
    )
    if created:
        for position, (label, kind, choices, required) in enumerate(QUESTIONS, start=1):
            FeedbackQuestion.objects.create(
                form=form, label=label, kind=kind, choices=choices, required=required, position=position
            )
    questions = list(form.questions.order_by("position"))
    for user, values in zip(answering, ANSWERS, strict=False):
        if form.is_open(timezone.now()) and not FeedbackRespondent.objects.filter(form=form, user=user).exists():
            feedback_respond(form=form, user=user, answers={q.pk: v for q, v in zip(questions, values, strict=True)})

    midpoint, created = FeedbackForm.objects.get_or_create(
        cohort=cohort,
        event=None,
        title=MIDPOINT_TITLE,
        defaults={
            "intro": "Halfway through the cohort: how is it going? Anonymous: your answers are not linked to you.",
            "anonymous": True,
            "opens_at": timezone.now() + timedelta(days=2),
            "closes_at": timezone.now() + timedelta(days=16),
        },
    )
    if created:
        FeedbackQuestion.objects.create(
            form=midpoint, label="How is the cohort going for you?", kind=FeedbackQuestion.Kind.SCALE, position=1
        )
        FeedbackQuestion.objects.create(
            form=midpoint, label="What would make the second half better?", kind="long_text", position=2
        )
