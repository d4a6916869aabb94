from django.http import HttpResponse

from cohorts.models import Organisation


def baseline(request):
    """The practical limit: one query, a page of about the same size as the real ones, no template engine."""
    names = list(Organisation.objects.order_by("pk").values_list("name", flat=True)[:200])
    rows = "".join(f"<li>{name}</li>" for name in names)
    padding = "<p>" + "CohortNet baseline page. " * 600 + "</p>"
    return HttpResponse(f"<!doctype html><html><body><ul>{rows}</ul>{padding}</body></html>")
