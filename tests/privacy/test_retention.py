"""Retention: each rule touches exactly the rows past their time, once, and every run is logged."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.files.base import ContentFile

from applications.models import Application, Invitation, ReviewAssignment, Transition
from notifications.models import Email
from privacy.models import DataExport, RetentionRun
from privacy.retention import retention_sweep
from privacy.tasks import retention_sweep_task
from tests.factories import ApplicationFactory, OpenCallFactory, ReviewAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 12, 1, 12, 0, tzinfo=UTC)
ZERO = {"applications_anonymised": 0, "email_bodies_purged": 0, "invitations_deleted": 0, "data_downloads_deleted": 0}


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.RETENTION_APPLICATION_MONTHS = 12
    settings.RETENTION_EMAIL_BODY_DAYS = 90
    settings.RETENTION_INVITATION_DAYS = 90


def _call(decisions_by):
    return OpenCallFactory(
        opens_at=datetime(2026, 6, 1, tzinfo=UTC),
        closes_at=datetime(2026, 8, 31, tzinfo=UTC),
        decisions_by=decisions_by,
    )


def test_unsuccessful_applications_lose_their_answers_twelve_months_after_the_calls_decisions():
    old, recent = (
        _call(date(2026, 11, 30)),
        _call(date(2026, 12, 1)),
    )  # the day before and the day of 12 months before NOW
    rejected = ApplicationFactory(call=old, status=Application.Status.REJECTED, extra_answers={"1": "Our secret"})
    review = ReviewAssignmentFactory(application=rejected, comment="Weak plan")
    Transition.objects.create(application=rejected, from_status="submitted", to_status="rejected", note="Too big")
    accepted = ApplicationFactory(call=old, status=Application.Status.ACCEPTED)
    too_recent = ApplicationFactory(call=recent, status=Application.Status.REJECTED)

    run = retention_sweep(now=NOW)

    assert run.counts == {**ZERO, "applications_anonymised": 1}
    rejected.refresh_from_db()
    assert (rejected.data_stewarded, rejected.sustainability, rejected.contribution, rejected.extra_answers) == (
        "",
        "",
        "",
        {},
    )
    # What the programme counts stays: the organisation, call, status, amount.
    assert (rejected.organisation_id, rejected.status, str(rejected.funding_requested)) == (
        rejected.organisation_id,
        "rejected",
        "15000.00",
    )
    assert ReviewAssignment.objects.get(pk=review.pk).comment == ""
    assert list(Transition.objects.filter(application=rejected).values_list("note", flat=True)) == [""]
    for untouched in (accepted, too_recent):
        untouched.refresh_from_db()
        assert untouched.data_stewarded == "An open register of companies, used by journalists."
    # A second run finds nothing more to do.
    assert retention_sweep(now=NOW).counts == ZERO


def test_a_call_without_a_decisions_date_counts_from_its_closing():
    call = OpenCallFactory(opens_at=datetime(2026, 6, 1, tzinfo=UTC), closes_at=datetime(2026, 11, 30, tzinfo=UTC))
    ApplicationFactory(call=call, status=Application.Status.WITHDRAWN)
    assert retention_sweep(now=NOW).counts["applications_anonymised"] == 1


def test_email_bodies_go_ninety_days_after_sending_and_the_row_stays():
    def email(key, status, sent_days_ago=None):
        sent_at = NOW - timedelta(days=sent_days_ago) if sent_days_ago is not None else None
        row = Email.objects.create(
            key=key, kind="k", to_email="a@b.org", subject="S", body_text="T", body_html="<p>T</p>",
            attachments=[{"filename": "x.ics"}], headers={"List-Unsubscribe": "<https://x>"},
            status=status, sent_at=sent_at,
        )  # fmt: skip
        Email.objects.filter(pk=row.pk).update(created_at=NOW - timedelta(days=100))
        return row

    old = email("old", Email.Status.SENT, 91)
    recent = email("recent", Email.Status.SENT, 89)
    failed = email("failed", Email.Status.FAILED)
    queued = email("queued", Email.Status.QUEUED)

    assert retention_sweep(now=NOW).counts["email_bodies_purged"] == 2
    old.refresh_from_db()
    assert (old.subject, old.to_email, old.body_text, old.body_html, old.attachments, old.headers) == (
        "S",
        "a@b.org",
        "",
        "",
        [],
        {},
    )
    assert Email.objects.get(pk=failed.pk).body_text == ""
    assert [Email.objects.get(pk=e.pk).body_text for e in (recent, queued)] == ["T", "T"]
    assert retention_sweep(now=NOW).counts["email_bodies_purged"] == 0


def test_unused_invitations_go_ninety_days_after_their_calls_decisions():
    old, recent = _call(date(2027, 9, 1)), _call(date(2027, 9, 2))  # 91 and 90 days before NOW
    unused = Invitation.objects.create(call=old, organisation_name="A", contact_email="a@x.org")
    used = Invitation.objects.create(call=old, organisation_name="B", contact_email="b@x.org")
    ApplicationFactory(call=old, invitation=used, status=Application.Status.ACCEPTED)
    waiting = Invitation.objects.create(call=recent, organisation_name="C", contact_email="c@x.org")

    assert retention_sweep(now=NOW).counts["invitations_deleted"] == 1
    assert sorted(Invitation.objects.values_list("pk", flat=True)) == sorted([used.pk, waiting.pk])
    assert not Invitation.objects.filter(pk=unused.pk).exists()


def test_expired_data_downloads_lose_their_file(tmp_path):
    def export(expires_at):
        row = DataExport(user=UserFactory(), status=DataExport.Status.READY, expires_at=expires_at, ready_at=NOW)
        row.file.save("export.zip", ContentFile(b"PK"), save=True)
        return row

    expired, live = export(NOW - timedelta(seconds=1)), export(NOW + timedelta(days=1))
    path = expired.file.path

    assert retention_sweep(now=NOW).counts["data_downloads_deleted"] == 1
    expired.refresh_from_db()
    assert (expired.status, expired.file.name) == ("expired", "")
    assert not (tmp_path / path).exists()
    assert DataExport.objects.get(pk=live.pk).status == "ready"


def test_each_run_is_logged_with_its_counts():
    result = retention_sweep_task()
    run = RetentionRun.objects.get()
    assert result == ZERO == run.counts
    assert run.finished_at >= run.started_at


def test_beat_runs_the_retention_sweep_daily_by_default(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert (entry["task"], entry["schedule"]) == ("privacy.retention_sweep", 86400.0)
