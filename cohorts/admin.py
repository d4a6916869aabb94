from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.utils import formats, timezone

from cohorts import services
from cohorts.countries import country_name
from cohorts.models import (
    Cohort,
    Contribution,
    Membership,
    Message,
    Organisation,
    OrganisationPerson,
    Participant,
    Resource,
    Theme,
)
from toolbox.admin_services import GuardedInlineMixin, ServiceAdminMixin


def wrapping_column(path: str, description: str):
    """A list column showing the object at ``path`` (for example "membership__organisation") as text that wraps.

    Django keeps a foreign-key column on one line ("nowrap"), so "Cohort 2: Open data stewards" or
    "Maya Okafor <maya@example.org>" beside another such column pushes the list past a 1280 px screen.
    The related rows come from the list's ``list_select_related``. Set it as an attribute of the admin class.
    """

    def column(model_admin, obj):
        for name in path.split("__"):
            obj = getattr(obj, name, None)
            if obj is None:
                return "-"
        return str(obj)

    return admin.display(description=description, ordering=path)(column)


def country_filter(field_path: str = "country") -> type[admin.SimpleListFilter]:
    """A "By country" filter offering only the countries the rows have, by name, in one query.

    Django's filter for a CountryField offers all 250 codes; a list of the handful present is one a
    person can scan. ``field_path`` reaches the country from the admin's model, for example
    "organisation__country" from an application.
    """

    class CountryFilter(admin.SimpleListFilter):
        title = "country"
        parameter_name = field_path

        def lookups(self, request, model_admin):
            codes = (
                model_admin.model._default_manager.exclude(**{field_path: ""})
                .exclude(**{f"{field_path}__isnull": True})
                .order_by()
                .values_list(field_path, flat=True)
                .distinct()
            )
            return sorted(((str(code), country_name(code)) for code in codes), key=lambda choice: choice[1].casefold())

        def queryset(self, request, queryset):
            if not self.value():
                return queryset
            if not country_name(self.value()):
                # Not a country code: back to the list with the admin's own "?e=1", as for any bad filter.
                raise IncorrectLookupParameters(f"{self.value()!r} is not a country code.")
            return queryset.filter(**{field_path: self.value()})

    return CountryFilter


@admin.register(Theme)
class ThemeAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["name", "position"]
    prepopulated_fields = {"slug": ["name"]}


class OrganisationPersonForm(forms.ModelForm):
    def clean_user(self):
        user = self.cleaned_data["user"]
        if self.instance.pk and user.pk != self.instance.user_id:
            raise forms.ValidationError("Remove this person and add the other one instead.")
        return user


class OrganisationPersonInline(GuardedInlineMixin, admin.TabularInline):
    model = OrganisationPerson
    form = OrganisationPersonForm
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["name", "country", "website", "created_at"]
    list_filter = [country_filter()]
    search_fields = ["name", "website"]
    inlines = [OrganisationPersonInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not OrganisationPerson:
            return super().save_formset(request, form, formset, change)
        # Builds the formset's new/changed/deleted lists (the admin's history reads them) without writing.
        formset.save(commit=False)
        organisation = form.instance
        # New people first, then roles, then removals: making someone lead and removing the old lead in
        # one save works, and the services refuse whatever would leave the organisation without a lead.
        for link in formset.new_objects:
            link.organisation = organisation
            link.full_clean()
            link.save()
        for link, changed in formset.changed_objects:
            if "role" in changed:
                services.colleague_set_role(organisation=organisation, user=link.user, role=link.role, by=request.user)
        for link in formset.deleted_objects:
            services.colleague_remove(organisation=organisation, user_to_remove=link.user, by=request.user)
        return None


@admin.register(Cohort)
class CohortAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "status", "threads"]
    list_filter = ["status"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description="threads", boolean=True, ordering="members_can_post")
    def threads(self, obj):
        # "members may start threads" as a header is wider than the rest of the row.
        return obj.members_can_post


