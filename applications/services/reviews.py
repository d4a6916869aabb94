"""Writes for reviews: assigning reviewers, conflicts of interest, scores and recommendations."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from applications.models import Application, ReviewAssignment, Score
from applications.permissions import can_review, review_conflict
from applications.services.lifecycle import REVIEWER_GROUP, S, _log
from notifications.services import email_queue, render_email


@transaction.atomic
def review_assign(*, application: Application, reviewer, by) -> ReviewAssignment:
    """Assign a reviewer (a member of the Reviewers group, without a ``review_conflict``) and email them, once.

    Staff only. Locks the application row. Assigning the first reviewer to a submitted application starts
    its review: it moves to "under review", recorded in its history as done by ``by`` and naming the reviewer
    by name (their address when they have none), as people read the history.
    """
    if not reviewer.groups.filter(name=REVIEWER_GROUP).exists():
        raise ValidationError(f"{reviewer} is not in the {REVIEWER_GROUP} group.")
    application = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    if application.status in (S.DRAFT, S.WITHDRAWN):
        raise ValidationError("Only submitted applications can be reviewed.")
    existing = ReviewAssignment.objects.filter(application=application, reviewer=reviewer).first()
    if existing:
        if existing.has_conflict:
            raise ValidationError(f"{reviewer} has declared a conflict of interest with this application.")
        return existing
    if conflict := review_conflict(reviewer, application.organisation):
        raise ValidationError(conflict, code="conflict")
    assignment = ReviewAssignment(application=application, reviewer=reviewer, assigned_by=by)
    assignment.full_clean()
    assignment.save()
    text, html = render_email("applications/email/review_assigned", {"assignment": assignment, "reviewer": reviewer})
    email_queue(
        key=f"review:{assignment.pk}:assigned",
        kind="review_assigned",
        to=reviewer.email,
        subject=f"Please review {application.organisation.name}'s application to {application.call.title}",
        body_text=text,
        body_html=html,
    )
    if application.status == S.SUBMITTED:
        application.status = S.UNDER_REVIEW
        application.save(update_fields=["status", "updated_at"])
        _log(application, S.SUBMITTED, S.UNDER_REVIEW, by, f"Review started: {reviewer.display_name} assigned.")
    return assignment


@transaction.atomic
def review_declare_conflict(*, assignment: ReviewAssignment, user, note: str = "") -> ReviewAssignment:
    """The reviewer declares a conflict of interest and so leaves the application. Locks the row."""
    assignment = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.reviewer_id != user.pk:
        raise PermissionDenied
    if assignment.submitted_at:
        raise ValidationError("You have already submitted this review; ask staff to withdraw it.")
    assignment.conflict_declared_at = timezone.now()
    assignment.conflict_note = note
    assignment.save(update_fields=["conflict_declared_at", "conflict_note"])
    assignment.scores.all().delete()
    return assignment


@transaction.atomic
def review_submit(
    *, assignment: ReviewAssignment, user, scores: dict[int, tuple[int, str]], recommendation: str, comment: str = ""
) -> ReviewAssignment:
    """Record a reviewer's scores (1–5 for every criterion of the call) and recommendation.

    Only the assigned reviewer, without a declared conflict, once. Locks the row.
    """
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("application__call")
        .get(pk=assignment.pk)
    )
    if not can_review(user, assignment):
        raise PermissionDenied
    if assignment.submitted_at:
        raise ValidationError("You have already submitted this review.")
    criteria = list(assignment.application.call.criteria.all())
    missing = [c.name for c in criteria if c.pk not in scores]
    if missing:
        raise ValidationError(f"Score every criterion: {', '.join(missing)}.")
    for criterion in criteria:
        value, criterion_comment = scores[criterion.pk]
        score = Score(assignment=assignment, criterion=criterion, value=value, comment=criterion_comment)
        score.full_clean()
        score.save()
    assignment.recommendation = recommendation
    assignment.comment = comment
    assignment.submitted_at = timezone.now()
    assignment.full_clean()
    assignment.save()
    return assignment
