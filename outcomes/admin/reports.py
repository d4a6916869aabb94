"""Admin for the reports part of outcomes: staff set report rounds per cohort, then accept or return each report.

Every write goes through ``outcomes.services_reports``; a refusal shows on the form or as a message
(``ServiceAdminMixin``, ``apply_to_each``), never as an error page.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from cohorts.admin import wrapping_column
from funding.models import Instalment
from outcomes import services_reports as services
from outcomes.models import Report, ReportQuestion, ReportRound
from toolbox.admin_services import ServiceAdminMixin, apply_to_each
from toolbox.admin_times import ZonedTimesAdminMixin, zoned_column


class ReportQuestionFormSet(forms.BaseInlineFormSet):
    """A round needs at least one question: with none, every report would be submitted empty."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        self._keep_answered_questions_answerable()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("text")
        ]
        if not kept:
            raise forms.ValidationError(
                "Add at least one question: a round without questions asks the organisations nothing.",
                code="no_questions",
            )

    def _keep_answered_questions_answerable(self):
        # Once a report is submitted (or returned, or accepted), its answers were given to these questions:
        # a changed kind would make them unreadable, and a new required question would leave reports
        # already submitted without an answer the round demands.
        report_round = self.instance
        if report_round.pk is None or not report_round.reports.exclude(status=Report.Status.DRAFT).exists():
            return
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            if form.instance.pk is not None and "kind" in form.changed_data:
                form.add_error(
                    "kind",
                    "Reports of this round have been submitted with answers to this question: its kind stays. "
                    "Add a new, optional question instead.",
                )
            elif data.get("required") and (form.instance.pk is None or "required" in form.changed_data):
                form.add_error(
                    "required",
                    "Reports of this round have been submitted without this question: it can only be optional.",
                )


class ReportQuestionInline(admin.StackedInline):
    model = ReportQuestion
    formset = ReportQuestionFormSet
    extra = 1
    fields = [("text", "kind", "required", "position"), "help_text", "choices"]


