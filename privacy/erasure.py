"""Erasing a person: their account stays as a "Former participant" so every record that must be kept
(applications, decisions, reviews, funding, time) still holds together, linked to the organisation.

Nothing is deleted that another row protects, so no ``ProtectedError`` can come of it: the
person's own traces (sign-in, sessions, two-factor keys, calendar feed, reading marks, their
places at organisations and in cohorts, their data downloads) go; their name and address are
replaced wherever the system wrote them (the outbox, the admin's log, invitations to them);
their posts stay under "Former participant" or lose their text (``ERASURE_POSTS``).
"""

import re
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from applications.models import Application, Invitation, ReviewAssignment
from chat.models import ChatMessage, ReadMarker
from cohorts.models import ColleagueInvite, Message, OrganisationPerson, Participant, ThreadRead
from events.models import RSVP, CalendarToken, Event, WrittenInput
from events.services import rsvp_set
from funding.models import TimeEntry
from notifications.models import Email, ReminderOptOut
from outcomes.models import FeedbackRespondent, FeedbackResponse, PublicationCredit, Report
from outcomes.publication_services import publication_credits_erase
from privacy.models import AccessRecord, DataExport
from privacy.services import access_record

#: The name an erased person goes by from then on.
FORMER_NAME = "Former participant"
#: Said in place of a removed post's text, where the post must stay (a thread others replied to).
REMOVED_TEXT = "This message was removed."
#: A name this short is too likely to be part of other words to be replaced in the system's own texts.
MIN_NAME_LENGTH = 3


def placeholder_email(user) -> str:
    """The address an erased person's row keeps: unique, and never deliverable (``.invalid``, RFC 2606)."""
    return f"erased-{user.pk}@invalid"


@dataclass
class Step:
    """One line of the confirmation page: what happens to how many rows."""

    what: str
    count: int


def _sessions_of(user) -> list[str]:
    # Database sessions (SESSION_ENGINE is Django's default "db"): read each live one for its user id.
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            keys.append(session.session_key)
    return keys


def _posts_removed() -> bool:
    return settings.ERASURE_POSTS == "remove"


def erasure_plan(user, *, now=None) -> list[Step]:
    """What ``erase_person`` would do to ``user``, as counts: the admin's confirmation page lists these."""
    now = now or timezone.now()
    email = user.email
    posts = "text removed" if _posts_removed() else f'kept under "{FORMER_NAME}"'
    return [
        Step(f'name and email address replaced ("{FORMER_NAME}", {placeholder_email(user)}); sign-in disabled', 1),
        Step("email addresses removed from sign-in", EmailAddress.objects.filter(user=user).count()),
        Step("two-factor keys removed", Authenticator.objects.filter(user=user).count()),
        Step("sessions ended", len(_sessions_of(user))),
        Step("calendar feed revoked", CalendarToken.objects.filter(user=user).count()),
        Step("data downloads deleted", DataExport.objects.filter(user=user).count()),
        Step("places at organisations removed", OrganisationPerson.objects.filter(user=user).count()),
        Step("places in cohorts removed", Participant.objects.filter(user=user).count()),
        Step(
            "invitations to their address withdrawn or anonymised",
            ColleagueInvite.objects.filter(email__iexact=email).count()
            + Invitation.objects.filter(contact_email__iexact=email).count(),
        ),
        Step(f"mailing-list posts: {posts}", Message.objects.filter(author=user).count()),
        Step(f"chat messages: {posts}", ChatMessage.objects.filter(author=user).count()),
        Step(f"written input: {posts}", WrittenInput.objects.filter(author=user).count()),
        Step(
            "emails to their address: bodies deleted, address replaced",
            Email.objects.filter(to_email__iexact=email).count(),
        ),
        Step(
            "applications they started: kept for the organisation",
            Application.objects.filter(created_by=user).count(),
        ),
        Step("reviews: kept", ReviewAssignment.objects.filter(reviewer=user).count()),
        Step("places at future events given up (the waiting list moves up)", _future_places(user, now).count()),
        Step("event answers and attendance: kept", RSVP.objects.filter(user=user).count()),
        Step("time logged for funding: kept", TimeEntry.objects.filter(user=user).count()),
        Step(
            "credits in publications removed, published versions included",
            PublicationCredit.objects.filter(user=user).count(),
        ),
        Step(
            "feedback answers: kept without their name",
            FeedbackResponse.objects.filter(user=user).count(),
        ),
        Step(
            "notes of which feedback forms they answered removed", FeedbackRespondent.objects.filter(user=user).count()
        ),
        Step(
            "reports they wrote, submitted or decided: kept for the organisation",
            Report.objects.filter(Q(updated_by=user) | Q(submitted_by=user) | Q(decided_by=user)).count(),
        ),
    ]


def _replacer(old_email: str, old_name: str):
    """A function that replaces the person's address and name (any case) in a text."""
    patterns = [(re.compile(re.escape(old_email), re.I), None)]
    if len(old_name.strip()) >= MIN_NAME_LENGTH:
        patterns.append((re.compile(re.escape(old_name.strip()), re.I), FORMER_NAME))

    def replace(text: str, placeholder: str) -> str:
        for pattern, replacement in patterns:
            text = pattern.sub(replacement or placeholder, text)
        return text

    return replace


