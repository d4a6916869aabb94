"""Personal data: who looked at what (the access log), data downloads, and what retention did."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q


class AccessRecord(models.Model):
    """One look at personal data in bulk: a CSV export, a staff file download, a data download, an erasure.

    Kept small on purpose: who, what kind, a short description without anyone's name, when, and the
    client address. Written by ``privacy.services.access_record``; staff read it in the admin, nobody edits it.
    """

    class Kind(models.TextChoices):
        CSV_EXPORT = "csv_export", "CSV export"
        FILE_DOWNLOAD = "file_download", "File download"
        DATA_EXPORT = "data_export", "Data download"
        ERASURE = "erasure", "Erasure"

    who = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    what = models.CharField(max_length=300, help_text="What was exported or opened, e.g. the file's name.")
    rows = models.PositiveIntegerField(null=True, blank=True, help_text="Rows in a CSV export.")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField("client address", null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "access record"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.what}"


def export_path(instance, filename: str) -> str:
    # Under private/: never served from a public URL, only through the owner's expiring link.
    return f"private/exports/{secrets.token_hex(16)}.zip"


class DataExport(models.Model):
    """A person's request for everything held about them, and the ZIP built for it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        EXPIRED = "expired", "Expired (file deleted)"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe, editable=False)
    file = models.FileField(upload_to=export_path, blank=True, max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | (Q(expires_at__isnull=False) & ~Q(file="")),
                name="privacy_dataexport_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"Data download {self.pk} ({self.get_status_display()})"


class RetentionRun(models.Model):
    """One run of the retention sweep and what it did, as counts per rule."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Retention run {self.started_at:%Y-%m-%d %H:%M} UTC"
