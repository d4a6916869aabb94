"""toolbox/csvutils.py: the formula guard on a single cell."""

import pytest

from toolbox.csvutils import csv_safe

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("Tide", "Tide")],
)
def test_csv_cells_that_look_like_formulas_are_neutralised(value, expected):
    assert csv_safe(value) == expected
