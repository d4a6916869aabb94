"""Events of a cohort and people's answers to them."""

import secrets
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort, Membership, Resource, Theme
from toolbox.timezones import validate_time_zone


def calendar_uid() -> str:
    """A calendar UID no other deployment can produce: a random part at this site's host (RFC 5545 3.8.4.7)."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"{uuid.uuid4()}@{host}"


#: How long before an event's start its join link is offered as the main button (it stays until the end).
JOIN_OPENS_BEFORE = timedelta(minutes=30)


class Event(models.Model):
    class Kind(models.TextChoices):
        ROUNDTABLE = "roundtable", "Roundtable"
        NETWORKING = "networking", "Networking event"
        WORKSHOP = "workshop", "Workshop"
        SUPPORT = "support", "1:1 support"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ROUNDTABLE)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(
        max_length=64,
        default="Europe/London",
        validators=[validate_time_zone],
        help_text="The IANA zone the event is announced in, e.g. Europe/London.",
    )
    location = models.CharField("place", max_length=300, blank=True)
    online_url = models.URLField("online link", max_length=500, blank=True, help_text="Shown only to people going.")
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Leave empty for no limit.")
    seats_per_organisation = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many people one organisation may bring. Leave empty for no limit."
    )
    speakers = models.TextField(blank=True, help_text="One per line; they may be from outside the cohort.")
    notes = models.TextField("session notes", blank=True, help_text="Written by staff; members can read them.")
    sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text="Goes up on every change, so calendars replace the old entry."
    )
    # Stored, not computed: events made before it was stored keep the UID calendars already hold.
    uid = models.CharField("calendar UID", max_length=255, unique=True, default=calendar_uid, editable=False)
    rsvp_deadline = models.DateTimeField("RSVP deadline", null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    pre_reading = models.ManyToManyField(Resource, blank=True, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        # A cohort's page lists its next events a page at a time: read them in order, stop at the page.
        indexes = [models.Index(fields=["cohort", "starts_at"], name="events_event_cohort_starts")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="events_event_ends_after_start",
                violation_error_message="An event must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="events_event_capacity_positive",
                violation_error_message="The capacity is at least 1; leave it empty for no limit.",
            ),
            models.CheckConstraint(
                condition=Q(seats_per_organisation__isnull=True) | Q(seats_per_organisation__gte=1),
                name="events_event_seats_per_organisation_positive",
                violation_error_message="Seats per organisation are at least 1; leave it empty for no limit.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk})

    @property
    def speaker_list(self) -> list[str]:
        return [line.strip() for line in self.speakers.splitlines() if line.strip()]

    def rsvps_open(self, at=None) -> bool:
        """Answers are taken until the RSVP deadline, or the start if there is none."""
        at = at or timezone.now()
        closes = self.rsvp_deadline or self.starts_at
        return self.status == self.Status.SCHEDULED and at < closes

    def join_window_open(self, at) -> bool:
        """From ``JOIN_OPENS_BEFORE`` the start until the end: the join link becomes the page's main button."""
        return self.status == self.Status.SCHEDULED and self.starts_at - JOIN_OPENS_BEFORE <= at < self.ends_at


class RSVP(models.Model):
    class Status(models.TextChoices):
        GOING = "going", "Going"
        NOT_GOING = "not_going", "Not going"
        WAITLISTED = "waitlisted", "On the waiting list"

    class Attendance(models.TextChoices):
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "No-show"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps")
    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rsvps",
        help_text="The organisation the person comes for (seats per organisation).",
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    waiting_since = models.DateTimeField(null=True, blank=True, help_text="Place in the waiting list.")
    promotions = models.PositiveSmallIntegerField(default=0, editable=False)
    attendance = models.CharField(max_length=20, choices=Attendance.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "RSVP"
        ordering = ["created_at"]
        # Going and waiting counts per event (event pages, the cohort page, capacity checks) read only the index.
        indexes = [models.Index(fields=["event", "status"], name="events_rsvp_event_status")]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="events_rsvp_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.event}: {self.get_status_display()}"


class CalendarToken(models.Model):
    """The secret in a person's calendar feed URL. Revoking replaces it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("events:feed", kwargs={"token": self.token})


class SupportSlot(models.Model):
    """A 1:1 support session staff offer; one organisation books it."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="support_slots")
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    topic = models.CharField(max_length=200, blank=True)
    online_url = models.URLField("online link", max_length=500, blank=True)
    booked_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="support_bookings"
    )
    booked_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    booked_at = models.DateTimeField(null=True, blank=True)
    uid = models.CharField("calendar UID", max_length=255, unique=True, default=calendar_uid, editable=False)
    sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text="Goes up on every booking, change and cancellation."
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="events_supportslot_ends_after_start",
                violation_error_message="A slot must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"1:1 with {self.host} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    def get_absolute_url(self) -> str:
        return reverse("events:slot_detail", kwargs={"pk": self.pk})


class WrittenInput(models.Model):
    """Written input from someone who cannot attend, sent before or after the session."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="written_inputs")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=10000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Input from {self.author} on {self.event}"
