"""toolbox/templatetags/money.py: the gbp filter."""

from decimal import Decimal

import pytest

from toolbox.templatetags.money import gbp


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("20000"), "20,000.00"),
        (Decimal("1234.5"), "1,234.50"),
        (Decimal("0"), "0.00"),
        (Decimal("-250.75"), "-250.75"),
        (1500000, "1,500,000.00"),
        (None, ""),
        ("", ""),
        ("not money", ""),
    ],
)
def test_gbp_filter_prints_pounds_with_separators_and_pence(value, text):
    assert gbp(value) == text
