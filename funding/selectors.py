"""Reads for the budget dashboard and the exports."""

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from cohorts.models import Membership
from funding.models import Instalment, TimeEntry

_MONEY = DecimalField(max_digits=12, decimal_places=2)


def _sum(queryset, field):
    # Matched on the award the outer row already joins, so PostgreSQL reads only that award's instalments.
    return Coalesce(
        Subquery(
            queryset.filter(award=OuterRef("award"))
            .order_by()
            .values("award")
            .annotate(total=Sum(field))
            .values("total")[:1],
            output_field=_MONEY,
        ),
        Value(Decimal("0")),
        output_field=_MONEY,
    )


def budget_rows(cohort):
    """One row per member organisation: awarded, scheduled, approved, paid, remaining and hours, in one query."""
    hours = (
        TimeEntry.objects.filter(membership=OuterRef("pk"))
        .order_by()
        .values("membership")
        .annotate(total=Sum("hours"))
        .values("total")[:1]
    )
    return (
        Membership.objects.filter(cohort=cohort)
        .select_related("organisation", "award")
        .annotate(
            scheduled=_sum(Instalment.objects.filter(status=Instalment.Status.SCHEDULED), "amount"),
            approved=_sum(Instalment.objects.filter(status=Instalment.Status.APPROVED), "amount"),
            paid=_sum(Instalment.objects.filter(status=Instalment.Status.PAID), "amount"),
            hours=Coalesce(Subquery(hours, output_field=_MONEY), Value(Decimal("0")), output_field=_MONEY),
        )
        .order_by("organisation__name")
    )


def totals(rows) -> dict:
    result = dict.fromkeys(["awarded", "scheduled", "approved", "paid", "hours"], Decimal("0"))
    for row in rows:
        award = getattr(row, "award", None)  # a member without an award raises AttributeError
        result["awarded"] += award.amount if award else Decimal("0")
        result["scheduled"] += row.scheduled
        result["approved"] += row.approved
        result["paid"] += row.paid
        result["hours"] += row.hours
    result["remaining"] = result["awarded"] - result["approved"] - result["paid"]
    return result
