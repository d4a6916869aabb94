"""The privacy notice, the person's choices, and their own data download (asked for from the profile)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from privacy import selectors, services
from privacy.forms import ConsentForm, consent_choices
from privacy.models import AccessRecord, Consent


@require_GET
def notice(request):
    """The newest published notice, for everyone: sign-up links here, so with nothing published it says so."""
    return render(request, "privacy/notice.html", {"notice": selectors.notice_current()})


@login_required
@require_POST
def choices(request):
    """The profile's "Your choices": each changed choice is recorded with the time."""
    form = ConsentForm(request.POST)
    form.is_valid()  # optional checkboxes: any POST is valid, an absent box is "no"
    services.consents_save(user=request.user, choices=consent_choices(form.cleaned_data), source=Consent.Source.PROFILE)
    messages.success(request, "Your choices are saved.")
    return redirect("profile")


@login_required
@require_POST
def export_request(request):
    services.data_export_request(user=request.user)
    messages.success(
        request, "We are preparing your data. You will get an email with a link to download it within a few minutes."
    )
    return redirect("profile")


@login_required
@require_GET
def export_download(request, token):
    """The ZIP, to its owner only and only until it expires: anyone else, or later, gets a 404."""
    export = services.data_export_for_download(user=request.user, token=token)
    if export is None:
        raise Http404
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    services.access_record(request=request, kind=AccessRecord.Kind.DATA_EXPORT, what=f"data download {export.pk}")
    response = FileResponse(handle, as_attachment=True, filename=f"cohortnet-data-{export.created_at:%Y-%m-%d}.zip")
    response["Cache-Control"] = "private, no-store"
    return response
