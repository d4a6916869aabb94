from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.template.response import TemplateResponse

from cohorts.admin import wrapping_column
from events import services
from events.models import RSVP, Event, SupportSlot, WrittenInput
from toolbox.admin_lists import LongChangelistMixin
from toolbox.admin_services import ServiceAdminMixin, apply_to_each
from toolbox.admin_times import ZonedTimesAdminMixin, zoned_column


class RSVPInline(admin.TabularInline):
    model = RSVP
    extra = 0
    fields = ["user", "status", "attendance", "created_at"]
    readonly_fields = ["user", "status", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Answers go through rsvp_set, which keeps capacity and the waiting list right.
        return False


class WrittenInputInline(admin.StackedInline):
    model = WrittenInput
    extra = 0
    fields = ["author", "created_at", "body"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "written input from people who could not attend"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ZonedTimesAdminMixin, ServiceAdminMixin, admin.ModelAdmin):
    # The theme is in a roundtable's title and in the filters; without its column the list fits 1280 px.
    list_display = ["title", "cohort_name", "kind", "starts", "status", "going", "waiting"]
    list_filter = ["cohort", "kind", "theme", "status"]
    list_select_related = ["cohort", "theme"]
    search_fields = ["title"]
    filter_horizontal = ["pre_reading"]
    readonly_fields = ["sequence"]
    inlines = [RSVPInline, WrittenInputInline]
    actions = ["cancel_events", "attendance_report"]
    time_zone_owner = "the event's time zone (set below)"
    starts = admin.display(description="starts", ordering="starts_at")(zoned_column("starts_at"))
    cohort_name = wrapping_column("cohort", "cohort")
    #: Marking attendance; the funding app's admin swaps in the service that also records the time spent.
    attendance_service = staticmethod(services.attendance_mark)

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

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Through the service, which locks the event, fills new seats from the waiting list and tells people.
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in services.EVENT_FIELDS}
        _event, promoted = services.event_update(event=obj, by=request.user, **changes)
        obj.refresh_from_db()
        if promoted:
            names = ", ".join(rsvp.user.get_full_name() or rsvp.user.email for rsvp in promoted)
            self.message_after_save(request, f"Promoted from the waiting list and emailed: {names}.")
        if services.CHANGES_TO_ANNOUNCE & set(changes):
            self.message_after_save(request, "Everyone going or waiting will get an updated calendar invitation.")

    def save_formset(self, request, form, formset, change):
        if formset.model is not RSVP:
            return super().save_formset(request, form, formset, change)
        # Builds the formset's changed list (the admin's history reads it) without writing anything.
        formset.save(commit=False)
        marked: dict[str, list[RSVP]] = {}
        for rsvp, changed in formset.changed_objects:
            if "attendance" in changed:
                marked.setdefault(rsvp.attendance, []).append(rsvp)
        for attendance, rsvps in marked.items():
            self.attendance_service(rsvps=rsvps, attendance=attendance)
        return None

    @admin.action(description="Cancel the selected events and tell everyone", permissions=["change"])
    def cancel_events(self, request, queryset):
        done = "Cancelled {count} event(s); everyone going or waiting is told."
        apply_to_each(self, request, queryset, services.event_cancel, done=done)

    @admin.action(description="Attendance report", permissions=["view"])
    def attendance_report(self, request, queryset):
        rows = (
            RSVP.objects.filter(event__in=queryset, status=RSVP.Status.GOING)
            .values("event__title", "membership__organisation__name")
            .annotate(
                going=Count("pk"),
                attended=Count("pk", filter=Q(attendance=RSVP.Attendance.ATTENDED)),
                no_show=Count("pk", filter=Q(attendance=RSVP.Attendance.NO_SHOW)),
            )
            .order_by("event__title", "membership__organisation__name")
        )
        context = {**self.admin_site.each_context(request), "title": "Attendance report", "rows": rows}
        return TemplateResponse(request, "admin/events/attendance_report.html", context)


@admin.register(RSVP)
class RSVPAdmin(ServiceAdminMixin, LongChangelistMixin, admin.ModelAdmin):
    list_display = ["event_title", "person", "status", "attendance"]
    list_filter = ["status", "attendance", "event__cohort", "event"]
    list_select_related = ["event", "user", "membership__organisation"]
    search_fields = ["user__email", "user__name", "membership__organisation__name", "event__title"]
    event_title = wrapping_column("event", "event")

    @admin.display(description="person (organisation)", ordering="user__name")
    def person(self, obj):
        # One column for both: two would not fit 1280 px beside the event, answer and attendance.
        # Staff answering an event have no membership: they are named alone.
        return f"{obj.user} ({obj.membership.organisation})" if obj.membership else str(obj.user)

    readonly_fields = ["event", "user", "membership", "status", "waiting_since", "promotions", "attendance"]
    actions = ["mark_attended", "mark_no_show", "clear_attendance"]
    #: Marking attendance; the funding app's admin swaps in the service that also records the time spent.
    attendance_service = staticmethod(services.attendance_mark)

    def has_add_permission(self, request):
        return False

    def _mark(self, request, queryset, attendance, verb):
        try:
            count = self.attendance_service(rsvps=list(queryset), attendance=attendance)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        self.message_user(request, f"{verb} {count} answer(s).", messages.SUCCESS)

    @admin.action(description="Mark as attended", permissions=["change"])
    def mark_attended(self, request, queryset):
        self._mark(request, queryset, RSVP.Attendance.ATTENDED, "Marked attended:")

    @admin.action(description="Mark as no-show", permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._mark(request, queryset, RSVP.Attendance.NO_SHOW, "Marked no-show:")

    @admin.action(description="Clear attendance", permissions=["change"])
    def clear_attendance(self, request, queryset):
        self._mark(request, queryset, "", "Cleared:")


@admin.register(SupportSlot)
class SupportSlotAdmin(ZonedTimesAdminMixin, ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["starts", "cohort_name", "host_name", "topic", "booked"]
    list_filter = ["cohort", "host"]
    list_select_related = ["cohort", "host", "booked_by__organisation"]
    cohort_name = wrapping_column("cohort", "cohort")
    host_name = wrapping_column("host", "host")
    booked = wrapping_column("booked_by__organisation", "booked by")
    readonly_fields = ["booked_by", "booked_by_user", "booked_at"]
    time_zone_owner = "the slot's time zone (set below)"
    starts = admin.display(description="starts", ordering="starts_at")(zoned_column("starts_at"))

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Through the service, which locks the slot and sends a booked slot's update to the booker and the host.
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in services.SLOT_CHANGE_FIELDS}
        others = {f: form.cleaned_data[f] for f in form.changed_data if f not in services.SLOT_CHANGE_FIELDS}
        if others:  # cohort or host: no rule of their own
            SupportSlot.objects.filter(pk=obj.pk).update(**others)
        slot = services.support_slot_update(slot=obj, by=request.user, **changes)
        if changes and slot.booked_by_id:
            self.message_after_save(request, "The booker and the host will get an updated calendar invitation.")
