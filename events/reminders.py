"""Reminders about events: to people going before the start, to those who have not answered before the RSVP deadline."""

from cohorts.models import Participant
from events.calendar import event_calendar
from events.models import RSVP, Event
from notifications.reminders import Due, Source, register
from notifications.services import render_email


def _render(template, event, rsvp=None):
    def render(extra):
        from cohortnet.timezones import in_zone
        from events.services import answer_link

        user = extra["user"]
        context = {
            "event": event,
            "starts": in_zone(event.starts_at, user.time_zone),
            "starts_event_zone": in_zone(event.starts_at, event.time_zone),
            "going_link": answer_link(event=event, user=user, answer="going"),
            "not_going_link": answer_link(event=event, user=user, answer="not_going"),
            **extra,
        }
        return render_email(template, context)

    return render


def _going(start, end):
    events = Event.objects.filter(status=Event.Status.SCHEDULED, starts_at__gte=start, starts_at__lte=end)
    for event in events:
        going = list(RSVP.objects.filter(event=event, status=RSVP.Status.GOING).select_related("user"))
        if not going:
            continue
        # Everyone going gets the same invitation: build it once per event.
        ics = event_calendar(event, rsvp=going[0], include_link=True).decode()
        for rsvp in going:
            yield Due(
                obj_key=f"event-{event.pk}",
                moment=event.starts_at,
                user=rsvp.user,
                subject=f"Reminder: {event.title}",
                render=_render("events/email/reminder_going", event, rsvp),
                attachments=[{"filename": "event.ics", "mimetype": "text/calendar", "content": ics}],
            )


def _unanswered(start, end):
    events = Event.objects.filter(
        status=Event.Status.SCHEDULED, rsvp_deadline__isnull=False, rsvp_deadline__gte=start, rsvp_deadline__lte=end
    )
    for event in events:
        answered = RSVP.objects.filter(event=event).values("user_id")
        people = (
            Participant.objects.filter(membership__cohort_id=event.cohort_id)
            .exclude(user_id__in=answered)
            .select_related("user")
        )
        seen = set()
        for participant in people:
            if participant.user_id in seen:
                continue
            seen.add(participant.user_id)
            yield Due(
                obj_key=f"event-{event.pk}",
                moment=event.rsvp_deadline,
                user=participant.user,
                subject=f"Will you come? {event.title}",
                render=_render("events/email/reminder_unanswered", event),
            )


def register_sources() -> None:
    register(Source("event_going", "Events you are going to, before they start", _going))
    register(Source("event_unanswered", "Events you have not answered, before the answer deadline", _unanswered))
