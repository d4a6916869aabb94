"""The admin's part in selection in stages: shortlisting expressions of interest, feedback with templates
to start from, interview slots and their notes (part of the review)."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from applications import services
from applications.models import Application, FeedbackTemplate, InterviewSlot, interview_hosts
from toolbox.admin_services import ServiceAdminMixin, apply_to_each
from toolbox.admin_times import ZonedTimesAdminMixin, zoned_column


@admin.register(FeedbackTemplate)
class FeedbackTemplateAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Starting points for the feedback to one applicant, per call ($organisation and $call are filled in)."""

    list_display = ["title", "call"]
    list_filter = ["call"]
    list_select_related = ["call"]
    fields = ["call", "title", "body"]


SHORTLIST_DONE = (
    "Shortlisted {count} expression(s) of interest: each organisation is emailed a link to the full application."
)


@admin.action(description="Invite to the full application (shortlist)", permissions=["change"])
def shortlist_expressions(model_admin, request, queryset):
    apply_to_each(
        model_admin,
        request,
        queryset.select_related("organisation", "call"),
        services.expression_shortlist,
        done=SHORTLIST_DONE,
        name=lambda application: application.organisation.name,
    )


class ApplicationAdminForm(forms.ModelForm):
    """The application page's form: the extension and the feedback, which may start from a call's template."""

    feedback_template = forms.ModelChoiceField(
        queryset=FeedbackTemplate.objects.none(),
        required=False,
        label="Start the feedback from",
        help_text="With the feedback box empty, saving fills it from this template; then edit it as you like.",
    )

    class Meta:
        model = Application
        fields = ["deadline_extended_until", "feedback"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["feedback_template"].queryset = FeedbackTemplate.objects.filter(call_id=self.instance.call_id)


def save_feedback(request, obj, form) -> None:
    """Feedback goes through its service (refused once the decision email has left); the rest saves as it is."""
    wanted = form.cleaned_data.get("feedback", obj.feedback)
    template = form.cleaned_data.get("feedback_template")
    if obj.pk and ("feedback" in form.changed_data or template is not None):
        obj.feedback = Application.objects.values_list("feedback", flat=True).get(pk=obj.pk)
        obj.save()
        services.application_feedback_set(application=obj, feedback=wanted, by=request.user, template=template)
        obj.refresh_from_db(fields=["feedback"])
    else:
        obj.save()


class InterviewInline(admin.StackedInline):
    """The interview booked for this application, and its notes: part of the review, never shown to it."""

    model = InterviewSlot
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["when", "host", "online_url", "notes"]
    readonly_fields = ["when", "host", "online_url"]
    verbose_name = "interview"

    @admin.display(description="when")
    def when(self, obj):
        return zoned_column("starts_at")(None, obj)


CANCEL_DONE = "Cancelled {count} booking(s): the host and the organisation each get a calendar cancellation."
BOOKED_NOT_DELETED = (
    "{slot}: booked by {organisation}, so not deleted. Cancel the booking first (the action "
    "“Cancel the booking”): the host and the organisation are then sent a calendar cancellation."
)


@admin.action(description="Cancel the booking (tell the host and the organisation)", permissions=["change"])
def cancel_bookings(model_admin, request, queryset):
    def cancel(*, interviewslot, by):
        return services.interview_cancel(slot=interviewslot, by=by, reason="The programme team cancelled it.")

    apply_to_each(
        model_admin,
        request,
        queryset.select_related("host", "application__organisation"),
        cancel,
        done=CANCEL_DONE,
        name=str,
    )


@admin.register(InterviewSlot)
class InterviewSlotAdmin(ZonedTimesAdminMixin, ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["starts", "call", "host", "booked_for"]
    list_filter = ["call"]
    list_select_related = ["call", "host", "application__organisation"]
    fields = ["call", "host", "starts_at", "ends_at", "time_zone", "online_url", "booked_for", "booked_at", "notes"]
    readonly_fields = ["booked_for", "booked_at"]
    time_zone_owner = "the slot's time zone (set below)"
    actions = [cancel_bookings]
    starts = admin.display(description="starts", ordering="starts_at")(zoned_column("starts_at"))

    @admin.display(description="booked by")
    def booked_for(self, obj):
        return obj.application.organisation.name if obj.application_id else "Free"

    def get_readonly_fields(self, request, obj=None):
        # A booked slot's time and people went out in calendar invitations: only its notes change here.
        if obj is not None and obj.application_id:
            return [*self.readonly_fields, "call", "host", "starts_at", "ends_at", "time_zone", "online_url"]
        return self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "host":
            kwargs["queryset"] = interview_hosts().order_by("name", "email")
            kwargs["help_text"] = "Staff and reviewers only."
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_view(self, request, object_id, extra_context=None):
        # A booked slot is in two calendars: it is freed by "Cancel the booking", which tells both sides.
        obj = self.get_object(request, object_id)
        if obj is not None and obj.application_id:
            self.message_user(
                request,
                BOOKED_NOT_DELETED.format(slot=obj, organisation=obj.application.organisation.name),
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:applications_interviewslot_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_queryset(self, request, queryset):
        booked = queryset.filter(application__isnull=False).select_related("host", "application__organisation")
        for slot in booked:
            self.message_user(
                request,
                BOOKED_NOT_DELETED.format(slot=slot, organisation=slot.application.organisation.name),
                messages.ERROR,
            )
        queryset.filter(application__isnull=True).delete()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and obj.application_id:
            extra_context = {**(extra_context or {}), "show_delete": False}
        if obj is not None and obj.application_id and request.method == "GET":
            self.message_user(
                request,
                "This slot is booked: to free it, use the action “Cancel the booking” in the list of slots "
                "(the host and the organisation get a calendar cancellation). It cannot be deleted while booked.",
                messages.INFO,
            )
        return super().change_view(request, object_id, form_url, extra_context)
