"""Reminders before a feedback form closes, to the people it is for who have not answered yet.

Registered as the reminder source ``feedback_closing``; the rules (how long
before the closing) are rows staff edit, like every other reminder.
"""

from django.utils import timezone

from notifications.reminders import Due, Source, register
from notifications.services import render_email
from outcomes.feedback_permissions import feedback_invitees
from outcomes.models import FeedbackForm, FeedbackRespondent
from outcomes.services_feedback import feedback_link
from toolbox.timezones import in_zone


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
    now = timezone.now()
    forms = [
        form
        for form in FeedbackForm.objects.filter(closes_at__gte=start, closes_at__lte=end)
        .select_related("event")
        .order_by("closes_at", "pk")
        # Only once the form is open (the invitation went first), and never for a cancelled event.
        if form.opens is not None and form.opens <= now and not (form.event_id and form.event.status == "cancelled")
    ]
    if not forms:
        return
    answered = set(FeedbackRespondent.objects.filter(form__in=forms).values_list("form_id", "user_id"))
    for form in forms:
        for user in feedback_invitees(form).order_by("pk"):
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
