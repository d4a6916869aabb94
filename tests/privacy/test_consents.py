"""Consents: recorded with the time at sign-up and in the profile, only added to, in step with the cohorts' switches."""

import io
import json
import re
import zipfile
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from cohorts.models import Participant
from privacy import selectors, services
from privacy.exports import write_zip
from privacy.models import Consent, PrivacyNotice
from tests.factories import ParticipantFactory, UserFactory
from tests.helpers import race

pytestmark = [pytest.mark.django_db]

PASSWORD = "harbour-tide-data-2026"
NOV3 = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
NOV9 = datetime(2026, 11, 9, 14, 0, tzinfo=UTC)


def _notice(version_body="We hold your name.", *, now=NOV3):
    return services.notice_publish(
        privacynotice=PrivacyNotice.objects.create(body=version_body), by=UserFactory(is_staff=True), now=now
    )


def _state(user):
    return {purpose: (row.given if row else None) for purpose, row in selectors.consents_current(user).items()}


def _input(page, name):
    """The whole ``<input ...>`` tag named ``name``."""
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)


def _signup(client, **extra):
    data = {
        "name": "Maya Okafor",
        "email": "maya@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }
    return client.post(reverse("account_signup"), data)


def test_sign_up_offers_the_three_choices_unticked(client):
    page = client.get(reverse("account_signup")).content.decode()
    for name in ("consent_directory", "consent_credit", "consent_mailing_list"):
        tag = _input(page, name)
        assert 'type="checkbox"' in tag
        assert "checked" not in tag
    assert "List me in my cohorts&#x27; member directories with my email address" in page


def test_sign_up_records_each_choice_with_the_time_and_the_notice_then_published(client):
    notice = _notice()
    with time_machine.travel(NOV9, tick=False):
        response = _signup(client, consent_directory="on", consent_mailing_list="on")
    assert response.status_code == 302
    user = get_user_model().objects.get(email="maya@example.org")
    rows = Consent.objects.filter(user=user).order_by("purpose")
    assert [(r.purpose, r.given, r.source, r.at, r.notice_id) for r in rows] == [
        ("credit", False, "signup", NOV9, notice.pk),
        ("directory", True, "signup", NOV9, notice.pk),
        ("mailing_list", True, "signup", NOV9, notice.pk),
    ]


def test_sign_up_without_any_notice_published_still_records_the_choices(client):
    _signup(client)
    user = get_user_model().objects.get(email="maya@example.org")
    assert sorted(Consent.objects.filter(user=user).values_list("purpose", "given", "notice")) == [
        ("credit", False, None),
        ("directory", False, None),
        ("mailing_list", False, None),
    ]


def test_a_change_is_a_new_row_and_the_same_choice_again_writes_nothing():
    user = UserFactory()
    notice = _notice()
    first = services.consent_set(user=user, purpose="directory", given=True, source="profile", now=NOV3)
    same = services.consent_set(user=user, purpose="directory", given=True, source="profile", now=NOV9)
    assert same.pk == first.pk
    changed = services.consent_set(user=user, purpose="directory", given=False, source="profile", now=NOV9)
    assert list(Consent.objects.filter(user=user).values_list("given", "at", "notice")) == [
        (False, NOV9, notice.pk),
        (True, NOV3, notice.pk),
    ]
    assert _state(user) == {"directory": False, "credit": None, "mailing_list": None}
    assert selectors.consents_current(user)["directory"] == changed


def test_an_unknown_purpose_is_refused():
    with pytest.raises(ValidationError, match="'photos' is not something a person can agree to"):
        services.consent_set(user=UserFactory(), purpose="photos", given=True, source="profile")
    assert Consent.objects.count() == 0


def test_the_directory_choice_sets_show_contact_details_in_every_cohort():
    first = ParticipantFactory()
    second = ParticipantFactory(user=first.user)
    other = ParticipantFactory()
    services.consent_set(user=first.user, purpose="directory", given=True, source="profile")
    assert sorted(Participant.objects.values_list("pk", "show_contact_details")) == sorted(
        [(first.pk, True), (second.pk, True), (other.pk, False)]
    )
    services.consent_set(user=first.user, purpose="directory", given=False, source="profile")
    assert list(Participant.objects.filter(user=first.user).values_list("show_contact_details", flat=True)) == [
        False,
        False,
    ]


def test_the_mailing_list_choice_stops_list_email_and_restarts_it_keeping_a_digest():
    each = ParticipantFactory(delivery=Participant.Delivery.EACH)
    digest = ParticipantFactory(user=each.user, delivery=Participant.Delivery.DIGEST)
    services.consent_set(user=each.user, purpose="mailing_list", given=False, source="profile")
    assert set(Participant.objects.filter(user=each.user).values_list("delivery", flat=True)) == {"none"}
    Participant.objects.filter(pk=digest.pk).update(delivery=Participant.Delivery.DIGEST)
    services.consent_set(user=each.user, purpose="mailing_list", given=True, source="profile")
    assert dict(Participant.objects.filter(user=each.user).values_list("pk", "delivery")) == {
        each.pk: "each",
        digest.pk: "digest",
    }


def test_the_profile_shows_the_choices_and_saving_them_adds_rows_with_the_time(client):
    participant = ParticipantFactory()
    user = participant.user
    client.force_login(user)
    page = client.get(reverse("profile")).content.decode()
    assert '<h2 id="your-choices-heading" class="h5">Your choices</h2>' in page
    assert "<li>Directory listing and contact details: not chosen yet</li>" in page

    with time_machine.travel(NOV3, tick=False):
        response = client.post(reverse("privacy:choices"), {"consent_directory": "on", "consent_credit": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    with time_machine.travel(NOV9, tick=False):
        client.post(reverse("privacy:choices"), {"consent_credit": "on"})

    rows = list(Consent.objects.filter(user=user).order_by("at", "purpose").values_list("purpose", "given", "at"))
    assert rows == [
        ("credit", True, NOV3),
        ("directory", True, NOV3),
        ("mailing_list", False, NOV3),
        ("directory", False, NOV9),
    ]
    assert set(Consent.objects.filter(user=user).values_list("source", flat=True)) == {"profile"}
    participant.refresh_from_db()
    assert participant.show_contact_details is False
    assert participant.delivery == "none"

    page = client.get(reverse("profile")).content.decode()
    assert "<li>Credit in the programme&#x27;s output: you agreed on 3 Nov 2026</li>" in page
    assert "<li>Directory listing and contact details: you did not agree on 9 Nov 2026</li>" in page
    assert "Your choices are saved." in page
    # The box reflects the newest choice: credit ticked, directory not.
    assert "checked" in _input(page, "consent_credit")
    assert "checked" not in _input(page, "consent_directory")
    assert "Directory listing and contact details, not agreed (in their profile)" in page


def test_choices_need_a_signed_in_post(client):
    assert client.get(reverse("privacy:choices")).status_code in (302, 405)
    response = client.post(reverse("privacy:choices"), {"consent_directory": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert Consent.objects.count() == 0


def test_the_data_download_holds_the_persons_consents():
    user = UserFactory()
    notice = _notice()
    services.consent_set(user=user, purpose="credit", given=True, source="signup", now=NOV3)
    services.consent_set(user=UserFactory(), purpose="credit", given=True, source="signup", now=NOV3)
    stream = io.BytesIO()
    counts = write_zip(user, stream, when=NOV9)
    assert counts["privacy.Consent"] == 1
    [row] = json.loads(zipfile.ZipFile(stream).read("privacy.Consent.json"))
    assert {k: row[k] for k in ("purpose", "given", "source", "notice", "user")} == {
        "purpose": "credit",
        "given": True,
        "source": "signup",
        "notice": notice.pk,
        "user": user.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_changes_at_the_same_moment_are_recorded_one_after_the_other():
    participant = ParticipantFactory()
    user = participant.user
    choices = [True, True, True, True, False, False, False, False]

    errors = race(
        choices,
        lambda given: services.consent_set(user=user, purpose="directory", given=given, source="profile"),
    )

    assert errors == []
    rows = list(Consent.objects.filter(user=user, purpose="directory").order_by("at", "pk"))
    # Each row changes the choice before it (nothing written twice in a row), and the switch follows the newest.
    assert all(a.given != b.given for a, b in zip(rows, rows[1:], strict=False))
    assert 1 <= len(rows) <= len(choices)
    participant.refresh_from_db()
    assert participant.show_contact_details is rows[-1].given
    assert selectors.consents_current(user)["directory"].pk == rows[-1].pk


def test_a_participant_from_before_consents_sees_what_is_in_effect_and_saving_keeps_it(client):
    """Listed and on the mailing list with no consent row (joined before choices were asked): both boxes are
    ticked, so ticking credit and saving the form as shown keeps their listing and list email."""
    participant = ParticipantFactory(show_contact_details=True, delivery=Participant.Delivery.DIGEST)
    quiet = ParticipantFactory(show_contact_details=False, delivery=Participant.Delivery.NONE)
    client.force_login(participant.user)
    page = client.get(reverse("profile")).content.decode()
    assert "checked" in _input(page, "consent_directory")
    assert "checked" in _input(page, "consent_mailing_list")
    assert "checked" not in _input(page, "consent_credit")
    assert "<li>Directory listing and contact details: not chosen yet</li>" in page
    client.post(
        reverse("privacy:choices"), {"consent_directory": "on", "consent_mailing_list": "on", "consent_credit": "on"}
    )
    participant.refresh_from_db()
    assert (participant.show_contact_details, participant.delivery) == (True, "digest")
    assert _state(participant.user) == {"directory": True, "credit": True, "mailing_list": True}
    client.force_login(quiet.user)
    page = client.get(reverse("profile")).content.decode()
    assert [("checked" in _input(page, f"consent_{p}")) for p in ("directory", "credit", "mailing_list")] == [
        False,
        False,
        False,
    ]
