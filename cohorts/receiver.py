"""The inbound mail server for replies by email: SMTP (or LMTP behind a mail server) on aiosmtpd.

It refuses a recipient that is not a valid reply address at RCPT time (550, nothing read),
and hands each accepted mail to ``cohorts.inbound.reply_receive``; a refusal there is the
answer to DATA, so the sender's server bounces it with the reason. Run it with
``manage.py receive_mail`` (the docker-compose ``mail-in`` service).
"""

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from asgiref.sync import sync_to_async
from django.db import close_old_connections

from cohorts.inbound import InboundRefused, check_address, reply_receive

logger = logging.getLogger(__name__)

#: The largest mail accepted: the resource library's 10 MB per file, base64-encoded, and some text.
MAX_MAIL_BYTES = 15 * 1024 * 1024


def _checked_address(address: str) -> str | None:
    close_old_connections()
    try:
        check_address(address)
    except InboundRefused as exc:
        return exc.smtp_reply()
    return None


def _receive(addresses: list[str], raw: bytes) -> str:
    close_old_connections()
    try:
        for address in addresses:
            received = reply_receive(address=address, raw=raw)
            logger.info(
                "Reply by email %s in thread %s%s",
                received.message.pk,
                received.message.parent_id,
                " (already posted)" if received.duplicate else "",
            )
    except InboundRefused as exc:
        logger.info("Refused a reply by email to %s: %s", addresses, exc.reason)
        return exc.smtp_reply()
    except Exception:
        logger.exception("A reply by email to %s failed", addresses)
        return "451 4.3.0 The reply could not be posted just now; your server will try again."
    finally:
        close_old_connections()
    return "250 2.0.0 Posted in the thread"


class ReplyHandler:
    """aiosmtpd's handler: the database work runs in a worker thread, never on the event loop."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 -- aiosmtpd's hook
        refusal = await sync_to_async(_checked_address, thread_sensitive=False)(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode()
        return await sync_to_async(_receive, thread_sensitive=False)(list(envelope.rcpt_tos), raw)


class _LMTPController(Controller):
    def factory(self):
        return LMTP(self.handler, **self.SMTP_kwargs)


def receiver(*, host: str, port: int, lmtp: bool = False) -> Controller:
    """A receiver on ``host``:``port`` (call ``.start()`` and ``.stop()``), speaking SMTP or, with ``lmtp``, LMTP."""
    cls = _LMTPController if lmtp else Controller
    return cls(ReplyHandler(), hostname=host, port=port, data_size_limit=MAX_MAIL_BYTES)
