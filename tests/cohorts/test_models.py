"""Model-level facts of cohorts that other apps build on."""

from decimal import Decimal

from django.core.validators import MaxValueValidator

from applications.models import Application, OpenCall
from cohorts.models import FUNDING_CAP
from funding.models import Award


def _max(model, field: str):
    (limit,) = [v.limit_value for v in model._meta.get_field(field).validators if isinstance(v, MaxValueValidator)]
    return limit


def test_one_funding_cap_bounds_the_call_the_request_and_the_award():
    assert Decimal("20000.00") == FUNDING_CAP
    # The same object, not an equal copy: changing the cap is one edit in cohorts/models.py.
    assert _max(OpenCall, "funding_cap") is FUNDING_CAP
    assert _max(Application, "funding_requested") is FUNDING_CAP
    assert _max(Award, "amount") is FUNDING_CAP
