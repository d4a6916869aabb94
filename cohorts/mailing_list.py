"""A cohort's mailing list by email: who gets each message, its list and threading headers, the daily digest.

Every new thread and every reply reaches each participant of the cohort as they chose
(``Participant.delivery``): each message as it is posted, one email a day with the
day's messages, or none. The author never gets their own message. Each copy is an
outbox row of its own, keyed by message and person, because its headers are the
person's own (their signed reply address and unsubscribe link).

The unsubscribe kinds are registered with notifications in ``CohortsConfig.ready()``,
as events register their reminders: notifications imports no domain app.
"""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from email.header import Header

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cohorts.models import Cohort, Message, Participant, site_host
from cohorts.permissions import can_reply
from cohorts.reply_address import inbound_domain, reply_address
from notifications.models import Email
from notifications.services import email_queue, render_email
from notifications.unsubscribe import MailingList, register_list, unsubscribe_headers

#: The outbox kind of a list message's email, and of its unsubscribe link (scope: the cohort).
KIND = "cohort_message"
#: The outbox kind of the daily digest, and of its unsubscribe link (every cohort's digest).
DIGEST_KIND = "cohort_digest"


def list_id(cohort: Cohort) -> str:
    """RFC 2919: the list's name and a dotted id under the site's host, stable for the cohort.

    The name is a phrase: quoted when it holds a special character, RFC 2047-encoded when it is not
    ASCII (on its own, so the ``<id>`` that filters match stays plain), never with a line break.
    """
    name = " ".join(cohort.name.split())
    if not name.isascii():
        name = Header(name, "utf-8").encode()
    elif any(char in name for char in '()<>[]:;@\\,."'):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{cohort.slug}.lists.{site_host()}>"


def list_headers(
    *, message: Message, user, root: Message | None = None, may_reply: bool | None = None
) -> dict[str, str]:
    """The headers of ``message``'s copy for ``user``: list (RFC 2369, 2919, 8058), threading and reply.

    ``List-Post`` and ``Reply-To`` carry the person's own signed reply address while they may
    reply (``NO``, and no Reply-To, for alumni or when reply by email is off).
    """
    cohort = message.cohort
    root = root or (message.parent if message.parent_id else message)
    headers = {
        "Message-ID": message.email_message_id,
        "List-Id": list_id(cohort),
        "List-Archive": f"<{settings.SITE_URL}{root.get_absolute_url()}>",
        **unsubscribe_headers(user, KIND, scope=cohort.pk),
        "Precedence": "list",
    }
    if message.parent_id:
        headers["In-Reply-To"] = root.email_message_id
        headers["References"] = root.email_message_id
    if may_reply is None:
        may_reply = can_reply(user, cohort)
    address = reply_address(user_id=user.pk, thread_id=root.pk) if may_reply else ""
    if address:
        headers["List-Post"] = f"<mailto:{address}>"
        headers["Reply-To"] = address
    else:
        headers["List-Post"] = "NO"
    return headers


def subject_for(message: Message, root: Message) -> str:
    prefix = "Re: " if message.parent_id else ""
    return f"{prefix}[{message.cohort.name}] {root.subject}"


def message_send(message: Message) -> int:
    """Queue ``message``'s email to everyone in its cohort who gets each message. Returns how many rows.

    Call inside the transaction that wrote the message (``cohorts.services.message_post``).
    Someone taking part for two organisations gets one copy.
    """
    cohort = message.cohort
    root = message.parent if message.parent_id else message
    recipients = (
        Participant.objects.filter(membership__cohort=cohort, delivery=Participant.Delivery.EACH)
        .exclude(user=message.author)
        .select_related("user")
        .order_by("user_id")
    )
    # The body is the same for everyone: render it once, not once per person.
    # The author is credited as the cohort knows them: "Maya Okafor, River Data Trust".
    author_organisation = Participant.objects.organisations_in(cohort, [message.author]).get(message.author_id)
    text, html = render_email(
        "cohorts/email/message",
        {
            "message": message,
            "root": root,
            "author_organisation": author_organisation,
            "reply_by_email": bool(inbound_domain()) and not cohort.has_ended,
        },
    )
    may_reply = not cohort.has_ended
    seen: set[int] = set()
    for participant in recipients:
        if participant.user_id in seen:
            continue
        seen.add(participant.user_id)
        email_queue(
            key=f"message:{message.pk}:{participant.user_id}",
            kind=KIND,
            to=participant.user.email,
            subject=subject_for(message, root),
            body_text=text,
            body_html=html,
            # Every recipient takes part in the cohort: they may reply while it runs (``can_reply``).
            headers=list_headers(
                message=message, user=participant.user, root=root, may_reply=may_reply or participant.user.is_staff
            ),
        )
    return len(seen)


# --- The daily digest ---------------------------------------------------------------------


