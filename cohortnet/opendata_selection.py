"""The programme's selection in numbers, call by call: how many organisations reached each stage.

Calls are published together on ``/data/`` (a call selects for a cohort that may not have started yet, so
they are not among a cohort's files). Only counts: no organisation is named.
"""

import json

from django.http import HttpResponse
from django.utils import timezone

from applications.selectors import selection_numbers
from cohortnet.opendata import LICENCE, LICENCE_URL, Dataset, Field, _publish, _utc
from toolbox.csvutils import csv_response


def selection() -> Dataset:
    calls = list(selection_numbers(at=timezone.now()))
    rows = [
        {
            "call": call.title,
            "cohort": call.cohort.name,
            "stages": 2 if call.has_stages else 1,
            "opened_at": _utc(call.opens_at),
            "closes_at": _utc(call.closes_at),
            "expressions": call.expressions if call.has_stages else None,
            "shortlisted": call.shortlisted if call.has_stages else None,
            "applied": call.applied,
            "accepted": call.accepted,
        }
        for call in calls
    ]
    return Dataset(
        "selection",
        "Selection in numbers",
        "Each open call, with how many organisations reached each stage: expressions of interest, shortlisted, "
        "full applications and accepted. A one-stage call has no expressions or shortlist (empty).",
        [
            Field("call", "string", "The open call's title."),
            Field("cohort", "string", "The cohort the call selects for."),
            Field("stages", "integer", "1 for a one-stage call, 2 when expressions of interest come first."),
            Field("opened_at", "datetime", "When the call opened, in UTC."),
            Field("closes_at", "datetime", "When full applications close, in UTC."),
            Field("expressions", "integer", "Expressions of interest submitted (two-stage calls)."),
            Field("shortlisted", "integer", "Organisations shortlisted for the full application (two-stage calls)."),
            Field("applied", "integer", "Full applications submitted."),
            Field("accepted", "integer", "Applications accepted into the cohort."),
        ],
        rows,
        max((call.created_at for call in calls), default=None),
        primary_key=["call"],
    )


def selection_response(fmt: str) -> HttpResponse:
    dataset = selection()
    last_updated = dataset.last_updated or timezone.now()
    if fmt == "json":
        body = {"dataset": dataset.title, "licence": LICENCE, "licence_url": LICENCE_URL, "rows": dataset.rows}
        response = HttpResponse(json.dumps(body, indent=2, ensure_ascii=False), content_type="application/json")
    else:
        rows = ([row[column] for column in dataset.columns] for row in dataset.rows)
        response = csv_response("selection.csv", dataset.columns, rows, inline=True)
    return _publish(response, last_updated)
