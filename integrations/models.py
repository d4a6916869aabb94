"""Outgoing webhooks: where a cohort's news goes (an endpoint) and each message on its way (a delivery).

A delivery is a row written in the same transaction as the change it
reports, like an email in the outbox: it cannot be lost to a broker outage,
and its key, unique per endpoint, means the same news is never queued twice
for one receiver. The worker posts it, retries a failure with back-off, and
marks it failed after ``integrations.services.MAX_ATTEMPTS``.
"""

import ipaddress
import secrets
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q

from cohorts.models import Cohort


class Kind(models.TextChoices):
    """What a webhook reports, as its receiver reads it in ``X-CohortNet-Event``."""

    THREAD_CREATED = "thread.created", "New thread"
    EVENT_CREATED = "event.created", "New event"
    EVENT_MOVED = "event.moved", "Event moved"
    EVENT_CANCELLED = "event.cancelled", "Event cancelled"


#: The endpoint's switch for each kind.
SUBSCRIPTIONS = {
    Kind.THREAD_CREATED: "on_thread_created",
    Kind.EVENT_CREATED: "on_event_created",
    Kind.EVENT_MOVED: "on_event_moved",
    Kind.EVENT_CANCELLED: "on_event_cancelled",
}

#: Names that mean this machine, besides the loopback addresses.
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})

_valid_url = URLValidator(
    schemes=["http", "https"], message="Enter a whole web address, like https://hooks.example.org/…"
)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address literal) is this machine."""
    host = host.lower().rstrip(".")
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_webhook_url(value: str) -> None:
    """The one rule for an endpoint's address, on the form and again before each send.

    ``https://`` on the internet. With ``WEBHOOKS_ALLOW_LOCAL`` (a laptop, a
    test) also ``http://`` to this machine and addresses on private networks.
    Never a user name or password in the address, never another scheme.
    """
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    allow_local = settings.WEBHOOKS_ALLOW_LOCAL
    if scheme not in ("http", "https"):
        raise ValidationError("Use an https:// address: webhooks are not sent anywhere else.", code="scheme")
    _valid_url(value)
    host = parts.hostname or ""
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            "Leave the user name and password out of the address: the signature proves who is sending.",
            code="credentials",
        )
    if scheme == "http" and not (allow_local and is_loopback(host)):
        raise ValidationError(
            "Use an https:// address: http:// is allowed only to this machine, and only when "
            "WEBHOOKS_ALLOW_LOCAL is on.",
            code="http",
        )
    if not allow_local and not _public(host):
        raise ValidationError(
            "Use an address on the internet: this machine and private networks are not allowed.", code="local"
        )


def _public(host: str) -> bool:
    """False for this machine and a literal private address; names are checked again when sending."""
    if is_loopback(host):
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return True


def new_secret() -> str:
    """A signing secret: 32 random bytes, as the receiver copies it from the admin."""
    return f"whsec_{secrets.token_hex(32)}"


class WebhookEndpoint(models.Model):
    """A receiver of one cohort's news: a Slack, Teams or Matrix incoming webhook, or a bridge of one's own."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="webhook_endpoints")
    name = models.CharField(max_length=100, help_text="For staff, e.g. “Slack #data-stewards-2026”.")
    url = models.CharField(
        "address",
        max_length=500,
        validators=[validate_webhook_url],
        help_text="Where each message is posted, an https:// address.",
    )
    secret = models.CharField(
        max_length=80,
        default=new_secret,
        editable=False,
        help_text="Signs every message (X-CohortNet-Signature): the receiver keeps a copy to check it.",
    )
    on_thread_created = models.BooleanField("new threads", default=True)
    on_event_created = models.BooleanField("new events", default=True)
    on_event_moved = models.BooleanField("events moved", default=True)
    on_event_cancelled = models.BooleanField("events cancelled", default=True)
    active = models.BooleanField(
        default=True,
        help_text="Off: nothing new is queued for it, and what waits is not sent until it is on again.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    secret_rotated_at = models.DateTimeField("secret made", auto_now_add=True)

    class Meta:
        ordering = ["cohort", "name"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        # The name alone: lists and filters print many endpoints, and the cohort would cost a query each.
        return self.name

    def wants(self, kind: str) -> bool:
        return self.active and getattr(self, SUBSCRIPTIONS[kind])


class WebhookDelivery(models.Model):
    """One message to one endpoint, kept until the receiver answers 2xx or the attempts run out."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    key = models.CharField("de-duplication key", max_length=255, help_text="The same key is queued once per endpoint.")
    uid = models.UUIDField(
        "delivery id", default=uuid.uuid4, unique=True, editable=False, help_text="X-CohortNet-Delivery."
    )
    payload = models.JSONField(help_text="The news as it was when it happened.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="Not before this time (a retry).")
    last_error = models.TextField(blank=True)
    response_status = models.PositiveSmallIntegerField("last HTTP status", null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="integrations_delivery_due")]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "key"], name="integrations_webhookdelivery_once_per_endpoint"),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False),
                name="integrations_webhookdelivery_delivered_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.endpoint.name}"
