"""The organisation's side of reports: its list of reports, and one report to write, save and submit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cohorts.models import Membership
from outcomes import services_reports as services
from outcomes.forms_reports import ReportForm, field_name, initial_for
from outcomes.models import Report
from outcomes.permissions_reports import can_view_report, is_report_lead, is_report_writer, lead_names
from toolbox.visibility import get_visible_or_404


@login_required
@require_GET
def report_list(request):
    """The reports of every organisation the person takes part in a cohort for, with status and comments."""
    memberships = Membership.objects.filter(participants__user=request.user).distinct()
    for membership in memberships:
        services.reports_open_for(membership)
    reports = (
        Report.objects.filter(membership__in=memberships)
        .select_related("round__cohort", "membership__organisation")
        .order_by("round__due_at", "membership__organisation__name")
    )
    return render(request, "outcomes/reports/report_list.html", {"reports": reports})


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, pk):
    """One report: the organisation's people save a draft; the lead contact submits. Another's is a 404."""
    reports = Report.objects.select_related("round__cohort", "membership__organisation", "updated_by", "decided_by")
    report = get_visible_or_404(reports, can_view_report, request.user, pk=pk)
    questions = list(report.round.questions.all())
    can_write = is_report_writer(request.user, report) and report.is_editable
    conflict = None
    if request.method == "POST" and can_write:
        form = ReportForm(request.POST, questions=questions)
        if form.is_valid():
            try:
                report = services.report_save(
                    report=report, user=request.user, answers=form.answers(), version=form.cleaned_data["version"]
                )
            except services.ReportConflict as exc:
                conflict = exc.report
                # The next save is made knowingly over the newer version: the page shows its answers.
                data = request.POST.copy()
                data["version"] = conflict.version
                form = ReportForm(data, questions=questions)
                form.is_valid()
                form.add_error(None, exc)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if "submit" not in request.POST:
                    messages.success(request, "Your answers are saved as a draft.")
                    return redirect(report)
                try:
                    services.report_submit(report=report, by=request.user)
                except ValidationError as exc:
                    # The answers are saved; the page shows them again at the new version, with the refusal.
                    data = request.POST.copy()
                    data["version"] = report.version
                    form = ReportForm(data, questions=questions)
                    form.is_valid()
                    form.add_error(None, exc)
                else:
                    messages.success(request, "Report submitted. The programme team will accept it or reply.")
                    return redirect(report)
    elif request.method == "POST":
        messages.error(request, f"This report is {report.get_status_display().lower()}, so it cannot be changed.")
        return redirect(report)
    else:
        form = ReportForm(initial=initial_for(report), questions=questions)
    rows = [
        {
            "question": q,
            "field": form[field_name(q)] if can_write else None,
            "answer": report.answers.get(str(q.pk), ""),
            "theirs": conflict.answers.get(str(q.pk), "") if conflict else None,
        }
        for q in questions
    ]
    context = {
        "report": report,
        "form": form,
        "rows": rows,
        "can_write": can_write,
        "is_lead": is_report_lead(request.user, report),
        "leads": lead_names(report),
    }
    return render(request, "outcomes/reports/report_detail.html", context, status=200)
