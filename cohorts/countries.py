"""Country names for pages and exports, looked up once per language.

django-countries translates a code's name on every access (about 75 µs);
the directory prints fifty of them per page and the application export one
per row. The whole list for a language takes about 1 ms to build.
"""

from functools import lru_cache

from django.conf import settings
from django.utils import translation
from django_countries import countries


@lru_cache(maxsize=8)
def _names(language: str) -> dict[str, str]:
    with translation.override(language):
        return {code: str(name) for code, name in countries}


def country_name(code) -> str:
    """The name of an ISO 3166 code in the active language; "" for none or an unknown code."""
    if not code:
        return ""
    return _names(translation.get_language() or settings.LANGUAGE_CODE).get(str(code), "")
