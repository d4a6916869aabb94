"""The applications list's "Assign reviewers" action: a page to choose reviewers or balance, then confirm.

The action first shows the selected applications and a form (the same POST, without ``confirm``);
posting the form with ``confirm`` calls ``review_assign_many`` or ``review_assign_balanced`` once
per application and goes back to the list with what was done and, per application, what was refused.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.template.response import TemplateResponse

from applications.assignment import (
    MAX_REVIEWERS_PER_APPLICATION,
    review_assign_balanced,
    review_assign_many,
    reviewers_by_load,
)
from applications.permissions import review_conflict
from cohorts.models import OrganisationPerson

BALANCE, CHOOSE = "balance", "choose"


def _label(reviewer) -> str:
    name = reviewer.get_full_name()
    who = f"{name} ({reviewer.email})" if name != reviewer.email else reviewer.email
    return f"{who}: {reviewer.open_reviews} open review{'' if reviewer.open_reviews == 1 else 's'}"


class ReviewerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return _label(obj)


class AssignReviewersForm(forms.Form):
    mode = forms.ChoiceField(
        label="How to assign",
        choices=[
            (BALANCE, "Balance: give each application reviewers from the Reviewers group, fewest open reviews first"),
            (CHOOSE, "The reviewers I choose below, on every selected application"),
        ],
        initial=BALANCE,
        widget=forms.RadioSelect,
    )
    per_application = forms.IntegerField(
        label="Reviewers each application should have (balance)",
        min_value=1,
        max_value=MAX_REVIEWERS_PER_APPLICATION,
        initial=2,
        required=False,
    )
    reviewers = ReviewerChoiceField(
        label="Reviewers (choose)",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Reviewers with a conflict with any selected application are not offered (listed below).",
    )

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        pool = reviewers_by_load()
        #: (application, reviewer, why) for every reviewer left out because of a conflict.
        self.conflicts = []
        for application in applications:
            people = [link.user for link in application.organisation.person_links.all()]
            for reviewer in pool:
                why = review_conflict(reviewer, application.organisation, people=people)
                if why:
                    self.conflicts.append((application, reviewer, why))
        excluded = {reviewer.pk for _application, reviewer, _why in self.conflicts}
        offered = [reviewer for reviewer in pool if reviewer.pk not in excluded]
        field = self.fields["reviewers"]
        field.queryset = get_user_model().objects.filter(pk__in=[r.pk for r in offered])
        # In load order, labelled with the load, without a second query.
        field.choices = [(reviewer.pk, _label(reviewer)) for reviewer in offered]

    def clean(self):
        data = super().clean()
        if data.get("mode") == CHOOSE and not data.get("reviewers") and "reviewers" not in self.errors:
            self.add_error("reviewers", "Choose at least one reviewer, or balance.")
        if data.get("mode") == BALANCE and data.get("per_application") is None and "per_application" not in self.errors:
            self.add_error("per_application", "Say how many reviewers each application should have.")
        return data


def _names(assignments) -> str:
    return ", ".join(assignment.reviewer.get_full_name() for assignment in assignments) or "nobody new"


@admin.action(description="Assign reviewers (choose, or balance by load)", permissions=["change"])
def assign_reviewers(modeladmin, request, queryset):
    applications = list(
        queryset.select_related("organisation", "call")
        .prefetch_related(
            Prefetch("organisation__person_links", queryset=OrganisationPerson.objects.select_related("user"))
        )
        .order_by("pk")
    )
    form = AssignReviewersForm(request.POST if "confirm" in request.POST else None, applications=applications)
    if form.is_bound and form.is_valid():
        data, done = form.cleaned_data, []
        for application in applications:
            try:
                if data["mode"] == BALANCE:
                    made = review_assign_balanced(
                        application=application, by=request.user, per_application=data["per_application"]
                    )
                else:
                    made = review_assign_many(application=application, reviewers=data["reviewers"], by=request.user)
            except ValidationError as exc:
                modeladmin.message_user(
                    request, f"{application.organisation.name}: {' '.join(exc.messages)}", messages.ERROR
                )
            else:
                done.append(f"{application.organisation.name}: {_names(made)}")
        if done:
            modeladmin.message_user(request, f"Reviewers assigned. {'; '.join(done)}.", messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Assign reviewers",
        "opts": modeladmin.model._meta,
        "form": form,
        "applications": applications,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "admin/applications/assign_reviewers.html", context)
