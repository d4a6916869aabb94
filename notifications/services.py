"""Writes for the outbox: queue, release, send, retry.

Any app may call ``email_queue`` inside the transaction of the change it
reports. Sending happens in the worker: right after commit for new rows, and
from the sweep for anything due that was missed or is being retried.
"""

import functools
import logging
import re
import secrets
import threading
import time
from collections.abc import Iterable
from datetime import timedelta
from email.policy import Compat32

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, connections, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.html import linebreaks

from notifications.models import Email
from notifications.templatetags.email_html import linkify

logger = logging.getLogger(__name__)

#: After this many failed attempts a row is marked failed and staff are left to resend it.
MAX_ATTEMPTS = 5


def email_subject(subject: str) -> str:
    """A subject safe for the header: a CR or LF would split it (header injection) and SMTP refuses it."""
    return " ".join(subject.split())[:255]


def render_email(template: str, context: dict) -> tuple[str, str]:
    """Render ``templates/<template>.txt`` and, if it exists, ``.html``."""
    context = {"site_url": settings.SITE_URL, **context}
    text = render_to_string(f"{template}.txt", context)
    try:
        html = render_to_string(f"{template}.html", context)
    except TemplateDoesNotExist:
        html = html_from_text(text)
    return text, html


def html_from_text(text: str) -> str:
    """The HTML part for a plain text: the text, escaped, with links made clickable.

    The same as rendering ``notifications/email/wrapper.html`` with ``text`` (its
    ``{{ text|linkify|linebreaks }}`` between a fixed head and foot), without a
    template render per email: the head and foot are rendered once per process.
    """
    # A text template turns autoescape off, which marks its output safe:
    # join it into a plain str so the HTML part escapes it.
    head, foot = _wrapper_parts()
    return f"{head}{linebreaks(linkify(''.join([text])), autoescape=False)}{foot}"


@functools.cache
def _wrapper_parts() -> tuple[str, str]:
    mark = "cohortnet-text-mark"
    page = render_to_string("notifications/email/wrapper.html", {"text": mark})
    body = linebreaks(linkify(mark), autoescape=False)
    if page.count(body) != 1:
        raise ImproperlyConfigured("notifications/email/wrapper.html must print {{ text|linkify|linebreaks }} once")
    head, foot = page.split(body)
    return head, foot


class _Person:
    """The stand-in for ``user`` in a shared render: its name (a mark) and time zone, nothing else."""

    def __init__(self, *, name: str, time_zone: str):
        self.name = name
        self.time_zone = time_zone

    def __getattr__(self, attribute):
        # Not an AttributeError, which the template engine would print as "": fail loudly instead.
        raise RuntimeError(f"A shared email render printed user.{attribute}; only name and time_zone may vary")


def render_email_shared(
    template: str, context: dict, *, person, fields: dict, key: tuple, cache: dict
) -> tuple[str, str]:
    """``render_email`` for one of many people sent one text that differs only in a few printed values.

    The text template is rendered once per ``key`` in ``cache`` (the caller's: it
    must hold every value the template *tests* or derives per person, such as
    the person's time zone and whether they gave a name), with a unique mark in
    place of each of ``fields`` (``"user.name"`` and context names such as
    ``"opt_out_link"``: printed only, never tested; a value may be a callable),
    then the person's values replace the marks. The template sees, as ``user``,
    a stand-in with only ``name`` and ``time_zone``, which raises on anything
    else rather than print another person's value. For text templates only
    (autoescape off): the HTML part is made from the person's text, as
    ``render_email`` does when there is no ``.html`` template.
    """
    if _has_html_template(template):
        values = {**context, "user": person, **{k: v for k, v in fields.items() if not k.startswith("user.")}}
        return render_email(template, values)
    key = (template, *key)
    if key not in cache:
        marks = {name: f"\x00{name}:{secrets.token_hex(8)}\x00" for name in fields}
        stand_in = _Person(name=marks.get("user.name", "") if person.name else "", time_zone=person.time_zone)
        values = {
            "site_url": settings.SITE_URL,
            **context,
            "user": stand_in,
            **{name: mark for name, mark in marks.items() if not name.startswith("user.")},
        }
        cache[key] = (render_to_string(f"{template}.txt", values), marks)
    text, marks = cache[key]
    for name, mark in marks.items():
        value = person.name if name == "user.name" else fields[name]
        text = text.replace(mark, str(value() if callable(value) else value))
    return text, html_from_text(text)


