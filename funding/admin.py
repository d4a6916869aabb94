from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from cohorts.admin import CohortAdmin, MembershipAdmin, wrapping_column
from cohorts.models import FUNDING_CAP, Cohort, Membership
from events.admin import EventAdmin, RSVPAdmin
from events.models import RSVP, Event
from funding import selectors, services
from funding.models import HOURS_PER_DAY, Award, DayRate, FundingChange, Instalment, TimeEntry
from funding.permissions import is_finance
from toolbox.admin_lists import LongChangelistMixin
from toolbox.admin_services import GuardedInlineMixin, ServiceAdminMixin, apply_to_each, validate_plausible_year
from toolbox.forms import MoneyField


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


def _links(pairs) -> str:
    """Links to an object's neighbours, in one line: (label, url) pairs, a missing url left out."""
    return format_html_join(" · ", '<a href="{}">{}</a>', ((url, label) for label, url in pairs if url)) or "—"


def accepted_application(membership: Membership):
    """The application that made this organisation a member of the cohort, or None (added by staff).

    Read through the organisation's relation: funding does not import applications.
    """
    applications = membership.organisation.applications
    accepted = applications.model.Status.ACCEPTED
    return (
        applications.filter(call__cohort_id=membership.cohort_id, status=accepted)
        .order_by("-decided_at", "-pk")
        .first()
    )


def membership_neighbours(membership: Membership, *, award: Award | None) -> list[tuple[str, str]]:
    """Organisation, cohort, application, award (or "Add award") and budget of one membership, as (label, url)."""
    application = accepted_application(membership)
    if award is not None:
        award_link = (f"Award of £{award.amount:,.2f}", reverse("admin:funding_award_change", args=[award.pk]))
    else:
        award_link = ("Add award", f"{reverse('admin:funding_award_add')}?membership={membership.pk}")
    return [
        (
            f"Organisation: {membership.organisation.name}",
            reverse("admin:cohorts_organisation_change", args=[membership.organisation_id]),
        ),
        (f"Cohort: {membership.cohort.name}", reverse("admin:cohorts_cohort_change", args=[membership.cohort_id])),
        ("Application", application and reverse("admin:applications_application_change", args=[application.pk])),
        award_link,
        ("Budget dashboard", budget_url(membership.cohort)),
    ]


def budget_url(cohort) -> str:
    return reverse("funding:dashboard", args=[cohort.slug])


def instalment_amount_field() -> MoneyField:
    # In pounds, like the site's forms: "Enter an amount of at most £20,000", not the raw "less than or equal to
    # 20000.00". No instalment can exceed an award, and no award the cap; the services check the award's balance.
    return MoneyField(max_amount=FUNDING_CAP, label="Amount (GBP)")


class InstalmentInlineForm(forms.ModelForm):
    amount = instalment_amount_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # instalment_update keeps a scheduled amount fixed: cancel and schedule another instead.
            self.fields["amount"].disabled = True
            self.fields["amount"].help_text = "Fixed once scheduled."


class InstalmentInline(GuardedInlineMixin, admin.TabularInline):
    """The award's instalments, scheduled and edited here through the services (AwardAdmin.save_formset).

    Rows are never deleted: an instalment is cancelled by Finance from the instalment list, which keeps its history.
    """

    model = Instalment
    form = InstalmentInlineForm
    extra = 0
    fields = ["amount", "due_on", "invoice_reference", "status", "held_for", "approved_by", "paid_by"]
    readonly_fields = ["status", "held_for", "approved_by", "paid_by"]
    can_delete = False
    show_change_link = True

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(db_field, models.DateField):
            formfield.validators.append(validate_plausible_year)
        return formfield


