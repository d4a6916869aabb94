"""Retention: what is kept only for a while, and the sweep that enforces it (beat, daily).

Each rule is a function returning how many rows it changed; ``retention_sweep`` runs them all
and logs the run as a ``RetentionRun`` (staff see it in the admin). Every rule selects only
rows it has not yet handled, so a second run changes nothing.
"""

import calendar
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from applications.models import Application, Invitation, ReviewAssignment, Score, Transition
from notifications.models import Email
from privacy.models import DataExport, RetentionRun

#: Applications that did not lead to membership: what retention anonymises.
UNSUCCESSFUL = (
    Application.Status.REJECTED,
    Application.Status.WITHDRAWN,
    Application.Status.WAITLISTED,
    Application.Status.DRAFT,
)
#: The answers an anonymised application loses (the organisation, call, status, amount and themes stay).
APPLICATION_TEXTS = ("data_stewarded", "sustainability", "contribution", "time_commitment")
#: Emails whose bodies are purged once old: sent (by ``sent_at``), failed or cancelled (by ``created_at``).
FINISHED = (Email.Status.FAILED, Email.Status.CANCELLED)


def _months_ago(now, months: int):
    """The same day and time ``months`` calendar months before ``now`` (the month's last day when it is shorter)."""
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)


def _decided_before(cutoff) -> Q:
    """Calls whose decisions date (else closing time) is before ``cutoff``; the decisions day counts whole."""
    return Q(call__decisions_by__lt=cutoff.date()) | Q(call__decisions_by__isnull=True, call__closes_at__lt=cutoff)


def applications_anonymise(now) -> int:
    """Unsuccessful applications ``RETENTION_APPLICATION_MONTHS`` after their call's decisions lose their answers,
    their extra answers, their reviewers' comments and the notes on their history."""
    cutoff = _months_ago(now, settings.RETENTION_APPLICATION_MONTHS)
    has_text = ~Q(extra_answers={})
    for name in APPLICATION_TEXTS:
        has_text |= ~Q(**{name: ""})
    due = Application.objects.filter(_decided_before(cutoff), status__in=UNSUCCESSFUL).filter(has_text)
    ids = list(due.values_list("pk", flat=True))
    if not ids:
        return 0
    Application.objects.filter(pk__in=ids).update(**dict.fromkeys(APPLICATION_TEXTS, ""), extra_answers={})
    ReviewAssignment.objects.filter(application__in=ids).update(comment="", conflict_note="")
    Score.objects.filter(assignment__application__in=ids).update(comment="")
    Transition.objects.filter(application__in=ids).update(note="")
    return len(ids)


def email_bodies_purge(now) -> int:
    """Emails finished ``RETENTION_EMAIL_BODY_DAYS`` ago lose text, HTML, attachments and headers (the row stays)."""
    cutoff = now - timedelta(days=settings.RETENTION_EMAIL_BODY_DAYS)
    old = Q(status=Email.Status.SENT, sent_at__lt=cutoff) | Q(status__in=FINISHED, created_at__lt=cutoff)
    not_yet = ~Q(body_text="") | ~Q(body_html="") | ~Q(attachments=[]) | ~Q(headers={})
    return Email.objects.filter(old).filter(not_yet).update(body_text="", body_html="", attachments=[], headers={})


def invitations_purge(now) -> int:
    """Invitations that led to no application go ``RETENTION_INVITATION_DAYS`` after their call's decisions."""
    cutoff = now - timedelta(days=settings.RETENTION_INVITATION_DAYS)
    unused = Invitation.objects.filter(_decided_before(cutoff), applications__isnull=True)
    count, _ = Invitation.objects.filter(pk__in=list(unused.values_list("pk", flat=True))).delete()
    return count


def data_exports_purge(now) -> int:
    """Data downloads past their link's expiry lose their file; the row stays, marked expired."""
    count = 0
    for export in DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now):
        export.file.delete(save=False)
        export.status = DataExport.Status.EXPIRED
        export.save(update_fields=["file", "status"])
        count += 1
    return count


#: The rules, in the order they run, by the name their count has in a run's log.
RULES = {
    "applications_anonymised": applications_anonymise,
    "email_bodies_purged": email_bodies_purge,
    "invitations_deleted": invitations_purge,
    "data_downloads_deleted": data_exports_purge,
}


@transaction.atomic
def retention_sweep(*, now=None) -> RetentionRun:
    """Apply every retention rule once and log the run with its counts. Called by beat's task; safe to repeat."""
    now = now or timezone.now()
    run = RetentionRun.objects.create(started_at=now)
    run.counts = {name: rule(now) for name, rule in RULES.items()}
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "finished_at"])
    return run
