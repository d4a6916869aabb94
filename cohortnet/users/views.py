"""A person's own settings that are not the profile form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cohortnet.users import services
from toolbox.timezones import in_zone, zone_abbreviation


def _safe_next(request) -> str:
    """Back to the page the offer was on, if it is on this site; otherwise the person's home."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("dashboard")


@login_required
@require_POST
def time_zone_choose(request):
    """Either button of the browser-zone offer: save that zone as the person's choice."""
    zone = request.POST.get("time_zone", "").strip()
    before = request.user.time_zone
    try:
        services.time_zone_choose(user=request.user, zone=zone)
    except ValidationError as exc:
        context = {"error": " ".join(exc.messages), "next": _safe_next(request)}
        return render(request, "users/time_zone_refused.html", context, status=400)
    named = f"{zone} ({zone_abbreviation(in_zone(timezone.now(), zone))})"
    if zone == before:
        messages.success(request, f"Kept: times stay in {named}. You can change it on your profile.")
    else:
        messages.success(request, f"Times are now shown in your time, {named}. Emails and reminders use it too.")
    return redirect(_safe_next(request))
