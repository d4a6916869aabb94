"""Run the inbound mail server that posts replies by email (SMTP, or LMTP with --lmtp)."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand

from cohorts.receiver import receiver
from cohorts.reply_address import inbound_domain


class Command(BaseCommand):
    help = "Receive replies by email on an SMTP (or LMTP) port and post them in their threads."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (0.0.0.0 in a container).")
        parser.add_argument("--port", type=int, default=8025)
        parser.add_argument("--lmtp", action="store_true", help="Speak LMTP, for delivery from a local mail server.")

    def handle(self, *args, host, port, lmtp, **options):
        if not inbound_domain():
            self.stderr.write("INBOUND_MAIL_DOMAIN is not set: every address will be refused.")
        # aiosmtpd logs every command with its addresses at INFO: keep people's addresses out of the logs.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        controller = receiver(host=host, port=port, lmtp=lmtp)
        controller.start()
        self.stdout.write(f"Receiving replies by {'LMTP' if lmtp else 'SMTP'} on {host}:{port} for @{inbound_domain()}")
        stopped = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopped.set())
        try:
            while not stopped.wait(1):
                pass
        finally:
            controller.stop()
