"""Writes for progress and final reports: opening a round, saving drafts, submitting, accepting, returning.

A report moves draft → submitted → accepted, or submitted → returned → submitted again. Any
participant of the organisation's membership saves the draft; only its lead contact submits; staff
accept or return. Every write locks the report row. Accepting releases, in the same transaction, the
instalment staff tied to the report (funding's ``instalment_release``): funding never imports outcomes.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cohorts.models import Membership, Participant
from funding import services as funding_services
from funding.models import Instalment
from notifications.services import email_queue, render_email
from outcomes.models import Report, ReportQuestion, ReportRound
from outcomes.permissions_reports import is_report_lead, is_report_writer, lead_names
from toolbox.timezones import in_zone


class ReportConflict(ValidationError):
    """A save from a page opened before someone else's save: refused, so that neither text is lost."""

    def __init__(self, message: str, *, report: Report):
        super().__init__(message)
        self.report = report


def _json_value(value):
    # Answers are stored as JSON: numbers as text keep their exact digits.
    if isinstance(value, Decimal):
        return str(value)
    return value


def _is_empty(value) -> bool:
    return value is None or value == "" or value == []


@transaction.atomic
def report_round_open(*, report_round: ReportRound) -> int:
    """Give every member organisation of the round's cohort its report (a draft). Staff, through the admin.

    Safe to call again: organisations that joined since get theirs, the others keep what they wrote
    (the unique key on round and membership is the backstop). Returns how many reports were new.
    """
    memberships = Membership.objects.filter(cohort_id=report_round.cohort_id)
    existing = set(report_round.reports.values_list("membership_id", flat=True))
    new = [Report(round=report_round, membership=m) for m in memberships if m.pk not in existing]
    Report.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def reports_open_for(membership: Membership) -> None:
    """The membership's reports for every round of its cohort, made if missing (it joined after a round opened)."""
    for report_round in ReportRound.objects.filter(cohort_id=membership.cohort_id).exclude(
        reports__membership=membership
    ):
        Report.objects.get_or_create(round=report_round, membership=membership)


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def report_save(*, report: Report, user, answers: dict, version: int) -> Report:
    """Save the organisation's answers as they stand (a draft: nothing is required yet).

    Any participant of the membership. Locks the report. ``version`` is the one the page was
    opened at: if someone saved since, the save is refused with ``ReportConflict`` (naming who and
    when) and nothing is overwritten; the page keeps the writer's text for them to merge and save.
    """
    if not is_report_writer(user, report):
        raise PermissionDenied
    locked = _locked(report)
    if not locked.is_editable:
        raise ValidationError(
            f"This report is {locked.get_status_display().lower()}, so it can no longer be changed."
            + (" Staff will return it if anything needs changing." if locked.status == Report.Status.SUBMITTED else "")
        )
    if version != locked.version:
        who = locked.updated_by.display_name if locked.updated_by else "Someone"
        # In the zone of the person reading the message, named.
        zone = getattr(user, "time_zone", "") or "UTC"
        when = in_zone(locked.updated_at, zone) if locked.updated_at else None
        at = f" at {when:%H:%M} {when.tzname()} ({zone})" if when else ""
        raise ReportConflict(
            f"{who} saved this report{at} after you opened it, so your changes were not saved over theirs. "
            "Your text is still in the form; their saved answers are shown under each question. "
            "Combine them and save again.",
            report=locked,
        )
    questions = {str(q.pk) for q in locked.round.questions.all()}
    unknown = set(answers) - questions
    if unknown:
        raise ValidationError("Some answers are for questions this report does not have; reload the page.")
    locked.answers = {**locked.answers, **{key: _json_value(value) for key, value in answers.items()}}
    locked.version = F("version") + 1
    locked.updated_by = user
    locked.updated_at = timezone.now()
    locked.full_clean(exclude=["version"])
    locked.save()
    locked.refresh_from_db()
    return locked


def missing_answers(report: Report) -> list[ReportQuestion]:
    """The required questions the report leaves unanswered."""
    return [q for q in report.round.questions.all() if q.required and _is_empty(report.answers.get(str(q.pk)))]


@transaction.atomic
def report_submit(*, report: Report, by) -> Report:
    """Submit a draft or returned report to staff. The organisation's lead contact only.

    Locks the report. Refused, with a message naming the lead contact, for anyone else; refused,
    naming them, while required questions are unanswered. The answers stay as saved either way.
    """
    if not is_report_writer(by, report):
        raise PermissionDenied
    locked = _locked(report)
    if not is_report_lead(by, locked):
        names = " or ".join(lead_names(locked)) or "your organisation's lead contact"
        raise ValidationError(
            f"Only the lead contact ({names}) can submit this report. Your answers are saved as a draft; "
            "ask them to submit it."
        )
    if not locked.is_editable:
        raise ValidationError(f"This report is already {locked.get_status_display().lower()}.")
    missing = missing_answers(locked)
    if missing:
        raise ValidationError("Answer these questions before submitting: " + "; ".join(q.text for q in missing) + ".")
    locked.status = Report.Status.SUBMITTED
    locked.submitted_by = by
    locked.submitted_at = timezone.now()
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    return locked


