"""Organisations, cohorts and who belongs to them.

This app imports none of applications, events or funding: they depend on it.
"""

import hashlib
import secrets
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Lower
from django.urls import reverse
from django_countries.fields import CountryField

from cohorts.countries import country_name

#: The programme's cap, in GBP, on funding for one organisation in one cohort: what an application may ask for
#: (applications) and what an award may be (funding). Both apps depend on cohorts, so it lives here once.
FUNDING_CAP = Decimal("20000.00")
#: The smallest amount of money, in GBP.
PENNY = Decimal("0.01")


def site_host() -> str:
    """The site's host name, from ``SITE_URL``: what list ids and Message-IDs are scoped to."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


class Theme(models.Model):
    """A subject the cohort works on; roundtables and contributions are tagged with one."""

    class Colour(models.TextChoices):
        # Names of colour tokens in static/css/site.css (.theme-<name>), not raw values:
        # the CSP forbids inline style attributes, so a page picks a class, never a hex code.
        TEAL = "teal", "Teal"
        INDIGO = "indigo", "Indigo"
        AMBER = "amber", "Amber"
        ROSE = "rose", "Rose"
        GREEN = "green", "Green"
        VIOLET = "violet", "Violet"
        SKY = "sky", "Sky"
        SLATE = "slate", "Slate"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers are listed first.")
    colour = models.CharField(
        max_length=20,
        choices=Colour.choices,
        default=Colour.TEAL,
        help_text="Used for the theme's badges, event date blocks and cover bands.",
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


def validate_access_methods(value) -> None:
    allowed = {choice for choice, _label in Organisation.Access.choices}
    if not isinstance(value, list) or not all(isinstance(v, str) and v in allowed for v in value):
        raise ValidationError(f"Choose from: {', '.join(sorted(allowed))}.", code="invalid_access_methods")


class Organisation(models.Model):
    """An organisation that stewards open data and may apply to, and join, cohorts."""

    class StaffSize(models.TextChoices):
        UP_TO_5 = "1-5", "1–5 people"
        UP_TO_20 = "6-20", "6–20 people"
        UP_TO_100 = "21-100", "21–100 people"
        OVER_100 = "100+", "More than 100 people"

    class Access(models.TextChoices):
        API = "api", "API"
        BULK = "bulk", "Bulk download"
        PORTAL = "portal", "Website or data portal"
        FEED = "feed", "Feeds or streams"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    website = models.URLField(max_length=500, blank=True)
    country = CountryField(blank=True)
    legal_form = models.CharField(
        max_length=120, blank=True, help_text="For example: charity, company limited by guarantee, co-operative."
    )
    year_founded = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    staff_size = models.CharField(max_length=10, choices=StaffSize.choices, blank=True)
    description = models.TextField("what the organisation does", blank=True)
    open_data = models.TextField("the open data it stewards, and for whom", blank=True)
    licences = models.CharField("licence(s) of the data", max_length=200, blank=True)
    access_methods = models.JSONField(
        "how the data is reached",
        default=list,
        blank=True,
        validators=[validate_access_methods],
        help_text="Any of: api, bulk, portal, feed, other.",
    )
    reach = models.TextField("reach: who uses the data, and how many", blank=True)
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

    def get_absolute_url(self) -> str:
        return reverse("cohorts:organisation_detail", kwargs={"pk": self.pk})

    @property
    def country_name(self) -> str:
        return country_name(self.country.code)


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


class ColleagueInvite(models.Model):
    """A person at an organisation inviting a colleague, by email, to act for it too."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField(max_length=254)
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "organisation",
                condition=Q(accepted_at__isnull=True),
                name="cohorts_colleagueinvite_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("cohorts:invite_accept", kwargs={"token": self.token})


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
    members_can_post = models.BooleanField(
        "members may start threads", default=True, help_text="Otherwise only staff start threads; members reply."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Keys the cached fragments of the member pages (the directory): every write to what they show adds one,
    # in the same transaction (cohorts/content_version.py), so a fragment cached under an old number is never read.
    content_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="cohorts_cohort_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cohort_home", kwargs={"slug": self.slug})

    @property
    def has_ended(self) -> bool:
        """Members of an ended cohort are alumni: they read, they no longer post."""
        return self.status == self.Status.COMPLETED


