import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import engines
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods, require_POST

from cohorts.models import Membership, Participant
from cohorts.permissions import remember_participation
from cohorts.selectors import cohorts_for_user
from events import calendar, services
from events.forms import RSVPForm, WrittenInputForm
from events.models import RSVP, CalendarToken, Event, SupportSlot
from events.permissions import (
    can_book_slot,
    can_cancel_slot,
    can_see_online_link,
    can_see_slot_link,
    can_view_event,
    can_view_slot,
)
from events.selectors import booked_slots_for, rsvps_by_event
from toolbox.visibility import get_visible_or_404


def _get_visible_event(request, pk) -> Event:
    events = Event.objects.select_related("cohort", "theme")
    if not request.user.is_authenticated:
        return get_visible_or_404(events, can_view_event, request.user, pk=pk)
    # Whether the person takes part comes with the event: can_view_event then asks no second query.
    events = events.annotate(viewer_takes_part=Exists(Participant.objects.for_user(request.user, OuterRef("cohort"))))

    def can_view(user, event):
        remember_participation(event.cohort, user, event.viewer_takes_part)
        return can_view_event(user, event)

    return get_visible_or_404(events, can_view, request.user, pk=pk)


def _rsvp_context(request, event, *, rsvp=None):
    """What the answer box (events/_rsvp.html) needs; also sent alone after an htmx answer (with its RSVP)."""
    counts = event.rsvps.aggregate(
        going=Count("pk", filter=Q(status=RSVP.Status.GOING)),
        waiting=Count("pk", filter=Q(status=RSVP.Status.WAITLISTED)),
        # The person's own answer in the same query (one per person and event): the box reads only its status.
        mine=Max("status", filter=Q(user_id=request.user.pk)),
    )
    if rsvp is None and counts["mine"]:
        rsvp = RSVP(event=event, user=request.user, status=counts["mine"])
    places_left = None if event.capacity is None else max(event.capacity - counts["going"], 0)
    now = timezone.now()
    return {
        "event": event,
        "rsvp": rsvp,
        "show_online_link": can_see_online_link(request.user, event, rsvp),
        "going_count": counts["going"],
        "waiting_count": counts["waiting"],
        "places_left": places_left,
        "join_now": event.join_window_open(now),
        "under_way": event.status == Event.Status.SCHEDULED and event.starts_at <= now < event.ends_at,
    }


def _going_organisations(request, event) -> tuple[list, int]:
    """The member organisations going to ``event`` that may be named, and how many others go.

    Named like the public directory names them: an organisation whose membership
    agreed to be listed publicly (``Membership.listed_publicly``), and the
    viewer's own organisation, which its people already know. The others are
    only counted. One query, whatever the number of organisations.
    """
    memberships = (
        Membership.objects.filter(rsvps__event=event, rsvps__status=RSVP.Status.GOING)
        .select_related("organisation")
        .only("pk", "listed_publicly", "organisation__name")  # a big event has hundreds: only what is shown
        .annotate(is_mine=Exists(Participant.objects.filter(membership=OuterRef("pk"), user_id=request.user.pk)))
        .distinct()
        .order_by("organisation__name")
    )
    named, others = [], 0
    for membership in memberships:
        membership.initial = membership.organisation.name[:1].upper()  # the avatar's letter
        if membership.listed_publicly or membership.is_mine:
            named.append(membership)
        else:
            others += 1
    return named, others


@functools.cache
def _blank_input_form() -> SafeString:
    """The written-input form as crispy draws it with nothing typed, drawn once per process.

    It is the same for every event and person (the CSRF token is outside it, in the page), and crispy's
    per-field templates cost more than the rest of the answer box.
    """
    template = engines["django"].from_string("{% load crispy_forms_tags %}{{ form|crispy }}")
    return template.render({"form": WrittenInputForm()})


def _detail_context(request, event, input_form) -> dict:
    named, others = _going_organisations(request, event)
    return {
        **_rsvp_context(request, event),
        "blank_input_form": None if input_form.is_bound else _blank_input_form(),
        "colour": event.theme.colour if event.theme else "slate",
        "google_link": calendar.google_link(event),
        "outlook_link": calendar.outlook_link(event),
        "input_form": input_form,
        "pre_reading": event.pre_reading.select_related("cohort"),
        "going_organisations": named,
        # A big event has hundreds going: one join in Python costs a fraction of a template loop over them.
        "going_items": format_html_join(
            "",
            '<li class="cn-card d-inline-flex align-items-center gap-2 px-2 py-1"><span class="org-avatar" '
            'aria-hidden="true">{}</span><span>{}</span></li>',
            ((m.initial, m.organisation.name) for m in named),
        ),
        "other_organisations_going": others,
    }


@login_required
def event_detail(request, pk):
    event = _get_visible_event(request, pk)
    return render(request, "events/event_detail.html", _detail_context(request, event, WrittenInputForm()))


