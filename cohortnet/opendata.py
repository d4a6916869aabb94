"""The programme's own open data: each cohort's directory, events programme and funding totals.

Nothing private leaves here: only organisations that agreed to be listed,
no people at all, no online meeting links, and funding only as totals.
"""

import csv
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum
from django.http import HttpResponse
from django.utils import timezone

from cohortnet.csvutils import csv_safe
from cohorts.models import Cohort, Membership
from events.models import Event
from funding.models import Award

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


@dataclass
class Dataset:
    name: str
    title: str
    columns: list[str]
    rows: list[dict]
    last_updated: object


def members(cohort: Cohort) -> Dataset:
    memberships = (
        Membership.objects.filter(cohort=cohort, listed_publicly=True)
        .select_related("organisation")
        .prefetch_related("themes")
        .order_by("organisation__name")
    )
    rows = [
        {
            "organisation": m.organisation.name,
            "website": m.organisation.website,
            "country": m.organisation.country.code if m.organisation.country else "",
            "open_data": m.organisation.open_data,
            "licences": m.organisation.licences,
            "themes": "; ".join(t.name for t in m.themes.all()),
        }
        for m in memberships
    ]
    last = Membership.objects.filter(cohort=cohort).aggregate(last=Max("joined_at"))["last"]
    return Dataset(
        "members",
        "Member directory",
        ["organisation", "website", "country", "open_data", "licences", "themes"],
        rows,
        last,
    )


def events(cohort: Cohort) -> Dataset:
    queryset = Event.objects.filter(cohort=cohort).select_related("theme").order_by("starts_at")
    rows = [
        {
            "title": e.title,
            "kind": e.get_kind_display(),
            "theme": e.theme.name if e.theme else "",
            "starts_at": e.starts_at.isoformat(),
            "ends_at": e.ends_at.isoformat(),
            "time_zone": e.time_zone,
            "status": e.get_status_display(),
        }
        for e in queryset
    ]
    last = queryset.aggregate(last=Max("updated_at"))["last"]
    return Dataset(
        "events",
        "Events programme",
        ["title", "kind", "theme", "starts_at", "ends_at", "time_zone", "status"],
        rows,
        last,
    )


def funding(cohort: Cohort) -> Dataset:
    totals = Award.objects.filter(membership__cohort=cohort).aggregate(
        organisations_funded=Count("pk"),
        awarded_gbp=Sum("amount"),
        paid_gbp=Sum("instalments__amount", filter=Q(instalments__status="paid")),
        last=Max("created_at"),
    )
    rows = [
        {
            "cohort": cohort.name,
            "organisations_funded": totals["organisations_funded"],
            "awarded_gbp": f"{totals['awarded_gbp'] or Decimal('0'):.2f}",
            "paid_gbp": f"{totals['paid_gbp'] or Decimal('0'):.2f}",
        }
    ]
    return Dataset(
        "funding", "Funding totals", ["cohort", "organisations_funded", "awarded_gbp", "paid_gbp"], rows, totals["last"]
    )


DATASETS = {"members": members, "events": events, "funding": funding}


def as_response(cohort: Cohort, dataset: Dataset, fmt: str) -> HttpResponse:
    last_updated = (dataset.last_updated or cohort.created_at or timezone.now()).isoformat()
    if fmt == "json":
        body = {
            "dataset": dataset.title,
            "cohort": cohort.name,
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "last_updated": last_updated,
            "rows": dataset.rows,
        }
        response = HttpResponse(json.dumps(body, indent=2, ensure_ascii=False), content_type="application/json")
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow(dataset.columns)
        for row in dataset.rows:
            writer.writerow([csv_safe(row[column]) for column in dataset.columns])
        response["Content-Disposition"] = f'inline; filename="{cohort.slug}-{dataset.name}.csv"'
    response["Last-Modified"] = last_updated
    response["Access-Control-Allow-Origin"] = "*"  # open data: anyone may fetch it
    return response
