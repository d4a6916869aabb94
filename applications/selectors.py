"""Reads about applications used by the admin, the exports and the reviewer pages."""

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from applications.models import Application, InterviewSlot, OpenCall, ReviewAssignment, Score
from notifications.models import Email

_DECIMAL = DecimalField(max_digits=8, decimal_places=2)


def _per_application(queryset, **aggregate):
    """A correlated subquery returning one aggregate for the outer application."""
    return Subquery(
        queryset.filter(application=OuterRef("pk"))
        .order_by()
        .values("application")
        .annotate(**aggregate)
        .values(*aggregate)[:1]
    )


def applications_with_scores(queryset: QuerySet[Application] | None = None) -> QuerySet[Application]:
    """Applications annotated with reviews assigned and done, and the weighted average score.

    One query whatever the number of rows: each figure is a correlated
    subquery, so joins never multiply rows. The weighted score is the mean
    of every submitted score weighted by its criterion, on the 1–5 scale.
    """
    queryset = queryset if queryset is not None else Application.objects.all()
    live = ReviewAssignment.objects.filter(conflict_declared_at__isnull=True)
    scored = Score.objects.filter(assignment__submitted_at__isnull=False, assignment__conflict_declared_at__isnull=True)
    weighted = (
        scored.filter(assignment__application=OuterRef("pk"))
        .order_by()
        .values("assignment__application")
        .annotate(
            total=Sum(ExpressionWrapper(F("value") * F("criterion__weight"), output_field=_DECIMAL)),
            weights=Sum("criterion__weight"),
        )
        # Divided as floats, then rounded to the pennies' precision: SQLite stores whole-number decimals as
        # integers and would divide them as integers (13 / 3 -> 4, where the score is 4.33).
        .annotate(score=Cast(Cast(F("total"), FloatField()) / Cast(F("weights"), FloatField()), _DECIMAL))
        .values("score")[:1]
    )
    return queryset.annotate(
        reviews_assigned=Coalesce(_per_application(live, n=Count("pk")), Value(0)),
        reviews_done=Coalesce(_per_application(live.filter(submitted_at__isnull=False), n=Count("pk")), Value(0)),
        weighted_score=Subquery(weighted, output_field=_DECIMAL),
    )


def applications_for_pipeline(queryset: QuerySet[Application] | None = None) -> QuerySet[Application]:
    """``applications_with_scores`` plus ``conflicts``, the reviewers who declared a conflict: still one query."""
    queryset = applications_with_scores(queryset)
    declared = ReviewAssignment.objects.filter(conflict_declared_at__isnull=False)
    return queryset.annotate(conflicts=Coalesce(_per_application(declared, n=Count("pk")), Value(0)))


def pipeline_counts(*, call_id: int | None = None) -> list[tuple[str, str, int]]:
    """(status, label, how many) for every workflow state in workflow order, of one call or of all: one query."""
    queryset = Application.objects.all() if call_id is None else Application.objects.filter(call_id=call_id)
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))
    return [(status, label, counts.get(status, 0)) for status, label in Application.Status.choices]


def assignments_for_reviewer(user) -> QuerySet[ReviewAssignment]:
    """What a reviewer has to do: their assignments without a declared conflict."""
    return (
        ReviewAssignment.objects.filter(reviewer=user, conflict_declared_at__isnull=True)
        .select_related("application__organisation", "application__call")
        .order_by("submitted_at", "assigned_at")
    )


def live_application(*, call, organisation) -> Application | None:
    """The organisation's application to ``call`` that is not withdrawn, if any (there is at most one)."""
    return (
        Application.objects.live().filter(call=call, organisation=organisation).select_related("organisation").first()
    )


def decision_email_sent(application: Application) -> bool:
    """Whether a decision email about ``application``'s current decision has left: from then on, and never
    before, the organisation reads the feedback staff wrote (on its page, as in the email)."""
    return Email.objects.filter(
        key__startswith=f"decision:{application.pk}:{application.status}:", status=Email.Status.SENT
    ).exists()


def decision_email_released(application: Application) -> bool:
    """Whether a decision email about ``application``'s current decision is out of staff's hands: released
    (queued, sending, sent or failed and retried). From then on the feedback it carries is what the
    organisation reads, so the feedback can no longer change."""
    return (
        Email.objects.filter(key__startswith=f"decision:{application.pk}:{application.status}:")
        .exclude(status__in=[Email.Status.HELD, Email.Status.CANCELLED])
        .exists()
    )


def free_interview_slots(*, call, at) -> QuerySet:
    """A call's interview slots nobody has booked that have not started, soonest first."""
    return InterviewSlot.objects.filter(call=call, application__isnull=True, starts_at__gt=at).select_related("host")


def selection_numbers(*, at) -> QuerySet:
    """Every call that has opened by ``at``, with how many organisations reached each stage: ``expressions``
    (expressions of interest submitted), ``shortlisted``, ``applied`` (full applications submitted) and
    ``accepted``. One query; withdrawn applications count for the stages they reached."""
    return (
        OpenCall.objects.filter(opens_at__lte=at)
        .select_related("cohort")
        .annotate(
            expressions=Count("applications", filter=Q(applications__expression_submitted_at__isnull=False)),
            shortlisted=Count("applications", filter=Q(applications__shortlisted_at__isnull=False)),
            applied=Count(
                "applications",
                filter=Q(applications__submitted_at__isnull=False, applications__stage=Application.Stage.FULL),
            ),
            accepted=Count("applications", filter=Q(applications__status=Application.Status.ACCEPTED)),
        )
        .order_by("-opens_at", "pk")
    )
