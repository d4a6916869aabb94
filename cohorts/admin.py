from django.contrib import admin

from cohorts import services
from cohorts.models import Cohort, Membership, Organisation, OrganisationPerson, Participant, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    prepopulated_fields = {"slug": ["name"]}


class OrganisationPersonInline(admin.TabularInline):
    model = OrganisationPerson
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "website", "created_at"]
    search_fields = ["name", "website"]
    inlines = [OrganisationPersonInline]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "status"]
    list_filter = ["status"]
    prepopulated_fields = {"slug": ["name"]}


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["organisation", "cohort", "source", "joined_at"]
    list_filter = ["cohort", "source"]
    list_select_related = ["organisation", "cohort"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]
    inlines = [ParticipantInline]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # Adding an organisation directly also makes its people participants.
        membership = services.membership_add(cohort=obj.cohort, organisation=obj.organisation, source=obj.source)
        obj.pk = membership.pk
        obj.joined_at = membership.joined_at


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["user", "membership", "role"]
    list_filter = ["membership__cohort", "role"]
    list_select_related = ["user", "membership__organisation", "membership__cohort"]
    search_fields = ["user__email", "membership__organisation__name"]
    autocomplete_fields = ["user"]
