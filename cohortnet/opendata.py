"""The programme's own open data: each cohort's directory, events programme and funding totals.

Nothing private leaves here: only organisations that agreed to be listed,
no people at all, no online meeting links, and funding only as totals.

Each cohort's files are described by a Frictionless Data Package
(``/data/<cohort>/datapackage.json``): title, description, publisher, licence,
last update and a Table Schema for each CSV file.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Sum
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from cohorts.models import Cohort, Membership
from events.models import Event
from funding.models import Award, FundingChange, Instalment
from outcomes.feedback_opendata import MIN_ANSWERS_PUBLISHED, outcome_rows
from toolbox.csvutils import GUARD_NOTE, csv_response

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
#: The licence as a Data Package names it (an Open Definition / SPDX identifier).
LICENCE_ID = "CC-BY-4.0"
LICENCE_TITLE = "Creative Commons Attribution 4.0 International"
#: Instants are published in UTC in Table Schema's default datetime format.
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass
class Field:
    """One column: its name, its Table Schema type and what it holds."""

    name: str
    type: str
    description: str
    format: str = "default"

    def schema(self) -> dict:
        description = self.description
        if self.type == "string":
            # Only free text can begin with a formula character; numbers and dates never do.
            description = f"{description} {GUARD_NOTE}"
        entry = {"name": self.name, "type": self.type, "description": description}
        if self.format != "default":
            entry["format"] = self.format
        return entry


@dataclass
class Dataset:
    name: str
    title: str
    description: str
    fields: list[Field]
    rows: list[dict]
    last_updated: datetime | None
    primary_key: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime(DATETIME_FORMAT)


def _day(value) -> str:
    return f"{value.day} {value:%B %Y}"


def _latest(*values):
    present = [v for v in values if v is not None]
    return max(present) if present else None


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
        "The organisations in the cohort that agreed to be listed publicly, with the open data they steward.",
        [
            Field("organisation", "string", "The organisation's name."),
            Field("website", "string", "The organisation's website, if it gave one.", "uri"),
            Field("country", "string", "ISO 3166-1 alpha-2 code of the country the organisation is based in."),
            Field("open_data", "string", "The open data the organisation stewards, and for whom."),
            Field("licences", "string", "The licence(s) the organisation publishes its data under."),
            Field("themes", "string", "The cohort's themes the organisation works on, separated by '; '."),
        ],
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
            "starts_at": _utc(e.starts_at),
            "ends_at": _utc(e.ends_at),
            "time_zone": e.time_zone,
            "status": e.get_status_display(),
        }
        for e in queryset
    ]
    last = queryset.aggregate(last=Max("updated_at"))["last"]
    return Dataset(
        "events",
        "Events programme",
        "The cohort's roundtables, networking events, workshops and 1:1 sessions, in order of start.",
        [
            Field("title", "string", "The event's title."),
            Field("kind", "string", "Roundtable, networking event, workshop or 1:1 session."),
            Field("theme", "string", "The cohort theme the event is about, if any."),
            Field("starts_at", "datetime", "When the event starts, in UTC."),
            Field("ends_at", "datetime", "When the event ends, in UTC."),
            Field("time_zone", "string", "The IANA time zone the event is announced in, e.g. Europe/London."),
            Field("status", "string", "Scheduled, or cancelled."),
        ],
        rows,
        last,
    )


def funding(cohort: Cohort) -> Dataset:
    # One aggregate per table: summing across the award-instalment join would count
    # each award once per instalment.
    awards = Award.objects.filter(membership__cohort=cohort).aggregate(
        organisations_funded=Count("pk"),
        awarded_gbp=Sum("amount"),
        last=Max("created_at"),
    )
    paid = Instalment.objects.filter(award__membership__cohort=cohort, status=Instalment.Status.PAID).aggregate(
        paid_gbp=Sum("amount"), last=Max("paid_at")
    )
    changed = FundingChange.objects.filter(award__membership__cohort=cohort).aggregate(last=Max("at"))["last"]
    rows = [
        {
            "cohort": cohort.name,
            "organisations_funded": awards["organisations_funded"],
            "awarded_gbp": f"{awards['awarded_gbp'] or Decimal('0'):.2f}",
            "paid_gbp": f"{paid['paid_gbp'] or Decimal('0'):.2f}",
        }
    ]
    return Dataset(
        "funding",
        "Funding totals",
        "How many organisations in the cohort were offered funding, the total offered and the total paid so far, "
        "in pounds sterling excluding VAT. Individual awards are not published.",
        [
            Field("cohort", "string", "The cohort's name."),
            Field("organisations_funded", "integer", "How many organisations were offered an award."),
            Field("awarded_gbp", "number", "The total of the awards offered, in GBP excluding VAT."),
            Field("paid_gbp", "number", "The total of the instalments paid, in GBP excluding VAT."),
        ],
        rows,
        _latest(awards["last"], paid["last"], changed),
        primary_key=["cohort"],
    )


def outcomes(cohort: Cohort) -> Dataset:
    rows, last = outcome_rows(cohort)
    return Dataset(
        "outcomes",
        "Outcomes",
        "What the cohort did and how its members rated it, as totals only: sessions held, attendances, hours "
        "logged, and the answers to each feedback form's 1–5 scale questions. No person appears.",
        [
            Field("measure", "string", "sessions, attendances, hours, feedback_responses or feedback_score."),
            Field("form", "string", "The feedback form's title (feedback rows only)."),
            Field("question", "string", "The scale question (feedback_score rows only)."),
            Field("answers", "integer", "How many answers the form or question had (feedback rows only)."),
            Field(
                "value",
                "number",
                "The measure: events held (ended, not cancelled), attendances marked, hours logged, or the mean "
                f"score from 1 to 5 (empty until the form has closed, and under {MIN_ANSWERS_PUBLISHED} answers, "
                "so no one's score can be read).",
            ),
        ],
        rows,
        last,
    )


DATASETS = {"members": members, "events": events, "funding": funding, "outcomes": outcomes}


def _last_updated(cohort: Cohort, dataset: Dataset) -> datetime:
    return dataset.last_updated or cohort.created_at or timezone.now()


def _publish(response: HttpResponse, last_updated: datetime) -> HttpResponse:
    response["Last-Modified"] = http_date(last_updated.timestamp())
    response["Access-Control-Allow-Origin"] = "*"  # open data: anyone may fetch it
    return response


def as_response(cohort: Cohort, dataset: Dataset, fmt: str) -> HttpResponse:
    last_updated = _last_updated(cohort, dataset)
    if fmt == "json":
        body = {
            "dataset": dataset.title,
            "cohort": cohort.name,
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "last_updated": last_updated.isoformat(),
            "rows": dataset.rows,
        }
        response = HttpResponse(json.dumps(body, indent=2, ensure_ascii=False), content_type="application/json")
    else:
        rows = ([row[column] for column in dataset.columns] for row in dataset.rows)
        response = csv_response(f"{cohort.slug}-{dataset.name}.csv", dataset.columns, rows, inline=True)
    return _publish(response, last_updated)


def datapackage(cohort: Cohort, datasets: dict[str, Dataset]) -> dict:
    """The Frictionless Data Package describing a cohort's CSV files (paths relative to the descriptor)."""
    licences = [{"name": LICENCE_ID, "path": LICENCE_URL, "title": LICENCE_TITLE}]
    updated = {name: _last_updated(cohort, dataset) for name, dataset in datasets.items()}
    resources = []
    for name, dataset in datasets.items():
        schema = {"fields": [f.schema() for f in dataset.fields]}
        if dataset.primary_key:
            schema["primaryKey"] = dataset.primary_key
        resources.append(
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "title": dataset.title,
                "description": f"{dataset.description} {GUARD_NOTE}",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True},
                "licenses": licences,
                "last_modified": _utc(updated[name]),
                "schema": schema,
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": f"cohortnet-{cohort.slug}".lower(),
        "title": f"{cohort.name}: open data",
        "description": (
            f"The open data of {cohort.name} ({_day(cohort.starts_on)} to {_day(cohort.ends_on)}): "
            "its member directory, events programme and funding totals. Nothing about people is published."
        ),
        "homepage": f"{settings.SITE_URL}{reverse('open_data')}",
        "licenses": licences,
        "contributors": [{"title": settings.OPEN_DATA_PUBLISHER, "role": "publisher", "path": settings.SITE_URL}],
        "last_modified": _utc(max(updated.values())),
        "resources": resources,
    }


def datapackage_response(cohort: Cohort) -> HttpResponse:
    datasets = {name: build(cohort) for name, build in DATASETS.items()}
    package = datapackage(cohort, datasets)
    last_updated = max(_last_updated(cohort, dataset) for dataset in datasets.values())
    response = HttpResponse(json.dumps(package, indent=2, ensure_ascii=False), content_type="application/json")
    return _publish(response, last_updated)
