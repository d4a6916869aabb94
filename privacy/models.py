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


class PrivacyNotice(models.Model):
    """The privacy notice, written by staff in Markdown. A draft until published; a published version is never edited.

    Publishing (``privacy.services.notice_publish``) gives a draft the next version number and the time; a change
    to the notice is a new draft, published as the next version, so what a person read stays on record.
    """

    title = models.CharField(max_length=200, default="Privacy notice")
    body = models.TextField(
        max_length=100_000, help_text="Markdown: headings with #, lists with -, links as [text](url)."
    )
    version = models.PositiveIntegerField(null=True, blank=True, unique=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [models.F("version").desc(nulls_first=True), "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(version__isnull=True, published_at__isnull=True)
                | Q(version__isnull=False, published_at__isnull=False),
                name="privacy_privacynotice_published_has_version",
            ),
        ]

    def __str__(self) -> str:
        if self.version is None:
            return f"{self.title} (draft)"
        return f"{self.title}, version {self.version}"


class Consent(models.Model):
    """One choice a person made about one purpose, and when: rows are only ever added.

    The person's current choice is their newest row for the purpose (``privacy.selectors.consents_current``);
    no row means not given. Written by ``privacy.services.consent_set``, which keeps the cohorts' own switches
    in step. The rows hold no name or address, so erasure keeps them as the record of what was agreed.
    """

    class Purpose(models.TextChoices):
        DIRECTORY = "directory", "Directory listing and contact details"
        CREDIT = "credit", "Credit in the programme's output"
        MAILING_LIST = "mailing_list", "The cohort mailing list"

    class Source(models.TextChoices):
        SIGNUP = "signup", "At sign-up"
        PROFILE = "profile", "In their profile"
        STAFF = "staff", "By staff, at the person's request"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    given = models.BooleanField()
    at = models.DateTimeField()
    notice = models.ForeignKey(
        PrivacyNotice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        help_text="The notice published when the choice was made.",
    )
    source = models.CharField(max_length=10, choices=Source.choices)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["user", "purpose", "-at"], name="privacy_consent_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {'given' if self.given else 'not given'}"