@functools.cache
def _has_html_template(template: str) -> bool:
    try:
        get_template(f"{template}.html")
    except TemplateDoesNotExist:
        return False
    return True


def email_queue(
    *,
    key: str,
    kind: str,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    attachments: Iterable[dict] = (),
    headers: dict | None = None,
    hold: bool = False,
    send_now: bool = True,
    batch: str = "",
) -> Email:
    """Write one outgoing email, once per ``key``, and have it sent after commit.

    A second call with the same key returns the first row unchanged, which is
    what makes retries and repeated sweeps safe. ``hold=True`` keeps the email
    until staff release it (decision emails). ``send_now=False`` leaves the row
    for the caller's own batch send (the sweep) instead of a task per email.
    ``headers`` are extra MIME headers (``List-Unsubscribe``...) stored on the row.
    ``batch`` names, in words staff read, the held emails they may send together ("call 12: Data 2026").
    """
    email, created = Email.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "to_email": to,
            "subject": email_subject(subject),
            "body_text": body_text,
            "body_html": body_html,
            "attachments": list(attachments),
            "headers": dict(headers or {}),
            "status": Email.Status.HELD if hold else Email.Status.QUEUED,
            "batch": batch,
        },
    )
    if created and not hold and send_now:
        _send_after_commit(email.pk)
    return email


#: One immediate reconnect (a pooled connection may predate a Redis restart), then give up.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0, "interval_max": 0}
#: After a failed publish this process leaves new emails to the sweep for this long.
PUBLISH_PAUSE_SECONDS = 10.0
#: How long a publish after commit waits on a silent broker. The worker keeps the broker
#: settings' longer timeouts: only the publishers here get these.
PUBLISH_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
#: A failure quicker than this is a stale connection, worth the one reconnect; a slower one is a silent broker.
PUBLISH_QUICK_FAILURE_SECONDS = 0.2


class _PublishPause:
    """Whether this process has just failed to reach the broker.

    Publishing after commit must never hold a request up: with the broker
    down, each publish would wait for its connect timeout, and moving an event
    queues one email per person. After one failure the rest skip the broker
    for a few seconds; their rows are safe in the outbox and the sweep sends them.
    """

    def __init__(self):
        self.until = 0.0

    def active(self) -> bool:
        return time.monotonic() < self.until

    def start(self) -> None:
        self.until = time.monotonic() + PUBLISH_PAUSE_SECONDS


publish_pause = _PublishPause()
_publisher = threading.local()


def _publish_connection(app):
    """This thread's broker connection for publishing after commit, with ``PUBLISH_TIMEOUTS``.

    A Redis that is hung or cut off (silent, not refusing) would otherwise
    hold the request for the broker settings' timeouts, twice (the reconnect).
    """
    url = app.conf.broker_url
    if getattr(_publisher, "url", None) != url:
        _publisher.connection = app.connection_for_write(transport_options=PUBLISH_TIMEOUTS)
        _publisher.url = url
    return _publisher.connection