class ParticipantInline(GuardedInlineMixin, admin.TabularInline):
    model = Participant
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Membership)
class MembershipAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["organisation_name", "cohort_name", "source", "public", "joined"]
    list_filter = ["cohort", "source"]
    list_select_related = ["organisation", "cohort"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]
    inlines = [ParticipantInline]
    organisation_name = wrapping_column("organisation", "organisation")
    cohort_name = wrapping_column("cohort", "cohort")

    @admin.display(description="public", boolean=True, ordering="listed_publicly")
    def public(self, obj):
        return obj.listed_publicly

    @admin.display(description="joined", ordering="joined_at")
    def joined(self, obj):
        return obj.joined_at.date()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # Adding an organisation directly also makes its people participants.
        membership = services.membership_add(cohort=obj.cohort, organisation=obj.organisation, source=obj.source)
        obj.pk = membership.pk
        obj.joined_at = membership.joined_at


@admin.register(Participant)
class ParticipantAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["person", "organisation", "cohort", "role", "mail"]
    list_filter = ["membership__cohort", "role", "delivery"]
    list_select_related = ["user", "membership__organisation", "membership__cohort"]
    search_fields = ["user__email", "user__name", "membership__organisation__name"]
    autocomplete_fields = ["user"]
    person = wrapping_column("user", "person")
    organisation = wrapping_column("membership__organisation", "organisation")
    cohort = wrapping_column("membership__cohort", "cohort")

    # The field's label ("Email me the cohort's messages") as a heading, which never wraps, and its long choices
    # made the list wider than a 1280 px screen beside a long address: a short heading and a word per choice.
    MAIL = {Participant.Delivery.EACH: "Every", Participant.Delivery.DIGEST: "Daily", Participant.Delivery.NONE: "None"}

    @admin.display(description="mail", ordering="delivery")
    def mail(self, obj):
        return self.MAIL.get(obj.delivery, obj.delivery)


@admin.register(Message)
class MessageAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "cohort_name", "author_name", "theme_name", "posted"]
    list_filter = ["cohort", "theme"]
    list_select_related = ["cohort", "author", "theme"]
    cohort_name = wrapping_column("cohort", "cohort")
    author_name = wrapping_column("author", "author")
    # Theme names are long ("Collaborative data collection and maintenance"): a wrapping column, not a foreign key's.
    theme_name = wrapping_column("theme", "theme")
    search_fields = ["subject", "body"]

    # Staff may set or correct a thread's theme here; what was posted stays as posted.
    readonly_fields = ["cohort", "author", "parent", "inbound_message_id", "created_at"]

    @admin.display(description="posted", ordering="created_at")
    def posted(self, obj):
        # Django keeps a date column on one line; beside a long address and a theme that is past a 1280 px screen.
        return formats.localize(timezone.template_localtime(obj.created_at))

    def has_add_permission(self, request):
        # Staff post on the cohort's page, so the emails go out through the service.
        return False


@admin.register(Resource)
class ResourceAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["title", "cohort_name", "added_by_name", "created_at"]
    list_filter = ["cohort", "themes"]
    list_select_related = ["cohort", "added_by"]
    cohort_name = wrapping_column("cohort", "cohort")
    added_by_name = wrapping_column("added_by", "added by")
    search_fields = ["title"]
    readonly_fields = ["file", "original_filename", "added_by", "created_at"]

    def has_add_permission(self, request):
        # Uploads go through the site, where the file checks live.
        return False


@admin.register(Contribution)
class ContributionAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["organisation", "cohort", "theme_name", "credit", "signed_off_at"]
    list_filter = ["membership__cohort", "theme", "credit"]
    list_select_related = ["membership__organisation", "membership__cohort", "theme"]
    organisation = wrapping_column("membership__organisation", "organisation")
    cohort = wrapping_column("membership__cohort", "cohort")
    theme_name = wrapping_column("theme", "theme")
    readonly_fields = ["membership", "theme", "learnings", "credit", "updated_at", "signed_off_at", "signed_off_by"]

    def has_add_permission(self, request):
        return False