@admin.register(ReportRound)
class ReportRoundAdmin(ZonedTimesAdminMixin, ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["title", "cohort", "kind", "due", "time_zone"]
    list_filter = ["kind", "cohort"]
    list_select_related = ["cohort"]
    fields = ["cohort", "kind", "title", "introduction", "due_at", "time_zone", "progress"]
    readonly_fields = ["progress"]
    inlines = [ReportQuestionInline]
    # The due time is typed and shown in the round's own zone, as organisations read it.
    time_zone_owner = "the round's time zone (set below)"
    due = admin.display(description="due", ordering="due_at")(zoned_column("due_at"))

    def get_readonly_fields(self, request, obj=None):
        # The cohort's organisations each have their report once the round exists: it stays with that cohort.
        return [*self.readonly_fields, "cohort"] if obj else self.readonly_fields

    def get_actions(self, request):
        # Deleting goes one round at a time, through its page, so the check below always runs.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        # A round whose reports were submitted, or that an instalment waits for, is the funder's record and
        # would leave the instalment held for ever: it stays.
        if obj is not None and obj.reports.filter(Q(instalment__isnull=False) | ~Q(status="draft")).exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        opened = services.report_round_open(report_round=form.instance)
        if opened:
            self.message_after_save(request, f"Opened a report for {opened} member organisation(s).", messages.SUCCESS)

    @admin.display(description="Reports")
    def progress(self, obj):
        if obj is None or obj.pk is None:
            return "Each member organisation of the cohort gets its report when you save."
        counts = {status: 0 for status in Report.Status.values}
        for status in obj.reports.values_list("status", flat=True):
            counts[status] += 1
        url = f"{reverse('admin:outcomes_report_changelist')}?round__id__exact={obj.pk}"
        summary = ", ".join(f"{n} {Report.Status(s).label.lower()}" for s, n in counts.items())
        return format_html('<a href="{}">{}</a>', url, summary)


class ReportAdminForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["staff_comments", "instalment"]
        widgets = {"staff_comments": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["instalment"]
        field.label = "Instalment that waits for this report"
        field.help_text = (
            "It becomes due only when you accept this report (on its due date, or that day if later); "
            "until then it cannot be approved or paid."
        )
        report = self.instance
        if report.pk:
            # Only a scheduled instalment no other report holds or released: those cannot wait for this one.
            field.queryset = Instalment.objects.filter(
                award__membership_id=report.membership_id,
                status=Instalment.Status.SCHEDULED,
                held_for="",
                waits_for_report__isnull=True,
            ) | Instalment.objects.filter(pk=report.instalment_id or 0)
        else:
            field.queryset = Instalment.objects.none()

    def validate_unique(self):
        # One report per instalment is report_tie_instalment's rule: it refuses naming the other report.
        pass


@admin.register(Report)
class ReportAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = ReportAdminForm
    change_form_template = "admin/outcomes/report/change_form.html"
    # Names wrap and the round is named by its title (the cohort is a filter): the list fits 1280 px.
    list_display = ["organisation_name", "round_title", "status", "submitted_on", "tied_instalment"]
    list_filter = ["status", "round__cohort"]
    list_select_related = ["membership__organisation", "round__cohort", "instalment"]
    search_fields = ["membership__organisation__name"]
    fields = [
        "round",
        "organisation",
        "status",
        "submitted",
        "decided",
        "answers_table",
        "staff_comments",
        "instalment",
    ]
    readonly_fields = ["round", "organisation", "status", "submitted", "decided", "answers_table"]
    actions = ["accept"]

    def has_add_permission(self, request):
        return False  # reports are opened by their round, one per member organisation

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="organisation", ordering="membership__organisation__name")
    def organisation(self, obj):
        return obj.membership.organisation.name

    organisation_name = wrapping_column("membership__organisation", "organisation")
    round_title = wrapping_column("round__title", "report")

    @admin.display(description="submitted", ordering="submitted_at")
    def submitted_on(self, obj):
        return f"{obj.submitted_at:%d %b %Y}" if obj.submitted_at else "—"

    @admin.display(description="waiting instalment")
    def tied_instalment(self, obj):
        return str(obj.instalment) if obj.instalment_id else "—"

    @admin.display(description="submitted")
    def submitted(self, obj):
        if not obj.submitted_at:
            return "Not yet"
        who = obj.submitted_by.display_name if obj.submitted_by else "a former participant"
        return f"{obj.submitted_at:%d %b %Y %H:%M} UTC by {who}"

    @admin.display(description="decided")
    def decided(self, obj):
        if not obj.decided_at:
            return "Not yet"
        who = obj.decided_by.display_name if obj.decided_by else "former staff"
        return f"{obj.get_status_display()} {obj.decided_at:%d %b %Y %H:%M} UTC by {who}"

    @admin.display(description="answers")
    def answers_table(self, obj):
        questions = list(obj.round.questions.all())
        if not questions:
            return "The round has no questions."
        return format_html(
            "<dl>{}</dl>",
            format_html_join(
                "",
                "<dt>{}</dt><dd>{}</dd>",
                ((q.text, obj.answers.get(str(q.pk), "") or "(not answered)") for q in questions),
            ),
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if "instalment" in form.changed_data:
            services.report_tie_instalment(report=obj, instalment=data.get("instalment"), by=request.user)
            if data.get("instalment"):
                self.message_after_save(request, f"The instalment of {data['instalment']} now waits for this report.")
        if "_accept" in request.POST:
            report = services.report_accept(report=obj, by=request.user, comments=data.get("staff_comments", ""))
            self.message_after_save(request, self._accepted_message(report), messages.SUCCESS)
        elif "_return" in request.POST:
            services.report_return(report=obj, by=request.user, comments=data.get("staff_comments", ""))
            self.message_after_save(request, "Returned to the organisation with your comments.", messages.SUCCESS)
        elif "staff_comments" in form.changed_data:
            Report.objects.filter(pk=obj.pk).update(staff_comments=data["staff_comments"])

    @staticmethod
    def _accepted_message(report) -> str:
        if report.instalment_id:
            instalment = Instalment.objects.get(pk=report.instalment_id)
            return (
                f"Report accepted. The instalment of £{instalment.amount:,.2f} "
                f"is now due on {instalment.due_on:%d %b %Y}."
            )
        return "Report accepted."

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_decide"] = obj is not None and obj.status == Report.Status.SUBMITTED
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description="Accept the selected submitted reports (releases the instalments that wait for them)")
    def accept(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset.select_related("membership__organisation", "round"),
            services.report_accept,
            done="Accepted {count} report(s); any instalment that waited for one is released and now due.",
            denied="Only staff can accept reports.",
        )