def publish_after_commit(task, kwargs_list: list[dict], *, what: str, fallback: str) -> None:
    """Publish ``task`` once per kwargs in ``kwargs_list`` when the transaction commits, never holding it up.

    Every publisher of work kept as a row (outbox emails, data downloads, webhook deliveries) goes through
    here, so they share one pause: after a failure (the broker down) the rest skip the broker for
    ``PUBLISH_PAUSE_SECONDS`` and their rows wait for the sweep. One quick failure (a stale connection) is
    retried; a slow one (a silent broker) is not. ``what`` names the row in the log ("email 12"),
    ``fallback`` says what the sweep will do instead ("the sweep will send it").
    """

    def enqueue():
        for kwargs in kwargs_list:
            if publish_pause.active():
                return
            started = time.monotonic()

            def retry_only_a_quick_failure(exc, _interval, started=started):
                if time.monotonic() - started > PUBLISH_QUICK_FAILURE_SECONDS:
                    raise exc

            options = {"retry": True, "retry_policy": {**PUBLISH_RETRY_POLICY, "errback": retry_only_a_quick_failure}}
            if not task.app.conf.task_always_eager:
                options["connection"] = _publish_connection(task.app)
            try:
                task.apply_async(kwargs=kwargs, **options)
            except Exception:
                publish_pause.start()
                logger.warning(
                    "Could not enqueue %s %s; %s, and new ones for %s s",
                    what,
                    ", ".join(str(v) for v in kwargs.values()),
                    fallback,
                    PUBLISH_PAUSE_SECONDS,
                    exc_info=True,
                )

    transaction.on_commit(enqueue)


def _send_after_commit(email_id: int) -> None:
    from notifications.tasks import email_send_task

    publish_after_commit(email_send_task, [{"email_id": email_id}], what="email", fallback="the sweep will send it")


@transaction.atomic
def email_revise(*, email: Email, subject: str, body_text: str, by) -> Email:
    """Edit a held email before it goes: its subject and text, with the HTML part made again from the text.

    Staff only, via the admin. Locks the row, so an email being released cannot change under the sender.
    """
    email = Email.objects.select_for_update().get(pk=email.pk)
    if email.status != Email.Status.HELD:
        raise ValidationError(f"Only held emails can be edited; this one is {email.get_status_display().lower()}.")
    email.subject = email_subject(subject)
    email.body_text = body_text
    email.body_html = html_from_text(body_text)
    email.full_clean()
    email.save(update_fields=["subject", "body_text", "body_html"])
    return email


@transaction.atomic
def email_release(*, email: Email, by) -> Email:
    """Send a held email (after staff have read and perhaps edited it). Staff only, via the admin."""
    email = Email.objects.select_for_update().get(pk=email.pk)
    if email.status != Email.Status.HELD:
        raise ValidationError(f"Only held emails can be released; this one is {email.get_status_display().lower()}.")
    email.status = Email.Status.QUEUED
    email.released_by = by
    email.save(update_fields=["status", "released_by"])
    _send_after_commit(email.pk)
    return email


@transaction.atomic
def email_resend(*, email: Email, by) -> Email:
    """Queue a failed email again with a fresh allowance of attempts. Staff only."""
    email = Email.objects.select_for_update().get(pk=email.pk)
    if email.status != Email.Status.FAILED:
        raise ValidationError("Only failed emails can be resent.")
    email.status = Email.Status.QUEUED
    email.attempts = 0
    email.send_after = None
    email.released_by = by
    email.save(update_fields=["status", "attempts", "send_after", "released_by"])
    _send_after_commit(email.pk)
    return email


def _due(now) -> Q:
    return Q(send_after__isnull=True) | Q(send_after__lte=now)


def stale_claim() -> timedelta:
    """How long a claim may go unrenewed before its worker counts as dead (``OUTBOX_STALE_CLAIM_SECONDS``)."""
    return timedelta(seconds=settings.OUTBOX_STALE_CLAIM_SECONDS)


