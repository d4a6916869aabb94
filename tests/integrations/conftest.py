"""A webhook receiver of our own on loopback, and endpoints pointing at it."""

import hashlib
import hmac
import http.server
import json
import threading
from dataclasses import dataclass, field

import pytest

from integrations.models import WebhookEndpoint
from tests.factories import CohortFactory


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    def signature_valid(self, secret: str) -> bool:
        """What a receiver does: recompute the HMAC of "<timestamp>.<body>" and compare in constant time."""
        signed = self.headers["X-CohortNet-Timestamp"].encode() + b"." + self.body
        expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers["X-CohortNet-Signature"])


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 answering each POST with the next status in ``answers`` (then 204)."""

    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    attempts: int = 0
    url: str = ""

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 -- the name http.server calls
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.attempts += 1
                status = receiver.answers.pop(0) if receiver.answers else 204
                if 200 <= status < 300:
                    receiver.received.append(Received(dict(self.headers), body))
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                payload = b"" if status == 204 else b"server says no" if status >= 400 else b"ok"
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/cohort?via=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def allow_local(settings):
    settings.WEBHOOKS_ALLOW_LOCAL = True
    settings.SITE_URL = "https://cohortnet.example.org"


@pytest.fixture
def endpoint(allow_local, receiver):
    return WebhookEndpoint.objects.create(
        cohort=CohortFactory(name="Data Stewards 2026", slug="data-stewards-2026"),
        name="Slack #stewards",
        url=receiver.url,
    )
