"""Reads about organisations and cohorts used in more than one place."""

from django.db.models import QuerySet

from cohorts.models import Cohort, Organisation
from cohorts.permissions import can_view_cohort
from toolbox.visibility import get_visible_or_404


def organisations_for_user(user) -> QuerySet[Organisation]:
    """The organisations ``user`` may act for."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(person_links__user=user).order_by("name")


def cohorts_for_user(user) -> QuerySet[Cohort]:
    """The cohorts ``user`` takes part in, as a participant of a member organisation."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    return Cohort.objects.filter(memberships__participants__user=user).distinct().order_by("-starts_on")


def cohort_visible_or_404(user, slug: str) -> Cohort:
    """The cohort ``slug`` if ``user`` may see its members' pages; otherwise a 404, as if it did not exist."""
    return get_visible_or_404(Cohort, can_view_cohort, user, slug=slug)
