"""An SMTP server on loopback for tests that send real mail: it can be slow, and it records what arrived."""

import asyncio
import email
import email.policy
import socket
import threading
from collections import Counter

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A port nothing listens on now, chosen by the kernel."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """An SMTP server on 127.0.0.1 that accepts each message after ``delay`` seconds and records it.

    ``with SmtpSink(delay=0.1) as sink:`` runs it; ``sink.url`` is its EMAIL_URL.
    """

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self._received: list[tuple[str, str]] = []
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpSink":
        self._controller.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._controller.stop()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self._received.extend((to, str(message["Subject"])) for to in envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    @property
    def received(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._received)

    def counts(self) -> Counter:
        """How many times each (recipient, subject) arrived."""
        return Counter(self.received)
