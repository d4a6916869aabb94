"""Request guards that hold for every URL: malformed addresses, and two-factor for staff (production)."""

import re
from urllib.parse import unquote_to_bytes

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode

from applications.models import ReviewAssignment
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
    return ViewerAccess(user).needs_second_factor


class ViewerAccess:
    """What the signed-in person's groups and review assignments give them, read once per request.

    Two facts every page may need: whether a group shows them other organisations' data (the two-factor
    guard below) and whether they have reviews (the navbar's link). Neither is read until asked for;
    then both come in one query. Staff need no query to know they need a second factor.
    """

    def __init__(self, user):
        self.user = user

    @cached_property
    def _facts(self) -> dict:
        user = self.user
        if not user.is_authenticated:
            return {"privileged": False, "reviews": False}
        facts = {"reviews": Exists(ReviewAssignment.objects.filter(reviewer=OuterRef("pk")))}
        if not (user.is_staff or user.is_superuser):
            facts["privileged"] = Exists(Group.objects.filter(user=OuterRef("pk"), name__in=PRIVILEGED_GROUPS))
        row = get_user_model()._default_manager.filter(pk=user.pk).values(**facts).first() or {}
        return {"privileged": row.get("privileged", True), "reviews": row.get("reviews", False)}

    @property
    def needs_second_factor(self) -> bool:
        user = self.user
        if not user.is_authenticated:
            return False
        if user.is_staff or user.is_superuser:
            return True
        return self._facts["privileged"]

    @property
    def has_reviews(self) -> bool:
        return self._facts["reviews"]


def viewer_access(request) -> ViewerAccess:
    """The request's one ``ViewerAccess`` (made on first use, for whoever ``request.user`` is)."""
    access = getattr(request, "_viewer_access", None)
    if access is None:
        access = request._viewer_access = ViewerAccess(request.user)
    return access


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
        if user is not None:
            viewer_access(request)  # read by the navbar too (toolbox/templatetags/viewer.py), on first use
        if (
            settings.ADMIN_REQUIRE_MFA
            and user is not None
            and not request.path.startswith(self.account_prefix)
            and viewer_access(request).needs_second_factor
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


#: The packages whose pages are for members: there, "not allowed" is "not found".
MEMBER_PAGE_PACKAGES = frozenset({"applications", "cohorts", "events", "funding", "notifications", "cohortnet", "chat"})


def is_member_page(request) -> bool:
    """Whether the request was routed to a view in one of the project's own ``views`` modules.

    The admin and allauth are not: staff may be told an action is forbidden (403).
    """
    match = getattr(request, "resolver_match", None)
    module = getattr(match.func, "__module__", "") if match else ""
    return module.endswith(".views") and module.split(".")[0] in MEMBER_PAGE_PACKAGES


class NotYoursIs404Middleware:
    """A service's ``PermissionDenied`` on a member page is answered as a 404, in this one place.

    Services say "not allowed" with ``PermissionDenied`` and "not now / not
    valid" with ``ValidationError`` (which views show as form errors); they
    never raise ``Http404``, an HTTP word. Pages fetch objects with
    ``toolbox.visibility.get_visible_or_404``, and a refusal that gets past
    that is not theirs to explain either: 404, as if the object did not exist.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied) and is_member_page(request):
            # The same 404 page a view's own Http404 gets (handler404, or the debug page).
            return response_for_exception(request, Http404())
        return None


class MethodNotAllowedPageMiddleware:
    """A 405 with no body (``require_POST`` and friends) gets a page that says what to do instead.

    Emailed and bookmarked addresses of form actions (choices, time zone, RSVP...) are opened with GET;
    Django's answer is an empty page. The status and the ``Allow`` header stay as they were.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content:
            return response
        page = render(request, "405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
