"""A person's data download: every row of every model that points at them, as JSON, with their files.

Which models point at a person is read from the model graph (``people_models``), never listed by
hand; ``EXPORTS`` then says, for each of them, what to leave out. A model that gains a link to
the user without an entry here fails ``tests/privacy/test_exports.py``, so nothing is forgotten.

Secrets never leave: any field named like one (``SECRET_NAMES``) is dropped everywhere, and
each entry names the secrets its model holds under other names (a two-factor key's ``data``).
"""

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from applications.selectors import decision_email_sent
from notifications.models import Email

#: Field names that hold a secret in any model: a password hash, a link's token, a signing secret.
SECRET_NAMES = ("password", "token", "secret", "key", "claim_token")


@dataclass(frozen=True)
class Export:
    """How one model's rows go into a person's download."""

    #: Fields left out besides ``SECRET_NAMES``: secrets under another name, or other people's data.
    exclude: frozenset[str] = field(default_factory=frozenset)
    #: Copy the rows' uploaded files into the ZIP (not for an organisation's documents a staff member handled).
    files: bool = True
    #: Rows that name the person another way than a link to their account, e.g. emails sent to their address.
    also: Callable | None = None
    #: More keys for each row, from rows that do not point at the user themselves (a response's answers).
    more: Callable | None = None


def _emails_to(user) -> Q:
    # Held emails (a decision staff have not released) and cancelled ones never reached the person: listing
    # them would tell a decision before it is made known.
    return Q(to_email__iexact=user.email) & ~Q(status__in=[Email.Status.HELD, Email.Status.CANCELLED])


def _feedback_once_sent(application) -> dict:
    # Staff's feedback is the organisation's to read only once the decision email is sent (as on its page).
    return {"feedback": application.feedback if decision_email_sent(application) else ""}


def _feedback_answers(response) -> dict:
    answers = response.answers.select_related("question").order_by("question__position", "question_id")
    return {"answers": [{"question": a.question.label, "answer": a.display} for a in answers]}


#: One entry per model that points at the user (``people_models``), by label.
EXPORTS: dict[str, Export] = {
    "users.User": Export(),
    "account.EmailAddress": Export(),
    # ``data`` holds the TOTP secret and the recovery codes' seed.
    "mfa.Authenticator": Export(exclude=frozenset({"data"})),
    "admin.LogEntry": Export(),
    "cohorts.Organisation": Export(),
    "cohorts.OrganisationPerson": Export(),
    # The colleague's address is theirs, not the inviter's.
    "cohorts.ColleagueInvite": Export(exclude=frozenset({"email"})),
    "cohorts.Participant": Export(),
    "cohorts.Message": Export(),
    "cohorts.ThreadRead": Export(),
    "cohorts.Resource": Export(),
    "cohorts.Contribution": Export(),
    "applications.Invitation": Export(exclude=frozenset({"contact_name", "contact_email"})),
    # The feedback only once its decision email is sent, as the status page shows it.
    "applications.Application": Export(exclude=frozenset({"feedback"}), more=_feedback_once_sent),
    "applications.Transition": Export(),
    "applications.ReviewAssignment": Export(),
    # The interview's time and link; its notes are the panel's, part of the review like reviewers' comments.
    "applications.InterviewSlot": Export(exclude=frozenset({"notes"})),
    "events.RSVP": Export(),
    "events.CalendarToken": Export(),
    "events.SupportSlot": Export(),
    "events.WrittenInput": Export(),
    # Agreements and invoices are the organisation's documents; staff who handled them get the rows, not the files.
    "funding.Award": Export(files=False),
    "funding.Instalment": Export(files=False),
    "funding.FundingChange": Export(),
    "funding.TimeEntry": Export(),
    # Emails released by staff, and every email sent to the person's address (headers hold unsubscribe links).
    "notifications.Email": Export(exclude=frozenset({"headers"}), also=_emails_to),
    "notifications.ReminderOptOut": Export(),
    # Reports are the organisation's; the rows name who saved, submitted or decided them.
    "outcomes.Report": Export(),
    "chat.ChatMessage": Export(),
    "chat.ReadMarker": Export(),
    # The publication: syntheses they wrote and versions they published as staff, sign-offs, their credit choices.
    "outcomes.PublicationSection": Export(),
    "outcomes.PublicationSignOff": Export(),
    "outcomes.PublicationCredit": Export(),
    "outcomes.PublicationVersion": Export(),
    # Earlier downloads are listed, not nested.
    "privacy.DataExport": Export(files=False),
    "privacy.AccessRecord": Export(),
    # Their choices (directory, credit, mailing list) and when they made them; notices they published as staff.
    "privacy.Consent": Export(),
    "privacy.PrivacyNotice": Export(),
    # Named feedback answers (anonymous ones have no user and are not theirs to find), with the answers' text.
    "outcomes.FeedbackResponse": Export(more=_feedback_answers),
    # Which forms they have answered (for anonymous forms, nothing links this to the answers).
    "outcomes.FeedbackRespondent": Export(),
}


