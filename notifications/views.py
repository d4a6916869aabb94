from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from notifications import services
from notifications.reminders import OPT_OUT_SALT, REGISTRY


def opt_out(request, token):
    """The one-click link in every reminder: stop that kind, for that person, nothing else."""
    try:
        data = signing.loads(token, salt=OPT_OUT_SALT)
    except signing.BadSignature:
        return render(request, "notifications/opt_out.html", {"error": True}, status=400)
    user = get_user_model().objects.filter(pk=data.get("u")).first()
    source = REGISTRY.get(data.get("k"))
    if user is None or source is None:
        return render(request, "notifications/opt_out.html", {"error": True}, status=400)
    services.reminder_opt_out_set(user=user, kind=source.kind, stopped=True)
    return render(request, "notifications/opt_out.html", {"label": source.label})


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
