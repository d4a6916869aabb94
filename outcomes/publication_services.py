"""Writes for the publication: the draft, sign-offs, credits, and publishing a kept version.

Rules, each in one place:

- A sign-off is of the draft the lead contact read: the review page carries the digest of the text it
  showed, and the sign-off is refused when the draft has changed since (``TEXT_CHANGED``). Any change
  to the title, introduction, licence, a theme's text or name, or the cohort's name changes the digest,
  and the earlier sign-off no longer counts: the lead contact signs off again. A person's credit choice
  does not change the digest (it is theirs to make, not their organisation's).
- Publishing needs a current sign-off from the lead contact of every contributing organisation
  (a member organisation of the cohort that wrote at least one contribution there).
- Publishing never overwrites: it adds version ``n + 1`` under a lock on the publication, and is refused
  when nothing (text or contributors) changed since the latest version.
- A person's credit is asked of them; until they answer they are not listed, and "anonymous" keeps
  them out of the version entirely (not even an id is stored). Choosing "anonymous" later also takes
  them out of the versions already published; choosing "organisation only" later removes their name
  there. (Choosing "named" later adds nobody to an earlier version: those stay as published.)
- Control characters (other than line breaks and tabs) are dropped from the texts and the names a
  version stores, so nothing invisible reaches the page, the PDF or the citation files.
"""

import hashlib
import json
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort, Contribution, Organisation, OrganisationPerson, Participant
from cohorts.permissions import is_organisation_lead
from notifications.models import Email
from notifications.services import email_queue, render_email
from outcomes.models.publication import (
    Publication,
    PublicationCredit,
    PublicationSection,
    PublicationSignOff,
    PublicationVersion,
)

#: Said when publishing is refused for missing sign-offs; the organisations' names follow.
NOT_SIGNED_OFF = "Not signed off yet by the lead contact of: {names}. Each contributing organisation's lead contact signs off the current text before it is published."  # noqa: E501 -- one message, kept whole so it can be searched for
NOTHING_WRITTEN = "Write at least one theme's synthesis before publishing."
TEXT_CHANGED = "The text changed since you opened this page; read it again before signing off."
NOTHING_CHANGED = "Nothing changed since version {number}."

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def plain(text: str) -> str:
    """``text`` without C0 control characters (and DEL), line breaks (as ``\\n``) and tabs kept."""
    return _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))


def can_edit_publication(user) -> bool:
    return bool(user.is_authenticated and user.is_staff and user.has_perm("outcomes.change_publication"))


def contributing_organisations(publication: Publication) -> list[Organisation]:
    """Member organisations of the publication's cohort that wrote at least one contribution there, by name."""
    ids = Contribution.objects.filter(membership__cohort_id=publication.cohort_id).values("membership__organisation_id")
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def publication_digest(publication: Publication) -> str:
    """SHA-256 of what a lead contact signs off: title, introduction, licence, cohort name, each theme's name and text.

    The theme and cohort names are in it because the page prints them: renaming a theme changes a heading.
    """
    sections = [
        [s.theme_id, s.theme.name, s.text.strip()]
        for s in PublicationSection.objects.filter(publication=publication).select_related("theme").order_by("theme_id")
        if s.text.strip()
    ]
    cohort_name = Cohort.objects.values_list("name", flat=True).get(pk=publication.cohort_id)
    payload = [publication.title, publication.introduction.strip(), publication.licence, cohort_name, sections]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def missing_sign_offs(publication: Publication, digest: str | None = None) -> list[Organisation]:
    """Contributing organisations without a sign-off of the current draft."""
    digest = digest or publication_digest(publication)
    signed = set(
        PublicationSignOff.objects.filter(publication=publication, digest=digest).values_list(
            "organisation_id", flat=True
        )
    )
    return [org for org in contributing_organisations(publication) if org.pk not in signed]


def credit_organisation(publication: Publication, user) -> Organisation | None:
    """The contributing organisation ``user`` is credited with in ``publication``, if any (the first by name)."""
    if not user.is_authenticated:
        return None
    ids = [org.pk for org in contributing_organisations(publication)]
    participant = (
        Participant.objects.filter(
            user=user, membership__cohort_id=publication.cohort_id, membership__organisation_id__in=ids
        )
        .select_related("membership__organisation")
        .order_by("membership__organisation__name")
        .first()
    )
    return participant.membership.organisation if participant else None


