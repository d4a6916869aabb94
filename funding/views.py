from pathlib import Path

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from cohorts.models import Cohort
from cohorts.services import ALLOWED_EXTENSIONS
from funding import selectors, services
from funding.charts import budget_svg
from funding.forms import TimeEntryForm
from funding.models import Award, FundingChange, Instalment
from funding.permissions import can_log_time, can_open_funding_files, can_view_award
from toolbox.csvutils import csv_response


@login_required
@require_http_methods(["GET", "POST"])
def award_detail(request, pk):
    """An organisation's own award, its payments (read-only) and its time."""
    award = get_object_or_404(Award.objects.select_related("membership__organisation", "membership__cohort"), pk=pk)
    # Another organisation's award is a 404.
    if not can_view_award(request.user, award):
        raise Http404
    membership = award.membership
    form = TimeEntryForm(request.POST or None, cohort=membership.cohort)
    if request.method == "POST":
        if not can_log_time(request.user, membership):
            raise Http404
        if form.is_valid():
            try:
                services.time_log(membership=membership, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, "Time logged.")
                return redirect(award)
    entries = membership.time_entries.select_related("user", "event")
    context = {
        "award": award,
        "instalments": award.instalments.all(),
        "entries": entries,
        "hours": sum((e.hours for e in entries), 0),
        "form": form,
        "can_log": can_log_time(request.user, membership),
        "can_open_files": can_open_funding_files(request.user, award),
    }
    return render(request, "funding/award_detail.html", context)


def _private_file(request, award, file, download_name: str) -> FileResponse:
    """A funding file as a download, to those who may open it; to anyone else it does not exist."""
    if not file or not can_open_funding_files(request.user, award):
        raise Http404
    suffix = Path(file.name).suffix.lower()
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{download_name}{suffix}",
        content_type=ALLOWED_EXTENSIONS.get(suffix, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def agreement_file(request, pk):
    """An award's signed agreement: Finance, staff and the organisation's lead contact."""
    award = get_object_or_404(Award.objects.select_related("membership__organisation"), pk=pk)
    return _private_file(request, award, award.agreement_file, f"agreement-{award.pk}")


@login_required
@require_GET
def invoice_file(request, pk):
    """An instalment's invoice: Finance, staff and the organisation's lead contact."""
    instalment = get_object_or_404(Instalment.objects.select_related("award__membership__organisation"), pk=pk)
    return _private_file(request, instalment.award, instalment.invoice_file, f"invoice-{instalment.pk}")


@staff_member_required
def dashboard(request, slug):
    cohort = get_object_or_404(Cohort, slug=slug)
    rows = list(selectors.budget_rows(cohort))
    context = {
        "cohort": cohort,
        "rows": rows,
        "totals": selectors.totals(rows),
        "chart": mark_safe(budget_svg(rows)),  # noqa: S308 -- built by budget_svg with every text escaped
    }
    return render(request, "funding/dashboard.html", context)


@staff_member_required
def export_instalments(request, slug):
    cohort = get_object_or_404(Cohort, slug=slug)
    instalments = (
        Instalment.objects.filter(award__membership__cohort=cohort)
        .select_related("award__membership__organisation", "approved_by", "paid_by")
        .order_by("award__membership__organisation__name", "due_on")
    )
    rows = (
        [
            i.award.membership.organisation.name,
            i.award.amount,
            i.amount,
            i.due_on.isoformat(),
            i.get_status_display(),
            i.approved_by.email if i.approved_by else "",
            i.approved_at.isoformat() if i.approved_at else "",
            i.paid_by.email if i.paid_by else "",
            i.paid_at.isoformat() if i.paid_at else "",
            i.invoice_reference,
        ]
        for i in instalments
    )
    header = [
        "organisation", "award (GBP)", "instalment (GBP)", "due on", "status",
        "approved by", "approved at", "paid by", "paid at", "invoice reference",
    ]  # fmt: skip
    return csv_response(f"{cohort.slug}-instalments.csv", header, rows)


@staff_member_required
def export_history(request, slug):
    cohort = get_object_or_404(Cohort, slug=slug)
    changes = (
        FundingChange.objects.filter(award__membership__cohort=cohort)
        .select_related("award__membership__organisation", "by")
        .order_by("at", "pk")
    )
    rows = (
        [
            c.at.isoformat(),
            c.by.email if c.by else "",
            c.award.membership.organisation.name,
            c.instalment_id or "",
            c.action,
            c.before,
            c.after,
        ]
        for c in changes
    )
    header = ["at", "by", "organisation", "instalment", "action", "before", "after"]
    return csv_response(f"{cohort.slug}-funding-history.csv", header, rows)
