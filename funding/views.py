import hashlib
from pathlib import Path

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from cohorts.models import Cohort
from cohorts.services import ALLOWED_EXTENSIONS
from funding import selectors, services
from funding.charts import budget_svg, legend
from funding.forms import TimeEntryForm
from funding.models import HOURS_PER_DAY, Award, FundingChange, Instalment
from funding.permissions import can_log_time, can_open_funding_files, can_open_invoice, can_view_award
from toolbox.csvutils import csv_response
from toolbox.signals import file_downloaded
from toolbox.visibility import get_visible_or_404


@login_required
@require_http_methods(["GET", "POST"])
def award_detail(request, pk):
    """An organisation's own award, its payments (read-only) and its time."""
    awards = Award.objects.select_related("membership__organisation", "membership__cohort")
    award = get_visible_or_404(awards, can_view_award, request.user, pk=pk)
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
            else:
                messages.success(request, "Time logged.")
                return redirect(award)
    entries = membership.time_entries.select_related("user", "event")
    context = {
        "award": award,
        "instalments": award.instalments.all(),
        "entries": entries,
        "hours": sum((e.hours for e in entries), 0),
        "time": selectors.time_summary(membership),
        "form": form,
        "can_log": can_log_time(request.user, membership),
        "can_open_files": can_open_funding_files(request.user, award),
    }
    return render(request, "funding/award_detail.html", context)


def _private_file(file, download_name: str) -> FileResponse:
    """A funding file as a download (who may open it is checked by the caller's lookup)."""
    if not file:
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
    awards = Award.objects.select_related("membership__organisation")
    award = get_visible_or_404(awards, can_open_funding_files, request.user, pk=pk)
    response = _private_file(award.agreement_file, f"agreement-{award.pk}")
    file_downloaded.send(sender=agreement_file, request=request, what=f"signed agreement of award {award.pk}")
    return response


@login_required
@require_GET
def invoice_file(request, pk):
    """An instalment's invoice: Finance, staff and the organisation's lead contact."""
    instalments = Instalment.objects.select_related("award__membership__organisation")
    instalment = get_visible_or_404(instalments, can_open_invoice, request.user, pk=pk)
    response = _private_file(instalment.invoice_file, f"invoice-{instalment.pk}")
    file_downloaded.send(sender=invoice_file, request=request, what=f"invoice of instalment {instalment.pk}")
    return response


#: A key no row has, put in a reversed address and replaced by each row's own.
_KEY = 987654321987


def _address(name: str):
    """``reverse(name, args=[pk])`` for an integer ``pk``, reversed once rather than once per row."""
    pattern = reverse(name, args=[_KEY])
    return lambda pk: pattern.replace(str(_KEY), str(int(pk)))


def _link_rows(rows) -> None:
    """Each budget row's links: profiled at L (200 organisations), the template's ``{% url %}`` and
    ``get_absolute_url`` per row were a quarter of the page's time."""
    admin_award, public_award = _address("admin:funding_award_change"), _address("funding:award")
    for row in rows:
        award = getattr(row, "award", None)  # a member without an award raises AttributeError
        row.budget_award = award
        if award is not None:
            row.award_admin_url, row.award_url = admin_award(award.pk), public_award(award.pk)


def _budget_digest(rows, rate) -> str:
    """A digest of everything the budget's table and chart show, read from the page's own query.

    Their cached fragment (funding/dashboard.html) is keyed on it: a write to any award, instalment, time entry,
    membership, organisation name or day rate changes what the query returns, hence the key, so the page
    never shows a stale figure. Profiled at L (200 organisations), rendering them was most of the page's time.
    """
    parts = [get_language() or "", str(rate), str(HOURS_PER_DAY)]
    for row in rows:
        award = row.budget_award
        parts.append(
            f"{row.pk}|{row.organisation_id}|{row.organisation.name}|{row.scheduled}|{row.approved}|{row.paid}|"
            f"{row.hours}|{row.time_value}|"
            + (f"{award.pk}|{award.amount}|{award.committed}" if award is not None else "-")
        )
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


@staff_member_required
def dashboard(request, slug):
    cohort = get_object_or_404(Cohort.objects.select_related("day_rate"), slug=slug)
    rows = list(selectors.budget_rows(cohort))
    _link_rows(rows)
    rate = selectors.day_rate_of(cohort)
    context = {
        "cohort": cohort,
        "rows": rows,
        "rate": rate,
        "hours_per_day": HOURS_PER_DAY,
        "totals": selectors.totals(rows, rate=rate),
        # Drawn only when the cached fragment is missing (funding/dashboard.html).
        "chart": lambda: mark_safe(budget_svg(rows)),  # noqa: S308 -- built by budget_svg with every text escaped
        "legend": legend(rows),
        "add_award_url": reverse("admin:funding_award_add"),
    }
    context["digest"] = _budget_digest(rows, rate)
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
    return csv_response(f"{cohort.slug}-instalments.csv", header, rows, request=request)


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
    return csv_response(f"{cohort.slug}-funding-history.csv", header, rows, request=request)
