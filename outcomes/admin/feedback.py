"""Admin for the feedback part of outcomes: staff build forms here and open their results."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from outcomes.models import FeedbackForm, FeedbackQuestion
from toolbox.admin_services import GuardedInlineMixin, ServiceAdminMixin
from toolbox.admin_times import ZonedTimesAdminMixin


class FeedbackQuestionFormSet(forms.BaseInlineFormSet):
    """Refuses deleting a question people have answered: its answers would go with it."""

    def clean(self):
        super().clean()
        answered = [
            form.instance.label
            for form in self.deleted_forms
            if form.instance.pk is not None and form.instance.has_answers
        ]
        if answered:
            raise forms.ValidationError(
                "People have answered "
                + ", ".join(f"“{label}”" for label in answered)
                + ": a question with answers cannot be deleted."
            )


class FeedbackQuestionInline(GuardedInlineMixin, admin.StackedInline):
    model = FeedbackQuestion
    formset = FeedbackQuestionFormSet
    extra = 1
    fields = ["label", "kind", "required", "help_text", "choices", "position"]


@admin.register(FeedbackForm)
class FeedbackFormAdmin(ZonedTimesAdminMixin, ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["title", "cohort", "event", "anonymous", "closes_at", "answers", "results"]
    list_filter = ["cohort", "anonymous"]
    list_select_related = ["cohort", "event"]
    search_fields = ["title"]
    fields = ["cohort", "event", "title", "intro", "anonymous", "opens_at", "closes_at", "results"]
    readonly_fields = ["results"]
    inlines = [FeedbackQuestionInline]
    # The form's times have no zone of their own: they are typed and shown in UTC.
    time_zone_field = ""
    time_zone_owner = "as forms have no time zone of their own"

    def time_zone_of(self, obj) -> str:
        return "UTC"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(answer_total=Count("responses"))

    @admin.display(description="answers", ordering="answer_total")
    def answers(self, obj):
        return obj.answer_total

    @admin.display(description="results")
    def results(self, obj):
        if obj is None or obj.pk is None:
            return "Saved forms show their results here."
        return format_html(
            '<a href="{}">Results: counts and charts</a> · <a href="{}">Answers (CSV)</a>',
            reverse("outcomes:feedback_results", kwargs={"pk": obj.pk}),
            reverse("outcomes:feedback_results_csv", kwargs={"pk": obj.pk}),
        )
