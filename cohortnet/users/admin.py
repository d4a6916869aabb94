from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.contrib.auth.forms import UserCreationForm as BaseUserCreationForm
from django.contrib.auth.models import Group

from cohortnet.users.models import User
from toolbox.admin_services import ServiceAdminMixin


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class UserChangeForm(BaseUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(ServiceAdminMixin, BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    # Name beside address, and short headers: the list fits a 1280 px screen with the menu open.
    list_display = ["email", "name", "staff", "active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("name", "time_zone")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),)

    @admin.display(description="staff", boolean=True, ordering="is_staff")
    def staff(self, obj):
        return obj.is_staff

    @admin.display(description="active", boolean=True, ordering="is_active")
    def active(self, obj):
        return obj.is_active


# The admins of the libraries' models people edit here (groups, email addresses, two-factor keys), with the
# shared mixin like every other: Django's filters and actions took "?created_at__year=-1" or a posted row "abc"
# to a 500 there. Importing them above has registered them already.
for model, library_admin in [
    (Group, GroupAdmin),
    (EmailAddress, EmailAddressAdmin),
    (Authenticator, AuthenticatorAdmin),
]:
    admin.site.unregister(model)
    admin.site.register(model, type(library_admin.__name__, (ServiceAdminMixin, library_admin), {}))
