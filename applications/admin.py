from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q

from applications import services
from applications.exports import applications_csv
from applications.models import (
    Application,
    Criterion,
    DecisionTemplate,
    Invitation,
    OpenCall,
    Question,
    ReviewAssignment,
    Transition,
)
from applications.selectors import applications_with_scores
from toolbox.admin_lists import LongChangelistMixin
from toolbox.admin_services import ServiceAdminMixin, apply_to_each
from toolbox.admin_times import ZonedTimesAdminMixin, zoned_column

S = Application.Status


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "label", "kind", "required", "help_text", "choices"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "name", "weight", "description"]


class DecisionTemplateInline(admin.StackedInline):
    model = DecisionTemplate
    extra = 0
    fields = ["decision", "subject", "body"]
    verbose_name_plural = "decision emails (placeholders: $organisation, $call, $name, $status_url, $cohort_url)"


@admin.register(OpenCall)
class OpenCallAdmin(ZonedTimesAdminMixin, ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["title", "cohort", "opens", "closes", "time_zone"]
    list_select_related = ["cohort"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuestionInline, CriterionInline, DecisionTemplateInline]
    time_zone_owner = "the call's time zone (set below)"
    opens = admin.display(description="opens", ordering="opens_at")(zoned_column("opens_at"))
    closes = admin.display(description="closes", ordering="closes_at")(zoned_column("closes_at"))


@admin.register(Invitation)
class InvitationAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["organisation_name", "contact_email", "call", "sent_at", "opened_at", "application_status"]
    list_filter = ["call"]
    list_select_related = ["call"]
    search_fields = ["organisation_name", "contact_email"]
    fields = ["call", "organisation_name", "contact_name", "contact_email", "sent_at", "opened_at"]
    readonly_fields = ["sent_at", "opened_at"]
    actions = ["send_invitations"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("applications")

    @admin.display(description="application")
    def application_status(self, obj):
        applications = list(obj.applications.all())
        return applications[0].get_status_display() if applications else "—"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Send the invitation email", permissions=["change"])
    def send_invitations(self, request, queryset):
        apply_to_each(self, request, queryset, services.invitation_send, done="Sent {count} invitation(s).")


class ReviewAssignmentInline(admin.TabularInline):
    model = ReviewAssignment
    fk_name = "application"
    extra = 0
    fields = ["reviewer", "assigned_at", "submitted_at", "recommendation", "conflict_declared_at", "conflict_note"]
    readonly_fields = ["assigned_at", "submitted_at", "recommendation", "conflict_declared_at", "conflict_note"]
    verbose_name_plural = "reviewers (members of the Reviewers group)"

    def has_change_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reviewer":
            kwargs["queryset"] = get_user_model().objects.filter(groups__name=services.REVIEWER_GROUP)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "history"

    def has_add_permission(self, request, obj=None):
        return False


class ScoreBandFilter(admin.SimpleListFilter):
    title = "weighted score"
    parameter_name = "score"
    BANDS = {"4": (4, 5.01), "3": (3, 4), "2": (2, 3), "1": (1, 2)}

    def lookups(self, request, model_admin):
        return [("4", "4 to 5"), ("3", "3 to 4"), ("2", "2 to 3"), ("1", "1 to 2"), ("none", "Not scored")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(weighted_score__isnull=True)
        if self.value() in self.BANDS:
            low, high = self.BANDS[self.value()]
            return queryset.filter(weighted_score__gte=low, weighted_score__lt=high)
        return queryset


class ReviewerFilter(admin.SimpleListFilter):
    title = "reviewer"
    parameter_name = "reviewer"

    def lookups(self, request, model_admin):
        reviewers = get_user_model().objects.filter(groups__name=services.REVIEWER_GROUP).order_by("email")
        return [(str(r.pk), r.get_full_name()) for r in reviewers]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Q(assignments__reviewer_id=self.value()) & Q(assignments__conflict_declared_at__isnull=True)
            ).distinct()
        return queryset


APPLICATION_HEAD = ["call", "organisation", "created_by", "invitation", "status"]
APPLICATION_ANSWERS = [
    "data_stewarded", "licence", "sustainability", "themes", "contribution", "time_commitment",
    "funding_requested", "consent_to_publish", "extra_answers",
]  # fmt: skip
APPLICATION_DATES = ["submitted_at", "decided_at", "decided_by", "created_at", "updated_at"]


def _organisation(application) -> str:
    return str(application.organisation)


@admin.register(Application)
class ApplicationAdmin(ZonedTimesAdminMixin, ServiceAdminMixin, LongChangelistMixin, admin.ModelAdmin):
    list_display = [
        "organisation",
        "call",
        "submitted",
        "score",
        "reviews",
        "status",
    ]
    list_filter = ["call", "status", "themes", "organisation__country", ScoreBandFilter, ReviewerFilter]
    list_select_related = ["organisation", "call"]
    search_fields = ["organisation__name", "data_stewarded", "licence"]
    inlines = [ReviewAssignmentInline, TransitionInline]
    actions = [
        "start_review",
        "invite_to_interview",
        "accept_applications",
        "waitlist_applications",
        "reject_applications",
        "export_csv",
    ]
    fieldsets = [
        (None, {"fields": APPLICATION_HEAD}),
        ("Answers", {"fields": APPLICATION_ANSWERS}),
        ("Deadline", {"fields": ["deadline_extended_until"]}),
        ("Dates", {"fields": APPLICATION_DATES}),
    ]
    # Staff change only the deadline here; the rest moves through the actions (services).
    readonly_fields = [*APPLICATION_HEAD, *APPLICATION_ANSWERS, *APPLICATION_DATES]
    # An extension is typed, and shown to the applicant, in the call's zone.
    time_zone_field = ""
    time_zone_owner = "the call's time zone"
    submitted = admin.display(description="submitted", ordering="submitted_at")(
        zoned_column("submitted_at", zone_of=lambda application: application.call.time_zone)
    )

    def time_zone_of(self, obj) -> str:
        return obj.call.time_zone

    def get_queryset(self, request):
        return applications_with_scores(super().get_queryset(request))

    def has_add_permission(self, request):
        # Applications are made by organisations on the site, never typed in here.
        return False

    @admin.display(description="weighted score", ordering="weighted_score")
    def score(self, obj):
        return f"{obj.weighted_score:.2f}" if obj.weighted_score is not None else "—"

    @admin.display(description="reviews done / assigned")
    def reviews(self, obj):
        return f"{obj.reviews_done} / {obj.reviews_assigned}"

    def save_formset(self, request, form, formset, change):
        if formset.model is not ReviewAssignment:
            return super().save_formset(request, form, formset, change)
        # Builds the formset's new/deleted lists (the admin's history reads them) without writing anything.
        formset.save(commit=False)
        # New reviewers go through the service, which checks the Reviewers group; a refusal is shown on the
        # form and nothing is saved (ServiceAdminMixin).
        for assignment in formset.new_objects:
            services.review_assign(application=form.instance, reviewer=assignment.reviewer, by=request.user)
        for assignment in formset.deleted_objects:
            assignment.delete()

    def _move(self, request, queryset, to):
        verb = {
            S.UNDER_REVIEW: "Moved to review",
            S.INTERVIEW: "Invited to interview",
            S.ACCEPTED: "Accepted",
            S.WAITLISTED: "Waitlisted",
            S.REJECTED: "Declined",
        }[to]
        extra = " Decision emails are held in the outbox for you to read and send." if to in services.DECISIONS else ""
        rows, done = queryset.select_related("organisation"), f"{verb} {{count}} application(s).{extra}"
        apply_to_each(self, request, rows, services.application_transition, done=done, name=_organisation, to=to)

    @admin.action(description="Start review", permissions=["change"])
    def start_review(self, request, queryset):
        self._move(request, queryset, S.UNDER_REVIEW)

    @admin.action(description="Invite to interview", permissions=["change"])
    def invite_to_interview(self, request, queryset):
        self._move(request, queryset, S.INTERVIEW)

    @admin.action(description="Accept: make the organisation a member of the cohort", permissions=["change"])
    def accept_applications(self, request, queryset):
        self._move(request, queryset, S.ACCEPTED)

    @admin.action(description="Put on the waiting list", permissions=["change"])
    def waitlist_applications(self, request, queryset):
        self._move(request, queryset, S.WAITLISTED)

    @admin.action(description="Decline", permissions=["change"])
    def reject_applications(self, request, queryset):
        self._move(request, queryset, S.REJECTED)

    @admin.action(description="Export the selected applications as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return applications_csv(queryset)
