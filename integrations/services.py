"""Writes for outgoing webhooks: queue, sign, post, retry.

The same guarantees as the email outbox (``notifications.services``): a
delivery is a row written in the transaction of the change it reports, so a
rolled-back change sends nothing and a broker outage loses nothing; its task
is published after commit and never holds a request up; a worker claims a
row with a conditional ``UPDATE … WHERE status='pending'`` before posting,
so two workers never post the same row; the sweep posts what is due (retries,
and rows whose task was lost) and gives back the rows of a worker that died.
A receiver's 2xx marks the row delivered; anything else is tried again with
exponential back-off and jitter, up to ``MAX_ATTEMPTS``, then marked failed
for staff to retry. Only the message in flight when a worker dies can arrive
twice; each carries ``X-CohortNet-Delivery``, the same on every attempt, so a
receiver can drop a repeat.
"""

import contextlib
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone

from integrations.models import (
    SUBSCRIPTIONS,
    WebhookDelivery,
    WebhookEndpoint,
    new_secret,
    validate_webhook_url,
)
from notifications.services import publish_after_commit

logger = logging.getLogger(__name__)

#: After this many failed attempts a delivery is marked failed and staff are left to retry it.
MAX_ATTEMPTS = 8
#: The wait after the first failure; it doubles with each failure after that, up to ``RETRY_MAX_SECONDS``.
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 3600
#: Each wait is made longer by up to this fraction, at random, so receivers that come back are not hit at once.
RETRY_JITTER = 0.25
#: How long one step (connecting, sending, each read) may wait on the receiver.
TIMEOUT_SECONDS = 10
#: How long a whole post may take, however slowly a receiver drips its answer.
TOTAL_SECONDS = 15
#: How much of the receiver's answer is read, for the error shown to staff.
RESPONSE_BYTES = 1024
USER_AGENT = "CohortNet-Webhooks/1"


class DeliveryError(Exception):
    """The receiver did not take the message; the text says why, for staff."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">``: the value of ``X-CohortNet-Signature``."""
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def retry_delay(attempts: int, *, rand: float | None = None) -> timedelta:
    """The wait before the next attempt after ``attempts`` failures: 1, 2, 4 … minutes, at most an hour, plus jitter.

    ``rand`` in [0, 1) chooses the jitter (random when not given).
    """
    if rand is None:
        rand = secrets.randbelow(10_000) / 10_000
    base = min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS)
    return timedelta(seconds=base * (1 + RETRY_JITTER * rand))


# --- Queueing -------------------------------------------------------------------------------------


def endpoints_wanting(*, cohort_id: int, kinds: Iterable[str]) -> list[WebhookEndpoint]:
    """The cohort's active endpoints that want any of ``kinds``, in one query."""
    wanted = Q()
    for kind in kinds:
        wanted |= Q(**{SUBSCRIPTIONS[kind]: True})
    return list(WebhookEndpoint.objects.filter(wanted, cohort_id=cohort_id, active=True).order_by("pk"))


def webhooks_queue(
    *, endpoints: Iterable[WebhookEndpoint], kind: str, key: str, payload: dict
) -> list[WebhookDelivery]:
    """Write one delivery per endpoint that wants ``kind``, once per ``key``, and have each posted after commit.

    Call it inside the transaction of the change it reports: a rollback takes the rows with it.
    A second call with the same key returns the first rows and posts nothing more.
    """
    deliveries, created_ids = [], []
    for endpoint in endpoints:
        if not endpoint.wants(kind):
            continue
        delivery, created = WebhookDelivery.objects.get_or_create(
            endpoint=endpoint, key=key, defaults={"kind": kind, "payload": payload}
        )
        deliveries.append(delivery)
        if created:
            created_ids.append(delivery.pk)
    if created_ids:
        _deliver_after_commit(created_ids)
    return deliveries


