"""The open data files: right totals, HTTP dates, a Data Package that describes them, CSV equal to JSON."""

import csv
import io
import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import pytest
import time_machine
from django.urls import reverse

from cohorts.models import Cohort, Theme
from funding.models import Instalment
from tests.factories import (
    AwardFactory,
    CohortFactory,
    EventFactory,
    InstalmentFactory,
    MembershipFactory,
    ParticipantFactory,
)
from toolbox.csvutils import FORMULA_PREFIXES, GUARD_NOTE

pytestmark = pytest.mark.django_db

AWARDED_AT = datetime(2026, 10, 2, 9, 30, 15, tzinfo=UTC)
PAID_AT = datetime(2026, 11, 5, 14, 0, 0, tzinfo=UTC)
HOSTILE = ["=1+1", "plain text;=5+5", "@SUM(A1)", "-2+3", "\tTab", "\rReturn"]


def _get(client, cohort, dataset, fmt):
    response = client.get(reverse("open_data_file", args=[cohort.slug, dataset, fmt]))
    assert response.status_code == 200
    return response


def _csv(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.count("\ufeff") == 1
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"), newline="")))


def _funded_cohort():
    """Three awards (£20,000, £20,000, £7,500.50) with several instalments each, and noise around them.

    Everything is created at ``AWARDED_AT``; the last change is the payments at ``PAID_AT``.
    """
    with time_machine.travel(AWARDED_AT, tick=False):
        cohort = CohortFactory(name="Cohort 2", slug="open-cohort-two", status=Cohort.Status.RUNNING)
        first, second, third = (
            AwardFactory(membership__cohort=cohort, amount=Decimal(amount))
            for amount in ("20000.00", "20000.00", "7500.50")
        )
        paid = {"status": Instalment.Status.PAID, "paid_at": PAID_AT}
        InstalmentFactory(award=first, amount=Decimal("1000.00"), **paid)
        InstalmentFactory(award=first, amount=Decimal("2000.00"), **paid)
        InstalmentFactory(award=first, amount=Decimal("500.00"))
        InstalmentFactory(award=second, amount=Decimal("4000.00"), **paid)
        InstalmentFactory(award=second, amount=Decimal("100.00"), status=Instalment.Status.CANCELLED)
        InstalmentFactory(award=third, amount=Decimal("250.25"), **paid)
        InstalmentFactory(award=third, amount=Decimal("250.25"), status=Instalment.Status.APPROVED)
        MembershipFactory(cohort=cohort)  # a member without an award
        other = AwardFactory(amount=Decimal("9999.00"))  # another cohort's award
        InstalmentFactory(award=other, amount=Decimal("99.00"), **paid)
    return cohort


def test_funding_totals_count_each_award_once_whatever_its_instalments(client):
    cohort = _funded_cohort()

    data = json.loads(_get(client, cohort, "funding", "json").content)
    assert data["rows"] == [
        {"cohort": "Cohort 2", "organisations_funded": 3, "awarded_gbp": "47500.50", "paid_gbp": "7250.25"}
    ]
    assert _csv(_get(client, cohort, "funding", "csv")) == [
        ["cohort", "organisations_funded", "awarded_gbp", "paid_gbp"],
        ["Cohort 2", "3", "47500.50", "7250.25"],
    ]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_last_modified_is_an_http_date(client, fmt):
    cohort = _funded_cohort()
    response = _get(client, cohort, "funding", fmt)
    # The latest funding change is the last payment.
    assert response["Last-Modified"] == "Thu, 05 Nov 2026 14:00:00 GMT"
    assert parsedate_to_datetime(response["Last-Modified"]) == PAID_AT


def test_the_datapackage_is_an_http_dated_catalogue_linked_from_the_open_data_page(client):
    _funded_cohort()
    page = client.get(reverse("open_data")).content.decode()
    assert '<a href="/data/open-cohort-two/datapackage.json" type="application/json">datapackage.json</a>' in page

    response = client.get("/data/open-cohort-two/datapackage.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert parsedate_to_datetime(response["Last-Modified"]) == PAID_AT
    planned = CohortFactory(status=Cohort.Status.PLANNED)
    assert client.get(f"/data/{planned.slug}/datapackage.json").status_code == 404


def _string(name, description):
    return {"name": name, "type": "string", "description": f"{description} {GUARD_NOTE}"}


def test_the_datapackage_describes_each_file_with_title_publisher_licence_update_and_schema(client, settings):
    settings.OPEN_DATA_PUBLISHER = "The Open Data Institute"
    settings.SITE_URL = "https://cohortnet.example"
    _funded_cohort()
    licences = [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0 International",
        }
    ]
    dialect = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True}

    def resource(name, title, description, modified, fields, **schema):
        return {
            "name": name,
            "path": f"{name}.csv",
            "profile": "tabular-data-resource",
            "title": title,
            "description": f"{description} {GUARD_NOTE}",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": dialect,
            "licenses": licences,
            "last_modified": modified,
            "schema": {"fields": fields, **schema},
        }

    package = json.loads(client.get("/data/open-cohort-two/datapackage.json").content)
    assert package == {
        "profile": "tabular-data-package",
        "name": "cohortnet-open-cohort-two",
        "title": "Cohort 2: open data",
        "description": (
            "The open data of Cohort 2 (1 October 2026 to 31 March 2027): its member directory, events "
            "programme and funding totals. Nothing about people is published."
        ),
        "homepage": "https://cohortnet.example/data/",
        "licenses": licences,
        "contributors": [
            {"title": "The Open Data Institute", "role": "publisher", "path": "https://cohortnet.example"}
        ],
        "last_modified": "2026-11-05T14:00:00Z",
        "resources": [
            resource(
                "members",
                "Member directory",
                "The organisations in the cohort that agreed to be listed publicly, with the open data they steward.",
                "2026-10-02T09:30:15Z",
                [
                    _string("organisation", "The organisation's name."),
                    {**_string("website", "The organisation's website, if it gave one."), "format": "uri"},
                    _string("country", "ISO 3166-1 alpha-2 code of the country the organisation is based in."),
                    _string("open_data", "The open data the organisation stewards, and for whom."),
                    _string("licences", "The licence(s) the organisation publishes its data under."),
                    _string("themes", "The cohort's themes the organisation works on, separated by '; '."),
                ],
            ),
            resource(
                "events",
                "Events programme",
                "The cohort's roundtables, networking events, workshops and 1:1 sessions, in order of start.",
                "2026-10-02T09:30:15Z",  # no events: the cohort's own creation stands in
                [
                    _string("title", "The event's title."),
                    _string("kind", "Roundtable, networking event, workshop or 1:1 session."),
                    _string("theme", "The cohort theme the event is about, if any."),
                    {"name": "starts_at", "type": "datetime", "description": "When the event starts, in UTC."},
                    {"name": "ends_at", "type": "datetime", "description": "When the event ends, in UTC."},
                    _string("time_zone", "The IANA time zone the event is announced in, e.g. Europe/London."),
                    _string("status", "Scheduled, or cancelled."),
                ],
            ),
            resource(
                "funding",
                "Funding totals",
                "How many organisations in the cohort were offered funding, the total offered and the total paid "
                "so far, in pounds sterling excluding VAT. Individual awards are not published.",
                "2026-11-05T14:00:00Z",
                [
                    _string("cohort", "The cohort's name."),
                    {
                        "name": "organisations_funded",
                        "type": "integer",
                        "description": "How many organisations were offered an award.",
                    },
                    {
                        "name": "awarded_gbp",
                        "type": "number",
                        "description": "The total of the awards offered, in GBP excluding VAT.",
                    },
                    {
                        "name": "paid_gbp",
                        "type": "number",
                        "description": "The total of the instalments paid, in GBP excluding VAT.",
                    },
                ],
                primaryKey=["cohort"],
            ),
            resource(
                "outcomes",
                "Outcomes",
                "What the cohort did and how its members rated it, as totals only: sessions held, attendances, "
                "hours logged, and the answers to each feedback form's 1–5 scale questions. No person appears.",
                "2026-10-02T09:30:15Z",  # nothing held or logged yet: the cohort's own creation stands in
                [
                    _string("measure", "sessions, attendances, hours, feedback_responses or feedback_score."),
                    _string("form", "The feedback form's title (feedback rows only)."),
                    _string("question", "The scale question (feedback_score rows only)."),
                    {
                        "name": "answers",
                        "type": "integer",
                        "description": "How many answers the form or question had (feedback rows only).",
                    },
                    {
                        "name": "value",
                        "type": "number",
                        "description": "The measure: events held (ended, not cancelled), attendances marked, hours "
                        "logged, or the mean score from 1 to 5 (empty until the form has closed, and under 3 answers, "
                        "so no one's score can be read).",
                    },
                ],
            ),
        ],
    }