class MembershipQuerySet(models.QuerySet):
    def for_participant(self, user, cohort):
        """The membership ``user`` takes part in ``cohort`` through (take ``.first()``); none for a visitor."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(cohort=cohort, participants__user=user)


class Membership(models.Model):
    """An organisation's place in a cohort."""

    class Source(models.TextChoices):
        APPLICATION = "application", "Accepted application"
        DIRECT = "direct", "Added by staff"

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.DIRECT)
    themes = models.ManyToManyField(Theme, blank=True, related_name="memberships", help_text="Themes it works on.")
    listed_publicly = models.BooleanField(
        "listed in the public open data", default=False, help_text="The organisation agreed to be listed publicly."
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "organisation"], name="cohorts_membership_one_per_cohort"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.cohort}"


class _ProgrammeTeam:
    """Stands where an organisation would, beside a staff member's name: "Sam Lee, programme team"."""

    name = "programme team"
    is_programme_team = True

    def __str__(self) -> str:
        return self.name


#: What a page or an email names beside staff, who act for no member organisation.
PROGRAMME_TEAM = _ProgrammeTeam()


class ParticipantQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """A bulk update (privacy's consent switches use one) also ages the directories it shows in."""
        from cohorts.content_version import DIRECTORY_PARTICIPANT_FIELDS, cohorts_changed

        if not DIRECTORY_PARTICIPANT_FIELDS.intersection(kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            cohort_ids = set(self.values_list("membership__cohort_id", flat=True))
            rows = super().update(**kwargs)
            cohorts_changed(cohort_ids)
        return rows

    def for_user(self, user, cohort):
        """``user`` as a participant of ``cohort`` (a cohort or its id); none for a visitor."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(membership__cohort=cohort, user=user)

    def organisations_in(self, cohort, people) -> dict:
        """``{user_id: organisation}``: what to name beside each of ``people`` (users) in ``cohort``.

        The organisation they take part in the cohort for; for staff who take part for none,
        ``PROGRAMME_TEAM``; nothing for anyone else (a former participant is named alone).
        One query, whatever the number of people: a thread names every author this way.
        Someone in two member organisations is named with the first by name.
        """
        people = {person.pk: person for person in people if person is not None}
        rows = (
            self.filter(membership__cohort=cohort, user_id__in=list(people))
            .select_related("membership__organisation")
            .order_by("user_id", "membership__organisation__name")
        )
        found: dict = {}
        for participant in rows:
            found.setdefault(participant.user_id, participant.membership.organisation)
        for pk, person in people.items():
            if pk not in found and person.is_staff:
                found[pk] = PROGRAMME_TEAM
        return found


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

    class Delivery(models.TextChoices):
        EACH = "each", "Every message, as it is posted"
        DIGEST = "digest", "One email a day with the day's messages"
        NONE = "none", "No email (I read the archive)"

    delivery = models.CharField(
        "email me the cohort's messages",
        max_length=10,
        choices=Delivery.choices,
        default=Delivery.EACH,
        help_text="The archive stays readable either way.",
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["membership__organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "user"], name="cohorts_participant_one_per_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.membership.organisation})"


class MessageQuerySet(models.QuerySet):
    def threads(self):
        """Threads only: a thread is its first message, the one without a parent."""
        return self.filter(parent__isnull=True)

    def with_unread(self, user):
        """Annotate each thread with ``last_activity``, ``read_at`` and ``is_unread`` for ``user``, in the same query.

        A thread is unread when someone else wrote in it (its first message or a reply) after
        the person last opened it, or they never opened it. Their own messages never make a
        thread unread: they have seen what they wrote.
        """
        in_thread = Q(pk=OuterRef("pk")) | Q(parent=OuterRef("pk"))
        latest_by_others = (
            Message.objects.filter(in_thread).exclude(author=user).order_by("-created_at").values("created_at")[:1]
        )
        latest_any = Message.objects.filter(in_thread).order_by("-created_at").values("created_at")[:1]
        read_at = ThreadRead.objects.filter(user=user, thread=OuterRef("pk")).values("read_at")[:1]
        return self.annotate(
            last_activity=Subquery(latest_any),
            last_by_others=Subquery(latest_by_others),
            read_at=Subquery(read_at),
        ).annotate(
            is_unread=Case(
                When(last_by_others__isnull=True, then=Value(False)),
                When(read_at__isnull=True, then=Value(True)),
                When(last_by_others__gt=F("read_at"), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )

    def unread_for(self, user, cohorts):
        """The threads of ``cohorts`` that ``user`` has not read since someone else last wrote in them, newest first."""
        return self.threads().filter(cohort__in=cohorts).with_unread(user).filter(is_unread=True)


class Message(models.Model):
    """A post to the cohort's mailing list; a reply when it has a parent."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cohort_messages")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(max_length=20000)
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="threads",
        help_text="What the thread is about; its replies share it.",
    )
    inbound_message_id = models.CharField(
        "incoming Message-ID",
        max_length=255,
        blank=True,
        default="",
        editable=False,
        help_text="For a reply by email: the mail's own Message-ID, so the same mail delivered twice posts once.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=False) | ~Q(subject=""), name="cohorts_message_thread_has_subject"
            ),
            models.UniqueConstraint(
                fields=["parent", "inbound_message_id"],
                condition=~Q(inbound_message_id=""),
                name="cohorts_message_one_post_per_inbound_mail",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or f"Reply to {self.parent_id}"

    def get_absolute_url(self) -> str:
        root = self.parent_id or self.pk
        return reverse("cohorts:thread", kwargs={"slug": self.cohort.slug, "pk": root})

    @property
    def thread_id(self) -> int:
        return self.parent_id or self.pk

    @property
    def email_message_id(self) -> str:
        """This message's ``Message-ID`` in list emails: the same in every copy and on every send.

        Derived, not stored: from the primary key and the time it was written, so a database
        rebuilt from scratch (ids start again at 1) never makes mail clients merge an old thread
        with a new one. The host is the site's.
        """
        stamp = hashlib.sha256(f"{self.pk}:{self.created_at.isoformat()}".encode()).hexdigest()[:12]
        return f"<msg-{self.pk}.{stamp}@{site_host()}>"


class ThreadRead(models.Model):
    """When a person last read a thread: everything written in it up to ``read_at`` they have seen.

    Written by ``cohorts.services.thread_mark_read`` when they open the thread's page; one row
    per person per thread (a constraint), so two tabs opening it at once still leave one.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_reads")
    thread = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="cohorts_threadread_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.thread} at {self.read_at:%Y-%m-%d %H:%M} UTC"


def resource_upload_path(instance, filename: str) -> str:
    # Never the uploaded name: a random one, keeping only a checked extension.
    extension = Path(filename).suffix.lower()
    return f"private/resources/{instance.cohort_id}/{secrets.token_hex(16)}{extension}"


class Resource(models.Model):
    """Guidance or literature shared with a cohort: a link or a private file."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    url = models.URLField("link", max_length=500, blank=True)
    file = models.FileField(upload_to=resource_upload_path, blank=True, max_length=300)
    original_filename = models.CharField(max_length=255, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="resources")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="cohorts_resource_link_or_file",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.url:
            return self.url
        return reverse("cohorts:resource_file", kwargs={"slug": self.cohort.slug, "pk": self.pk})


class Contribution(models.Model):
    """One member organisation's learnings on one theme, for the published output."""

    class Credit(models.TextChoices):
        NAMED = "named", "Credit us by name"
        ANONYMOUS = "anonymous", "Anonymous"
        CHATHAM = "chatham", "Chatham House rule (say what, not who)"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="contributions")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="contributions")
    learnings = models.TextField(max_length=20000)
    credit = models.CharField(max_length=20, choices=Credit.choices, default=Credit.NAMED)
    updated_at = models.DateTimeField(auto_now=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["theme__position", "membership__organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "theme"], name="cohorts_contribution_one_per_theme"),
        ]

    def __str__(self) -> str:
        return f"{self.membership.organisation}: {self.theme}"

    @property
    def credit_line(self) -> str:
        if self.credit == self.Credit.NAMED:
            return self.membership.organisation.name
        if self.credit == self.Credit.CHATHAM:
            return "A member organisation (Chatham House rule)"
        return "An anonymous member organisation"


class Publication(models.Model):
    """Superseded by ``outcomes.Publication`` (versions, sign-offs per organisation, credits per person).

    ``outcomes/migrations/0001_publication`` copied each published row into a publication with a first
    version; nothing reads or writes this table any more, and a later release drops it.
    """

    cohort = models.OneToOneField(Cohort, on_delete=models.PROTECT, related_name="publication")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    introduction = models.TextField(blank=True)
    licence = models.CharField(max_length=100, default="CC BY 4.0")
    licence_url = models.URLField(default="https://creativecommons.org/licenses/by/4.0/")
    sections = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Compiled by staff from signed-off contributions: [{theme, entries: [{credit, text}]}].",
    )
    published_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        # The address outcomes serves its copy at (cohorts does not know outcomes' URL names).
        return f"/outputs/{self.slug}/"