@login_required
@require_POST
def rsvp(request, pk):
    """Set the answer. With htmx, answer with the updated answer box only."""
    event = _get_visible_event(request, pk)
    form = RSVPForm(request.POST)
    error = answer = None
    if not form.is_valid():
        error = "Choose “Going” or “Not going”."
    else:
        try:
            answer = services.rsvp_set(event=event, user=request.user, going=form.cleaned_data["answer"] == "going")
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if answer.status == RSVP.Status.WAITLISTED:
                note = "The event is full: you are on the waiting list. We will email you if a place frees up."
            elif answer.status == RSVP.Status.GOING:
                note = f"You are going to {event.title}."
            else:
                note = f"Noted: you are not going to {event.title}."
    if request.htmx:
        context = {**_rsvp_context(request, event, rsvp=answer), "error": error, "note": None if error else note}
        return render(request, "events/_rsvp.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, note)
    return redirect(event)


@login_required
def event_ics(request, pk):
    event = _get_visible_event(request, pk)
    rsvp = RSVP.objects.filter(event=event, user=request.user).first()
    body = calendar.event_calendar(event, rsvp=rsvp, include_link=can_see_online_link(request.user, event, rsvp))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


@require_http_methods(["GET", "POST"])
def answer(request, token):
    """An answer link from an email: no login, this one RSVP, nothing else.

    The GET shows the answer and one button; only the POST records it, so a
    mail scanner following the link answers nothing. The POST keeps its CSRF
    check: the page that carries the button sets the cookie.
    """
    try:
        if request.method == "POST":
            rsvp = services.answer_from_link(token=token)
            return render(request, "events/answer.html", {"rsvp": rsvp})
        event, _person, going = services.answer_link_read(token=token)
    except ValidationError as exc:
        return render(request, "events/answer.html", {"error": " ".join(exc.messages)}, status=400)
    return render(request, "events/answer.html", {"event": event, "going": going})


@login_required
def calendar_page(request):
    token = services.calendar_token_for(request.user)
    return render(request, "events/calendar.html", {"feed_url": request.build_absolute_uri(token.get_absolute_url())})


@login_required
@require_POST
def calendar_revoke(request):
    services.calendar_token_revoke(user=request.user)
    messages.success(request, "Your old calendar address no longer works. Subscribe again with the new one.")
    return redirect("events:calendar")


def feed(request, token):
    """The personal feed at a secret address: all events of the person's cohorts, with their answers."""
    token = get_object_or_404(CalendarToken.objects.select_related("user"), token=token)
    user = token.user
    events = list(
        Event.objects.filter(cohort__in=cohorts_for_user(user)).select_related("cohort").order_by("starts_at")
    )
    answers = rsvps_by_event(user, events)
    body = calendar.feed_calendar(
        [(e, answers.get(e.pk)) for e in events], name="CohortNet events", slots=booked_slots_for(user), user=user
    )
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@login_required
@require_POST
def written_input(request, pk):
    event = _get_visible_event(request, pk)
    form = WrittenInputForm(request.POST)
    if form.is_valid():
        services.written_input_add(event=event, user=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Thank you: your input has been sent to the programme team.")
        return redirect(event)
    return render(request, "events/event_detail.html", _detail_context(request, event, form))


def _get_visible_slot(request, pk) -> SupportSlot:
    slots = SupportSlot.objects.select_related("cohort", "host", "booked_by__organisation", "booked_by_user")
    return get_visible_or_404(slots, can_view_slot, request.user, pk=pk)


@login_required
def slot_detail(request, pk):
    """A 1:1 slot: when, with whom, and for the booking organisation and the host, the online link."""
    slot = _get_visible_slot(request, pk)
    membership = Membership.objects.for_participant(request.user, slot.cohort).first()
    context = {
        "slot": slot,
        "membership": membership,
        "show_link": can_see_slot_link(request.user, slot, membership),
        "can_book": slot.booked_by_id is None and can_book_slot(request.user, slot.cohort, membership),
        "can_cancel": slot.booked_by_id is not None and can_cancel_slot(request.user, slot, membership),
    }
    return render(request, "events/slot_detail.html", context)


@login_required
def slot_ics(request, pk):
    slot = _get_visible_slot(request, pk)
    if slot.booked_by_id is None or not can_see_slot_link(
        request.user, slot, Membership.objects.for_participant(request.user, slot.cohort).first()
    ):
        raise Http404
    response = HttpResponse(
        calendar.slot_calendar(slot, user=request.user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="support-{slot.pk}.ics"'
    return response


@login_required
@require_POST
def slot_book(request, pk):
    slot = _get_visible_slot(request, pk)
    try:
        services.support_slot_book(slot=slot, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            "Booked. We have emailed you and the host a calendar invitation; "
            "the session is also in your calendar feed and on this page.",
        )
        return redirect(slot)
    return redirect(slot.cohort)


@login_required
@require_POST
def slot_cancel(request, pk):
    slot = _get_visible_slot(request, pk)
    try:
        services.support_slot_cancel(slot=slot, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(slot.cohort)
    messages.success(request, "The booking is cancelled; the slot is free for others.")
    return redirect(slot.cohort)
