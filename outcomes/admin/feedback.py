"""Admin for the feedback part of outcomes: staff build forms here and open their results."""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from outcomes.models import FeedbackForm, FeedbackQuestion
from toolbox.admin_services import GuardedInlineMixin, ServiceAdminMixin
from toolbox.admin_times import ZonedTimesAdminMixin

#: Where the admin's generic note says "what you type is what the public pages show", which is not so here.
TIME_ZONE_NOTE = (
    "Type it in UTC (forms have no time zone of their own); the answer page and the emails show it "
    "to each person in their own time zone."
)


class FeedbackFormAdminForm(forms.ModelForm):
    """Says only what is wrong: an event that could not be read is not also "a cohort form needs an opening time"."""

    def _post_clean(self):
        event_refused = "event" in self._errors
        super()._post_clean()
        if event_refused and "opens_at" in self._errors:
            kept = [e for e in self._errors["opens_at"] if not e.startswith("A cohort form needs an opening time")]
            if kept:
                self._errors["opens_at"] = self.error_class(kept)
            else:
                del self._errors["opens_at"]


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
    form = FeedbackFormAdminForm
    # The form's times have no zone of their own: staff type them in UTC; the pages show each viewer's zone.
    time_zone_field = ""
    time_zone_owner = "as forms have no time zone of their own"

    def time_zone_of(self, obj) -> str:
        return "UTC"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(db_field, models.DateTimeField):
            help_text = str(db_field.help_text or "")
            formfield.help_text = f"{help_text} {TIME_ZONE_NOTE}".strip()
        return formfield

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
