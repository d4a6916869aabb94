"""Staff read the access log, the retention runs, the data downloads and consents; they erase a person from the
users list; they write the privacy notice and publish it."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse

from cohortnet.users.admin import UserAdmin as BaseUserAdmin
from privacy.erasure import erase_person, erasure_plan
from privacy.models import AccessRecord, Consent, DataExport, PrivacyNotice, RetentionRun
from privacy.services import notice_publish
from toolbox.admin_services import ServiceAdminMixin, apply_to_each


class ReadOnlyAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """A record nobody edits: staff with the view permission read it, nobody adds, changes or deletes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "what", "rows", "who", "ip"]
    list_filter = ["kind", ("at", admin.DateFieldListFilter)]
    list_select_related = ["who"]
    search_fields = ["what"]
    date_hierarchy = "at"


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "summary"]
    list_filter = [("started_at", admin.DateFieldListFilter)]

    @admin.display(description="what it did")
    def summary(self, obj):
        return ", ".join(f"{name.replace('_', ' ')}: {count}" for name, count in obj.counts.items()) or "—"


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdmin):
    list_display = ["pk", "user", "status", "created_at", "expires_at"]
    list_filter = ["status"]
    list_select_related = ["user"]
    exclude = ["file"]  # the file is the person's: staff see that it exists, not what it holds


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Drafts are written and changed here; publishing is an action, and a published version is read-only."""

    list_display = ["__str__", "version", "published_at", "published_by", "created_at"]
    list_select_related = ["published_by"]
    readonly_fields = ["version", "published_at", "published_by"]
    actions = ["publish", "new_draft"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.version is not None:
            return False  # published: what people read stays as it was; a change is a new version
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.version is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete would reach published versions
        return actions

    @admin.action(description="Publish as the next version", permissions=["change"])
    def publish(self, request, queryset):
        apply_to_each(self, request, queryset.order_by("pk"), notice_publish, done="Published {count} version(s).")

    @admin.action(description="Start a new draft from this text", permissions=["add"])
    def new_draft(self, request, queryset):
        for notice in queryset.order_by("pk"):
            PrivacyNotice.objects.create(title=notice.title, body=notice.body)  # a plain draft: no rule to keep
        self.message_user(request, f"Started {queryset.count()} new draft(s).", messages.SUCCESS)


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "purpose", "given", "source", "notice"]
    list_filter = ["purpose", "given", "source"]
    list_select_related = ["user", "notice"]
    search_fields = ["user__email"]
    date_hierarchy = "at"


User = get_user_model()


class UserAdmin(BaseUserAdmin):
    """The users admin with one more action: erase, after a page that says what will happen to whom."""

    actions = [*(BaseUserAdmin.actions or []), "erase_people"]

    @admin.action(description="Erase these people (name, email, sign-in; records kept)", permissions=["delete"])
    def erase_people(self, request, queryset):
        people = [person for person in queryset.order_by("pk") if person.pk != request.user.pk]
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Erase people: confirm",
                "rows": [(person, erasure_plan(person)) for person in people],
                "yourself": len(people) < queryset.count(),
                "checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "cancel": request.get_full_path(),
            }
            return TemplateResponse(request, "admin/privacy/erase_confirmation.html", context)
        for person in people:
            erase_person(user=person, by=request.user)
        self.message_user(request, f"Erased {len(people)} person(s).", messages.SUCCESS)
        return None


admin.site.unregister(User)
admin.site.register(User, UserAdmin)
