"""The person's own data download: asked for from the profile, fetched from the emailed link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from privacy import services
from privacy.models import AccessRecord


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
