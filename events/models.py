"""Events of a cohort and people's answers to them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from cohortnet.timezones import validate_time_zone
from cohorts.models import Cohort, Resource, Theme


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
    rsvp_deadline = models.DateTimeField("RSVP deadline", null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    pre_reading = models.ManyToManyField(Resource, blank=True, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="events_event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="events_event_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk})

    def rsvps_open(self, at=None) -> bool:
        """Answers are taken until the RSVP deadline, or the start if there is none."""
        at = at or timezone.now()
        closes = self.rsvp_deadline or self.starts_at
        return self.status == self.Status.SCHEDULED and at < closes


class RSVP(models.Model):
    class Status(models.TextChoices):
        GOING = "going", "Going"
        NOT_GOING = "not_going", "Not going"
        WAITLISTED = "waitlisted", "On the waiting list"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps")
    status = models.CharField(max_length=20, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "RSVP"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="events_rsvp_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.event}: {self.get_status_display()}"
