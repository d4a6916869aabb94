"""Reminders about events: to people going before the start, to those who have not answered before the RSVP deadline."""

from cohorts.models import Participant
from events.calendar import event_calendar
from events.models import RSVP, Event
from events.services import answer_link
from notifications.reminders import Due, Source, register
from notifications.services import render_email_shared
from toolbox.timezones import in_zone


def _render(template, event, shared: dict):
    """The render for one person's reminder about ``event``; ``shared`` is one dict per event and template.

    Everyone reminded of one event gets one text but for their name, their
    time zone and their links: the text is rendered once per time zone (and
    whether the person gave a name), the rest filled in per person
    (``render_email_shared``; profile at 2,000 reminders: the renders were
    half of the sweep).
    """

    def render(extra):
        user = extra["user"]
        time_zone = user.time_zone
        context = {
            "event": event,
            "starts": in_zone(event.starts_at, time_zone),
            "starts_event_zone": in_zone(event.starts_at, event.time_zone),
            "time_left": extra["time_left"],
        }
        fields = {
            "user.name": user.name,
            "opt_out_link": extra["opt_out_link"],
            "going_link": lambda: answer_link(event=event, user=user, answer="going"),
            "not_going_link": lambda: answer_link(event=event, user=user, answer="not_going"),
        }
        # What the templates test or derive per person: the zone, whether there is a name; and the sweep's text.
        key = (time_zone, bool(user.name), extra["time_left"])
        return render_email_shared(template, context, person=user, fields=fields, key=key, cache=shared)

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
    renders: dict[int, dict] = {}

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
            render=_render("events/email/reminder_going", event, renders.setdefault(event.pk, {})),
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
        renders: dict = {}
        for user in people.get(event.cohort_id, {}).values():
            if (event.pk, user.pk) in answered:
                continue
            yield Due(
                obj_key=f"event-{event.pk}",
                moment=event.rsvp_deadline,
                user=user,
                subject=f"Will you come? {event.title}",
                render=_render("events/email/reminder_unanswered", event, renders),
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