def _deliver_after_commit(delivery_ids: list[int]) -> None:
    """Publish each delivery's task once the transaction commits, as the outbox does (and sharing its pause)."""
    from integrations.tasks import webhook_deliver_task

    # The rows are safe whatever happens here: with the broker down, the sweep posts them.
    publish_after_commit(
        webhook_deliver_task,
        [{"delivery_id": delivery_id} for delivery_id in delivery_ids],
        what="webhook",
        fallback="the sweep will post it",
    )


# --- Staff (the admin) ----------------------------------------------------------------------------


@transaction.atomic
def webhook_endpoint_save(*, endpoint: WebhookEndpoint, by) -> WebhookEndpoint:
    """Add or change an endpoint. Staff only, through the admin; the address is checked by ``validate_webhook_url``."""
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_secret_rotate(*, endpoint: WebhookEndpoint, by) -> WebhookEndpoint:
    """Give an endpoint a new signing secret. Messages from then on are signed with it; retries too."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret = new_secret()
    endpoint.secret_rotated_at = timezone.now()
    endpoint.save(update_fields=["secret", "secret_rotated_at"])
    return endpoint


@transaction.atomic
def webhook_delivery_retry(*, delivery: WebhookDelivery, by) -> WebhookDelivery:
    """Post a failed delivery again now, with a fresh allowance of attempts. Staff only."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != WebhookDelivery.Status.FAILED:
        raise ValidationError(
            f"Only failed deliveries can be retried; this one is {delivery.get_status_display().lower()}."
        )
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    _deliver_after_commit([delivery.pk])
    return delivery


# --- Posting --------------------------------------------------------------------------------------


def _due(now) -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def stale_claim() -> timedelta:
    """How long a claim may stand before its worker counts as dead: the outbox's window, and longer than a post."""
    return timedelta(seconds=max(settings.OUTBOX_STALE_CLAIM_SECONDS, 2 * TOTAL_SECONDS))


def _release_stale_claims() -> None:
    """Give back the rows of workers that died mid-post; a row whose poster died every time is marked failed."""
    stale = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.SENDING, claimed_at__lt=Now() - stale_claim())
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=WebhookDelivery.Status.FAILED, claim_token="", last_error="The worker stopped while posting it."
    )
    released = stale.update(status=WebhookDelivery.Status.PENDING, claim_token="")
    if released:
        logger.warning("Returned %s webhook(s) claimed by a worker that stopped to the queue", released)


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes posted: the payload with the delivery's id, as compact UTF-8 JSON."""
    return json.dumps({"id": str(delivery.uid), **delivery.payload}, ensure_ascii=False, separators=(",", ":")).encode()


