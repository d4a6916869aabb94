"""Reads for the budget dashboard and the exports."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from cohorts.models import Membership
from funding.models import HOURS_PER_DAY, DayRate, Instalment, TimeEntry

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


def totals(rows, *, rate: Decimal | None = None) -> dict:
    """The dashboard's totals; with the cohort's day rate each row also gets ``time_value`` and the totals one."""
    result = dict.fromkeys(["awarded", "scheduled", "approved", "paid", "hours"], Decimal("0"))
    for row in rows:
        award = getattr(row, "award", None)  # a member without an award raises AttributeError
        result["awarded"] += award.amount if award else Decimal("0")
        result["scheduled"] += row.scheduled
        result["approved"] += row.approved
        result["paid"] += row.paid
        result["hours"] += row.hours
        row.time_value = time_value(row.hours, rate)
    result["remaining"] = result["awarded"] - result["approved"] - result["paid"]
    # The total is the sum of the rows as shown (each rounded to the penny), so the column adds up on the page.
    result["time_value"] = None if rate is None else sum((row.time_value for row in rows), Decimal("0.00"))
    return result


# --- Time against money -----------------------------------------------------------------------


def day_rate_of(cohort) -> Decimal | None:
    """The cohort's day rate in GBP, or None when staff have not set one (read through the relation)."""
    try:
        return cohort.day_rate.rate
    except DayRate.DoesNotExist:
        return None


def time_value(hours: Decimal, rate: Decimal | None) -> Decimal | None:
    """What ``hours`` are worth at ``rate`` a day: hours × rate ÷ HOURS_PER_DAY, to the penny (half up).

    None when there is no rate. Exact: Decimal throughout, rounded once at the end.
    """
    if rate is None:
        return None
    return (Decimal(hours) * rate / HOURS_PER_DAY).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def time_summary(membership) -> dict:
    """One organisation's time in its cohort: hours logged by hand, hours from attendance, their value.

    Attendance is already time: marking someone attended records the event's duration as a time entry
    linked to the RSVP (``services.attendance_record``), so the entries hold both kinds and nothing is
    counted twice; they are told apart by that link.
    """
    sums = TimeEntry.objects.filter(membership=membership).aggregate(
        logged=Coalesce(Sum("hours", filter=Q(rsvp__isnull=True)), Value(Decimal("0")), output_field=_MONEY),
        attended=Coalesce(Sum("hours", filter=Q(rsvp__isnull=False)), Value(Decimal("0")), output_field=_MONEY),
    )
    rate = day_rate_of(membership.cohort)
    hours = sums["logged"] + sums["attended"]
    return {
        "logged": sums["logged"],
        "attended": sums["attended"],
        "hours": hours,
        "rate": rate,
        "hours_per_day": HOURS_PER_DAY,
        "value": time_value(hours, rate),
    }