class _Claim:
    """One worker's hold on the rows it claimed, renewed while the worker lives.

    Every row the worker claims carries its random token. A thread renews the
    rows' ``claimed_at`` four times per stale window, so a long batch or a slow
    server never makes a live claim look stale; when the process dies the
    renewals stop, and the first sweep after the stale window puts the rows
    back in the queue. Times come from the database's clock, so workers on
    hosts whose clocks differ still agree on what is stale.

    Before sending the worker also confirms the rows are still its own: if a
    sweep took a row back (the renewals could not reach the database), the
    worker skips it rather than send it a second time. One confirmation covers
    the rest of a batch (``confirm_rest``): it renews their claim, so no sweep
    can take them back within a stale window; the worker confirms again once a
    quarter of that window has passed.
    """

    def __init__(self):
        self.token = secrets.token_hex(16)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._renew_until_stopped, name="outbox-claim", daemon=True)

    def __enter__(self) -> "_Claim":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stopped.set()
        self._thread.join()

    def _renew_until_stopped(self) -> None:
        interval = stale_claim().total_seconds() / 4
        try:
            while not self._stopped.wait(interval):
                try:
                    self.rows().update(claimed_at=Now())
                except DatabaseError:
                    logger.warning("Could not renew the outbox claim %s", self.token, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connection only

    def rows(self):
        return Email.objects.filter(status=Email.Status.SENDING, claim_token=self.token)

    def confirm_rest(self, email_ids: list[int]) -> set[int]:
        """Which of ``email_ids`` are still ours, renewing their claim: safe to send for a quarter stale window."""
        self.rows().filter(pk__in=email_ids).update(claimed_at=Now())
        return set(self.rows().filter(pk__in=email_ids).values_list("pk", flat=True))

    def mark_sent(self, email_id: int) -> None:
        """Mark one delivered email sent, without waiting for the database to flush the mark to disk.

        Profile at 2,000 reminders: waiting for each mark's commit to reach the disk was about a quarter of
        the send (2.5 ms each on this machine). With ``synchronous_commit`` off for this transaction only, a
        killed worker loses nothing (the database has the mark); a crash of the database server itself
        can forget the last fraction of a second of marks, and those emails go a second time. They are
        never lost: a mark is written only after the server accepted the email.
        """
        with transaction.atomic(using=Email.objects.db):
            connection = connections[Email.objects.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            self.rows().filter(pk=email_id).update(status=Email.Status.SENT, sent_at=timezone.now(), last_error="")


def _release_stale_claims() -> None:
    """Give back the rows of workers that died mid-send (no renewal for a whole stale window).

    The email a worker was sending when it died may have left already: we
    prefer that one duplicate to a lost email. A row whose sender died on
    every attempt is marked failed, so one email cannot kill workers forever.
    """
    stale = Email.objects.filter(status=Email.Status.SENDING, claimed_at__lt=Now() - stale_claim())
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Email.Status.FAILED, claim_token="", last_error="The worker stopped while sending it."
    )
    released = stale.update(status=Email.Status.QUEUED, claim_token="")
    if released:
        logger.warning("Returned %s email(s) claimed by a worker that stopped to the queue", released)


#: A header line that needs neither folding nor encoding: printable ASCII and tabs.
_PLAIN_HEADER = re.compile(r"[\t\x20-\x7e]*")


class _Compat32(Compat32):
    """Python's default email policy, writing a short plain header line as it is.

    Python folds every header through ``email.header.Header``, ~50 µs each, and a
    reminder has 21 (the message's and its four parts'): profile at 2,000
    reminders, 2.5 s of the 3.6 s spent turning messages into bytes. For a value
    of printable ASCII that fits on one line, ``Header`` writes ``name: value``
    unchanged (checked against it for such values in the tests); anything else
    goes through ``Header`` as before.
    """

    def fold_binary(self, name, value):
        limit = self.max_line_length
        if isinstance(value, str) and limit and len(name) + 2 + len(value) <= limit and _PLAIN_HEADER.fullmatch(value):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


_POLICY = _Compat32()


class OutboxMessage(EmailMultiAlternatives):
    """An email whose MIME boundaries are chosen up front, written out with ``_Compat32``.

    Without a boundary Python's email generator invents one per multipart
    and compiles a regular expression to check it is absent from the text:
    in the reminder benchmark that was the largest single cost of sending.
    A random 128-bit boundary cannot be guessed by whoever wrote the text,
    so it needs no check.
    """

    def message(self, *args, **kwargs):
        msg = super().message(*args, **kwargs)
        for part in msg.walk():
            if part.is_multipart():
                part.set_boundary(f"==cohortnet-{secrets.token_hex(16)}==")
        # The generator writes the parts with the outer message's policy.
        msg.policy = _POLICY
        return msg


def _message(email: Email, connection, cls=OutboxMessage) -> EmailMultiAlternatives:
    message = cls(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        connection=connection,
        headers=email.headers or None,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment.get("mimetype"))
    return message


def _deliver(email: Email, connection, now, claim: _Claim) -> bool:
    """Send a claimed row. A failure goes back to the queue with back-off, or is marked failed."""
    try:
        _message(email, connection).send()
    except Exception as exc:  # noqa: BLE001 -- any delivery failure is recorded and retried
        failed = email.attempts >= MAX_ATTEMPTS
        claim.rows().filter(pk=email.pk).update(
            status=Email.Status.FAILED if failed else Email.Status.QUEUED,
            send_after=None if failed else now + timedelta(minutes=2**email.attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            claim_token="",
        )
        logger.warning("Sending email %s failed (attempt %s): %s", email.pk, email.attempts, exc)
        return False
    return True


def _send_claimed(emails: Iterable[Email], connection, now, claim: _Claim) -> int:
    """Send each row still ours, marking it sent the moment the server accepts it. Returns how many were sent.

    One small UPDATE after each email: a worker killed mid-batch has marked
    everything delivered so far, and at most the email in flight can go twice.
    Whether the rows are still ours is confirmed for the rest of the batch at
    once, again after a quarter stale window (profile at 2,000 reminders: the
    per-email confirmation was 10 s of the 43 s send, a committed UPDATE each).
    """
    emails = list(emails)
    ours: set[int] = set()
    confirmed_at = None
    recheck = stale_claim().total_seconds() / 4
    sent = 0
    for index, email in enumerate(emails):
        if confirmed_at is None or time.monotonic() - confirmed_at > recheck:
            # Renewed now, the rest cannot be taken back before a stale window has passed.
            confirmed_at = time.monotonic()
            ours = claim.confirm_rest([e.pk for e in emails[index:]])
        if email.pk not in ours:
            continue
        if _deliver(email, connection, now, claim):
            claim.mark_sent(email.pk)
            sent += 1
    return sent


def email_send(*, email_id: int, connection=None) -> bool:
    """Send one queued, due email if this caller wins the claim. Returns whether it was sent.

    Never raises for a delivery failure: the failure is written to the row,
    which is retried later with back-off, up to ``MAX_ATTEMPTS``.
    """
    now = timezone.now()
    with _Claim() as claim:
        won = (
            Email.objects.filter(pk=email_id, status=Email.Status.QUEUED)
            .filter(_due(now))
            .update(status=Email.Status.SENDING, claimed_at=Now(), claim_token=claim.token, attempts=F("attempts") + 1)
        )
        if not won:
            return False
        return _send_claimed(claim.rows().filter(pk=email_id), connection, now, claim) == 1


#: Rows claimed at once by the sweep, sent over one connection.
BATCH = 100


def _claim_batch(now, claim: _Claim) -> list[Email]:
    """Claim up to BATCH due rows at once. SKIP LOCKED lets several workers take different rows."""
    with transaction.atomic():
        ids = list(
            Email.objects.select_for_update(skip_locked=True)
            .filter(status=Email.Status.QUEUED)
            .filter(_due(now))
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return []
        Email.objects.filter(pk__in=ids, status=Email.Status.QUEUED).update(
            status=Email.Status.SENDING, claimed_at=Now(), claim_token=claim.token, attempts=F("attempts") + 1
        )
    return list(claim.rows().filter(pk__in=ids).order_by("created_at", "pk"))


def emails_send_due(*, limit: int = 500) -> int:
    """Send queued emails that are due, in claimed batches over one SMTP connection. Returns how many were sent.

    First returns to the queue the rows of workers that died mid-send (see
    ``_release_stale_claims``).
    """
    now = timezone.now()
    _release_stale_claims()
    sent = 0
    with _Claim() as claim, get_connection() as connection:
        while sent < limit:
            batch = _claim_batch(now, claim)
            if not batch:
                break
            sent += _send_claimed(batch, connection, now, claim)
    return sent


def reminder_opt_out_set(*, user, kind: str, stopped: bool) -> None:
    """Stop or restart one kind of reminder for one person. Only that person (or their signed link)."""
    from notifications.models import ReminderOptOut

    if stopped:
        ReminderOptOut.objects.get_or_create(user=user, kind=kind)
    else:
        ReminderOptOut.objects.filter(user=user, kind=kind).delete()
