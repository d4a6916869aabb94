"""A person's data download: every model that points at them, from the model graph; secrets never; owner only."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone

from cohorts.models import ColleagueInvite
from events.models import CalendarToken
from notifications.models import Email
from privacy.exports import EXPORTS, people_models
from privacy.models import AccessRecord, DataExport
from tests.factories import UserFactory
from tests.privacy.people import EMAIL, NAME, person_in_every_model

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_every_model_that_points_at_a_user_has_an_export_entry():
    # Found from the model graph: a new model with a link to the user and no entry here fails this test.
    assert sorted(set(people_models()) - set(EXPORTS)) == []
    assert sorted(set(EXPORTS) - set(people_models())) == []


def test_a_new_model_that_points_at_a_user_is_found_and_so_needs_an_entry():
    from django.contrib.auth import get_user_model
    from django.db import models
    from django.test.utils import isolate_apps

    with isolate_apps("privacy") as registry:

        class Badge(models.Model):  # noqa: DJ008 -- a stand-in that is never printed
            holder = models.ForeignKey(get_user_model(), on_delete=models.CASCADE, related_name="+")

            class Meta:
                app_label = "privacy"

        class Note(models.Model):  # noqa: DJ008 -- a stand-in that is never printed
            text = models.TextField()

            class Meta:
                app_label = "privacy"

        found = people_models(registry)
    assert "privacy.Badge" in found
    assert "privacy.Note" not in found
    assert "privacy.Badge" not in EXPORTS  # so the registry test above would fail until it has one


def _request_download(client, django_capture_on_commit_callbacks, person):
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:export_request"))
    assert response.status_code == 302
    email = Email.objects.get(kind="data_export")
    link = re.search(r"http://\S+/privacy/export/\S+/", email.body_text).group(0)
    return email, link.split("127.0.0.1:8000")[1]


def test_the_download_holds_every_model_about_the_person_and_their_files_but_no_secret(
    client, django_capture_on_commit_callbacks
):
    _world, person = person_in_every_model()
    email, path = _request_download(client, django_capture_on_commit_callbacks, person)
    assert email.to_email == EMAIL
    assert "Zephyrine Quillfeather" in email.body_text

    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {f"{label}.json" for label in people_models()} | {"README.txt"} <= names
    files = sorted(n for n in names if n.startswith("files/"))
    # Their resource's file; not the award's agreement or invoice, which are the organisation's.
    assert [n.rsplit("/", 1)[0] for n in files] == ["files/cohorts.Resource"]
    assert archive.read(files[0]) == b"%PDF-1.4 guide"

    def rows(label):
        return json.loads(archive.read(f"{label}.json"))

    [me] = rows("users.User")
    assert (me["email"], me["name"]) == (EMAIL, NAME)
    assert "password" not in me
    assert [set(r) & {"data"} for r in rows("mfa.Authenticator")] == [set()]
    assert [r["body"] for r in rows("cohorts.Message")] == ["A reply", "Hello all"] or sorted(
        r["body"] for r in rows("cohorts.Message")
    ) == ["A reply", "Hello all"]
    assert [r["hours"] for r in rows("funding.TimeEntry")] == ["2.00"]
    assert "to-person" not in json.dumps(rows("notifications.Email"))  # keys are left out
    assert [r["subject"] for r in rows("notifications.Email") if r["to_email"] == EMAIL][-1] == f"Hello {NAME}"
    # No secret anywhere: not the calendar feed's token, an invitation's, a two-factor key, a password hash.
    everything = b"".join(archive.read(n) for n in names if n.endswith(".json")).decode()
    secrets_held = [
        CalendarToken.objects.get(user=person).token,
        *ColleagueInvite.objects.values_list("token", flat=True),
        "JBSWY3DPEHPK3PXP",
        person.password,
    ]
    assert [s for s in secrets_held if s in everything] == []
    assert str(Authenticator.objects.get(user=person).pk) in json.dumps(rows("mfa.Authenticator"))
    # The download is in the access log.
    record = AccessRecord.objects.get(kind=AccessRecord.Kind.DATA_EXPORT)
    assert (record.who, record.ip) == (person, "127.0.0.1")


def test_the_link_is_a_404_to_anyone_else_and_after_it_expires(client, django_capture_on_commit_callbacks, settings):
    settings.DATA_EXPORT_DAYS = 7
    person = UserFactory()
    _email, path = _request_download(client, django_capture_on_commit_callbacks, person)
    client.force_login(UserFactory())
    assert client.get(path).status_code == 404
    client.logout()
    assert client.get(path).status_code == 302  # to sign in
    client.force_login(person)
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert client.get(path).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert client.get(path).status_code == 404
    assert client.get(path.replace("/export/", "/export/x")).status_code == 404
    assert AccessRecord.objects.filter(kind=AccessRecord.Kind.DATA_EXPORT).count() == 1


def test_asking_twice_while_it_is_prepared_makes_one_download(client):
    person = UserFactory()
    client.force_login(person)
    client.post(reverse("privacy:export_request"))
    client.post(reverse("privacy:export_request"))
    assert list(DataExport.objects.values_list("user", "status")) == [(person.pk, "pending")]


def test_asking_needs_a_post(client):
    client.force_login(UserFactory())
    assert client.get(reverse("privacy:export_request")).status_code == 405
    assert DataExport.objects.count() == 0


def test_a_request_stuck_for_an_hour_is_replaced_by_a_new_one(client):
    person = UserFactory()
    client.force_login(person)
    with time_machine.travel(timezone.now() - timedelta(minutes=61)):
        client.post(reverse("privacy:export_request"))
    client.post(reverse("privacy:export_request"))
    assert DataExport.objects.filter(user=person, status="pending").count() == 2


def test_the_profile_offers_the_download_and_its_button_asks_for_it(client, django_capture_on_commit_callbacks):
    person = UserFactory(name="Maya Okafor")
    client.force_login(person)
    page = client.get(reverse("profile")).content.decode()
    assert '<form method="post" action="/privacy/export/">' in page
    assert "a link that works for 7 days" in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/privacy/export/")
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    assert DataExport.objects.filter(user=person).count() == 1


def test_with_the_broker_down_asking_still_answers_and_the_sweep_builds_and_emails_it_later(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    """Redis stopped: the profile's button is not a 500 (the task could not be published after commit); the
    request waits as pending and, once a worker runs again, the minute sweep builds it and emails the link once."""
    from kombu.exceptions import OperationalError

    from cohortnet.tasks import sweep
    from notifications.services import publish_pause
    from privacy.tasks import data_export_build_task

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    person = UserFactory(name="Maya Okafor")
    client.force_login(person)
    monkeypatch.setattr(data_export_build_task, "apply_async", broker_down)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("privacy:export_request"))
        assert (response.status_code, response["Location"]) == (302, reverse("profile"))
        assert publish_pause.active()
    finally:
        publish_pause.until = 0.0
    monkeypatch.undo()
    export = DataExport.objects.get(user=person)
    assert export.status == "pending"
    sweep()  # less than a minute later: its own task may still come
    assert DataExport.objects.get(pk=export.pk).status == "pending"
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        sweep()
        sweep()
    export.refresh_from_db()
    assert export.status == "ready"
    emails = Email.objects.filter(kind="data_export", to_email=person.email)
    assert emails.count() == 1
    assert f"/privacy/export/{export.token}/" in emails.get().body_text
