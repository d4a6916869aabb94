"""Organisations, cohorts and who belongs to them.

This app imports none of applications, events or funding: they depend on it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse


class Theme(models.Model):
    """A subject the cohort works on; roundtables and contributions are tagged with one."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers are listed first.")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """An organisation that stewards open data and may apply to, and join, cohorts."""

    name = models.CharField(max_length=200)
    website = models.URLField(max_length=500, blank=True)
    country = models.CharField(max_length=100, blank=True)
    description = models.TextField("what the organisation does", blank=True)
    open_data = models.TextField("the open data it stewards, and for whom", blank=True)
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="OrganisationPerson",
        related_name="organisations",
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationPerson(models.Model):
    """Someone who may act for an organisation: apply, edit its profile, invite colleagues."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead contact"
        MEMBER = "member", "Colleague"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="person_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_links")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "organisation person"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="cohorts_organisationperson_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.organisation}"


class Cohort(models.Model):
    """A group of member organisations learning together over a period."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="cohorts_cohort_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cohort_home", kwargs={"slug": self.slug})


class Membership(models.Model):
    """An organisation's place in a cohort."""

    class Source(models.TextChoices):
        APPLICATION = "application", "Accepted application"
        DIRECT = "direct", "Added by staff"

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.DIRECT)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "organisation"], name="cohorts_membership_one_per_cohort"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.cohort}"


class Participant(models.Model):
    """A person taking part in a cohort for their member organisation."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead contact"
        PARTICIPANT = "participant", "Participant"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    show_contact_details = models.BooleanField(
        default=False, help_text="Show this person's email to the other members of the cohort."
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["membership__organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "user"], name="cohorts_participant_one_per_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.membership.organisation})"
