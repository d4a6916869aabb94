from django.contrib import admin

from funding import services
from funding.models import Award, Instalment


class InstalmentInline(admin.TabularInline):
    model = Instalment
    extra = 0


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["organisation", "cohort", "amount", "status", "created_at"]
    list_filter = ["status", "membership__cohort"]
    list_select_related = ["membership__organisation", "membership__cohort"]
    search_fields = ["membership__organisation__name"]
    readonly_fields = ["created_by", "created_at"]
    inlines = [InstalmentInline]

    @admin.display(ordering="membership__organisation__name")
    def organisation(self, obj):
        return obj.membership.organisation

    @admin.display(ordering="membership__cohort__name")
    def cohort(self, obj):
        return obj.membership.cohort

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        award = services.award_create(
            membership=obj.membership, amount=obj.amount, created_by=request.user, notes=obj.notes
        )
        obj.pk = award.pk
        obj.created_at = award.created_at
        obj.created_by = award.created_by


@admin.register(Instalment)
class InstalmentAdmin(admin.ModelAdmin):
    list_display = ["award", "amount", "due_on", "status"]
    list_filter = ["status"]
    list_select_related = ["award__membership__organisation"]
