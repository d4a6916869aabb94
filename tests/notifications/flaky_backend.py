"""An email backend that fails a set number of times, then delivers to Django's test outbox."""

import threading

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    failures_left = 0
    lock = threading.Lock()

    def send_messages(self, messages):
        with FlakyBackend.lock:
            if FlakyBackend.failures_left > 0:
                FlakyBackend.failures_left -= 1
                raise ConnectionRefusedError("SMTP server unavailable (forced by the test)")
        return super().send_messages(messages)
