"""cohorts/countries.py: country names in the active language."""

import pytest

pytestmark = pytest.mark.django_db


def test_country_names_follow_the_active_language():
    from django.utils import translation

    from cohorts.countries import country_name

    assert country_name("DE") == "Germany"
    assert country_name("") == ""
    assert country_name("ZZ") == ""
    with translation.override("fr"):
        assert country_name("DE") == "Allemagne"
    assert country_name("DE") == "Germany"
