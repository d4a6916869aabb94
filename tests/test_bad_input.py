"""Hostile input across forms and addresses: never a 500, nothing half-saved, nothing executed, no header injection."""

import pytest
from django.urls import reverse

from cohorts.models import Message, Organisation
from notifications.models import Email
from notifications.services import emails_send_due
from tests.factories import OrganisationPersonFactory, ParticipantFactory, UserFactory
from tests.helpers import World
from tests.test_access_matrix import EXCLUDED_NAMESPACES, MATRIX

pytestmark = pytest.mark.django_db


def test_too_many_fields_is_a_400_not_a_500(client, settings):
    client.force_login(UserFactory())
    data = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 10)}
    response = client.post(reverse("cohorts:organisation_create"), {**data, "name": "Tide"})
    assert response.status_code == 400
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x"])
def test_script_urls_are_refused(client, url):
    client.force_login(UserFactory())
    response = client.post(reverse("cohorts:organisation_create"), {"name": "Tide", "website": url})
    assert response.status_code == 200
    assert response.context["form"].errors["website"] == ["Enter a valid URL."]
    assert Organisation.objects.count() == 0


def test_a_line_break_in_a_subject_cannot_inject_headers(client, mailoutbox):
    participant = ParticipantFactory()
    cohort = participant.membership.cohort
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    subject = "Hello\r\nBcc: everyone@example.org"
    client.post(reverse("cohorts:messages", args=[cohort.slug]), {"subject": subject, "body": "Hi"})
    email = Email.objects.get(kind="cohort_message")
    assert email.subject == f"[{cohort.name}] Hello Bcc: everyone@example.org"
    emails_send_due()
    (message,) = mailoutbox
    assert message.bcc == []
    assert "\n" not in message.subject
    assert Message.objects.get().subject == subject.strip()  # the archive keeps what was typed


def test_markup_typed_anywhere_is_shown_as_text(client):
    link = OrganisationPersonFactory(organisation__name="<script>alert('x')</script>")
    client.force_login(link.user)
    page = client.get(link.organisation.get_absolute_url()).content.decode()
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


# --- Malformed addresses: one middleware answers 400 before any view reads them ---------------

CONTROL = ["%00", "a%00b", "%0d%0aSet-Cookie:x=1", "%1b", "%7f"]
BROKEN_UTF8 = ["%ff", "%c3%28"]
#: Hostile but well-formed values for the query parameters the filter pages read.
HOSTILE_QUERY = [
    "theme=%27%20OR%201%3D1--&page=-1&past=1",
    "page=99999999999999999999999&theme=" + "x" * 5000,
    "format=md&theme=%3Cscript%3E&next=https://evil.example/",
    "page=1e9&name=%E2%80%AE&theme[]=a&theme=b",
]


