from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join

from applications import services
from applications.admin_assign import assign_reviewers
from applications.admin_stages import (
    ApplicationAdminForm,
    InterviewInline,
    save_feedback,
    shortlist_expressions,
)
from applications.exports import applications_csv
from applications.models import (
    Application,
    Criterion,
    DecisionTemplate,
    FaqItem,
    Invitation,
    OpenCall,
    Question,
    ReviewAssignment,
    Transition,
)
from applications.permissions import review_conflict
from applications.selectors import applications_for_pipeline, pipeline_counts
from applications.services.lifecycle import EXPRESSION_MOVES
from applications.workflow import TRANSITIONS, refusal
from cohorts.admin import country_filter, wrapping_column
from cohorts.models import Membership
from toolbox.admin_lists import LongChangelistMixin
from toolbox.admin_services import ServiceAdminMixin, apply_to_each
from toolbox.admin_times import ZonedTimesAdminMixin, zoned_column
from toolbox.csvutils import csv_exported_by
from toolbox.timezones import in_zone

S = Application.Status


class QuestionInline(admin.StackedInline):
    """Stacked, as the criteria: as table rows with the admin's large text areas (the choices, a criterion's
    description) they were up to ~1,950 px wide and the open call's page scrolled sideways at 1280 px."""

    model = Question
    extra = 0
    fields = ["position", "stage", "label", "kind", "required", "help_text", "choices"]


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0
    fields = ["position", "name", "weight", "description"]


class DecisionTemplateInline(admin.StackedInline):
    model = DecisionTemplate
    extra = 0
    fields = ["decision", "subject", "body"]
    verbose_name_plural = "decision emails (placeholders: $organisation, $call, $name, $status_url, $cohort_url)"


class FaqItemInline(admin.StackedInline):
    model = FaqItem
    extra = 0
    fields = ["position", "question", "answer"]
    verbose_name_plural = "FAQ on the call page (answers accept Markdown; hidden when there are none)"