class FundingChangeInline(admin.TabularInline):
    model = FundingChange
    extra = 0
    fields = ["at", "by", "action", "before", "after"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "history"

    def has_add_permission(self, request, obj=None):
        return False


@contextmanager
def _naming(row: str):
    """Re-raise a service's refusal as one message naming the inline row, so it never lands on an award field."""
    try:
        yield
    except ValidationError as exc:
        raise ValidationError(f"{row}: {' '.join(exc.messages)}") from exc


class AwardForm(forms.ModelForm):
    # Messages in pounds, as on the site's forms (toolbox.forms.MoneyField); the model's validators and the
    # database constraint still hold the same range.
    amount = MoneyField(
        max_amount=FUNDING_CAP, label="Amount (GBP, excluding VAT)", help_text="Between £0.01 and £20,000."
    )

    def validate_unique(self):
        # One award per membership is award_create's rule: it refuses in its own words (ServiceAdminMixin).
        pass


@admin.register(Award)
class AwardAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = AwardForm
    # Names wrap (wrapping_column) and the creation date is on the award's page: the list fits 1280 px.
    list_display = ["organisation", "cohort", "award_amount", "committed_amount", "status", "budget"]
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
        "time_value",
        "neighbours",
    ]
    readonly_fields = ["committed", "time_value", "created_by", "created_at", "neighbours"]
    inlines = [InstalmentInline, FundingChangeInline]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "membership"] if obj else self.readonly_fields

    def get_changeform_initial_data(self, request):
        # "Add award" on a membership: the amount starts at what the accepted application asked for.
        initial = super().get_changeform_initial_data(request)
        membership = self._membership_from(initial.get("membership"))
        if membership is not None and "amount" not in initial:
            application = accepted_application(membership)
            if application is not None and application.funding_requested is not None:
                initial["amount"] = application.funding_requested
        return initial

    @staticmethod
    def _membership_from(value) -> Membership | None:
        try:
            return Membership.objects.select_related("organisation").get(pk=int(value))
        except (TypeError, ValueError, OverflowError, Membership.DoesNotExist):
            return None

    @admin.display(description="Linked")
    def neighbours(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        instalments = f"{reverse('admin:funding_instalment_changelist')}?award__id__exact={obj.pk}"
        pairs = membership_neighbours(obj.membership, award=None)
        # The membership's own "Add award" link is this page: name the membership and the instalments instead.
        pairs[3] = ("Membership", reverse("admin:cohorts_membership_change", args=[obj.membership_id]))
        return _links([*pairs[:4], ("Instalments", instalments), pairs[4]])

    @admin.display(description="Budget")
    def budget(self, obj):
        return format_html('<a href="{}">Budget dashboard</a>', budget_url(obj.membership.cohort))

    @admin.display(description="time against money")
    def time_value(self, obj):
        """The organisation's hours (logged and from attendance) at the cohort's day rate, beside the award."""
        if obj is None or obj.pk is None:
            return "—"
        time = selectors.time_summary(obj.membership)
        hours = f"{time['hours']:,.2f} hours ({time['logged']:,.2f} logged, {time['attended']:,.2f} at events)"
        if time["value"] is None:
            return f"{hours}; no day rate is set on the cohort, so they are not valued."
        return (
            f"{hours} × £{time['rate']:,.2f} a day ÷ {HOURS_PER_DAY} hours = £{time['value']:,.2f}, "
            f"against £{obj.amount:,.2f} awarded and £{obj.committed:,.2f} approved or paid."
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "agreement_file" in form.base_fields:
            form.base_fields["agreement_file"].widget = PrivateFileWidget(url=obj.get_agreement_url())
        return form

    organisation = wrapping_column("membership__organisation", "organisation")
    cohort = wrapping_column("membership__cohort", "cohort")

    @admin.display(description="award (£)", ordering="amount")
    def award_amount(self, obj):
        return obj.amount

    @admin.display(description="approved + paid (£)", ordering="committed")
    def committed_amount(self, obj):
        return obj.committed

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

    def save_formset(self, request, form, formset, change):
        if formset.model is not Instalment:
            return super().save_formset(request, form, formset, change)
        # Builds the formset's new and changed lists (the admin's history reads them) without writing; the
        # services write, under the award's lock, with the funding history. A refusal names its row and is
        # raised to ServiceAdminMixin, which rolls back the whole save and shows it above the form.
        formset.save(commit=False)
        award = form.instance
        for instalment, changed in formset.changed_objects:
            editable = {f: getattr(instalment, f) for f in changed if f in services.INSTALMENT_EDITABLE}
            with _naming(f"The instalment of {instalment}"):
                services.instalment_update(instalment=instalment, by=request.user, **editable)
        for instalment in formset.new_objects:
            with _naming(f"The new instalment of £{instalment.amount:,.2f} due {instalment.due_on:%d %b %Y}"):
                saved = services.instalment_schedule(
                    award=award,
                    amount=instalment.amount,
                    due_on=instalment.due_on,
                    by=request.user,
                    invoice_reference=instalment.invoice_reference,
                )
            instalment.pk = saved.pk
        return None


class HeldFilter(admin.SimpleListFilter):
    """Whether an instalment waits for a report (``held_for``), so "awaiting approval" can leave those out."""

    title = "waits for a report"
    parameter_name = "held"

    def lookups(self, request, model_admin):
        return [("yes", "Waits for a report"), ("no", "Does not wait")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(held_for="")
        if self.value() == "no":
            return queryset.filter(held_for="")
        return queryset


class InstalmentForm(forms.ModelForm):
    amount = instalment_amount_field()


@admin.register(Instalment)
class InstalmentAdmin(ServiceAdminMixin, LongChangelistMixin, admin.ModelAdmin):
    form = InstalmentForm
    # The award is named by its organisation, the approver as "Name <email>" that wraps, and who paid is on the
    # instalment's page (the status says it is paid): the list fits 1280 px.
    list_display = ["organisation", "instalment_amount", "due_on", "status", "approved_by_name"]
    list_filter = ["status", HeldFilter, "award__membership__cohort"]
    list_select_related = ["award__membership__organisation", "approved_by"]
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
        "held_for",
        "neighbours",
    ]
    readonly_fields = ["status", "held_for", "approved_by", "approved_at", "paid_by", "paid_at", "neighbours"]
    actions = ["approve", "mark_paid", "cancel"]
    organisation = wrapping_column("award__membership__organisation", "organisation")
    approved_by_name = wrapping_column("approved_by", "approved by")

    @admin.display(description="amount (£)", ordering="amount")
    def instalment_amount(self, obj):
        return obj.amount

    def get_readonly_fields(self, request, obj=None):
        # Amounts and awards are fixed once an instalment exists; its state changes only by action.
        return [*self.readonly_fields, "award", "amount"] if obj else self.readonly_fields

    @admin.display(description="Linked")
    def neighbours(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        award = obj.award
        pairs = membership_neighbours(award.membership, award=award)
        return _links(
            [
                pairs[3],
                ("Membership", reverse("admin:cohorts_membership_change", args=[award.membership_id])),
                *pairs[:3],
                pairs[4],
            ]
        )

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
    # The activity says what the time was for (the event is on the entry's page); names wrap: fits 1280 px.
    list_display = ["date", "person", "organisation", "hours", "activity"]
    list_filter = ["membership__cohort"]
    list_select_related = ["membership__organisation", "user"]
    person = wrapping_column("user", "person")
    organisation = wrapping_column("membership__organisation", "organisation")
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


def _with(fields, name: str) -> list:
    # Django adds read-only fields to the page only when the admin lists no fields of its own.
    return [*fields, name] if name not in fields else list(fields)


# A membership's award and a cohort's budget live in funding, which cohorts does not import: their admin pages
# link to them from here, as the RSVP and event admins above gain attendance time.
admin.site.unregister(Membership)
admin.site.unregister(Cohort)


@admin.register(Membership)
class MembershipWithFundingAdmin(MembershipAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "neighbours"]

    def get_fields(self, request, obj=None):
        return _with(super().get_fields(request, obj), "neighbours")

    @admin.display(description="Linked")
    def neighbours(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        award = Award.objects.filter(membership=obj).first()
        return _links(membership_neighbours(obj, award=award))


class DayRateInline(admin.StackedInline):
    """The cohort's day rate, for time against money (hours × rate ÷ HOURS_PER_DAY)."""

    model = DayRate
    extra = 1  # an empty form to fill in; left empty it adds nothing
    max_num = 1
    verbose_name = verbose_name_plural = "day rate (time against money)"


@admin.register(Cohort)
class CohortWithBudgetAdmin(CohortAdmin):
    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), DayRateInline]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "budget"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "budget"]

    def get_fields(self, request, obj=None):
        return _with(super().get_fields(request, obj), "budget")

    @admin.display(description="Budget")
    def budget(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html('<a href="{}">Budget dashboard</a>', budget_url(obj))
