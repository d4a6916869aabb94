"""The per-person address a list email's replies go to: ``reply+<token>@<INBOUND_MAIL_DOMAIN>``.

The token names the person and the thread and when it was issued, and carries a MAC over
the three made with the site's secret key, so nobody can write one for another person or
thread. It is short enough for the 64-character limit on a local part (RFC 5321), all
lower case (some mail servers lower-case local parts) and has no character that needs
quoting: ``<user>-<thread>-<day>-<mac>``, numbers in base 36, the MAC 16 characters of base 32.
"""

import base64
import hmac
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

SALT = "cohorts.reply-address"
PREFIX = "reply+"
#: An address works this many days after the email carrying it was written (``REPLY_ADDRESS_DAYS``).
DEFAULT_DAYS = 90
_EPOCH = date(2020, 1, 1)


class ReplyAddressError(Exception):
    """Why an address is refused, in words the sender's bounce shows."""


@dataclass(frozen=True)
class ReplyTarget:
    user_id: int
    thread_id: int
    issued_on: date


def inbound_domain() -> str:
    """Where replies by email go; empty when reply by email is off (the default on a laptop)."""
    return getattr(settings, "INBOUND_MAIL_DOMAIN", "").strip().lower()


def valid_days() -> int:
    return int(getattr(settings, "REPLY_ADDRESS_DAYS", DEFAULT_DAYS))


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _mac(payload: str) -> str:
    digest = salted_hmac(SALT, payload, algorithm="sha256").digest()[:10]
    return base64.b32encode(digest).decode().lower()


def reply_token(*, user_id: int, thread_id: int, today: date | None = None) -> str:
    today = today or timezone.now().date()
    payload = f"{_b36(user_id)}-{_b36(thread_id)}-{_b36((today - _EPOCH).days)}"
    return f"{payload}-{_mac(payload)}"


def reply_address(*, user_id: int, thread_id: int, today: date | None = None) -> str:
    """The address for ``user_id`` to reply to ``thread_id`` by email, or "" when reply by email is off."""
    domain = inbound_domain()
    if not domain:
        return ""
    return f"{PREFIX}{reply_token(user_id=user_id, thread_id=thread_id, today=today)}@{domain}"


def reply_target(address: str, *, today: date | None = None) -> ReplyTarget:
    """Read a reply address; raise ``ReplyAddressError`` saying why it is refused."""
    local, _at, domain = address.strip().strip("<>").rpartition("@")
    if not local or domain.lower() != inbound_domain() or not local.lower().startswith(PREFIX):
        raise ReplyAddressError("No such mailbox here: replies go to the address in the email you received.")
    token = local.lower()[len(PREFIX) :]
    parts = token.split("-")
    if len(parts) != 4:
        raise ReplyAddressError("This reply address is not valid: reply from the email you received.")
    payload, mac = "-".join(parts[:3]), parts[3]
    if not hmac.compare_digest(_mac(payload), mac):
        raise ReplyAddressError("This reply address is not valid: reply from the email you received.")
    try:
        user_id, thread_id, day = (int(part, 36) for part in parts[:3])
    except ValueError as exc:  # a valid MAC over a malformed payload cannot happen, but never trust it
        raise ReplyAddressError("This reply address is not valid.") from exc
    issued_on = date.fromordinal(_EPOCH.toordinal() + day)
    today = today or timezone.now().date()
    if (today - issued_on).days > valid_days():
        raise ReplyAddressError(
            f"This reply address expired {valid_days()} days after its email was sent: reply on the website instead."
        )
    return ReplyTarget(user_id=user_id, thread_id=thread_id, issued_on=issued_on)
