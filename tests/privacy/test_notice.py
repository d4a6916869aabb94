"""The privacy notice: staff write it in Markdown and publish versions; everyone reads the newest one."""

from datetime import UTC, datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse

from privacy import services
from privacy.models import PrivacyNotice
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]

JAN = datetime(2026, 1, 12, 10, 0, tzinfo=UTC)
NOV = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


def _published(body, *, by, now, title="Privacy notice"):
    return services.notice_publish(privacynotice=PrivacyNotice.objects.create(title=title, body=body), by=by, now=now)


def test_the_page_shows_the_newest_published_version_with_its_number_and_date(client, staff):
    _published("## Old\n\nWe kept everything.", by=staff, now=JAN)
    _published("# What we hold\n\nYour **name** and address.", by=staff, now=NOV, title="How we use your data")
    PrivacyNotice.objects.create(title="Draft notice", body="Not yet agreed by the team.")

    response = client.get("/privacy/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>How we use your data" in page
    assert 'Version 2, published <time datetime="2026-11-03">3 November 2026</time>.' in page
    assert ">What we hold</h2>" in page
    assert "Your <strong>name</strong> and address." in page
    assert "We kept everything." not in page
    assert "Not yet agreed" not in page


def test_hostile_markdown_in_the_notice_is_rendered_harmless(client, staff):
    hostile = '<script>alert("x")</script>\n\n[click](javascript:alert(1))\n\n<img src=x onerror="alert(2)">'
    _published(hostile, by=staff, now=NOV)
    page = client.get("/privacy/").content.decode()
    assert "<script>alert" not in page
    assert 'href="javascript' not in page
    assert "<img src=x" not in page
    assert '<p>&lt;img src=x onerror="alert(2)"&gt;</p>' in page


def test_with_nothing_published_the_page_says_so_rather_than_a_404(client):
    PrivacyNotice.objects.create(title="Draft", body="Secret draft text")
    response = client.get("/privacy/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "The programme team has not published its privacy notice yet." in page
    assert "Secret draft text" not in page


def test_publishing_numbers_versions_in_turn_and_leaves_older_ones_as_they_were(staff):
    first = _published("First text", by=staff, now=JAN)
    second = _published("Second text", by=staff, now=NOV)
    first.refresh_from_db()
    assert (first.version, first.published_at, first.body, first.published_by) == (1, JAN, "First text", staff)
    assert (second.version, second.published_at, second.published_by) == (2, NOV, staff)


def test_a_published_version_cannot_be_published_again_nor_an_empty_draft():
    staff = UserFactory(is_staff=True)
    notice = _published("Text", by=staff, now=JAN)
    with pytest.raises(ValidationError, match="Version 1 is already published and cannot change"):
        services.notice_publish(privacynotice=notice, by=staff, now=NOV)
    notice.refresh_from_db()
    assert notice.published_at == JAN
    with pytest.raises(ValidationError, match="its text is empty"):
        services.notice_publish(privacynotice=PrivacyNotice.objects.create(body="  "), by=staff)


def test_the_admin_publishes_a_draft_and_a_published_version_is_read_only(client, staff):
    client.force_login(staff)
    old = _published("Old text", by=staff, now=JAN)
    draft = PrivacyNotice.objects.create(title="Privacy notice", body="New text")
    changelist = reverse("admin:privacy_privacynotice_changelist")

    response = client.post(changelist, {"action": "publish", ACTION_CHECKBOX_NAME: [draft.pk]}, follow=True)
    assert "Published 1 version(s)." in response.content.decode()
    draft.refresh_from_db()
    assert (draft.version, draft.published_by) == (2, staff)

    # Published: the change page shows it without a form to save, and a POST changes nothing.
    change = reverse("admin:privacy_privacynotice_change", args=[old.pk])
    client.post(change, {"title": "Changed", "body": "Changed text"})
    old.refresh_from_db()
    assert (old.title, old.body, old.version) == ("Privacy notice", "Old text", 1)
    assert 'name="_save"' not in client.get(change).content.decode()


def test_the_admin_starts_a_new_draft_from_a_published_version(client, staff):
    client.force_login(staff)
    old = _published("Old text", by=staff, now=JAN)
    changelist = reverse("admin:privacy_privacynotice_changelist")
    client.post(changelist, {"action": "new_draft", ACTION_CHECKBOX_NAME: [old.pk]})
    draft = PrivacyNotice.objects.exclude(pk=old.pk).get()
    assert (draft.body, draft.version, draft.published_at) == ("Old text", None, None)


def test_sign_up_and_every_page_link_the_notice(client):
    page = client.get(reverse("account_signup")).content.decode()
    link = '<p id="privacy-notice-link">Before you sign up, read our <a href="/privacy/">privacy notice</a>'
    assert link in page
    # Above the sign-up button.
    assert page.index(link) < page.rindex('type="submit"')
    assert '<li><a href="/privacy/">Privacy notice</a></li>' in client.get("/").content.decode()


def test_the_demo_seed_publishes_version_1_once(client, settings):
    from django.core.management import call_command

    settings.DEBUG = True  # seed_demo is for laptops
    call_command("seed_demo")
    call_command("seed_demo")
    [notice] = PrivacyNotice.objects.all()
    assert (notice.version, notice.title, notice.published_by.email) == (
        1,
        "How CohortNet uses your personal data",
        "staff@cohortnet.example",
    )
    page = client.get("/privacy/").content.decode()
    assert ">Your rights</h2>" in page