@admin.register(OpenCall)
class OpenCallAdmin(ZonedTimesAdminMixin, ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["title", "cohort", "opens", "closes", "time_zone"]
    list_select_related = ["cohort"]
    prepopulated_fields = {"slug": ["title"]}
    # A handful of themes: ticking boxes beats a multiple select.
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    fieldsets = [
        (None, {"fields": ["cohort", "title", "slug", "summary", "funding_cap"]}),
        (
            "The story on the call page (Markdown accepted; empty sections are hidden)",
            {"fields": ["description", "eligibility", "themes", "members_get", "members_give"]},
        ),
        ("Timeline", {"fields": ["opens_at", "closes_at", "decisions_by", "review_deadline", "time_zone"]}),
        (
            "Selection in stages (leave empty for a one-stage call)",
            {"fields": ["expressions_close_at", "interviews_book_by"]},
        ),
    ]
    inlines = [FaqItemInline, QuestionInline, CriterionInline, DecisionTemplateInline]
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


class ReviewAssignmentFormSet(BaseInlineFormSet):
    """Each row's controls named for screen readers: a table heading labels none of them."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if form.instance.pk and "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = f"Remove {form.instance.reviewer.get_full_name()}"
        if "reviewer" in form.fields:
            widget = form.fields["reviewer"].widget
            # The admin wraps the select (with its add/change links); the select itself is what is drawn.
            getattr(widget, "widget", widget).attrs["aria-label"] = "Reviewer to add"


class ReviewAssignmentInline(admin.TabularInline):
    model = ReviewAssignment
    formset = ReviewAssignmentFormSet
    fk_name = "application"
    extra = 0
    fields = ["reviewer", "assigned_at", "submitted_at", "recommendation", "conflict_declared_at", "conflict_note"]
    readonly_fields = ["assigned_at", "submitted_at", "recommendation", "conflict_declared_at", "conflict_note"]
    verbose_name_plural = "reviewers (members of the Reviewers group)"

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reviewer")

    def get_formset(self, request, obj=None, **kwargs):
        # The application whose page this is: the reviewer dropdown leaves out who conflicts with it.
        self._application = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reviewer":
            reviewers = get_user_model().objects.filter(groups__name=services.REVIEWER_GROUP)
            application = getattr(self, "_application", None)
            if application is not None:
                organisation = application.organisation
                people = [link.user for link in organisation.person_links.select_related("user")]
                conflicted = [r.pk for r in reviewers if review_conflict(r, organisation, people=people)]
                reviewers = reviewers.exclude(pk__in=conflicted)
            kwargs["queryset"] = reviewers
            kwargs["error_messages"] = {
                "invalid_choice": "Choose a reviewer from the list: only the Reviewers group is offered, without "
                "those who act for this organisation or share its email domain."
            }
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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


APPLICATION_HEAD = ["neighbours", "call", "organisation", "created_by", "invitation", "stage", "status"]
APPLICATION_ANSWERS = [
    "data_stewarded", "licence", "sustainability", "themes", "contribution", "time_commitment",
    "funding_requested", "consent_to_publish", "question_answers",
]  # fmt: skip
APPLICATION_REVIEWS = ["score_table", "review_comments"]
APPLICATION_DATES = [
    "expression_submitted_at", "shortlisted_at", "full_started_at", "submitted_at", "decided_at", "decided_by",
    "created_at", "updated_at",
]  # fmt: skip

_HELD = "a decision email to each of its people is drafted and held in the outbox for you to read and send"


class Move:
    """A step staff take from the pipeline or the application page, and what it does, for the confirmation."""

    def __init__(self, to: str, action: str, button: str, done: str, effect: str):
        self.to, self.action, self.button, self.done, self.effect = to, action, button, done, effect


#: The button names are those the workflow's refusals tell staff to choose (applications/workflow.py).
MOVES = {
    move.to: move
    for move in [
        Move(S.UNDER_REVIEW, "start_review", "Start review", "Moved to review",
             "Reviewers can score it. No email is sent."),
        Move(S.SHORTLISTED, "shortlist_applications", "Shortlist", "Shortlisted",
             "It goes on the shortlist, to be invited to interview or decided. "
             "Its page tells the organisation you would like to know more. No email is sent."),
        Move(S.INTERVIEW, "invite_to_interview", "Invite to interview", "Invited to interview",
             "It moves to the interview stage. No email is sent: you arrange the interview."),
        Move(S.ACCEPTED, "accept_applications", "Accept", "Accepted",
             f"The organisation becomes a member of the call's cohort, and {_HELD}."),
        Move(S.WAITLISTED, "waitlist_applications", "Put on the waiting list", "Waitlisted",
             f"It goes on the waiting list, and {_HELD}."),
        Move(S.REJECTED, "reject_applications", "Decline", "Declined", f"It is declined, and {_HELD}."),
    ]
}  # fmt: skip


def _organisation(application) -> str:
    return str(application.organisation)


def _person(user) -> str:
    return user.get_full_name() if user is not None else "Someone"


@admin.register(Application)
class ApplicationAdmin(ZonedTimesAdminMixin, ServiceAdminMixin, LongChangelistMixin, admin.ModelAdmin):
    # Organisation and call as text that wraps, and short headings that wrap (admin_pipeline.css): 1280 px with
    # the menu and the filters open.
    list_display = [
        "organisation_name",
        "open_call",
        "submitted",
        "score",
        "reviews",
        "conflicts_declared",
        "status",
    ]
    list_filter = [
        "call",
        "stage",
        "status",
        "themes",
        country_filter("organisation__country"),
        ScoreBandFilter,
        ReviewerFilter,
    ]
    list_select_related = ["organisation", "call"]
    list_display_links = ["organisation_name"]
    organisation_name = wrapping_column("organisation", "organisation")
    open_call = wrapping_column("call", "call")
    search_fields = ["organisation__name", "data_stewarded", "licence"]
    inlines = [ReviewAssignmentInline, InterviewInline]
    form = ApplicationAdminForm
    actions = [
        assign_reviewers,
        "start_review",
        shortlist_expressions,
        "shortlist_applications",
        "invite_to_interview",
        "accept_applications",
        "waitlist_applications",
        "reject_applications",
        "export_csv",
    ]
    fieldsets = [
        (None, {"fields": APPLICATION_HEAD}),
        ("Answers", {"fields": APPLICATION_ANSWERS}),
        ("Reviews", {"fields": APPLICATION_REVIEWS}),
        ("History", {"fields": ["history"]}),
        (
            "Feedback to the organisation (it reads this once the decision email is sent)",
            {"fields": ["feedback_template", "feedback"]},
        ),
        ("Deadline", {"fields": ["deadline_extended_until"]}),
        ("Dates", {"fields": APPLICATION_DATES}),
    ]
    # Staff change only the deadline here; the rest moves through the actions (services).
    readonly_fields = [*APPLICATION_HEAD, *APPLICATION_ANSWERS, *APPLICATION_REVIEWS, "history", *APPLICATION_DATES]
    # An extension is typed, and shown to the applicant, in the call's zone.
    time_zone_field = ""
    time_zone_owner = "the call's time zone"
    submitted = admin.display(description="submitted", ordering="submitted_at")(
        zoned_column("submitted_at", zone_of=lambda application: application.call.time_zone)
    )

    def time_zone_of(self, obj) -> str:
        return obj.call.time_zone

    def get_queryset(self, request):
        return applications_for_pipeline(super().get_queryset(request))

    def has_add_permission(self, request):
        # Applications are made by organisations on the site, never typed in here.
        return False

    def save_model(self, request, obj, form, change):
        save_feedback(request, obj, form)

    # --- The pipeline ----------------------------------------------------------------------------

    @admin.display(description="weighted score", ordering="weighted_score")
    def score(self, obj):
        return f"{obj.weighted_score:.2f}" if obj.weighted_score is not None else "—"

    @admin.display(description="reviews done / assigned")
    def reviews(self, obj):
        return f"{obj.reviews_done} / {obj.reviews_assigned}"

    @admin.display(description="conflicts", ordering="conflicts")
    def conflicts_declared(self, obj):
        return obj.conflicts

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl")
        if cl is not None:
            response.context_data["pipeline"] = self._pipeline(cl)
        return response

    def _pipeline(self, cl) -> dict:
        """The counts per workflow state of the call filtered on (or of every call), each a link to its list."""
        call_id = cl.params.get("call__id__exact")
        # Django's own filter runs the query only when there are two calls or more: ask for the one title here.
        call = OpenCall.objects.filter(pk=call_id).first() if call_id else None
        current = cl.params.get("status__exact")
        states = [
            {
                "label": label,
                "count": count,
                "url": cl.get_query_string({"status__exact": status}, ["p"]),
                "current": status == current,
            }
            for status, label, count in pipeline_counts(call_id=call.pk if call else None)
        ]
        return {"call": call, "states": states, "all_url": cl.get_query_string({}, ["p", "status__exact"])}

    # --- The staff application page ------------------------------------------------------------

    @admin.display(description="goes with")
    def neighbours(self, obj):
        """Links to the organisation, the call, the cohort and, once accepted, the membership and its award.

        The award is read through the membership's reverse relation and linked by URL name: applications
        does not import funding.
        """
        pairs = [
            (
                f"Organisation: {obj.organisation.name}",
                reverse("admin:cohorts_organisation_change", args=[obj.organisation_id]),
            ),
            (f"Call: {obj.call.title}", reverse("admin:applications_opencall_change", args=[obj.call_id])),
        ]
        membership = None
        if obj.status == S.ACCEPTED:
            membership = (
                Membership.objects.filter(cohort_id=obj.call.cohort_id, organisation_id=obj.organisation_id)
                .select_related("award")
                .first()
            )
        if membership is not None:
            pairs.append(("Membership", reverse("admin:cohorts_membership_change", args=[membership.pk])))
            try:
                award = membership.award
            except ObjectDoesNotExist:
                pairs.append(("Add award", f"{reverse('admin:funding_award_add')}?membership={membership.pk}"))
            else:
                pairs.append((f"Award of £{award.amount:,.2f}", reverse("admin:funding_award_change", args=[award.pk])))
        cohort = obj.call.cohort
        pairs.append((f"Cohort: {cohort.name}", reverse("admin:cohorts_cohort_change", args=[cohort.pk])))
        if membership is not None:
            pairs.append(("Budget dashboard", reverse("funding:dashboard", args=[cohort.slug])))
        return format_html_join(" · ", '<a href="{}">{}</a>', ((url, label) for label, url in pairs))

    @admin.display(description="answers to the call's questions")
    def question_answers(self, obj):
        answers = dict(obj.extra_answers or {})
        rows = [
            (q.label, services.answer_text(answers.pop(str(q.pk), None)) or "Not answered")
            for q in obj.call.questions.all()
        ]
        rows += [
            (f"A question since removed (number {key})", services.answer_text(value)) for key, value in answers.items()
        ]
        if not rows:
            return "This call asks no extra questions."
        return format_html("<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))

    def _reviews(self, obj) -> list[ReviewAssignment]:
        if not hasattr(obj, "_staff_reviews"):
            obj._staff_reviews = list(
                obj.assignments.select_related("reviewer").prefetch_related("scores").order_by("assigned_at", "pk")
            )
        return obj._staff_reviews

    @admin.display(description="scores (1 to 5) by criterion")
    def score_table(self, obj):
        counted = [a for a in self._reviews(obj) if a.submitted_at and not a.conflict_declared_at]
        criteria = list(obj.call.criteria.all())
        if not counted or not criteria:
            return "No review has been submitted yet."
        values = {(a.pk, s.criterion_id): s.value for a in counted for s in a.scores.all()}
        head = format_html_join("", '<th scope="col">{}</th>', ((_person(a.reviewer),) for a in counted))
        body = []
        for criterion in criteria:
            given = [values[a.pk, criterion.pk] for a in counted if (a.pk, criterion.pk) in values]
            mean = f"{sum(given) / len(given):.2f}" if given else "—"
            cells = format_html_join("", "<td>{}</td>", ((values.get((a.pk, criterion.pk), "—"),) for a in counted))
            body.append(
                format_html(
                    '<tr><th scope="row">{}</th><td>{}</td>{}<td>{}</td></tr>',
                    criterion.name,
                    criterion.weight,
                    cells,
                    mean,
                )
            )
        total = f"{obj.weighted_score:.2f}" if obj.weighted_score is not None else "—"
        return format_html(
            '<table><thead><tr><th scope="col">Criterion</th><th scope="col">Weight</th>{}<th scope="col">Mean</th>'
            '</tr></thead><tbody>{}</tbody><tfoot><tr><th scope="row" colspan="{}">Weighted total</th><td>{}</td>'
            "</tr></tfoot></table>",
            head, format_html_join("", "{}", ((row,) for row in body)), len(counted) + 2, total,
        )  # fmt: skip

    @admin.display(description="reviewers' comments")
    def review_comments(self, obj):
        scores = {c.pk: c.name for c in obj.call.criteria.all()}
        items = []
        for a in self._reviews(obj):
            if a.conflict_declared_at:
                items.append(
                    format_html(
                        "<dt>{}</dt><dd>Declared a conflict: {}</dd>", _person(a.reviewer), a.conflict_note or "no note"
                    )
                )
            elif not a.submitted_at:
                items.append(format_html("<dt>{}</dt><dd>Not submitted yet.</dd>", _person(a.reviewer)))
            else:
                notes = format_html_join(
                    "",
                    "<li>{}: {}</li>",
                    ((scores.get(s.criterion_id, ""), s.comment) for s in a.scores.all() if s.comment),
                )
                items.append(
                    format_html(
                        "<dt>{} recommends: {}</dt><dd>{}{}</dd>",
                        _person(a.reviewer), a.get_recommendation_display() or "no recommendation",
                        a.comment or "No comment.", format_html("<ul>{}</ul>", notes) if notes else "",
                    )
                )  # fmt: skip
        if not items:
            return "No reviewer assigned yet."
        return format_html("<dl>{}</dl>", format_html_join("", "{}", ((item,) for item in items)))

    @admin.display(description="history")
    def history(self, obj):
        lines = []
        for step in Transition.objects.filter(application=obj).select_related("by"):
            local = in_zone(step.at, obj.call.time_zone)
            line = (
                f"{date_format(local, 'j M H:i')} {local.tzname()} — {_person(step.by)} moved it from "
                f"{step.get_from_status_display()} to {step.get_to_status_display()}"
            )
            lines.append(f"{line}: {step.note}" if step.note else line)
        if not lines:
            return "Nothing yet: the application has not been submitted."
        return format_html("<ol>{}</ol>", format_html_join("", "<li>{}</li>", ((line,) for line in lines)))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            context["decisions"] = [
                (MOVES[to].button, reverse("admin:applications_application_decide", args=[obj.pk, to]))
                for to in MOVES
                if to in TRANSITIONS[obj.status]
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

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

    # --- Deciding: always through a confirmation page ----------------------------------------------

    def get_urls(self):
        decide = path(
            "<path:object_id>/decide/<str:to>/",
            self.admin_site.admin_view(self.decide_view),
            name="applications_application_decide",
        )
        return [decide, *super().get_urls()]

    def _confirmation(self, request, rows, move: Move, *, action: str = "", cancel: str):
        """The page that says what ``move`` will do to each application, and what it cannot do and why."""
        listed = [(row, _move_refusal(row, move.to)) for row in rows]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{move.button}: confirm",
            "move": move,
            "rows": listed,
            "ready": sum(1 for _row, refused in listed if refused is None),
            "action": action,
            "checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "cancel": cancel,
        }
        return TemplateResponse(request, "admin/applications/application/decide_confirmation.html", context)

    def _move(self, request, queryset, to):
        move = MOVES[to]
        rows = queryset.select_related("organisation", "call__cohort")
        if request.POST.get("post") != "yes":
            return self._confirmation(request, rows, move, action=move.action, cancel=request.get_full_path())
        extra = " Decision emails are held in the outbox for you to read and send." if to in services.DECISIONS else ""
        done = f"{move.done} {{count}} application(s).{extra}"
        apply_to_each(self, request, rows, services.application_transition, done=done, name=_organisation, to=to)
        return None

    def decide_view(self, request, object_id, to):
        """One application, from the buttons on its page: GET confirms, POST applies (then back to the page)."""
        if to not in MOVES:
            raise Http404("No such step.")
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such application.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        page = reverse("admin:applications_application_change", args=[obj.pk])
        if request.method == "POST":
            done = f"{MOVES[to].done} {{count}} application(s)."
            if to in services.DECISIONS:
                done += " Decision emails are held in the outbox for you to read and send."
            apply_to_each(self, request, [obj], services.application_transition, done=done, name=_organisation, to=to)
            return HttpResponseRedirect(page)
        return self._confirmation(request, [obj], MOVES[to], cancel=page)

    @admin.action(description="Start review", permissions=["change"])
    def start_review(self, request, queryset):
        return self._move(request, queryset, S.UNDER_REVIEW)

    @admin.action(description="Shortlist", permissions=["change"])
    def shortlist_applications(self, request, queryset):
        return self._move(request, queryset, S.SHORTLISTED)

    @admin.action(description="Invite to interview", permissions=["change"])
    def invite_to_interview(self, request, queryset):
        return self._move(request, queryset, S.INTERVIEW)

    @admin.action(description="Accept: make the organisation a member of the cohort", permissions=["change"])
    def accept_applications(self, request, queryset):
        return self._move(request, queryset, S.ACCEPTED)

    @admin.action(description="Put on the waiting list", permissions=["change"])
    def waitlist_applications(self, request, queryset):
        return self._move(request, queryset, S.WAITLISTED)

    @admin.action(description="Decline", permissions=["change"])
    def reject_applications(self, request, queryset):
        return self._move(request, queryset, S.REJECTED)

    @admin.action(description="Export the selected applications as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return csv_exported_by(request, applications_csv(queryset))


def _move_refusal(application, to: str) -> str | None:
    """Why ``application`` cannot move to ``to`` (as the service would refuse it), or None when it can."""
    if to not in TRANSITIONS[application.status]:
        return refusal(application.status, to)
    if application.is_expression and to not in EXPRESSION_MOVES:
        return "This is an expression of interest: shortlist it (“Invite to the full application”) or decline it."
    return None
