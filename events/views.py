from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from events import services
from events.forms import RSVPForm
from events.models import RSVP, Event
from events.permissions import can_see_online_link, can_view_event


def _get_visible_event(request, pk) -> Event:
    event = get_object_or_404(Event.objects.select_related("cohort", "theme"), pk=pk)
    if not can_view_event(request.user, event):
        raise Http404
    return event


@login_required
def event_detail(request, pk):
    event = _get_visible_event(request, pk)
    rsvp = RSVP.objects.filter(event=event, user=request.user).first()
    context = {
        "event": event,
        "rsvp": rsvp,
        "show_online_link": can_see_online_link(request.user, event, rsvp),
        "going_count": event.rsvps.filter(status=RSVP.Status.GOING).count(),
    }
    return render(request, "events/event_detail.html", context)


@login_required
@require_POST
def rsvp(request, pk):
    event = _get_visible_event(request, pk)
    form = RSVPForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose “Going” or “Not going”.")
        return redirect(event)
    try:
        answer = services.rsvp_set(event=event, user=request.user, going=form.cleaned_data["answer"] == "going")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if answer.status == RSVP.Status.WAITLISTED:
            messages.warning(
                request, "The event is full: you are on the waiting list. We will email you if a place frees up."
            )
        elif answer.status == RSVP.Status.GOING:
            messages.success(request, f"You are going to {event.title}.")
        else:
            messages.success(request, f"Noted: you are not going to {event.title}.")
    return redirect(event)
