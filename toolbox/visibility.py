"""Yours or a 404: the one way a page fetches an object that only some people may see.

Another organisation's application, a cohort you are not in, someone else's
review: to anyone who may not see it, it does not exist. A page never says
"this exists but is not yours" (a 403 would), so nobody learns what is there
by trying numbers. Services refuse with ``PermissionDenied``; the project's
middleware (``cohortnet.middleware.NotYoursIs404Middleware``) answers that
with the same 404, so a page needs no ``try`` of its own for it.
"""

from collections.abc import Callable
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

M = TypeVar("M", bound=Model)


def get_visible_or_404(queryset_or_model: QuerySet[M] | type[M], predicate: Callable[..., bool], user, **lookup) -> M:
    """The object ``lookup`` finds if ``predicate(user, obj)`` allows it; otherwise ``Http404``.

    A missing object and one ``user`` may not see answer alike. ``predicate``
    is one of the apps' ``permissions.py`` rules, the same one services check.
    """
    obj = get_object_or_404(queryset_or_model, **lookup)
    if not predicate(user, obj):
        # The very words get_object_or_404 uses, so even a debug page does not tell the two apart.
        raise Http404(f"No {obj._meta.object_name} matches the given query.")
    return obj