def lead_organisations(publication: Publication, user) -> list[Organisation]:
    """Contributing organisations whose lead contact ``user`` is."""
    if not user.is_authenticated:
        return []
    leads = set(
        OrganisationPerson.objects.filter(user=user, role=OrganisationPerson.Role.LEAD).values_list(
            "organisation_id", flat=True
        )
    )
    return [org for org in contributing_organisations(publication) if org.pk in leads]


@transaction.atomic
def publication_section_save(*, publication: Publication, theme, text: str, by) -> PublicationSection:
    """Staff write (or rewrite) a theme's synthesis in the draft. Changes the digest, so sign-offs become stale."""
    if not can_edit_publication(by):
        raise PermissionDenied
    Publication.objects.select_for_update().get(pk=publication.pk)
    section, _ = PublicationSection.objects.get_or_create(publication=publication, theme=theme)
    section.text = plain(text)
    section.updated_by = by
    section.full_clean()
    section.save()
    return section


@transaction.atomic
def publication_sign_off(
    *, publication: Publication, organisation: Organisation, user, digest: str
) -> PublicationSignOff:
    """The organisation's lead contact approves the draft they read, ``digest`` being the digest of the text shown.

    Refused (``TEXT_CHANGED``) when the draft has changed since: nobody signs off a text they never saw.
    Replaces an earlier sign-off of the organisation.
    """
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    if organisation not in contributing_organisations(publication) or not is_organisation_lead(user, organisation):
        raise PermissionDenied
    current = publication_digest(publication)
    if digest != current:
        raise ValidationError(TEXT_CHANGED)
    sign_off, _ = PublicationSignOff.objects.update_or_create(
        publication=publication,
        organisation=organisation,
        defaults={"signed_by": user, "signed_at": timezone.now(), "digest": current},
    )
    return sign_off


@transaction.atomic
def publication_credit_set(*, publication: Publication, user, choice: str) -> PublicationCredit:
    """A person of a contributing organisation says how they are credited (named, organisation only, anonymous).

    Under a lock on the publication (a row that exists: locking a credit not yet written would lock nothing, and
    two first answers at once would both insert). "Anonymous" also takes the person out of every version already
    published; "organisation only" takes their name out there.
    """
    organisation = credit_organisation(publication, user)
    if organisation is None:
        raise PermissionDenied
    if choice not in PublicationCredit.Choice.values:
        raise ValidationError("Choose how you would like to be credited.")
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    credit = PublicationCredit.objects.filter(publication=publication, user=user).first()
    credit = credit or PublicationCredit(publication=publication, user=user)
    credit.organisation = organisation
    credit.choice = choice
    credit.answered_at = timezone.now()
    credit.full_clean()
    credit.save()
    if choice != PublicationCredit.Choice.NAMED:
        _versions_withdraw(publication=publication, user=user, anonymous=choice == PublicationCredit.Choice.ANONYMOUS)
    return credit


def _versions_withdraw(*, publication: Publication, user, anonymous: bool) -> int:
    """Take ``user`` out of the published versions' contributors (``anonymous``), or only their name.

    Returns how many versions changed.

    The PDF and the citation files are drawn from the stored contributors at each request, so they follow.
    """
    changed = 0
    for version in PublicationVersion.objects.select_for_update().filter(publication=publication):
        mine = [c for c in version.contributors if c.get("user_id") == user.pk]
        if not mine or (not anonymous and not any(c.get("name") for c in mine)):
            continue
        if anonymous:
            version.contributors = [c for c in version.contributors if c.get("user_id") != user.pk]
        else:
            version.contributors = [
                {**c, "name": ""} if c.get("user_id") == user.pk else c for c in version.contributors
            ]
        version.save(update_fields=["contributors"])
        changed += 1
    return changed


def contributor_list(publication: Publication) -> list[dict]:
    """What a version stores as its contributors: named people and organisation-only credits, never the anonymous."""
    credits = (
        PublicationCredit.objects.filter(publication=publication)
        .exclude(choice=PublicationCredit.Choice.ANONYMOUS)
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__name", "pk")
    )
    rows = []
    for credit in credits:
        named = credit.choice == PublicationCredit.Choice.NAMED
        rows.append(
            {
                "user_id": credit.user_id,
                "name": plain(credit.user.name or "").strip() if named else "",
                "organisation": plain(credit.organisation.name).strip(),
            }
        )
    return rows


def draft_sections(publication: Publication) -> list[dict]:
    return [
        {"theme": plain(s.theme.name).strip(), "text": plain(s.text).strip()}
        for s in publication.sections.select_related("theme").order_by("theme__position", "theme__name")
        if s.text.strip()
    ]


