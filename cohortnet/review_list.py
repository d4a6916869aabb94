"""The admin list of reviews (assignments), which the staff home's review counts open, filtered.

Read-only: assigning, scoring and declaring a conflict go through the application
page and the reviewer's own pages (the services). Registered by the admin app's
``ready()`` after every app's admin, only when no app has registered its own list.
"""

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from applications.models import Application, ReviewAssignment
from cohorts.admin import wrapping_column
from toolbox.admin_lists import LongChangelistMixin
from toolbox.admin_services import ServiceAdminMixin

#: Applications still being decided: a reviewer's conflict there means someone must be reassigned.
UNDECIDED = (
    Application.Status.SUBMITTED,
    Application.Status.UNDER_REVIEW,
    Application.Status.SHORTLISTED,
    Application.Status.INTERVIEW,
)
OPEN = Q(submitted_at__isnull=True, conflict_declared_at__isnull=True)


def review_states(now) -> dict[str, tuple[str, Q]]:
    """Each state the staff home counts and the list filters by: its label and its condition at ``now``."""
    return {
        "open": ("Assigned, not yet submitted", OPEN),
        "overdue": ("Past the call's review deadline", OPEN & Q(application__call__review_deadline__lt=now)),
        "conflict": (
            "Conflicts declared on applications still being decided",
            Q(conflict_declared_at__isnull=False, application__status__in=UNDECIDED),
        ),
        "submitted": ("Submitted", Q(submitted_at__isnull=False)),
    }


class ReviewStateFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _q) in review_states(timezone.now()).items()]

    def queryset(self, request, queryset):
        states = review_states(timezone.now())
        if self.value() in states:
            return queryset.filter(states[self.value()][1])
        return queryset


def _day(moment) -> str:
    return date_format(timezone.localdate(moment), "j M Y")


class ReviewListAdmin(ServiceAdminMixin, LongChangelistMixin, admin.ModelAdmin):
    # The application by its organisation and the reviewer as "Name <email>", both wrapping; short headers: 1280 px.
    list_display = ["organisation", "reviewer_name", "assigned", "review"]
    list_filter = [ReviewStateFilter, "application__call"]
    list_select_related = ["application__organisation", "application__call", "reviewer"]
    search_fields = ["application__organisation__name", "reviewer__email", "reviewer__name"]
    readonly_fields = [
        "application", "reviewer", "assigned_by", "assigned_at", "conflict_declared_at", "conflict_note",
        "recommendation", "comment", "submitted_at",
    ]  # fmt: skip

    organisation = wrapping_column("application__organisation", "organisation")
    reviewer_name = wrapping_column("reviewer", "reviewer")

    @admin.display(description="assigned", ordering="assigned_at")
    def assigned(self, obj):
        return _day(obj.assigned_at)

    @admin.display(description="review", ordering="submitted_at")
    def review(self, obj):
        # One column for where the review stands, in words that wrap: open, a conflict, or the recommendation.
        if obj.conflict_declared_at:
            return f"Conflict declared {_day(obj.conflict_declared_at)}"
        if obj.submitted_at:
            return f"{obj.get_recommendation_display()}, submitted {_day(obj.submitted_at)}"
        return "Open"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def register(site) -> None:
    if not site.is_registered(ReviewAssignment):
        site.register(ReviewAssignment, ReviewListAdmin)
