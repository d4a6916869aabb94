import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "harbour-tide-data-2026"


def _signup(client, **overrides):
    data = {
        "name": "Maya Okafor",
        "email": "new.person@example.org",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    data.update(overrides)
    return client.post(reverse("account_signup"), data)


def test_sign_up_sends_a_verification_email_and_does_not_log_in(client, mailoutbox):
    response = _signup(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = get_user_model().objects.get(email="new.person@example.org")
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.person@example.org"]
    assert "/accounts/confirm-email/" in mailoutbox[0].body
    assert "_auth_user_id" not in client.session
    assert user.name == "Maya Okafor"


def test_sign_up_asks_for_the_name_first(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert page.index('name="name"') < page.index('name="email"')
    assert 'autocomplete="name"' in page


def test_an_unverified_person_cannot_sign_in(client):
    UserFactory(email="unverified@example.org", verified=False)
    response = client.post(reverse("account_login"), {"login": "unverified@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": ""}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"email": ("x" * 250) + "@example.org"}, "email"),
        ({"email": "nul\x00@example.org"}, "email"),
        ({"password1": ""}, "password1"),
        ({"password1": "short", "password2": "short"}, "password1"),
        ({"password2": "something-else-entirely"}, "password2"),
        ({"password1": "p" * 5000, "password2": "p" * 5000}, "password1"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"name": "nul\x00byte"}, "name"),
    ],
)
def test_bad_sign_up_input_is_a_field_error_and_the_email_is_kept(client, overrides, field):
    response = _signup(client, **overrides)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    if "email" not in overrides:
        assert 'value="new.person@example.org"' in response.content.decode()
    assert get_user_model().objects.count() == 0


def test_email_is_unique_regardless_of_case(client):
    UserFactory(email="taken@example.org")
    response = _signup(client, email="Taken@Example.org")
    assert response.status_code in (200, 302)
    assert get_user_model().objects.filter(email__iexact="taken@example.org").count() == 1


def test_a_person_sets_their_time_zone_and_event_times_follow(client):
    from tests.factories import EventFactory, ParticipantFactory
    from toolbox.timezones import in_zone

    participant = ParticipantFactory()
    event = EventFactory(cohort=participant.membership.cohort)
    client.force_login(participant.user)
    response = client.post(reverse("profile"), {"name": "Ada", "time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    participant.user.refresh_from_db()
    assert participant.user.time_zone == "Asia/Tokyo"
    # The event page prints the person's own time beside the event's, named by its abbreviation.
    expected = f"{in_zone(event.starts_at, 'Asia/Tokyo'):%a %-d %b, %H:%M} JST, your time"
    assert expected in client.get(event.get_absolute_url()).content.decode()
    bad = client.post(reverse("profile"), {"name": "Ada", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 200
    assert bad.context["form"].errors["time_zone"]


def test_the_profile_edits_the_name_and_keeps_it_when_the_new_one_is_refused(client):
    user = UserFactory(name="", email="no.name@example.org")
    client.force_login(user)
    page = client.get(reverse("profile")).content.decode()
    assert 'name="name"' in page
    response = client.post(reverse("profile"), {"name": "  Maya Okafor ", "time_zone": "Europe/London"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.name == "Maya Okafor"
    refused = client.post(reverse("profile"), {"name": "", "time_zone": "Europe/London"})
    assert refused.status_code == 200
    assert refused.context["form"].errors["name"] == ["This field is required."]
    user.refresh_from_db()
    assert user.name == "Maya Okafor"
