from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications import services
from notifications.reminders import REGISTRY
from notifications.unsubscribe import unsubscribe_from_token


# RFC 8058's one-click POST comes from the mail provider without cookies or a CSRF token;
# the signed token is the authority, and it can only ever stop email to the person it names.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Stop one kind of email for one person. A GET shows one button (scanners follow links); a POST stops it."""
    target = unsubscribe_from_token(token)
    if target is None:
        return render(request, "notifications/opt_out.html", {"error": True}, status=400)
    if request.method == "POST":
        target.apply()
        return render(request, "notifications/opt_out.html", {"label": target.label, "done": True})
    return render(request, "notifications/opt_out.html", {"label": target.label})


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Every kind of reminder, each with a switch."""
    stopped = set(request.user.reminder_opt_outs.values_list("kind", flat=True))
    if request.method == "POST":
        wanted = set(request.POST.getlist("kinds"))
        for kind in REGISTRY:
            services.reminder_opt_out_set(user=request.user, kind=kind, stopped=kind not in wanted)
        messages.success(request, "Your reminder settings are saved.")
        return redirect("notifications:preferences")
    kinds = [(source.kind, source.label, source.kind not in stopped) for source in REGISTRY.values()]
    return render(request, "notifications/preferences.html", {"kinds": kinds})
