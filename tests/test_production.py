"""Production mode: the security headers on real responses from gunicorn, MFA for the admin, rate limits."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parent.parent
HOST = "cohortnet.example"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("production")
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": "production-test-" + "k" * 60,
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "STATIC_ROOT": str(tmp / "static"),
            "CELERY_BROKER_URL": "memory://",
        }
    )
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["seed_demo", "--force"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)  # noqa: S603
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 -- our own interpreter, fixed arguments, loopback only
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cohortnet.asgi:application",
            "--worker-class",
            "uvicorn_worker.UvicornWorker",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(timeout=20)


def _get(base, path, *, https=True):
    headers = {"Host": HOST}
    if https:
        headers["X-Forwarded-Proto"] = "https"
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        return opener.open(urllib.request.Request(f"{base}{path}", headers=headers), timeout=20)  # noqa: S310
    except urllib.error.HTTPError as exc:
        return exc


@pytest.mark.parametrize("path", ["/", "/calls/", "/calls/cohort-3-open-call/", "/data/", "/accounts/login/"])
def test_every_page_carries_the_security_headers(production_server, path):
    response = _get(production_server, path)
    assert response.status == 200
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in policy
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_plain_http_is_redirected_to_https(production_server):
    response = _get(production_server, "/calls/", https=False)
    assert response.status == 301
    assert response.headers["Location"] == f"https://{HOST}/calls/"


def test_static_files_are_served_hashed_by_whitenoise(production_server):
    page = _get(production_server, "/").read().decode()
    css = next(part.split('"')[0] for part in page.split('href="') if part.startswith("/static/bootstrap/css/"))
    assert css != "/static/bootstrap/css/bootstrap.min.css"  # a hashed name from the manifest
    assert _get(production_server, css).status == 200


def test_session_and_csrf_cookies_are_secure(production_server):
    response = _get(production_server, "/accounts/login/")
    cookies = response.headers.get_all("Set-Cookie")
    csrf = next(c for c in cookies if c.startswith("csrftoken="))
    assert "Secure" in csrf


@pytest.mark.django_db
def test_staff_without_two_factor_cannot_reach_the_admin_when_required(client, settings):
    settings.ADMIN_REQUIRE_MFA = True
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    TOTP.activate(staff, generate_totp_secret())
    # Having an authenticator is not enough: this session signed in without it (tests/test_mfa.py goes on).
    assert client.get("/admin/")["Location"] == f"{reverse('mfa_reauthenticate')}?next=%2Fadmin%2F"


@pytest.mark.django_db
def test_failed_sign_ins_are_rate_limited(client):
    user = UserFactory(email="target@example.org")
    errors = [
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
        .context["form"]
        .non_field_errors()
        for _ in range(6)
    ]
    assert errors[:5] == [["The email address and/or password you specified are not correct."]] * 5
    assert errors[5] == ["Too many failed login attempts. Try again later."]
    # Even the right password is refused until the limit passes.
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.context["form"].non_field_errors() == ["Too many failed login attempts. Try again later."]
    assert "_auth_user_id" not in client.session