def _hostile_cohort():
    cohort = CohortFactory(status=Cohort.Status.RUNNING)
    for i, text in enumerate(HOSTILE):
        membership = MembershipFactory(
            cohort=cohort,
            listed_publicly=True,
            organisation__name=f"{text} {i}",
            organisation__open_data=text,
            organisation__licences=text,
            organisation__website="https://steward.example/a,b",
        )
        membership.themes.add(Theme.objects.create(name=f"{text} theme", slug=f"hostile-{i}"))
        EventFactory(cohort=cohort, title=text, time_zone="Asia/Kathmandu")
    AwardFactory(membership=membership, amount=Decimal("1234.56"))
    return cohort


# Table Schema: what a valid CSV cell of each type looks like (an empty cell is a missing value).
VALID = {
    "string": lambda cell: True,
    "integer": lambda cell: re.fullmatch(r"-?\d+", cell) is not None,
    "number": lambda cell: re.fullmatch(r"-?\d+(\.\d+)?", cell) is not None,
    "datetime": lambda cell: datetime.strptime(f"{cell}+0000", "%Y-%m-%dT%H:%M:%SZ%z") is not None,
}


def test_csv_rows_equal_json_rows_for_every_dataset_and_match_the_schema(client):
    cohort = _hostile_cohort()
    descriptor_url = f"/data/{cohort.slug}/datapackage.json"
    package = json.loads(client.get(descriptor_url).content)
    assert [r["name"] for r in package["resources"]] == ["members", "events", "funding", "outcomes"]
    guarded = 0
    for resource in package["resources"]:
        assert re.fullmatch(r"[a-z0-9._-]+", resource["name"])
        # The path resolves against the descriptor's own address, as a Data Package reader does it.
        csv_response = client.get(urljoin(descriptor_url, resource["path"]))
        assert csv_response.status_code == 200
        header, *csv_rows = _csv(csv_response)
        fields = resource["schema"]["fields"]
        assert header == [f["name"] for f in fields]
        json_rows = json.loads(_get(client, cohort, resource["name"], "json").content)["rows"]
        assert len(csv_rows) == len(json_rows) > 0
        for csv_row, json_row in zip(csv_rows, json_rows, strict=True):
            assert list(json_row) == header
            for f, cell in zip(fields, csv_row, strict=True):
                value = str(json_row[f["name"]])
                if cell != value:
                    # Only the formula guard changes a value, only in text, and the schema says so.
                    assert value.startswith(FORMULA_PREFIXES)
                    assert cell == f"'{value}"
                    assert f["type"] == "string"
                    assert GUARD_NOTE in f["description"]
                    guarded += 1
                assert cell == "" or VALID[f["type"]](cell), (f["name"], cell)
    # names, open data, licences and themes of 5 members; titles of 5 events ("plain text;=5+5" is left alone)
    assert guarded == 5 * 4 + 5
    members = json.loads(_get(client, cohort, "members", "json").content)["rows"]
    assert sorted(m["organisation"] for m in members) == sorted(f"{text} {i}" for i, text in enumerate(HOSTILE))


