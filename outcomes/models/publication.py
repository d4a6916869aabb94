"""Models for the publication part of outcomes: the cohort's published output.

Staff write a synthesis per theme (``PublicationSection``, the draft); each contributing
organisation's lead contact signs off the exact draft (``PublicationSignOff`` keeps the digest
of the text they saw); each person chooses how they are credited (``PublicationCredit``); publishing
freezes the draft into a numbered ``PublicationVersion`` that is never changed afterwards.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from cohorts.models import Cohort, Organisation, Theme

__all__ = [
    "Licence",
    "Publication",
    "PublicationCredit",
    "PublicationSection",
    "PublicationSignOff",
    "PublicationVersion",
]


class Licence(models.TextChoices):
    """Open licences a publication may carry; the value is the SPDX identifier."""

    CC_BY = "CC-BY-4.0", "CC BY 4.0"
    CC_BY_SA = "CC-BY-SA-4.0", "CC BY-SA 4.0"
    CC0 = "CC0-1.0", "CC0 1.0"


LICENCE_URLS = {
    Licence.CC_BY.value: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA.value: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC0.value: "https://creativecommons.org/publicdomain/zero/1.0/",
}


class Publication(models.Model):
    """A cohort's published output: the draft staff edit, and the versions published from it."""

    cohort = models.OneToOneField(Cohort, on_delete=models.PROTECT, related_name="output")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, help_text="Its public address: /outputs/<slug>/.")
    introduction = models.TextField(blank=True, max_length=20000)
    licence = models.CharField(max_length=20, choices=Licence.choices, default=Licence.CC_BY)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("outcomes:publication", kwargs={"slug": self.slug})

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS[self.licence]


class PublicationSection(models.Model):
    """Staff's synthesis of one theme, drawn from contributions, roundtable notes and written inputs."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="sections")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=50000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["theme__position", "theme__name"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "theme"], name="outcomes_publicationsection_one_per_theme"),
        ]

    def __str__(self) -> str:
        return f"{self.publication}: {self.theme}"


class PublicationSignOff(models.Model):
    """An organisation's lead contact approving the draft as it stood (``digest``); a later edit makes it stale."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="sign_offs")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    signed_at = models.DateTimeField()
    digest = models.CharField(max_length=64, help_text="SHA-256 of the draft the lead contact signed off.")

    class Meta:
        verbose_name = "publication sign-off"
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "organisation"], name="outcomes_publicationsignoff_one_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} on {self.publication}"


class PublicationCredit(models.Model):
    """How one person agreed to be credited in a publication: asked of each person, never of their organisation."""

    class Choice(models.TextChoices):
        NAMED = "named", "By my name and organisation"
        ORGANISATION = "organisation", "By my organisation only"
        ANONYMOUS = "anonymous", "Not at all (anonymous)"

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="credits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="publication_credits")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=20, choices=Choice.choices)
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["publication", "user"], name="outcomes_publicationcredit_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.publication}: {self.get_choice_display()}"


class PublicationVersion(models.Model):
    """One published version, frozen: its text, its contributor list and its licence never change.

    ``sections`` is ``[{"theme": name, "text": markdown}]``; ``contributors`` is
    ``[{"user_id": id, "name": name or "", "organisation": name}]`` and holds nobody who chose
    to be anonymous (an organisation-only credit stores no name).
    """

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    sections = models.JSONField(default=list)
    contributors = models.JSONField(default=list, blank=True)
    licence = models.CharField(max_length=20, choices=Licence.choices)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["publication", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "number"], name="outcomes_publicationversion_one_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="outcomes_publicationversion_number_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.title}, version {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("outcomes:publication_version", kwargs={"slug": self.publication.slug, "number": self.number})

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS[self.licence]

    @property
    def licence_label(self) -> str:
        return Licence(self.licence).label

    @property
    def named(self) -> list[dict]:
        return [c for c in self.contributors if c.get("name")]

    @property
    def organisations_credited(self) -> list[str]:
        """Organisations credited without a person's name, each once, by name."""
        return sorted({c["organisation"] for c in self.contributors if not c.get("name")})