def _email_people(report: Report, *, kind: str, subject: str) -> None:
    """Tell the organisation's people about a decision; the outbox sends after commit, once per decision."""
    people = Participant.objects.filter(membership_id=report.membership_id, user__is_active=True).select_related("user")
    stamp = int(report.decided_at.timestamp())
    for participant in people:
        text, html = render_email(f"outcomes/reports/email/{kind}", {"report": report, "user": participant.user})
        email_queue(
            key=f"{kind}:{report.pk}:{participant.user_id}:{stamp}",
            kind=kind,
            to=participant.user.email,
            subject=subject,
            body_text=text,
            body_html=html,
        )


def _decide(report: Report, by) -> Report:
    if not by.is_staff:
        raise PermissionDenied
    locked = _locked(report)
    if locked.status != Report.Status.SUBMITTED:
        raise ValidationError(
            f"Only a submitted report can be accepted or returned; this one is {locked.get_status_display().lower()}."
        )
    return locked


@transaction.atomic
def report_accept(*, report: Report, by, comments: str | None = None) -> Report:
    """Accept a submitted report. Staff. Locks the report.

    The instalment tied to it (if any) is released in the same transaction: it becomes due, on its
    due date or today if that has passed. The organisation's people are emailed after commit.
    """
    locked = _decide(report, by)
    locked.status = Report.Status.ACCEPTED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    if comments is not None:
        locked.staff_comments = comments
    locked.full_clean(exclude=["version"])
    locked.save()
    if locked.instalment_id:
        funding_services.instalment_release(
            instalment=locked.instalment, by=by, on=timezone.localdate(locked.decided_at)
        )
    _email_people(locked, kind="report_accepted", subject=f"Report accepted: {locked.round.title}")
    return locked


@transaction.atomic
def report_return(*, report: Report, by, comments: str) -> Report:
    """Return a submitted report to the organisation with comments saying what to change. Staff.

    Locks the report. The comments are required. The organisation can then edit and submit it
    again; its people are emailed after commit.
    """
    locked = _decide(report, by)
    if not (comments or "").strip():
        raise ValidationError(
            {"staff_comments": ["Write what the organisation should change: returning needs comments."]}
        )
    locked.status = Report.Status.RETURNED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.staff_comments = comments.strip()
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    _email_people(locked, kind="report_returned", subject=f"Report returned for changes: {locked.round.title}")
    return locked


def hold_reason(report: Report) -> str:
    return f"the {report.round.title} of {report.membership.organisation.name}"


@transaction.atomic
def report_tie_instalment(*, report: Report, instalment: Instalment | None, by) -> Report:
    """Tie an instalment of the organisation's award to the report (or untie with None). Staff.

    A tied instalment is held (funding's ``instalment_hold``): not due, not approvable, until the
    report is accepted. Untying releases the old one with its due date unchanged. Locks the report;
    funding's services lock the award.
    """
    if not by.is_staff:
        raise PermissionDenied
    locked = _locked(report)
    if locked.instalment_id == (instalment.pk if instalment else None):
        return locked
    if instalment is not None:
        if instalment.award.membership_id != locked.membership_id:
            raise ValidationError(
                {"instalment": ["Choose an instalment of this organisation's award for this cohort."]}
            )
        if locked.status == Report.Status.ACCEPTED:
            raise ValidationError(
                {"instalment": ["This report is already accepted, so there is nothing for an instalment to wait for."]}
            )
        other = Report.objects.filter(instalment=instalment).exclude(pk=locked.pk).first()
        if other is not None and other.status == Report.Status.ACCEPTED:
            raise ValidationError(
                {
                    "instalment": [
                        f"This instalment was released when {hold_reason(other)} was accepted: "
                        "it no longer waits for a report. Choose another instalment."
                    ]
                }
            )
        if other is not None:
            raise ValidationError({"instalment": [f"This instalment already waits for {hold_reason(other)}."]})
    if locked.instalment_id:
        funding_services.instalment_release(instalment=locked.instalment, by=by)
    if instalment is not None:
        funding_services.instalment_hold(instalment=instalment, reason=hold_reason(locked), by=by)
    locked.instalment = instalment
    locked.save(update_fields=["instalment"])
    return locked
