from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from applications import services
from applications.models import Application, OpenCall


@admin.register(OpenCall)
class OpenCallAdmin(admin.ModelAdmin):
    list_display = ["title", "cohort", "opens_at", "closes_at", "time_zone"]
    list_select_related = ["cohort"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["organisation", "call", "status", "funding_requested", "submitted_at"]
    list_filter = ["status", "call"]
    list_select_related = ["organisation", "call"]
    search_fields = ["organisation__name"]
    actions = ["accept_applications", "reject_applications"]
    readonly_fields = [
        "call",
        "organisation",
        "created_by",
        "status",
        "submitted_at",
        "decided_at",
        "decided_by",
        "confirmation_sent_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        # Applications are made by organisations on the site, never typed in here.
        return False

    def _decide(self, request, queryset, service, verb):
        done = 0
        for application in queryset.select_related("organisation"):
            try:
                service(application=application, decided_by=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{application.organisation}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{verb} {done} application(s).", messages.SUCCESS)

    @admin.action(description="Accept: make the organisation a member of the cohort", permissions=["change"])
    def accept_applications(self, request, queryset):
        self._decide(request, queryset, services.application_accept, "Accepted")

    @admin.action(description="Decline the selected applications", permissions=["change"])
    def reject_applications(self, request, queryset):
        self._decide(request, queryset, services.application_reject, "Declined")
