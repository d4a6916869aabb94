"""Admin for the publication part of outcomes.

Staff create a publication (cohort, title, address, introduction, licence) here and publish from the
list or the change page; the synthesis per theme is written in the site's editor, beside its sources.
A refused publish (a missing sign-off, nothing written) is an error message, never a 500.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from outcomes import publication_services as services
from outcomes.models.publication import Publication, PublicationCredit, PublicationVersion
from toolbox.admin_services import ServiceAdminMixin, apply_to_each


class VersionInline(admin.TabularInline):
    model = PublicationVersion
    fields = ["number", "published_at", "published_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Publication)
class PublicationAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["title", "cohort", "licence", "versions_count", "editor_link"]
    list_select_related = ["cohort"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["cohort", "title", "slug", "introduction", "licence", "sign_off_state"]
    readonly_fields = ["sign_off_state"]
    inlines = [VersionInline]
    actions = ["publish"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(_versions=Count("versions"))

    def get_readonly_fields(self, request, obj=None):
        """Once a version is published its address is cited: the slug and the cohort no longer change."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.versions.exists():
            fields = ["cohort", "slug", *fields]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.versions.exists():
            return {}
        return super().get_prepopulated_fields(request, obj)

    @admin.display(description="versions", ordering="_versions")
    def versions_count(self, obj) -> int:
        return obj._versions

    @admin.display(description="synthesis")
    def editor_link(self, obj):
        return format_html(
            '<a href="{}">Write the synthesis</a>', reverse("outcomes:publication_edit", args=[obj.slug])
        )

    @admin.display(description="sign-off of the current text")
    def sign_off_state(self, obj) -> str:
        if obj.pk is None:
            return "Contributing organisations sign off once the text is written."
        missing = services.missing_sign_offs(obj)
        if not missing:
            return "Every contributing organisation's lead contact has signed off the current text."
        return "Waiting for: " + ", ".join(org.name for org in missing)

    @admin.action(description="Publish a new version of the selected publications", permissions=["change"])
    def publish(self, request, queryset):
        apply_to_each(self, request, queryset, services.publication_publish, done="Published {count} new version(s).")


@admin.register(PublicationCredit)
class PublicationCreditAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Read only: each person answers for themselves on the review page."""

    list_display = ["publication", "user", "organisation", "choice", "answered_at"]
    list_filter = ["publication", "choice"]
    list_select_related = ["publication", "user", "organisation"]
    readonly_fields = ["publication", "user", "organisation", "choice", "answered_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