@transaction.atomic
def publication_publish(*, publication: Publication, by) -> PublicationVersion:
    """Staff publish the draft as a new kept version (``number`` = last + 1), under a lock on the publication.

    Refused (``ValidationError``) while any contributing organisation's lead contact has not signed off
    the current draft, or when no theme has any text. Earlier versions stay as they were.
    """
    if not can_edit_publication(by):
        raise PermissionDenied
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    sections = draft_sections(publication)
    if not sections:
        raise ValidationError(NOTHING_WRITTEN)
    missing = missing_sign_offs(publication)
    if missing:
        raise ValidationError(NOT_SIGNED_OFF.format(names=", ".join(org.name for org in missing)))
    last = publication.versions.order_by("-number").first()
    version = PublicationVersion(
        publication=publication,
        number=(last.number if last else 0) + 1,
        title=plain(publication.title).strip(),
        introduction=plain(publication.introduction).strip(),
        sections=sections,
        contributors=contributor_list(publication),
        licence=publication.licence,
        published_at=timezone.now(),
        published_by=by,
    )
    if last is not None and _same(last, version):
        # A double click, or two staff at once (the second waits on the lock above, then finds this).
        raise ValidationError(NOTHING_CHANGED.format(number=last.number))
    version.full_clean()
    version.save()
    return version


def _same(a: PublicationVersion, b: PublicationVersion) -> bool:
    fields = ("title", "introduction", "sections", "contributors", "licence")
    return all(getattr(a, name) == getattr(b, name) for name in fields)


@transaction.atomic
def publication_credits_erase(*, user) -> int:
    """Erasure: ``user`` leaves every publication's contributor list, past versions included. Returns versions changed.

    Called by ``privacy.erasure.erase_person`` (which locks the person); their credit choices go with them.
    """
    changed = 0
    # Read in Python rather than with a JSON lookup: the same on SQLite (make test) and PostgreSQL.
    for version in PublicationVersion.objects.select_for_update():
        if not any(c.get("user_id") == user.pk for c in version.contributors):
            continue
        version.contributors = [c for c in version.contributors if c.get("user_id") != user.pk]
        version.save(update_fields=["contributors"])
        changed += 1
    PublicationCredit.objects.filter(user=user).delete()
    return changed


@transaction.atomic
def publication_review_request(*, publication: Publication, by) -> int:
    """Staff ask every person of the contributing organisations to review the current text (leads to sign it off).

    One email per person per text (keyed on the digest): asking twice about the same text sends nothing more,
    asking after a change asks again. Emails go through the outbox, after commit. Returns how many were queued.
    """
    if not can_edit_publication(by):
        raise PermissionDenied
    publication = Publication.objects.select_for_update().select_related("cohort").get(pk=publication.pk)
    digest = publication_digest(publication)
    organisations = {org.pk: org for org in contributing_organisations(publication)}
    leads = set(
        OrganisationPerson.objects.filter(
            organisation_id__in=list(organisations), role=OrganisationPerson.Role.LEAD
        ).values_list("organisation_id", "user_id")
    )
    participants = (
        Participant.objects.filter(
            membership__cohort_id=publication.cohort_id, membership__organisation_id__in=list(organisations)
        )
        .select_related("user", "membership")
        .order_by("user_id", "membership__organisation__name")
    )
    people = [(p.user, organisations[p.membership.organisation_id]) for p in participants]
    # A lead contact who does not take part in the cohort still signs off: asked too, after the participants.
    lead_people = (
        OrganisationPerson.objects.filter(organisation_id__in=list(organisations), role=OrganisationPerson.Role.LEAD)
        .select_related("user")
        .order_by("user_id", "organisation__name")
    )
    people += [(op.user, organisations[op.organisation_id]) for op in lead_people]
    review_path = reverse("outcomes:publication_review", kwargs={"slug": publication.slug})
    queued, seen = 0, set()
    for user, organisation in people:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        is_lead = (organisation.pk, user.pk) in leads
        key = f"publication-review:{publication.pk}:{digest[:16]}:{user.pk}"
        if Email.objects.filter(key=key).exists():
            continue
        text, html = render_email(
            "outcomes/publication/email/review",
            {
                "user": user,
                "publication": publication,
                "organisation": organisation,
                "is_lead": is_lead,
                "review_path": review_path,
            },
        )
        email_queue(
            key=key,
            kind="publication_review",
            to=user.email,
            subject=f"Please review: {publication.title}" + (" (your sign-off is needed)" if is_lead else ""),
            body_text=text,
            body_html=html,
        )
        queued += 1
    return queued
