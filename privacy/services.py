"""Writes about personal data: the access log and a person's data download."""

import ipaddress
import tempfile
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.services import email_queue, render_email
from privacy.exports import write_zip
from privacy.models import AccessRecord, DataExport

#: A download still being prepared after this long lost its task; asking again starts a new one.
STUCK_AFTER = timedelta(hours=1)


def client_address(request) -> str | None:
    """The client's address as the sign-in rate limits count it: ``TRUSTED_PROXY_COUNT`` places from the right
    of X-Forwarded-For when proxies are trusted, else the connection's own address."""
    proxies = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    address = forwarded[-proxies] if proxies and len(forwarded) >= proxies else request.META.get("REMOTE_ADDR")
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def access_record(*, request=None, who=None, kind: str, what: str, rows: int | None = None) -> AccessRecord:
    """Add one line to the access log: ``who`` (else the request's user) did ``kind`` to ``what``.

    ``what`` names the file or record, never a person. Called by the toolbox signals' receivers, the
    data download and erasure. Writes one row; anyone's action may be recorded.
    """
    if who is None and request is not None and request.user.is_authenticated:
        who = request.user
    return AccessRecord.objects.create(
        who=who,
        kind=kind,
        what=what[:300],
        rows=rows,
        ip=client_address(request) if request is not None else None,
    )


@transaction.atomic
def data_export_request(*, user) -> DataExport:
    """Start preparing ``user``'s data download; a request already being prepared is returned instead.

    Locks the person's row so two clicks make one download. The ZIP is built by
    ``privacy.tasks.data_export_build_task`` after commit and the link is emailed. The person themselves
    (from their profile) or staff (for them) may call it.
    """
    get_user_model().objects.select_for_update().get(pk=user.pk)
    # One being prepared is returned; one stuck for an hour (its task lost with a worker) is left behind.
    recent = timezone.now() - STUCK_AFTER
    pending = DataExport.objects.filter(user=user, status=DataExport.Status.PENDING, created_at__gt=recent).first()
    if pending:
        return pending
    export = DataExport.objects.create(user=user)
    from privacy.tasks import data_export_build_task

    transaction.on_commit(lambda: data_export_build_task.delay(export_id=export.pk))
    return export


def download_url(export: DataExport) -> str:
    return settings.SITE_URL + reverse("privacy:export_download", kwargs={"token": export.token})


@transaction.atomic
def data_export_build(*, export: DataExport, now=None) -> DataExport:
    """Build the ZIP of everything about the export's person, store it privately, and email them the link.

    The link works for ``DATA_EXPORT_DAYS``; the retention sweep deletes the file after. Locks the
    export row, so a task delivered twice builds once. Called by the task only.
    """
    export = DataExport.objects.select_for_update().select_related("user").get(pk=export.pk)
    if export.status != DataExport.Status.PENDING:
        return export
    now = now or timezone.now()
    with tempfile.TemporaryFile() as stream:
        write_zip(export.user, stream, when=now)
        stream.seek(0)
        export.file.save("export.zip", File(stream), save=False)
    export.status = DataExport.Status.READY
    export.ready_at = now
    export.expires_at = now + timedelta(days=settings.DATA_EXPORT_DAYS)
    export.full_clean()
    export.save()
    context = {"user": export.user, "url": download_url(export), "expires_at": export.expires_at}
    body_text, body_html = render_email("privacy/email/export_ready", context)
    email_queue(
        key=f"privacy-export-{export.pk}",
        kind="data_export",
        to=export.user.email,
        subject="Your data from CohortNet is ready to download",
        body_text=body_text,
        body_html=body_html,
    )
    return export


def data_export_for_download(*, user, token: str, now=None) -> DataExport | None:
    """The ready, unexpired download ``token`` names, if it is ``user``'s; else None (the page is a 404)."""
    now = now or timezone.now()
    return (
        DataExport.objects.filter(token=token, user=user, status=DataExport.Status.READY, expires_at__gt=now)
        .exclude(file="")
        .first()
    )
