"""Reminders about events: to people going before the start, to those who have not answered before the RSVP deadline."""

from cohortnet.timezones import in_zone
from cohorts.models import Participant
from events.calendar import event_calendar
from events.models import RSVP, Event
from events.services import answer_link
from notifications.reminders import Due, Source, register
from notifications.services import render_email


def _render(template, event):
    def render(extra):
        user = extra["user"]
        context = {
            "event": event,
            "starts": in_zone(event.starts_at, user.time_zone),
            "starts_event_zone": in_zone(event.starts_at, event.time_zone),
            # Callables: the template engine calls them only if the template prints them.
            "going_link": lambda: answer_link(event=event, user=user, answer="going"),
            "not_going_link": lambda: answer_link(event=event, user=user, answer="not_going"),
            **extra,
        }
        return render_email(template, context)

    return render


def _going(start, end):
    # Everyone going to every event in the window, in one query, grouped by event.
    going = (
        RSVP.objects.filter(
            status=RSVP.Status.GOING,
            event__status=Event.Status.SCHEDULED,
            event__starts_at__gte=start,
            event__starts_at__lte=end,
        )
        .select_related("user", "event")
        .order_by("event_id", "pk")
    )
    invitations: dict[int, str] = {}
    for rsvp in going:
        event = rsvp.event
        if event.pk not in invitations:
            # Everyone going gets the same invitation: build it once per event.
            invitations[event.pk] = event_calendar(event, rsvp=rsvp, include_link=True).decode()
        yield Due(
            obj_key=f"event-{event.pk}",
            moment=event.starts_at,
            user=rsvp.user,
            subject=f"Reminder: {event.title}",
            render=_render("events/email/reminder_going", event),
            attachments=[{"filename": "event.ics", "mimetype": "text/calendar", "content": invitations[event.pk]}],
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
