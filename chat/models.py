"""Group chat: a room per cohort and per theme within it, its messages, and how far each person has read."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from cohorts.models import Cohort, Theme

#: The longest message a person may post (a chat line, not an essay: the mailing list is for those).
BODY_MAX_LENGTH = 4000


class Room(models.Model):
    """A cohort's general room (no theme) or the room of one theme within the cohort. Made when first needed."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="chat_rooms")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, null=True, blank=True, related_name="chat_rooms")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cohort", F("theme__position").asc(nulls_first=True), "theme__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "theme"], condition=Q(theme__isnull=False), name="chat_room_one_per_theme"
            ),
            models.UniqueConstraint(fields=["cohort"], condition=Q(theme__isnull=True), name="chat_room_one_general"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.cohort})"

    def get_absolute_url(self) -> str:
        if self.theme_id:
            return reverse("chat:theme_room", kwargs={"slug": self.cohort.slug, "theme": self.theme.slug})
        return reverse("chat:general_room", kwargs={"slug": self.cohort.slug})

    @property
    def name(self) -> str:
        return self.theme.name if self.theme_id else "General"


class ChatMessage(models.Model):
    """One line in a room. Edited and deleted only by its author; a deleted one keeps its place, without its text."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chat_messages")
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["room", "-id"], name="chat_message_room_newest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | Q(body=""), name="chat_chatmessage_deleted_has_no_text"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} in {self.room}: {self.body[:40]}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ReadMarker(models.Model):
    """How far one person has read one room: the id of the newest message they have seen."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_read_markers")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="read_markers")
    last_read_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "room"], name="chat_readmarker_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.room} to {self.last_read_id}"