HEADERS = {
    "members": ["organisation", "website", "country", "open_data", "licences", "themes"],
    "events": ["title", "kind", "theme", "starts_at", "ends_at", "time_zone", "status"],
    "funding": ["cohort", "organisations_funded", "awarded_gbp", "paid_gbp"],
    "outcomes": ["measure", "form", "question", "answers", "value"],
}


def test_open_data_files_are_public_valid_and_hold_nothing_private(client):
    cohort = CohortFactory(status=Cohort.Status.RUNNING)
    listed = MembershipFactory(cohort=cohort, listed_publicly=True, organisation__name="=Listed Org")
    MembershipFactory(cohort=cohort, listed_publicly=False, organisation__name="Unlisted Org")
    person = ParticipantFactory(membership=listed, show_contact_details=True)
    EventFactory(cohort=cohort, title="Roundtable", online_url="https://meet.example/secret")
    AwardFactory(membership=listed)

    assert client.get(reverse("open_data")).status_code == 200
    for dataset in ("members", "events", "funding", "outcomes"):
        body = client.get(reverse("open_data_file", args=[cohort.slug, dataset, "json"])).content.decode()
        data = json.loads(body)
        assert data["licence"] == "CC BY 4.0"
        assert data["last_updated"]
        text = client.get(reverse("open_data_file", args=[cohort.slug, dataset, "csv"])).content.decode("utf-8-sig")
        header, *_rows = list(csv.reader(io.StringIO(text)))
        assert header == HEADERS[dataset]
        for content in (body, text):
            assert "Unlisted Org" not in content
            assert person.user.email not in content
            assert "meet.example" not in content
    members = json.loads(client.get(reverse("open_data_file", args=[cohort.slug, "members", "json"])).content)
    assert [r["organisation"] for r in members["rows"]] == ["=Listed Org"]
    members_csv = client.get(reverse("open_data_file", args=[cohort.slug, "members", "csv"])).content.decode()
    assert "'=Listed Org" in members_csv
    funding = json.loads(client.get(reverse("open_data_file", args=[cohort.slug, "funding", "json"])).content)
    assert funding["rows"] == [
        {"cohort": cohort.name, "organisations_funded": 1, "awarded_gbp": "20000.00", "paid_gbp": "0.00"}
    ]
    assert client.get(reverse("open_data_file", args=[cohort.slug, "people", "json"])).status_code == 404
