from django.http import HttpResponse
from django.template import engines

from cohorts.models import Organisation

PADDING = "CohortNet baseline page. " * 600

# The same page through Django's template engine, compiled once as the cached loader would.
TEMPLATE = engines["django"].from_string(
    "<!doctype html><html><body><ul>{% for name in names %}<li>{{ name }}</li>{% endfor %}</ul>"
    "<p>{{ padding }}</p></body></html>"
)


def _names() -> list[str]:
    return list(Organisation.objects.order_by("pk").values_list("name", flat=True)[:200])


def baseline(request):
    """The practical limit: one query, a page of about the same size as the real ones, no template engine."""
    rows = "".join(f"<li>{name}</li>" for name in _names())
    return HttpResponse(f"<!doctype html><html><body><ul>{rows}</ul><p>{PADDING}</p></body></html>")


def baseline_template(request):
    """The same page rendered by Django's template engine: how much of a page's cost is the engine itself."""
    return HttpResponse(TEMPLATE.render({"names": _names(), "padding": PADDING}, request))
