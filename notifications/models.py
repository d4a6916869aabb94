"""The outbox: every email the application sends is first a row here.

A row is written in the same transaction as the change it reports, so an
email is never lost when the broker is down, and its unique ``key`` means
the same email can never be queued twice.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q


class Email(models.Model):
    class Status(models.TextChoices):
        HELD = "held", "Held for review"
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    key = models.CharField(
        "de-duplication key", max_length=255, unique=True, help_text="The same key is never sent twice."
    )
    kind = models.CharField(max_length=60, db_index=True, help_text="What the email is about, e.g. decision.")
    to_email = models.EmailField("to", max_length=254)
    subject = models.CharField(max_length=255)
    body_text = models.TextField("text body")
    body_html = models.TextField("HTML body", blank=True)
    attachments = models.JSONField(
        default=list, blank=True, help_text="A list of {filename, mimetype, content} with text content."
    )
    headers = models.JSONField(
        default=dict, blank=True, help_text="Extra MIME headers, e.g. List-Unsubscribe, as {name: value}."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    send_after = models.DateTimeField(null=True, blank=True, help_text="Not before this time (used for retries).")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the sending worker last renewed its claim (database clock)."
    )
    claim_token = models.CharField(
        max_length=32, blank=True, default="", help_text="Which worker's claim this row is in, while sending."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    batch = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        help_text="The held emails staff may send together, e.g. the decisions of one call.",
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "send_after"], name="notifications_email_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="notifications_email_sent_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email}"


class ReminderRule(models.Model):
    """When to remind, as data staff can edit: a kind of reminder and how long before its moment."""

    kind = models.CharField(max_length=40, help_text="Which reminder, e.g. event_going.")
    offset = models.DurationField(help_text="How long before the moment to send it, e.g. 1 day, 03:00:00.")
    active = models.BooleanField(default=True)
    swept_at = models.DateTimeField(
        null=True, editable=False, help_text="When the reminder sweep last ran; it looks back to here for skips."
    )

    class Meta:
        ordering = ["kind", "-offset"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "offset"], name="notifications_reminderrule_one_per_offset"),
            models.CheckConstraint(
                condition=Q(offset__gt=timedelta(0)), name="notifications_reminderrule_offset_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}, {self.offset} before"


class ReminderOptOut(models.Model):
    """A person who asked not to get one kind of reminder."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_opt_outs")
    kind = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notifications_reminderoptout_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user} stopped {self.kind}"
