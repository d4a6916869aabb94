"""Assigning reviewers to many applications at once: reviewers staff choose, or balanced by load.

Both call ``services.review_assign`` for each reviewer, so its rules (the Reviewers group, conflicts,
the first reviewer starting the review, the email) hold here too. Each function does one
application, all or nothing; the admin action calls it once per selected application.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q

from applications.models import Application, ReviewAssignment
from applications.permissions import review_conflict
from applications.services import REVIEWER_GROUP, review_assign

S = Application.Status

#: The most reviewers "balance" gives one application.
MAX_REVIEWERS_PER_APPLICATION = 5

#: A review still to do: assigned, not submitted, no conflict declared, on an application not yet decided.
OPEN_REVIEW = Q(
    review_assignments__submitted_at__isnull=True,
    review_assignments__conflict_declared_at__isnull=True,
    review_assignments__application__status__in=[S.SUBMITTED, S.UNDER_REVIEW, S.SHORTLISTED, S.INTERVIEW],
)


def reviewers_by_load() -> list:
    """The Reviewers group, each with ``open_reviews``, fewest open reviews first, then by name, email and id.

    One query. The order is the order "balance" fills applications in, so it is total: two reviewers
    with the same load and name still come in the same order every time.
    """
    reviewers = (
        get_user_model()
        .objects.filter(groups__name=REVIEWER_GROUP)
        .annotate(open_reviews=Count("review_assignments", filter=OPEN_REVIEW, distinct=True))
    )
    return sorted(reviewers, key=lambda r: (r.open_reviews, r.get_full_name().casefold(), r.email.casefold(), r.pk))


@transaction.atomic
def review_assign_many(*, application: Application, reviewers, by) -> list[ReviewAssignment]:
    """Assign every one of ``reviewers`` to ``application`` (``review_assign`` each), or none if one is refused.

    Staff only (the admin's bulk action).
    """
    return [review_assign(application=application, reviewer=reviewer, by=by) for reviewer in reviewers]


@transaction.atomic
def review_assign_balanced(*, application: Application, by, per_application: int) -> list[ReviewAssignment]:
    """Give ``application`` ``per_application`` reviewers, adding the least loaded of the Reviewers group.

    Reviewers already on the application count (one who declared a conflict does not, and is never
    added again); the others are taken in ``reviewers_by_load`` order, skipping anyone with a conflict
    (``review_conflict``). Refused, with nothing assigned, when too few are free. Locks the Reviewers
    group row, so two staff balancing at once take turns and each sees the loads the other left.
    Staff only (the admin's bulk action). Returns the new assignments.
    """
    if not 1 <= per_application <= MAX_REVIEWERS_PER_APPLICATION:
        raise ValidationError(f"Choose between 1 and {MAX_REVIEWERS_PER_APPLICATION} reviewers per application.")
    Group.objects.select_for_update().get(name=REVIEWER_GROUP)
    application = Application.objects.select_related("organisation").get(pk=application.pk)
    on_it = ReviewAssignment.objects.filter(application=application)
    taken = set(on_it.values_list("reviewer_id", flat=True))
    needed = per_application - on_it.filter(conflict_declared_at__isnull=True).count()
    if needed <= 0:
        raise ValidationError(f"It already has {per_application} or more reviewers.", code="full")
    people = [link.user for link in application.organisation.person_links.select_related("user")]
    free = [
        reviewer
        for reviewer in reviewers_by_load()
        if reviewer.pk not in taken and not review_conflict(reviewer, application.organisation, people=people)
    ]
    if len(free) < needed:
        raise ValidationError(
            f"It needs {needed} more reviewer(s) but only {len(free)} in the {REVIEWER_GROUP} group "
            "can take it without a conflict: add people to the group, or choose reviewers."
        )
    return [review_assign(application=application, reviewer=reviewer, by=by) for reviewer in free[:needed]]
