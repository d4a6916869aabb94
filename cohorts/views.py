from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from cohorts import services
from cohorts.forms import ColleagueInviteForm, OrganisationForm
from cohorts.models import ColleagueInvite, Organisation
from cohorts.permissions import can_act_for_organisation, is_organisation_lead
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
            return redirect(next_url or organisation.get_absolute_url())
    return render(request, "cohorts/organisation_form.html", {"form": form, "next": next_url})


@login_required
def cohort_list(request):
    return render(request, "cohorts/cohort_list.html", {"cohorts": cohorts_for_user(request.user)})


def _get_own_organisation(request, pk) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=pk)
    # Someone else's organisation is a 404: we do not confirm it exists.
    if not can_act_for_organisation(request.user, organisation):
        raise Http404
    return organisation


@login_required
@require_http_methods(["GET", "POST"])
def organisation_detail(request, pk):
    organisation = _get_own_organisation(request, pk)
    is_lead = is_organisation_lead(request.user, organisation)
    form = ColleagueInviteForm(request.POST or None)
    if request.method == "POST":
        if not is_lead:
            raise Http404
        if form.is_valid():
            try:
                invite = services.colleague_invite(
                    organisation=organisation, email=form.cleaned_data["email"], by=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Invitation sent to {invite.email}.")
                return redirect("cohorts:organisation_detail", pk=organisation.pk)
    context = {
        "organisation": organisation,
        "people": organisation.person_links.select_related("user").order_by("role", "user__email"),
        "open_invites": organisation.invites.filter(accepted_at__isnull=True),
        "is_lead": is_lead,
        "form": form,
    }
    return render(request, "cohorts/organisation_detail.html", context)


@login_required
@require_POST
def colleague_remove(request, pk, user_pk):
    organisation = _get_own_organisation(request, pk)
    person = get_object_or_404(get_user_model(), pk=user_pk)
    try:
        services.colleague_remove(organisation=organisation, user_to_remove=person, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{person.get_full_name()} no longer acts for {organisation.name}.")
    return redirect("cohorts:organisation_detail", pk=organisation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def invite_accept(request, token):
    invite = get_object_or_404(ColleagueInvite.objects.select_related("organisation", "invited_by"), token=token)
    error = None
    if request.method == "POST":
        try:
            services.colleague_accept(invite=invite, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"You now act for {invite.organisation.name}.")
            return redirect("cohorts:organisation_detail", pk=invite.organisation_id)
    return render(request, "cohorts/invite_accept.html", {"invite": invite, "error": error})
