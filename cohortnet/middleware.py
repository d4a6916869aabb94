"""Staff must have two-factor authentication before the admin opens (production)."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse


class AdminRequiresMFAMiddleware:
    """Send signed-in staff without an authenticator to set one up, instead of into the admin.

    On when ``ADMIN_REQUIRE_MFA`` is (by default in production mode). The
    admin holds money and many organisations' data: a password alone is not enough.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = reverse("admin:index")

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.ADMIN_REQUIRE_MFA
            and request.path.startswith(self.admin_prefix)
            and user is not None
            and user.is_authenticated
            and user.is_staff
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            messages.warning(request, "Set up two-factor authentication to use the admin.")
            return redirect("mfa_activate_totp")
        return self.get_response(request)
