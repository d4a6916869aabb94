"""Reminders about events: to people going before the start, to those who have not answered before the RSVP deadline."""

from cohorts.models import Participant
from events.calendar import event_calendar
from events.models import RSVP, Event
from events.services import answer_link
from notifications.reminders import Due, Source, register
from notifications.services import render_email
from toolbox.timezones import in_zone


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

    def attachments(event, rsvp):
        # Everyone going gets the same invitation: build it once per event, and only for rows written.
        if event.pk not in invitations:
            invitations[event.pk] = event_calendar(event, rsvp=rsvp, include_link=True).decode()
        return [{"filename": "event.ics", "mimetype": "text/calendar", "content": invitations[event.pk]}]

    for rsvp in going:
        event = rsvp.event
        yield Due(
            obj_key=f"event-{event.pk}",
            moment=event.starts_at,
            user=rsvp.user,
            subject=f"Reminder: {event.title}",
            render=_render("events/email/reminder_going", event),
            attachments=lambda event=event, rsvp=rsvp: attachments(event, rsvp),
        )


def _unanswered(start, end):
    # Three queries whatever the number of events: the events, who answered them, their cohorts' people.
    events = list(
        Event.objects.filter(
            status=Event.Status.SCHEDULED, rsvp_deadline__isnull=False, rsvp_deadline__gte=start, rsvp_deadline__lte=end
        ).order_by("rsvp_deadline", "pk")
    )
    if not events:
        return
    answered = set(RSVP.objects.filter(event__in=events).values_list("event_id", "user_id"))
    people: dict[int, dict[int, object]] = {}
    participants = (
        Participant.objects.filter(membership__cohort_id__in={event.cohort_id for event in events})
        .select_related("user", "membership")
        .order_by("pk")
    )
    for participant in participants:
        # One person in two organisations of a cohort is reminded once.
        people.setdefault(participant.membership.cohort_id, {}).setdefault(participant.user_id, participant.user)
    for event in events:
        for user in people.get(event.cohort_id, {}).values():
            if (event.pk, user.pk) in answered:
                continue
            yield Due(
                obj_key=f"event-{event.pk}",
                moment=event.rsvp_deadline,
                user=user,
                subject=f"Will you come? {event.title}",
                render=_render("events/email/reminder_unanswered", event),
            )


def register_sources() -> None:
    register(Source("event_going", "Events you are going to, before they start", _going, passed="the event started"))
    register(
        Source(
            "event_unanswered",
            "Events you have not answered, before the answer deadline",
            _unanswered,
            passed="the answer deadline passed",
        )
    )
