"""Request guards that hold for every URL: malformed addresses, and two-factor for staff (production)."""

import re
from urllib.parse import unquote_to_bytes

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from applications.services import REVIEWER_GROUP
from funding.permissions import FINANCE_GROUP

#: C0 control characters and DEL: no page of ours takes them in an address, and
#: PostgreSQL refuses a NUL in any string, which would otherwise be a 500.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _is_clean(raw: bytes) -> bool:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return _CONTROL.search(text) is None


class RejectMalformedURLMiddleware:
    """Answer 400 to a path or query string that is not clean UTF-8 text, before any view sees it.

    One place for every URL, instead of each view and converter guarding its
    own arguments. Both are checked decoded, so ``%00`` counts as a NUL.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # WSGI hands over the path as bytes decoded as latin-1, already percent-decoded.
        path = request.META.get("PATH_INFO", "").encode("iso-8859-1", errors="replace")
        query = request.META.get("QUERY_STRING", "").encode("iso-8859-1", errors="replace").replace(b"+", b" ")
        if not (_is_clean(path) and _is_clean(unquote_to_bytes(query))):
            return HttpResponseBadRequest("This address contains characters no page here accepts.")
        return self.get_response(request)


#: Groups whose members see other organisations' data (money, applications under review).
PRIVILEGED_GROUPS = (FINANCE_GROUP, REVIEWER_GROUP)


def needs_second_factor(user) -> bool:
    """Whoever sees other organisations' data because of who they are: staff, Finance, reviewers."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.filter(name__in=PRIVILEGED_GROUPS).exists()


def session_used_second_factor(request) -> bool:
    """allauth records each way this session proved who it is; "mfa" is a code or key, at sign-in or since."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


class StaffRequiresMFAMiddleware:
    """Staff, Finance and reviewers reach nothing but their account pages until this session used two factors.

    On when ``ADMIN_REQUIRE_MFA`` is (by default in production mode). Guarding
    every URL in one place, rather than the admin alone, covers every page that
    shows more because of who you are: threads, directories and files of every
    cohort, awards, finance exports, applications under review. Without an
    authenticator they are sent to set one up; with one, but signed in on a
    password alone (a session older than the authenticator), to enter a code.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # Every allauth page (sign in and out, the 2FA pages) lives under the prefix of its login page.
        self.account_prefix = reverse("account_login").removesuffix("login/")

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.ADMIN_REQUIRE_MFA
            and user is not None
            and not request.path.startswith(self.account_prefix)
            and needs_second_factor(user)
            and not session_used_second_factor(request)
        ):
            if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                messages.info(request, "Enter a code from your authenticator app to continue.")
                return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
            messages.warning(
                request, "Set up two-factor authentication to continue: your account sees other organisations' data."
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
