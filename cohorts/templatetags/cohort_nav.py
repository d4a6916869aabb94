"""A cohort's tabs (templates/cohorts/_nav.html), drawn once per process for each set of values they show."""

import functools
from types import SimpleNamespace

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString

register = template.Library()


@functools.lru_cache(maxsize=1024)
def _tabs(slug: str, name: str, has_ended: bool, path: str) -> SafeString:
    # Seven icons and seven reverse() calls cost about a millisecond a page; the result depends only on these
    # four values (and on the code, which a deploy restarts), so no cache outside this process is needed.
    cohort = SimpleNamespace(slug=slug, name=name, has_ended=has_ended)
    return get_template("cohorts/_nav_body.html").render({"cohort": cohort, "request": SimpleNamespace(path=path)})


@register.simple_tag
def cohort_nav(cohort, path: str) -> SafeString:
    """``{% cohort_nav cohort request.path %}``: the cohort's tabs, the one for ``path`` marked current."""
    return _tabs(cohort.slug, cohort.name, cohort.has_ended, path)
