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


# --- Everything staff see because they are staff needs the second factor, not only /admin/ ----------

#: Pages that show other organisations' data to staff, Finance or reviewers, and to whom.
PRIVILEGED_PAGES = {
    "staff": [
        "cohorts:thread",
        "cohorts:directory",
        "cohorts:messages",
        "cohorts:resources",
        "cohorts:resource_file",
        "events:detail",
        "funding:award",
        "funding:dashboard",
    ],
    "finance": ["funding:award", "funding:export_instalments", "funding:export_history", "cohorts:directory"],
    "reviewer": ["applications:review", "applications:review_list"],
}


@pytest.fixture
def world(settings, tmp_path):
    from tests.helpers import World

    settings.MEDIA_ROOT = tmp_path
    settings.ADMIN_REQUIRE_MFA = True
    return World()


def _paths(world, role):
    from tests.test_access_matrix import MATRIX

    return [MATRIX[name][1](world) for name in PRIVILEGED_PAGES[role]]


def _sign_in_with_code(client, user, secret):
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302


@pytest.mark.parametrize("role", sorted(PRIVILEGED_PAGES))
def test_without_two_factor_privileged_people_are_sent_to_set_it_up_from_every_page(client, world, role):
    client.force_login(world.users[role])
    paths = [*_paths(world, role), "/admin/", "/dashboard/", "/"]
    answers = {path: client.get(path) for path in paths}
    assert {path: (r.status_code, r["Location"]) for path, r in answers.items()} == dict.fromkeys(
        paths, (302, reverse("mfa_activate_totp"))
    )
    # Their account pages stay open, so they can set it up (activating asks for the password first).
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(reverse("account_reauthenticate"))


@pytest.mark.parametrize("role", sorted(PRIVILEGED_PAGES))
def test_signed_in_with_the_code_privileged_people_see_those_pages(client, world, role):
    secret = generate_totp_secret()
    TOTP.activate(world.users[role], secret)
    _sign_in_with_code(client, world.users[role], secret)
    paths = _paths(world, role)
    assert {path: client.get(path).status_code for path in paths} == dict.fromkeys(paths, 200)


def test_a_session_signed_in_on_the_password_alone_must_enter_a_code(client, world):
    # E.g. a session opened before the authenticator was added: having one is not having used it.
    staff = world.users["staff"]
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    client.force_login(staff)
    award = world.award.get_absolute_url()
    response = client.get(award)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next={award.replace('/', '%2F')}"

    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    assert response["Location"] == award
    assert client.get(award).status_code == 200


def test_people_who_see_only_their_own_organisation_need_no_second_factor(client, world):
    client.force_login(world.users["participant_x"])
    paths = [
        world.thread.get_absolute_url(),
        world.award.get_absolute_url(),
        f"/cohorts/{world.cohort_x.slug}/members/",
    ]
    assert {path: client.get(path).status_code for path in paths} == dict.fromkeys(paths, 200)


def test_with_the_requirement_off_staff_pages_open_on_a_password(client, world, settings):
    settings.ADMIN_REQUIRE_MFA = False
    client.force_login(world.users["finance"])
    paths = _paths(world, "finance")
    assert {path: client.get(path).status_code for path in paths} == dict.fromkeys(paths, 200)