def person_fields(model) -> list[models.Field]:
    """The fields of ``model`` (declared on it) that link a row to a user: foreign keys, one-to-ones, many-to-manys."""
    user_model = get_user_model()
    return [
        f
        for f in model._meta.get_fields()
        if f.is_relation and f.concrete and f.related_model is user_model and not f.auto_created
    ]


def people_models(registry=apps) -> dict[str, type[models.Model]]:
    """Every installed model that links to the user model, and the user model itself, by label."""
    user_model = get_user_model()
    found = {m._meta.label: m for m in registry.get_models() if person_fields(m)}
    found[user_model._meta.label] = user_model
    return found


def rows_of(model, user) -> models.QuerySet:
    """``model``'s rows that are about ``user``: linked through any of its user fields, or its entry's ``also``."""
    if model is get_user_model():
        return model.objects.filter(pk=user.pk)
    match = Q()
    for f in person_fields(model):
        match |= Q(**{f.name: user})
    spec = EXPORTS.get(model._meta.label)
    if spec and spec.also:
        match |= spec.also(user)
    return model._default_manager.filter(match).distinct().order_by("pk")


def _is_secret(name: str, spec: Export) -> bool:
    return name in spec.exclude or any(name == s or name.endswith(f"_{s}") for s in SECRET_NAMES)


def serialise(obj, spec: Export) -> dict:
    """One row as plain JSON values: links as ids, many-to-manys as lists of ids, files by name, secrets left out."""
    row = {}
    for f in obj._meta.concrete_fields:
        if _is_secret(f.name, spec):
            continue
        if f.is_relation:
            row[f.name] = getattr(obj, f.attname)
        elif isinstance(f, models.FileField):
            row[f.name] = getattr(obj, f.attname).name or ""
        else:
            row[f.name] = f.value_from_object(obj)
    for f in obj._meta.many_to_many:
        if not _is_secret(f.name, spec):
            row[f.name] = sorted(getattr(obj, f.name).values_list("pk", flat=True))
    if spec.more is not None:
        row.update(spec.more(obj))
    return row


class _Encoder(DjangoJSONEncoder):
    """Django's JSON types (times, decimals, UUIDs), and any other field value (a country) as its text."""

    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)


README = """Everything CohortNet holds about you, as of {when} (UTC).

Each JSON file lists the rows of one kind of record that name you (the file's name says which:
app.Model). Links to other records are their ids. Files you uploaded are in files/.
Passwords, two-factor secrets and the secret parts of links are never included.
"""


def write_zip(user, stream, *, when) -> dict[str, int]:
    """Write the person's ZIP to ``stream`` (a binary file); return the number of rows per model label."""
    counts = {}
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(when=when.strftime("%Y-%m-%d %H:%M")))
        for label, model in sorted(people_models().items()):
            spec = EXPORTS[label]
            rows = list(rows_of(model, user))
            counts[label] = len(rows)
            archive.writestr(f"{label}.json", json.dumps([serialise(r, spec) for r in rows], cls=_Encoder, indent=2))
            if not spec.files:
                continue
            for obj in rows:
                for f in obj._meta.concrete_fields:
                    if isinstance(f, models.FileField) and getattr(obj, f.attname):
                        _add_file(archive, label, obj, getattr(obj, f.attname))
    return counts


def _add_file(archive, label: str, obj, file) -> None:
    try:
        with file.open("rb") as handle:
            archive.writestr(f"files/{label}/{obj.pk}-{PurePosixPath(file.name).name}", handle.read())
    except FileNotFoundError:
        # A row whose file is gone (restored without media): the JSON still names it.
        return
