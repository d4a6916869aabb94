"""Writes about personal data: the access log, a person's data download, the privacy notice and consents."""

import ipaddress
import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Participant
from notifications.services import (
    email_queue,
    publish_after_commit,
    render_email,
)
from privacy import selectors
from privacy.exports import write_zip
from privacy.models import AccessRecord, Consent, DataExport, PrivacyNotice

logger = logging.getLogger(__name__)

#: A download still being prepared after this long lost its task; asking again starts a new one.
STUCK_AFTER = timedelta(hours=1)
#: The sweep builds a download still being prepared this long after it was asked for (its task was lost).
SWEEP_AFTER = timedelta(minutes=1)


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
    _build_after_commit(export.pk)
    return export


def _build_after_commit(export_id: int) -> None:
    """Publish the build's task once the request commits, as the outbox does (sharing its pause and timeouts).

    With the broker down the request still answers: the row waits as "pending" and the sweep builds it
    (``data_exports_build_due``) once a worker runs again.
    """
    from privacy.tasks import data_export_build_task

    publish_after_commit(
        data_export_build_task,
        [{"export_id": export_id}],
        what="data download",
        fallback="the sweep will build it",
    )


def data_exports_build_due(*, now=None) -> int:
    """Build every download still being prepared ``SWEEP_AFTER`` after it was asked for; return how many are ready.

    Its task was lost (the broker was down when it was asked for, or a worker died). Each build locks its row and
    builds only a pending one, so a task arriving late, or two sweeps at once, still build and email it once.
    Called by the periodic sweep's task only.
    """
    cutoff = (now or timezone.now()) - SWEEP_AFTER
    due = DataExport.objects.filter(status=DataExport.Status.PENDING, created_at__lte=cutoff).order_by("pk")
    built = 0
    for export in due.only("pk"):
        built += data_export_build(export=export, now=now).status == DataExport.Status.READY
    return built


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


# --- the privacy notice ------------------------------------------------------------------------------------


def notice_publish(*, privacynotice: PrivacyNotice, by, now=None) -> PrivacyNotice:
    """Publish a draft as the next version: its number, the time and who published it. A published one is refused.

    The draft's row is locked, so it is published once; two drafts published at the same moment cannot share a
    number (the unique ``version``): the second is refused with a message to try again.
    """
    try:
        with transaction.atomic():
            notice = PrivacyNotice.objects.select_for_update().get(pk=privacynotice.pk)
            if notice.version is not None:
                raise ValidationError(
                    f"Version {notice.version} is already published and cannot change: "
                    "add a new notice and publish that instead."
                )
            if not notice.body.strip():
                raise ValidationError("Write the notice before publishing it: its text is empty.")
            notice.version = (PrivacyNotice.objects.aggregate(top=Max("version"))["top"] or 0) + 1
            notice.published_at = now or timezone.now()
            notice.published_by = by
            notice.full_clean()
            notice.save(update_fields=["version", "published_at", "published_by"])
    except IntegrityError:
        raise ValidationError("Another version was published at the same moment: publish this one again.") from None
    return notice


# --- consents ----------------------------------------------------------------------------------------------


def _keep_in_step(user, purpose: str, given: bool) -> None:
    """The cohorts' own switches follow the person's choice, in the same transaction.

    Directory: every participant row's ``show_contact_details``. Mailing list: no consent stops list email in
    every cohort (``delivery`` "none"); consent turns it back on where it was off, keeping a chosen daily digest.
    Credit has no switch to follow: the output credits organisations per contribution (``Contribution.credit``),
    chosen when the contribution is written; the person's consent is the record of their wish staff read.
    """
    participants = Participant.objects.filter(user=user)
    if purpose == Consent.Purpose.DIRECTORY:
        participants.update(show_contact_details=given)
    elif purpose == Consent.Purpose.MAILING_LIST:
        if given:
            participants.filter(delivery=Participant.Delivery.NONE).update(delivery=Participant.Delivery.EACH)
        else:
            participants.update(delivery=Participant.Delivery.NONE)


@transaction.atomic
def consent_set(*, user, purpose: str, given: bool, source: str, notice: PrivacyNotice | None = None, now=None):
    """Record ``user``'s choice for ``purpose`` if it differs from their current one; return the current row.

    The person's row is locked, so two changes at once are recorded one after the other and the newest row is
    always the last choice. The first choice is always recorded (given or not), so sign-up leaves a record.
    ``notice`` defaults to the notice published now.
    """
    if purpose not in Consent.Purpose.values:
        raise ValidationError(f"'{purpose}' is not something a person can agree to.")
    get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
    current = Consent.objects.filter(user=user, purpose=purpose).order_by("-at", "-pk").first()
    if current is not None and current.given == bool(given):
        return current
    at = now or timezone.now()
    if current is not None and current.at > at:
        at = current.at  # never older than the choice it replaces (a clock step back): the pk breaks the tie
    consent = Consent(
        user=user,
        purpose=purpose,
        given=bool(given),
        source=source,
        notice=notice if notice is not None else selectors.notice_current(),
        at=at,
    )
    consent.full_clean()
    consent.save()
    _keep_in_step(user, purpose, consent.given)
    return consent


@transaction.atomic
def consents_save(*, user, choices: dict[str, bool], source: str, notice: PrivacyNotice | None = None, now=None):
    """Several choices at once (sign-up, the profile's form), all or none. Returns ``{purpose: current row}``."""
    notice = notice if notice is not None else selectors.notice_current()
    return {
        purpose: consent_set(user=user, purpose=purpose, given=given, source=source, notice=notice, now=now)
        for purpose, given in choices.items()
    }
