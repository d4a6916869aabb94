from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget

from events.admin import EventAdmin, RSVPAdmin
from events.models import RSVP, Event
from funding import services
from funding.models import Award, FundingChange, Instalment, TimeEntry
from funding.permissions import is_finance
from toolbox.admin_lists import LongChangelistMixin
from toolbox.admin_services import ServiceAdminMixin, apply_to_each


class PrivateFileWidget(AdminFileWidget):
    """The admin's file input, its "currently" link pointing at the permission-checked download view."""

    def __init__(self, *, url: str, attrs=None):
        super().__init__(attrs)
        self.url = url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            context["widget"]["value"] = PrivateFileLink(url=self.url, name=Path(value.name).name)
        return context


@dataclass(frozen=True)
class PrivateFileLink:
    url: str
    name: str

    def __str__(self) -> str:
        return self.name


class InstalmentInline(admin.TabularInline):
    model = Instalment
    extra = 0
    fields = ["amount", "due_on", "status", "invoice_reference", "approved_by", "paid_by"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        # Instalments are scheduled in their own admin, through the service.
        return False


class FundingChangeInline(admin.TabularInline):
    model = FundingChange
    extra = 0
    fields = ["at", "by", "action", "before", "after"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "history"

    def has_add_permission(self, request, obj=None):
        return False


class AwardForm(forms.ModelForm):
    def validate_unique(self):
        # One award per membership is award_create's rule: it refuses in its own words (ServiceAdminMixin).
        pass


@admin.register(Award)
class AwardAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = AwardForm
    list_display = ["organisation", "cohort", "amount", "committed", "status", "created_at"]
    list_filter = ["status", "membership__cohort"]
    list_select_related = ["membership__organisation", "membership__cohort"]
    search_fields = ["membership__organisation__name"]
    fields = [
        "membership",
        "amount",
        "vat_note",
        "status",
        "agreement_file",
        "agreement_signed_on",
        "notes",
        "committed",
    ]
    readonly_fields = ["committed", "created_by", "created_at"]
    inlines = [InstalmentInline, FundingChangeInline]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "membership"] if obj else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "agreement_file" in form.base_fields:
            form.base_fields["agreement_file"].widget = PrivateFileWidget(url=obj.get_agreement_url())
        return form

    @admin.display(ordering="membership__organisation__name")
    def organisation(self, obj):
        return obj.membership.organisation

    @admin.display(ordering="membership__cohort__name")
    def cohort(self, obj):
        return obj.membership.cohort

    def save_model(self, request, obj, form, change):
        # Both paths go through the services, which check the caps and write the history.
        data = {f: form.cleaned_data[f] for f in form.changed_data if f != "membership"}
        if change:
            saved = services.award_update(award=obj, by=request.user, **data)
        else:
            data.pop("amount", None)
            saved = services.award_create(
                membership=form.cleaned_data["membership"],
                amount=form.cleaned_data["amount"],
                created_by=request.user,
                **data,
            )
        obj.pk = saved.pk
        obj.created_at = saved.created_at


@admin.register(Instalment)
class InstalmentAdmin(ServiceAdminMixin, LongChangelistMixin, admin.ModelAdmin):
    list_display = ["award", "amount", "due_on", "status", "approved_by", "paid_by"]
    list_filter = ["status", "award__membership__cohort"]
    list_select_related = ["award__membership__organisation", "approved_by", "paid_by"]
    fields = [
        "award",
        "amount",
        "due_on",
        "invoice_reference",
        "invoice_file",
        "status",
        "approved_by",
        "approved_at",
        "paid_by",
        "paid_at",
    ]
    readonly_fields = ["status", "approved_by", "approved_at", "paid_by", "paid_at"]
    actions = ["approve", "mark_paid", "cancel"]

    def get_readonly_fields(self, request, obj=None):
        # Amounts and awards are fixed once an instalment exists; its state changes only by action.
        return [*self.readonly_fields, "award", "amount"] if obj else self.readonly_fields

    def has_finance_permission(self, request):
        # Asked once per action when the changelist is drawn: look the group up once per request.
        if not hasattr(request, "_cohortnet_is_finance"):
            request._cohortnet_is_finance = is_finance(request.user)
        return request._cohortnet_is_finance

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "invoice_file" in form.base_fields:
            form.base_fields["invoice_file"].widget = PrivateFileWidget(url=obj.get_invoice_url())
        return form

    def save_model(self, request, obj, form, change):
        # Both paths go through the services, which check the budget and the invoice reference and write the
        # history; a refusal is a ValidationError, shown on the form.
        if change:
            saved = services.instalment_update(
                instalment=obj, by=request.user, **{f: form.cleaned_data[f] for f in form.changed_data}
            )
        else:
            saved = services.instalment_schedule(
                award=form.cleaned_data["award"],
                amount=form.cleaned_data["amount"],
                due_on=form.cleaned_data["due_on"],
                by=request.user,
                invoice_reference=form.cleaned_data.get("invoice_reference", ""),
                invoice_file=form.cleaned_data.get("invoice_file") or None,
            )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def _each(self, request, queryset, service, verb):
        done, denied = f"{verb} {{count}} instalment(s).", "Only the Finance group can do that."
        apply_to_each(self, request, queryset, service, done=done, denied=denied)

    @admin.action(description="Approve (Finance)", permissions=["finance"])
    def approve(self, request, queryset):
        self._each(request, queryset, services.instalment_approve, "Approved")

    @admin.action(description="Mark paid (Finance)", permissions=["finance"])
    def mark_paid(self, request, queryset):
        self._each(request, queryset, services.instalment_mark_paid, "Marked paid")

    @admin.action(description="Cancel (Finance)", permissions=["finance"])
    def cancel(self, request, queryset):
        self._each(request, queryset, services.instalment_cancel, "Cancelled")


@admin.register(TimeEntry)
class TimeEntryAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["date", "membership", "user", "hours", "activity", "event"]
    list_filter = ["membership__cohort"]
    list_select_related = ["membership__organisation", "membership__cohort", "user", "event"]
    readonly_fields = ["rsvp"]


# Attendance is marked on RSVPs (events), but attending also records time (funding): both admins
# that mark it (the RSVP list and the event page's inline) use the funding service, registered here
# so that events does not depend on funding.
admin.site.unregister(RSVP)
admin.site.unregister(Event)


@admin.register(RSVP)
class RSVPWithTimeAdmin(RSVPAdmin):
    attendance_service = staticmethod(services.attendance_record)


@admin.register(Event)
class EventWithTimeAdmin(EventAdmin):
    attendance_service = staticmethod(services.attendance_record)
