"""Reminders before a report is due, to the organisation's people, while it is unsubmitted (draft or returned)."""

from cohorts.models import Participant
from notifications.reminders import Due, Source, register
from notifications.services import render_email
from outcomes.models import Report
from toolbox.timezones import in_zone


def _unsubmitted(start, end):
    reports = (
        Report.objects.filter(status__in=Report.EDITABLE, round__due_at__gte=start, round__due_at__lte=end)
        .select_related("round", "membership__organisation")
        .order_by("pk")
    )
    reports = list(reports)
    people: dict[int, list] = {}
    for participant in (
        Participant.objects.filter(membership_id__in={r.membership_id for r in reports}, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ):
        people.setdefault(participant.membership_id, []).append(participant.user)
    for report in reports:
        for user in people.get(report.membership_id, []):

            def render(extra, report=report, user=user):
                due = in_zone(report.round.due_at, user.time_zone or report.round.time_zone)
                return render_email(
                    "outcomes/reports/email/reminder_report_due", {"report": report, "due": due, **extra}
                )

            yield Due(
                obj_key=f"report-{report.pk}",
                moment=report.round.due_at,
                user=user,
                subject=f"Report due: {report.round.title} ({report.membership.organisation.name})",
                render=render,
            )


def register_sources() -> None:
    register(
        Source(
            "report_due",
            "Reports your organisation has not submitted, before they are due",
            _unsubmitted,
            passed="the report fell due",
        )
    )
