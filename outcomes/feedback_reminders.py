"""Reminders before a feedback form closes, to the people it is for who have not answered yet.

Registered as the reminder source ``feedback_closing``; the rules (how long
before the closing) are rows staff edit, like every other reminder.

A form is reminded of only once it has been open for ``INVITATION_GAP`` (a
day): a form that opens inside the reminder window (an event a day before the
form closes, say) would otherwise send its invitation and its reminder in the
same sweep. Such a form gets its invitation and no reminder; someone invited
late (marked as attended days after the event) may still get the reminder soon
after the invitation.
"""

from datetime import timedelta

from cohorts.models import Participant
from events.models import RSVP
from notifications.reminders import Due, Source, register
from notifications.services import render_email
from outcomes.models import FeedbackForm, FeedbackRespondent
from outcomes.services_feedback import feedback_link
from toolbox.timezones import in_zone

#: How long a form has been open before its closing reminder may go.
INVITATION_GAP = timedelta(hours=24)


def _render(form):
    def render(extra):
        user = extra["user"]
        context = {
            "form": form,
            "link": feedback_link(form),
            "closes": in_zone(form.closes_at, user.time_zone),
            **extra,
        }
        return render_email("outcomes/feedback/email/reminder", context)

    return render


def _closing(start, end):
    # Four queries whatever the number of forms: the forms, who answered, the attendees, the cohorts' people.
    # Only forms open a day before ``start`` (the previous sweep's clock, a minute ago; never later than now):
    # the invitation went well before.
    forms = [
        form
        for form in FeedbackForm.objects.filter(closes_at__gte=start, closes_at__lte=end, questions__isnull=False)
        .distinct()
        .select_related("event")
        .order_by("closes_at", "pk")
        if form.opens is not None
        and form.opens <= start - INVITATION_GAP
        and not (form.event_id and form.event.status == "cancelled")
    ]
    if not forms:
        return
    answered = set(FeedbackRespondent.objects.filter(form__in=forms).values_list("form_id", "user_id"))
    attendees: dict[int, dict[int, object]] = {}
    event_ids = {form.event_id for form in forms if form.event_id}
    if event_ids:
        rsvps = RSVP.objects.filter(
            event_id__in=event_ids, attendance=RSVP.Attendance.ATTENDED, user__is_active=True
        ).select_related("user")
        for rsvp in rsvps.order_by("user_id"):
            attendees.setdefault(rsvp.event_id, {})[rsvp.user_id] = rsvp.user
    people: dict[int, dict[int, object]] = {}
    cohort_ids = {form.cohort_id for form in forms if not form.event_id}
    if cohort_ids:
        participants = Participant.objects.filter(
            membership__cohort_id__in=cohort_ids, user__is_active=True
        ).select_related("user", "membership")
        for participant in participants.order_by("user_id"):
            # One person in two organisations of a cohort is reminded once.
            people.setdefault(participant.membership.cohort_id, {})[participant.user_id] = participant.user
    for form in forms:
        invited = attendees.get(form.event_id, {}) if form.event_id else people.get(form.cohort_id, {})
        for user in invited.values():
            if (form.pk, user.pk) in answered:
                continue
            yield Due(
                obj_key=f"feedback-{form.pk}",
                moment=form.closes_at,
                user=user,
                subject=f"Reminder: your feedback on {form.title}",
                render=_render(form),
            )


def register_feedback_sources() -> None:
    register(
        Source(
            "feedback_closing",
            "Feedback forms you have not answered, before they close",
            _closing,
            passed="the form closed",
        )
    )
