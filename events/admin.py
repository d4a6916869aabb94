from django.contrib import admin
from django.db.models import Count, Q

from events.models import RSVP, Event


class RSVPInline(admin.TabularInline):
    model = RSVP
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "cohort", "kind", "theme", "starts_at", "status", "going", "waiting"]
    list_filter = ["cohort", "kind", "theme", "status"]
    list_select_related = ["cohort", "theme"]
    search_fields = ["title"]
    filter_horizontal = ["pre_reading"]
    inlines = [RSVPInline]

    def get_queryset(self, request):
        # Counts come with the list query, not one query per row.
        return (
            super()
            .get_queryset(request)
            .annotate(
                going_total=Count("rsvps", filter=Q(rsvps__status=RSVP.Status.GOING)),
                waiting_total=Count("rsvps", filter=Q(rsvps__status=RSVP.Status.WAITLISTED)),
            )
        )

    @admin.display(description="going", ordering="going_total")
    def going(self, obj):
        return obj.going_total

    @admin.display(description="waiting", ordering="waiting_total")
    def waiting(self, obj):
        return obj.waiting_total


@admin.register(RSVP)
class RSVPAdmin(admin.ModelAdmin):
    list_display = ["event", "user", "status", "created_at"]
    list_filter = ["status", "event__cohort"]
    list_select_related = ["event", "user"]
    search_fields = ["user__email", "event__title"]
