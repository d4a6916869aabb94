"""Sign-in rate limits count the client, not the proxy in front, and a forged X-Forwarded-For buys nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOO_MANY = ["Too many failed login attempts. Try again later."]
#: allauth's own limit on failed sign-ins from one address ("10/m/ip" in ACCOUNT_RATE_LIMITS["login_failed"]).
PER_ADDRESS = 10
PROXY = "10.0.0.2"
ROOT = Path(__file__).resolve().parent.parent


def _sign_in(client, email, password, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=PROXY, headers=headers
    )
    return response.context["form"].non_field_errors() if response.status_code == 200 else response.status_code


def _fail_until_limited(client, forwarded_for):
    """Wrong passwords for ever-new addresses (so only the per-address limit can bite); the attempt that was refused."""
    for attempt in range(1, 30):
        forged = forwarded_for(attempt)
        if _sign_in(client, f"nobody{attempt}@example.org", "wrong", forged) == TOO_MANY:
            return attempt
    return None


def test_behind_a_trusted_proxy_one_client_failing_does_not_lock_out_another(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    user = UserFactory(email="member@example.org")
    # The proxy appends the address it saw; what the client sent before it is kept but not trusted.
    assert _fail_until_limited(client, lambda attempt: f"198.51.100.{attempt}, 203.0.113.7") == PER_ADDRESS + 1
    assert _sign_in(client, user.email, PASSWORD, "203.0.113.7") == TOO_MANY

    assert _sign_in(client, user.email, PASSWORD, "203.0.113.99") == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_get_around_the_limit(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    user = UserFactory(email="member@example.org")
    assert _fail_until_limited(client, lambda attempt: f"198.51.100.{attempt}") == PER_ADDRESS + 1
    assert _sign_in(client, user.email, PASSWORD, "203.0.113.99") == TOO_MANY
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(("value", "expected"), [(None, 0), ("1", 1), ("2", 2)])
def test_the_proxy_count_comes_from_the_environment(value, expected):
    env = {key: val for key, val in os.environ.items() if key not in {"TRUSTED_PROXY_COUNT", "DEBUG"}}
    if value is not None:
        env["TRUSTED_PROXY_COUNT"] = value
    probe = (
        "import django; from django.conf import settings; django.setup(); print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "cohortnet.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == str(expected)


def test_docker_compose_trusts_the_one_proxy_in_front_of_web_only():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["services"]["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"
    # The rest of the shared environment still reaches web.
    assert compose["services"]["web"]["environment"]["DEBUG"] == "false"