def digest_day(now: datetime | None = None) -> date:
    """The day a digest written at ``now`` covers: the last whole day, in UTC."""
    return (now or timezone.now()).astimezone(UTC).date() - timedelta(days=1)


def digests_queue(*, day: date | None = None, now: datetime | None = None) -> int:
    """Write one digest email per person for ``day`` (default: yesterday, UTC). Returns how many were new.

    A person gets one digest for all the cohorts where they chose it, with the day's threads and
    replies by others grouped by cohort and thread. Run by the minute sweep: the outbox key
    ``digest:<user>:<day>`` makes every later run (or two sweeps at once, or a retry after a
    worker died) write nothing new, so each person gets at most one a day.
    """
    day = day or digest_day(now)
    start = datetime.combine(day, time.min, tzinfo=UTC)
    end = start + timedelta(days=1)
    messages = list(
        Message.objects.filter(created_at__gte=start, created_at__lt=end)
        .select_related("cohort", "author", "parent")
        .order_by("cohort__name", "cohort_id", "created_at", "pk")
    )
    if not messages:
        return 0
    by_cohort: dict[int, list[Message]] = defaultdict(list)
    for message in messages:
        by_cohort[message.cohort_id].append(message)
    subscriptions = (
        Participant.objects.filter(membership__cohort_id__in=list(by_cohort), delivery=Participant.Delivery.DIGEST)
        .select_related("user")
        .order_by("user_id")
    )
    cohorts_of: dict[int, set[int]] = defaultdict(set)
    users = {}
    for participant in subscriptions:
        cohorts_of[participant.user_id].add(participant.membership.cohort_id)
        users[participant.user_id] = participant.user
    keys = {user_id: f"digest:{user_id}:{day.isoformat()}" for user_id in cohorts_of}
    done = set(Email.objects.filter(key__in=list(keys.values())).values_list("key", flat=True))
    if len(done) == len(keys):
        return 0  # every later sweep of the day: three small queries, nothing rendered
    organisations = {
        cohort_id: Participant.objects.organisations_in(cohort_id, {m.author for m in items})
        for cohort_id, items in by_cohort.items()
    }
    created = 0
    for user_id, cohort_ids in cohorts_of.items():
        if keys[user_id] in done:
            continue
        sections = []
        for cohort_id in by_cohort:
            if cohort_id not in cohort_ids:
                continue
            items = [m for m in by_cohort[cohort_id] if m.author_id != user_id]
            if items:
                for item in items:
                    item.author_organisation = organisations[cohort_id].get(item.author_id)
                sections.append({"cohort": items[0].cohort, "messages": items})
        if not sections:
            continue
        count = sum(len(section["messages"]) for section in sections)
        user = users[user_id]
        text, html = render_email("cohorts/email/digest", {"user": user, "day": day, "sections": sections})
        with transaction.atomic():
            email_queue(
                key=keys[user_id],
                kind=DIGEST_KIND,
                to=user.email,
                subject=f"Your cohort messages for {day:%-d %B %Y}: {count} new",
                body_text=text,
                body_html=html,
                headers={**unsubscribe_headers(user, DIGEST_KIND), "Precedence": "list"},
                send_now=False,  # the sweep that wrote it sends it next, over one connection
            )
        created += 1
    return created


# --- Unsubscribing ------------------------------------------------------------------------


def describe(user, cohort_id) -> str | None:
    """What the link stops, or None when the person no longer takes part in that cohort."""
    cohort = Cohort.objects.filter(pk=cohort_id, memberships__participants__user=user).first()
    return f"emails of the messages in {cohort.name}" if cohort else None


def _stop(participants) -> None:
    # cohorts.services imports this module; import it when the link is used.
    from cohorts.services import participant_preferences_set

    for participant in participants:
        participant_preferences_set(
            participant=participant,
            user=participant.user,
            delivery=Participant.Delivery.NONE,
            show_contact_details=participant.show_contact_details,
        )


@transaction.atomic
def stop(user, cohort_id) -> None:
    """The same switch as the cohort's settings page: one person, one cohort."""
    _stop(Participant.objects.select_for_update().for_user(user, cohort_id).select_related("user"))


def describe_digest(user, _scope) -> str | None:
    if not Participant.objects.filter(user=user, delivery=Participant.Delivery.DIGEST).exists():
        return None
    return "the daily digest of your cohorts' messages"


@transaction.atomic
def stop_digest(user, _scope) -> None:
    """Every cohort where the person chose the digest: no email (the archive stays)."""
    rows = Participant.objects.select_for_update().filter(user=user, delivery=Participant.Delivery.DIGEST)
    _stop(rows.select_related("user"))


def register() -> None:
    register_list(MailingList(kind=KIND, describe=describe, stop=stop))
    register_list(MailingList(kind=DIGEST_KIND, describe=describe_digest, stop=stop_digest))
