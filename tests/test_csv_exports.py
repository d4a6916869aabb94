"""Every CSV export goes through one writer: each cell quoted, formulas neutralised, one BOM."""

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from applications.models import Application
from cohorts.models import Cohort, Theme
from funding.models import FundingChange
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    CohortFactory,
    InstalmentFactory,
    MembershipFactory,
    OpenCallFactory,
    QuestionFactory,
)
from toolbox.csvutils import csv_safe

ROOT = Path(__file__).resolve().parent.parent
BOM = b"\xef\xbb\xbf"


def _lines(response) -> list[bytes]:
    """The file's records, after checking it starts with exactly one byte order mark."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content
    assert body.startswith(BOM)
    assert body.count(BOM) == 1
    return body.removeprefix(BOM).split(b"\r\n")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\n=1+1", "'\n=1+1"),
        # Not at the start: the quotes around every cell keep the ";" inside the cell.
        ("plain text;=5+5", "plain text;=5+5"),
        ("a,=1+1", "a,=1+1"),
        ("Tide", "Tide"),
        (Decimal("1234.50"), "1234.50"),
        (None, ""),
    ],
)
def test_a_cell_that_would_start_a_formula_gets_a_leading_apostrophe(value, cell):
    assert csv_safe(value) == cell


def test_no_export_writes_csv_but_through_the_one_helper():
    writers = []
    for app in ("applications", "cohorts", "events", "funding", "notifications", "cohortnet"):
        for path in sorted((ROOT / app).rglob("*.py")):
            if path.name == "csvutils.py" or "migrations" in path.parts:
                continue
            if re.search(r"^import csv|csv\.writer|csv\.DictWriter", path.read_text(), re.MULTILINE):
                writers.append(str(path.relative_to(ROOT)))
    assert writers == []


@pytest.mark.django_db
def test_the_applications_export_quotes_every_cell_and_neutralises_formulas(admin_client):
    theme = Theme.objects.create(name="@theme", slug="at-theme")
    application = ApplicationFactory(
        call=OpenCallFactory(title="@SUM(A1)"),
        organisation__name="=1+1",
        status=Application.Status.SUBMITTED,
        submitted_at=datetime(2026, 8, 31, 22, 59, tzinfo=UTC),
        data_stewarded="plain text;=5+5",
        licence="-2+3",
        sustainability="\tTab",
        contribution="\rReturn",
        time_commitment='=HYPERLINK("https://evil.example")',
        themes=[theme],
    )
    response = admin_client.post(
        reverse("admin:applications_application_changelist"),
        {"action": "export_csv", "_selected_action": [application.pk]},
    )
    lines = _lines(response)
    assert lines[0] == (
        b'"id","call","organisation","country","website","status","submitted at (UTC)","data stewarded",'
        b'"licence","sustainability","themes","contribution","time commitment","funding requested (GBP)",'
        b'"consent to publish","reviews done","reviews assigned","weighted score"'
    )
    assert (
        lines[1]
        == (
            f'"{application.pk}","\'@SUM(A1)","\'=1+1","United Kingdom","https://steward.example","Submitted",'
            '"2026-08-31T22:59:00+00:00","plain text;=5+5","\'-2+3","\'\tTab","\'@theme","\'\rReturn",'
            '"\'=HYPERLINK(""https://evil.example"")","15000.00","yes","0","0",""'
        ).encode()
    )
    assert lines[2:] == [b""]


def _question_headers(response) -> list[str]:
    header = _lines(response)[0].decode()
    return [cell.strip('"') for cell in header.split('","')][18:]


@pytest.mark.django_db
def test_the_applications_export_numbers_each_calls_questions_from_1_in_the_forms_order(admin_client):
    call = OpenCallFactory(title="Tides")
    # Created out of order: the pks run opposite to the positions the form shows.
    QuestionFactory(call=call, label="Formats", position=3)
    QuestionFactory(call=call, label="Weekly?", position=2)
    QuestionFactory(call=call, label="Website", position=1)
    application = ApplicationFactory(call=call, extra_answers={})
    url = reverse("admin:applications_application_changelist")
    response = admin_client.post(url, {"action": "export_csv", "_selected_action": [application.pk]})
    assert _question_headers(response) == ["Q1 Website", "Q2 Weekly?", "Q3 Formats"]

    # Two calls in one file: each numbers its own questions, and the header names the call.
    other = ApplicationFactory(call=OpenCallFactory(title="Rivers"), extra_answers={})
    QuestionFactory(call=other.call, label="Gauges", position=1)
    response = admin_client.post(url, {"action": "export_csv", "_selected_action": [application.pk, other.pk]})
    assert _question_headers(response) == [
        "Tides: Q1 Website",
        "Tides: Q2 Weekly?",
        "Tides: Q3 Formats",
        "Rivers: Q1 Gauges",
    ]


@pytest.mark.django_db
def test_the_instalments_export_quotes_every_cell_and_neutralises_formulas(admin_client):
    award = AwardFactory(membership__organisation__name="=1+1", amount=Decimal("20000.00"))
    InstalmentFactory(award=award, amount=Decimal("1000.00"), invoice_reference="plain text;=5+5")
    InstalmentFactory(award=award, amount=Decimal("2000.00"), invoice_reference="@SUM(A1)")
    response = admin_client.get(reverse("funding:export_instalments", args=[award.membership.cohort.slug]))
    assert _lines(response) == [
        b'"organisation","award (GBP)","instalment (GBP)","due on","status","approved by","approved at",'
        b'"paid by","paid at","invoice reference"',
        b'"\'=1+1","20000.00","1000.00","2027-01-31","Scheduled","","","","","plain text;=5+5"',
        b'"\'=1+1","20000.00","2000.00","2027-01-31","Scheduled","","","","","\'@SUM(A1)"',
        b"",
    ]


@pytest.mark.django_db
def test_the_funding_history_export_quotes_every_cell_and_neutralises_formulas(admin_client):
    award = AwardFactory(membership__organisation__name="-2+3")
    with time_machine.travel(datetime(2026, 10, 1, 8, 0, tzinfo=UTC), tick=False):
        FundingChange.objects.create(award=award, action="@SUM(A1)", before={"note": "=1+1"}, after={})
    response = admin_client.get(reverse("funding:export_history", args=[award.membership.cohort.slug]))
    assert _lines(response) == [
        b'"at","by","organisation","instalment","action","before","after"',
        b'"2026-10-01T08:00:00+00:00","","\'-2+3","","\'@SUM(A1)","{\'note\': \'=1+1\'}","{}"',
        b"",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("plain text;=5+5", "plain text;=5+5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
    ],
)
def test_the_open_data_export_quotes_every_cell_and_neutralises_formulas(client, name, cell):
    cohort = CohortFactory(status=Cohort.Status.RUNNING)
    membership = MembershipFactory(
        cohort=cohort, listed_publicly=True, organisation__name=name, organisation__open_data="plain text;=5+5"
    )
    membership.themes.set([])
    response = client.get(reverse("open_data_file", args=[cohort.slug, "members", "csv"]))
    assert _lines(response) == [
        b'"organisation","website","country","open_data","licences","themes"',
        f'"{cell}","https://steward.example","GB","plain text;=5+5","",""'.encode(),
        b"",
    ]
    assert response["Content-Disposition"] == f'inline; filename="{cohort.slug}-members.csv"'
