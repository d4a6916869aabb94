from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from cohorts import services
from cohorts.forms import OrganisationForm
from cohorts.selectors import cohorts_for_user


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    form = OrganisationForm(request.POST or None, initial={"name": request.GET.get("name", "")[:200]})
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{organisation.name} is set up, with you as its lead contact.")
            return redirect(next_url or "dashboard")
    return render(request, "cohorts/organisation_form.html", {"form": form, "next": next_url})


@login_required
def cohort_list(request):
    return render(request, "cohorts/cohort_list.html", {"cohorts": cohorts_for_user(request.user)})