def _mentions(fields, old_email: str, old_name: str) -> Q:
    match = Q()
    for f in fields:
        match |= Q(**{f"{f}__icontains": old_email})
        if len(old_name.strip()) >= MIN_NAME_LENGTH:
            match |= Q(**{f"{f}__icontains": old_name.strip()})
    return match


def _scrub_outbox(old_email: str, old_name: str, placeholder: str) -> None:
    """Emails to the person lose their bodies; any other email naming them has the name and address replaced."""
    Email.objects.filter(to_email__iexact=old_email).update(
        to_email=placeholder, body_text="", body_html="", attachments=[], headers={}
    )
    replace = _replacer(old_email, old_name)
    texts = ["subject", "body_text", "body_html", "last_error", "key", "batch"]
    # JSON columns are searched as text on PostgreSQL and SQLite alike by reading them back in Python.
    candidates = Email.objects.filter(_mentions([*texts, "attachments", "headers"], old_email, old_name)).only(
        *texts, "attachments", "headers"
    )
    for email in candidates.iterator():
        for name in texts:
            setattr(email, name, replace(getattr(email, name), placeholder))
        email.attachments = _replace_json(email.attachments, replace, placeholder)
        email.headers = _replace_json(email.headers, replace, placeholder)
        email.save(update_fields=[*texts, "attachments", "headers"])


def _replace_json(value, replace, placeholder):
    if isinstance(value, str):
        return replace(value, placeholder)
    if isinstance(value, list):
        return [_replace_json(v, replace, placeholder) for v in value]
    if isinstance(value, dict):
        return {k: _replace_json(v, replace, placeholder) for k, v in value.items()}
    return value


def _scrub_admin_log(old_email: str, old_name: str, placeholder: str) -> None:
    # The admin's log names objects as they were printed: "Maya Okafor <maya@…> at River Data Trust".
    replace = _replacer(old_email, old_name)
    for entry in LogEntry.objects.filter(_mentions(["object_repr", "change_message"], old_email, old_name)):
        entry.object_repr = replace(entry.object_repr, placeholder)
        entry.change_message = replace(entry.change_message, placeholder)
        entry.save(update_fields=["object_repr", "change_message"])


def _future_places(user, now):
    return RSVP.objects.filter(
        user=user,
        status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED],
        event__status=Event.Status.SCHEDULED,
        event__starts_at__gt=now,
    ).select_related("event")


def _give_up_future_places(user, now) -> None:
    # Through the events service, so a freed seat goes to whoever has waited longest (and they are told).
    for rsvp in _future_places(user, now):
        try:
            rsvp_set(event=rsvp.event, user=user, going=False, at=now)
        except (PermissionDenied, ValidationError):
            continue  # answers for that event are closed: the list stays as it is


def _posts(user, now) -> None:
    if not _posts_removed():
        return  # kept: they now read as written by "Former participant"
    Message.objects.filter(author=user, parent__isnull=False).delete()
    threads = Message.objects.filter(author=user, parent__isnull=True)
    threads.filter(replies__isnull=True).delete()
    threads.update(body=REMOVED_TEXT)
    ChatMessage.objects.filter(author=user, deleted_at__isnull=True).update(body="", deleted_at=now)
    WrittenInput.objects.filter(author=user).delete()


@transaction.atomic
def erase_person(*, user, by, now=None):
    """Erase ``user`` (staff only, through the admin's confirmation): see the module's docstring.

    Locks the person's row. Records the erasure in the access log under ``by``, naming the
    person by id only. Returns the erased user.
    """
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    now = now or timezone.now()
    old_email, old_name = user.email, user.name
    placeholder = placeholder_email(user)

    _give_up_future_places(user, now)
    Session.objects.filter(session_key__in=_sessions_of(user)).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    CalendarToken.objects.filter(user=user).delete()
    for export in DataExport.objects.filter(user=user):
        if export.file:
            export.file.delete(save=False)
        export.delete()
    ThreadRead.objects.filter(user=user).delete()
    ReadMarker.objects.filter(user=user).delete()
    ReminderOptOut.objects.filter(user=user).delete()
    OrganisationPerson.objects.filter(user=user).delete()
    Participant.objects.filter(user=user).delete()
    # Their feedback still counts in the results, as if given anonymously; the day stays, the person goes.
    FeedbackResponse.objects.filter(user=user).update(user=None)
    FeedbackRespondent.objects.filter(user=user).delete()

    # Invitations to their address: an open one is withdrawn, an accepted one keeps its place without the address.
    ColleagueInvite.objects.filter(email__iexact=old_email, accepted_at__isnull=True).delete()
    ColleagueInvite.objects.filter(email__iexact=old_email).update(email=placeholder)
    Invitation.objects.filter(contact_email__iexact=old_email).update(contact_email=placeholder, contact_name="")

    _posts(user, now)
    publication_credits_erase(user=user)
    _scrub_outbox(old_email, old_name, placeholder)
    _scrub_admin_log(old_email, old_name, placeholder)
    AccessRecord.objects.filter(who=user).update(ip=None)

    user.name = FORMER_NAME
    user.email = placeholder
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    access_record(who=by, kind=AccessRecord.Kind.ERASURE, what=f"person {user.pk}")
    return user
