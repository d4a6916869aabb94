"""Replies by email: read a mail sent to a signed reply address and post it in its thread as its sender.

``reply_receive`` holds the rules and is what every way in calls (the SMTP/LMTP receiver in
``receive_mail``; a provider's HTTP webhook could call it the same way). It refuses, with a
reason the sender's bounce shows and nothing posted: an address that is not ours, forged or
expired (``cohorts.reply_address``), a From address that is not the address's person, a
person who may no longer post in the cohort (alumni, people who left) and a reply with no
text once the quoted text and signature are gone. The reply goes through the same service
as the web form (``message_post``), so its emails and digests follow. The same mail
delivered twice (same Message-ID, same thread) posts once: checked first, and held by the
``cohorts_message_one_post_per_inbound_mail`` constraint when two deliveries race.

Attachments go to the cohort's resource library through ``resource_add``, under its type
and size checks, and the post links to them. A refused attachment does not refuse the
reply (its text would be lost): the reply is posted with the files that passed and the
sender gets an email naming each refused file and why (a bounce is too late once the
mail is accepted, and would not say which file).
"""

import email
import email.policy
import logging
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils.html import strip_tags
from mailparser_reply import EmailReplyParser

from cohorts.models import Message
from cohorts.permissions import can_reply
from cohorts.reply_address import ReplyAddressError, reply_target
from notifications.services import email_queue, render_email

logger = logging.getLogger(__name__)

#: The languages whose quote headers ("On … wrote:", "Am … schrieb:") and signatures are recognised.
REPLY_LANGUAGES = ["en", "fr", "de", "es", "nl", "it", "pl", "sv", "da", "cs"]


class InboundRefused(Exception):
    """The mail is refused: ``code`` and ``reason`` are the SMTP reply the sender's server gets."""

    def __init__(self, reason: str, code: str = "550 5.7.1"):
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def smtp_reply(self) -> str:
        return f"{self.code} {self.reason}"


@dataclass
class Received:
    message: Message
    duplicate: bool = False
    refused_attachments: list[tuple[str, str]] = field(default_factory=list)


class _Duplicate(Exception):
    pass


def check_address(address: str):
    """The reply address's target, or ``InboundRefused`` (used at RCPT time, before any data)."""
    try:
        return reply_target(address)
    except ReplyAddressError as exc:
        code = "550 5.1.1" if str(exc).startswith("No such mailbox") else "550 5.7.1"
        raise InboundRefused(str(exc), code=code) from exc


def reply_text(mail: EmailMessage) -> str:
    """The new text of a reply: its plain part (or its HTML as text) without quoted text or signature."""
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, UnicodeError):  # an unknown or wrong charset: keep what can be read
        text = (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        text = strip_tags(text)
    text = text.replace("\r\n", "\n")
    replies = EmailReplyParser(languages=REPLY_LANGUAGES).read(text=text).replies
    body = replies[0].body if replies else text
    # A reply with nothing above the quote leaves only the quote: that is no reply at all.
    if all(line.lstrip().startswith(">") for line in body.splitlines() if line.strip()):
        return ""
    return body.strip()


def _sender_is(user, sender: str) -> bool:
    sender = sender.strip().lower()
    if not sender:
        return False
    if user.email.lower() == sender:
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=sender, verified=True).exists()


def _attachments(mail: EmailMessage) -> list[tuple[str, bytes]]:
    found = []
    for part in mail.iter_attachments():
        name = part.get_filename()
        if not name:
            continue
        # The file's bytes as sent: a text file stays in its charset, a forwarded mail stays a mail.
        found.append((name, part.get_payload(decode=True) or b""))
    return found


def reply_receive(*, address: str, raw: bytes) -> Received:
    """Post the mail ``raw``, sent to ``address``, as a reply in its thread; ``InboundRefused`` says why not.

    Anyone on the internet may call it (through the receiver): the signed address is the
    authority, checked with the sender's address and the person's right to post now.
    """
    target = check_address(address)
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    user = get_user_model().objects.filter(pk=target.user_id, is_active=True).first()
    thread = (
        Message.objects.filter(pk=target.thread_id, parent__isnull=True).select_related("cohort").first()
        if user
        else None
    )
    if user is None or thread is None:
        raise InboundRefused("This reply address's person or thread no longer exists.")
    sender = parseaddr(str(mail.get("From", "")))[1]
    if not _sender_is(user, sender):
        raise InboundRefused(
            "This reply address belongs to someone else: reply from the address the list email was sent to."
        )
    cohort = thread.cohort
    if not can_reply(user, cohort):
        reason = "it has ended: alumni read the archive" if cohort.has_ended else "you no longer take part in it"
        raise InboundRefused(f"You cannot post in {cohort.name} by email: {reason}.")
    message_id = str(mail.get("Message-ID", "")).strip()[:255]
    if message_id:
        earlier = Message.objects.filter(parent=thread, inbound_message_id=message_id).first()
        if earlier is not None:
            return Received(message=earlier, duplicate=True)
    body = reply_text(mail)
    files = _attachments(mail)
    if not body and not files:
        raise InboundRefused(
            "Your reply is empty once the quoted text is removed: write your reply above the quoted text.",
            code="550 5.6.0",
        )
    try:
        return _post(user=user, thread=thread, body=body, files=files, message_id=message_id)
    except _Duplicate:
        return Received(message=Message.objects.get(parent=thread, inbound_message_id=message_id), duplicate=True)


@transaction.atomic
def _post(*, user, thread: Message, body: str, files, message_id: str) -> Received:
    # cohorts.services imports the mailing list, which this module must not load at import time.
    from cohorts.services import message_post, resource_add

    shared, refused = [], []
    for name, content in files:
        try:
            resource = resource_add(
                cohort=thread.cohort,
                user=user,
                title=name[:200],
                description=f"Shared by email in “{thread.subject}”."[:2000],
                upload=SimpleUploadedFile(name, content),
            )
        except ValidationError as exc:
            refused.append((name, " ".join(exc.messages)))
        else:
            shared.append(resource)
    if not body and not shared:
        raise InboundRefused(
            "Your reply has no text and none of its attachments could be shared: "
            + "; ".join(f"{name}: {reason}" for name, reason in refused),
            code="550 5.6.0",
        )
    if shared:
        links = "\n".join(f"- {r.original_filename}: {settings.SITE_URL}{r.get_absolute_url()}" for r in shared)
        body = f"{body}\n\nAttached (in the resource library):\n{links}".strip()
    try:
        with transaction.atomic():
            message = message_post(
                cohort=thread.cohort, author=user, body=body, parent=thread, inbound_message_id=message_id
            )
    except IntegrityError as exc:
        raise _Duplicate from exc
    except ValidationError as exc:
        raise InboundRefused(f"Your reply could not be posted: {' '.join(exc.messages)}", code="550 5.6.0") from exc
    except PermissionDenied as exc:
        raise InboundRefused(f"You cannot post in {thread.cohort.name}.") from exc
    if refused:
        text, html = render_email(
            "cohorts/email/attachments_refused", {"message": message, "thread": thread, "refused": refused}
        )
        email_queue(
            key=f"inbound-refused:{message.pk}",
            kind="cohort_reply_attachments_refused",
            to=user.email,
            subject=f"Your reply to “{thread.subject}” was posted without {len(refused)} attachment(s)",
            body_text=text,
            body_html=html,
        )
    return Received(message=message, refused_attachments=refused)
