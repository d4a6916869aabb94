"""Two-factor authentication is available to staff, and guards the admin once turned on."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_staff_can_reach_the_two_factor_setup(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    # Turning on 2FA asks for the password again first, as it should.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert response.context["totp_url"].endswith("&issuer=CohortNet")


def test_with_totp_on_signing_in_to_the_admin_needs_the_code(client):
    staff = UserFactory(email="finance@cohortnet.example", is_staff=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)

    response = client.post(f"{reverse('account_login')}?next=/admin/", {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302  # not signed in yet

    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