def _headers(delivery: WebhookDelivery, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-CohortNet-Event": delivery.kind,
        "X-CohortNet-Delivery": str(delivery.uid),
        "X-CohortNet-Timestamp": str(timestamp),
        "X-CohortNet-Signature": signature(delivery.endpoint.secret, timestamp, body),
    }


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address already checked, so the name cannot resolve elsewhere in between."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As ``_PinnedHTTPConnection``, with TLS checked against the name in the address."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _address_for(host: str, port: int) -> str:
    """The address to connect to. Without ``WEBHOOKS_ALLOW_LOCAL`` every address the name has must be public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DeliveryError(f"The address's host could not be found: {exc}") from exc
    addresses = [info[4][0] for info in infos]
    if not settings.WEBHOOKS_ALLOW_LOCAL:
        private = [a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_global]
        if private:
            raise DeliveryError(f"{host} is on a private network ({private[0]}): webhooks go only to the internet.")
    return addresses[0]


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body`` to ``url`` and return the status. Never follows a redirect; a whole post takes at most
    ``TOTAL_SECONDS``. Raises ``DeliveryError`` when the receiver cannot be reached or does not answer 2xx."""
    try:
        validate_webhook_url(url)
    except ValidationError as exc:
        raise DeliveryError(" ".join(exc.messages)) from None
    parts = urlsplit(url)
    https = parts.scheme.lower() == "https"
    port = parts.port or (443 if https else 80)
    address = _address_for(parts.hostname, port)
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address=address, timeout=TIMEOUT_SECONDS)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def cut_off():
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(TOTAL_SECONDS, cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(RESPONSE_BYTES)
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        watchdog.cancel()
        connection.close()
    if 200 <= response.status < 300:
        return response.status
    said = answer.decode("utf-8", "replace").strip()[:200]
    if 300 <= response.status < 400:
        raise DeliveryError(
            f"HTTP {response.status}: redirects are not followed; use the final address.", status=response.status
        )
    raise DeliveryError(f"HTTP {response.status}" + (f": {said}" if said else ""), status=response.status)


def _post_claimed(delivery: WebhookDelivery, token: str) -> bool:
    """Post a row this worker claimed, then record what happened. Returns whether the receiver took it."""
    body = body_of(delivery)
    mine = WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.SENDING, claim_token=token)
    try:
        status = _post(delivery.endpoint.url, body, _headers(delivery, body, int(time.time())))
    except Exception as exc:  # noqa: BLE001 -- any failure is recorded on the row and retried
        failed = delivery.attempts >= MAX_ATTEMPTS
        said = str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"
        mine.update(
            status=WebhookDelivery.Status.FAILED if failed else WebhookDelivery.Status.PENDING,
            next_attempt_at=None if failed else timezone.now() + retry_delay(delivery.attempts),
            last_error=said[:2000],
            response_status=getattr(exc, "status", None),
            claim_token="",
        )
        logger.warning("Webhook %s failed (attempt %s): %s", delivery.pk, delivery.attempts, exc)
        return False
    mine.update(
        status=WebhookDelivery.Status.DELIVERED,
        delivered_at=timezone.now(),
        last_error="",
        response_status=status,
        claim_token="",
    )
    return True


def _claimed(delivery_id: int, token: str) -> WebhookDelivery | None:
    """The row this worker just claimed, with its endpoint; None if staff deleted the endpoint meanwhile."""
    return WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id, claim_token=token).first()


def webhook_deliver(*, delivery_id: int) -> bool:
    """Post one pending, due delivery if this caller wins the claim. Returns whether the receiver took it.

    Never raises for a receiver's failure: it is written to the row, which is
    tried again later with back-off, up to ``MAX_ATTEMPTS``. A delivery whose
    endpoint is turned off waits.
    """
    now = timezone.now()
    if not WebhookDelivery.objects.filter(pk=delivery_id, endpoint__active=True).exists():
        return False
    token = secrets.token_hex(16)
    won = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .filter(_due(now))
        .update(status=WebhookDelivery.Status.SENDING, claimed_at=Now(), claim_token=token, attempts=F("attempts") + 1)
    )
    delivery = _claimed(delivery_id, token) if won else None
    return delivery is not None and _post_claimed(delivery, token)


def _claim_next(now, token: str) -> int | None:
    """Claim the oldest due row of an active endpoint. SKIP LOCKED lets several workers take different rows."""
    with transaction.atomic():
        delivery_id = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=WebhookDelivery.Status.PENDING, endpoint__active=True)
            .filter(_due(now))
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if delivery_id is None:
            return None
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING).update(
            status=WebhookDelivery.Status.SENDING, claimed_at=Now(), claim_token=token, attempts=F("attempts") + 1
        )
    return delivery_id


def webhooks_deliver_due(*, limit: int = 200, budget_seconds: float = 30.0) -> int:
    """Post pending deliveries that are due, one claim at a time, oldest first. Returns how many were taken.

    First gives back the rows of workers that died mid-post. Stops after
    ``limit`` posts or once ``budget_seconds`` have gone, so slow receivers
    cannot hold the worker: the next sweep goes on.
    """
    _release_stale_claims()
    started = time.monotonic()
    delivered = 0
    for _ in range(limit):
        if time.monotonic() - started > budget_seconds:
            break
        token = secrets.token_hex(16)
        delivery_id = _claim_next(timezone.now(), token)
        if delivery_id is None:
            break
        delivery = _claimed(delivery_id, token)
        delivered += delivery is not None and _post_claimed(delivery, token)
    return delivered