def _routes() -> dict[str, str]:
    """Every named project URL as its route, e.g. ``calendar/<str:token>.ics``."""
    from django.urls import URLPattern, URLResolver, get_resolver

    routes = {}

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            route = getattr(pattern.pattern, "_route", None)
            if route is None:  # the admin's regex patterns
                continue
            if isinstance(pattern, URLResolver):
                if pattern.namespace in EXCLUDED_NAMESPACES or pattern.urlconf_module.__name__.startswith("allauth"):
                    continue
                walk(pattern.url_patterns, prefix + route, f"{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                routes[f"{namespace}{pattern.name}"] = prefix + route

    walk(get_resolver().url_patterns)
    return routes


def _with_bad_bytes(route: str, bad: str) -> str:
    """The route with each of its arguments replaced by ``bad``, or ``bad`` appended if it takes none."""
    import re

    path = "/" + route
    replaced = re.sub(r"<[^>]+>", bad, path)
    return replaced if replaced != path else path + bad


def _path_of(call: str) -> str:
    """The path of "role METHOD /path?query", without its query (broken bytes there must still be a 400)."""
    return call.split(" ", 2)[2].split("?", 1)[0]


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return World()


@pytest.mark.parametrize("name", sorted(_routes()))
def test_a_control_character_or_broken_utf8_anywhere_in_an_address_is_a_400(client, world, name):
    route = _routes()[name]
    # The access matrix has a real address for each URL (and a failing test for any it lacks).
    method, path_for, _expected = MATRIX.get(name, ("get", lambda w: _with_bad_bytes(route, "x"), None))
    real_path = path_for(world)
    client.raise_request_exception = False
    answers = {}
    for role in ("anonymous", "participant_x", "staff"):
        client.logout()
        if world.users[role] is not None:
            client.force_login(world.users[role])
        for bad in CONTROL + BROKEN_UTF8:
            for path in (_with_bad_bytes(route, bad), f"{real_path}?theme={bad}", f"{real_path}?{bad}=1"):
                answers[f"{role} {method.upper()} {path}"] = getattr(client, method)(path).status_code
    # The test client re-encodes broken UTF-8 in a path as %XX text before any code sees it (a 404, or the
    # login for anonymous people); from a real server it arrives raw and is refused (the test below).
    allowed = {400, 404, 302}
    assert {
        call: status
        for call, status in answers.items()
        if status != 400 and not (status in allowed and any(b.upper() in _path_of(call).upper() for b in BROKEN_UTF8))
    } == {}


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_hostile_query_strings_are_never_a_server_error(client, world, name):
    method, path_for, _expected = MATRIX[name]
    real_path = path_for(world)
    client.raise_request_exception = False
    answers = {}
    for role in ("anonymous", "participant_x", "staff"):
        client.logout()
        if world.users[role] is not None:
            client.force_login(world.users[role])
        for query in HOSTILE_QUERY:
            answers[f"{role} {query[:40]}"] = getattr(client, method)(f"{real_path}?{query}").status_code
    assert {call: status for call, status in answers.items() if status >= 500} == {}


def test_the_calendar_feed_and_invitation_with_a_nul_are_a_400_without_signing_in(client):
    assert client.get("/calendar/%00.ics").status_code == 400
    assert client.get("/invitations/%00/").status_code == 400
    assert client.get("/calls/?theme=%00").status_code == 400


def test_ordinary_addresses_still_work(client):
    # Percent-encoded UTF-8 and spaces are fine; only control characters and broken UTF-8 are refused.
    assert client.get("/calls/?q=caf%C3%A9+au+lait&theme=open-data").status_code == 200


@pytest.mark.parametrize(
    ("path_info", "query"),
    [("/calls/\xff/", ""), ("/calls/caf\xc3\x28/", ""), ("/calls/", "theme=%ff"), ("/calls/", "theme=%C3%28")],
)
def test_broken_utf8_from_the_server_is_a_400(rf, path_info, query):
    # A WSGI server hands the path over percent-decoded, as latin-1 text; the query string stays encoded.
    from cohortnet.middleware import RejectMalformedURLMiddleware

    request = rf.get("/")
    request.META["PATH_INFO"] = path_info
    request.META["QUERY_STRING"] = query
    response = RejectMalformedURLMiddleware(lambda request: pytest.fail("the view must not run"))(request)
    assert response.status_code == 400


def test_an_empty_to_field_on_any_admin_change_or_delete_page_is_a_400(client):
    """Django's admin checks a non-empty ``_to_field`` only, then looks a field called "" up: a 500 before."""
    from django.contrib import admin

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    organisation = Organisation.objects.create(name="Tide")
    assert client.get(reverse("admin:cohorts_organisation_change", args=[organisation.pk])).status_code == 200
    for view in ("change", "delete"):
        url = reverse(f"admin:cohorts_organisation_{view}", args=[organisation.pk])
        assert client.get(f"{url}?_to_field=").status_code == 400
        assert client.post(url, {"_to_field": ""}).status_code == 400
    # Every admin on the site, third-party models included, goes through the same guard.
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[1])
        assert client.get(f"{url}?_to_field=").status_code == 400, model
    assert Organisation.objects.get().name == "Tide"
