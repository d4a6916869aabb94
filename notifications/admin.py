from django import forms
from django.contrib import admin

from notifications import services
from notifications.models import Email, ReminderOptOut, ReminderRule
from toolbox.admin_lists import LongChangelistMixin
from toolbox.admin_services import ServiceAdminMixin, apply_to_each


class EmailForm(forms.ModelForm):
    def clean_subject(self):
        # A line break would make the header unsendable: every attempt would fail after the save.
        subject = self.cleaned_data["subject"]
        if "\r" in subject or "\n" in subject:
            raise forms.ValidationError("A subject is one line: remove the line break.")
        return subject


@admin.register(Email)
class EmailAdmin(ServiceAdminMixin, LongChangelistMixin, admin.ModelAdmin):
    form = EmailForm
    list_display = ["subject", "to_email", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to_email", "subject", "key"]
    date_hierarchy = "created_at"
    actions = ["release_emails", "resend_emails"]
    fields = [
        "to_email",
        "subject",
        "body_text",
        "body_html",
        "kind",
        "key",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "released_by",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        # Only a held email may be edited, and only its subject and bodies.
        editable = {"subject", "body_text", "body_html"} if obj and obj.status == Email.Status.HELD else set()
        return [f for f in self.fields if f not in editable]

    @admin.action(description="Send the selected held emails", permissions=["change"])
    def release_emails(self, request, queryset):
        apply_to_each(self, request, queryset, services.email_release, done="Released {count} email(s).")

    @admin.action(description="Resend the selected failed emails", permissions=["change"])
    def resend_emails(self, request, queryset):
        apply_to_each(self, request, queryset, services.email_resend, done="Queued again {count} email(s).")


@admin.register(ReminderRule)
class ReminderRuleAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["kind", "offset", "active"]
    list_filter = ["kind", "active"]
    list_editable = ["active"]


@admin.register(ReminderOptOut)
class ReminderOptOutAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["user", "kind", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["user"]
