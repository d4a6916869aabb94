"""The webhook admin: endpoints saved through the service, hostile addresses refused on the form."""

import re

import pytest
from django.urls import reverse

from integrations.models import WebhookDelivery, WebhookEndpoint
from tests.factories import CohortFactory, UserFactory
from tests.test_admin_refusals import admin_form_data, refused

pytestmark = pytest.mark.django_db

HTTPS_ONLY = "url: Use an https:// address: webhooks are not sent anywhere else."
HTTP_LOOPBACK_ONLY = (
    "url: Use an https:// address: http:// is allowed only to this machine, and only when WEBHOOKS_ALLOW_LOCAL is on."
)
INTERNET_ONLY = "url: Use an address on the internet: this machine and private networks are not allowed."


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _form(cohort, url: str) -> dict:
    return {
        "cohort": cohort.pk,
        "name": "Slack #stewards",
        "url": url,
        "active": "on",
        "on_thread_created": "on",
        "on_event_moved": "on",
    }


def test_staff_add_an_endpoint_and_read_its_secret(staff_client, settings):
    settings.WEBHOOKS_ALLOW_LOCAL = False
    cohort = CohortFactory()
    add = reverse("admin:integrations_webhookendpoint_add")
    page = staff_client.get(add)
    assert page.status_code == 200
    assert "Made when the endpoint is saved, then shown here." in page.content.decode()

    response = staff_client.post(add, _form(cohort, "https://hooks.example.org/services/T0/B0/abc"))
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.url, endpoint.on_thread_created, endpoint.on_event_created, endpoint.on_event_moved) == (
        "https://hooks.example.org/services/T0/B0/abc",
        True,
        False,
        True,
    )
    assert re.fullmatch(r"whsec_[0-9a-f]{64}", endpoint.secret)
    change = staff_client.get(reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk]))
    assert f"<code>{endpoint.secret}</code>" in change.content.decode()


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("javascript:alert(1)", HTTPS_ONLY),
        ("ftp://hooks.example.org/in", HTTPS_ONLY),
        ("file:///etc/passwd", HTTPS_ONLY),
        ("http://hooks.example.org/in", HTTP_LOOPBACK_ONLY),
        ("http://127.0.0.1:8000/in", HTTP_LOOPBACK_ONLY),
        ("https://127.0.0.1/in", INTERNET_ONLY),
        ("https://localhost/in", INTERNET_ONLY),
        ("https://[::1]/in", INTERNET_ONLY),
        ("https://10.0.0.5/in", INTERNET_ONLY),
        ("https://169.254.169.254/latest/meta-data", INTERNET_ONLY),
        (
            "https://user:secret@hooks.example.org/in",
            "url: Leave the user name and password out of the address: the signature proves who is sending.",
        ),
        ("https://", "url: Enter a whole web address, like https://hooks.example.org/…"),
    ],
)
def test_in_production_a_hostile_address_is_refused_on_the_form(staff_client, settings, url, error):
    settings.WEBHOOKS_ALLOW_LOCAL = False
    response = staff_client.post(reverse("admin:integrations_webhookendpoint_add"), _form(CohortFactory(), url))
    assert refused(response) == [error]
    assert WebhookEndpoint.objects.count() == 0


def test_with_local_addresses_allowed_http_goes_only_to_this_machine(staff_client, settings):
    settings.WEBHOOKS_ALLOW_LOCAL = True
    add = reverse("admin:integrations_webhookendpoint_add")
    refused_page = staff_client.post(add, _form(CohortFactory(), "http://192.168.1.5/in"))
    assert refused(refused_page) == [HTTP_LOOPBACK_ONLY]
    assert staff_client.post(add, _form(CohortFactory(), "http://127.0.0.1:8099/in")).status_code == 302
    assert WebhookEndpoint.objects.get().url == "http://127.0.0.1:8099/in"


def test_an_address_turned_hostile_is_refused_when_the_endpoint_is_edited(staff_client, settings):
    settings.WEBHOOKS_ALLOW_LOCAL = False
    endpoint = WebhookEndpoint.objects.create(cohort=CohortFactory(), name="Teams", url="https://hooks.example.org/a")
    url = reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk])
    data = admin_form_data(staff_client.get(url))
    data["url"] = "javascript:fetch('//evil.example')"
    assert refused(staff_client.post(url, data)) == [HTTPS_ONLY]
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.org/a"


def test_make_a_new_signing_secret(staff_client):
    endpoint = WebhookEndpoint.objects.create(cohort=CohortFactory(), name="Teams", url="https://hooks.example.org/a")
    old = endpoint.secret
    response = staff_client.post(
        reverse("admin:integrations_webhookendpoint_changelist"),
        {"action": "rotate_secrets", "_selected_action": [endpoint.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Made a new signing secret for 1 endpoint(s): give each receiver its new secret."
    ]
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert re.fullmatch(r"whsec_[0-9a-f]{64}", endpoint.secret)


def _delivery(endpoint, n: int, status="pending") -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        kind="thread.created",
        key=f"thread.created:{n}",
        payload={"kind": "thread.created"},
        status=status,
    )


def test_retry_now_queues_a_failed_delivery_and_explains_a_refusal(staff_client, django_capture_on_commit_callbacks):
    endpoint = WebhookEndpoint.objects.create(cohort=CohortFactory(), name="Teams", url="https://hooks.example.org/a")
    failed = _delivery(endpoint, 1, status="failed")
    WebhookDelivery.objects.filter(pk=failed.pk).update(attempts=8, last_error="HTTP 500")
    pending = _delivery(endpoint, 2)
    with django_capture_on_commit_callbacks() as callbacks:
        response = staff_client.post(
            reverse("admin:integrations_webhookdelivery_changelist"),
            {"action": "retry_deliveries", "_selected_action": [failed.pk, pending.pk]},
            follow=True,
        )
    assert sorted(str(m) for m in response.context["messages"]) == [
        f"Delivery {pending.uid}: Only failed deliveries can be retried; this one is pending.",
        "Queued 1 delivery(ies) to be posted again.",
    ]
    assert len(callbacks) == 1  # the retry's task, published after commit
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)


@pytest.mark.parametrize("rows", [1, 20])
@pytest.mark.parametrize(
    ("url_name", "queries"),
    [("admin:integrations_webhookendpoint_changelist", 6), ("admin:integrations_webhookdelivery_changelist", 8)],
)
def test_changelist_queries_do_not_grow_with_rows(staff_client, django_assert_num_queries, rows, url_name, queries):
    for n in range(rows):
        endpoint = WebhookEndpoint.objects.create(
            cohort=CohortFactory(), name=f"Hook {n}", url="https://hooks.example.org/a"
        )
        _delivery(endpoint, n)
    with django_assert_num_queries(queries):
        response = staff_client.get(reverse(url_name))
    assert response.status_code == 200
    assert response.context["cl"].result_count == rows


def test_a_delivery_page_shows_its_payload(staff_client):
    endpoint = WebhookEndpoint.objects.create(cohort=CohortFactory(), name="Teams", url="https://hooks.example.org/a")
    delivery = _delivery(endpoint, 1)
    page = staff_client.get(reverse("admin:integrations_webhookdelivery_change", args=[delivery.pk]))
    assert page.status_code == 200
    assert "<pre>{\n  &quot;kind&quot;: &quot;thread.created&quot;\n}</pre>" in page.content.decode()
    assert staff_client.get(reverse("admin:integrations_webhookdelivery_add")).status_code == 403
