"""Posting over TLS: the connection goes to the address checked, and the certificate must match the name."""

import datetime as dt
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from integrations import services
from integrations.models import Kind, WebhookDelivery, WebhookEndpoint
from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for "localhost" only, and its key, as files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@pytest.fixture
def tls_receiver(receiver, certificate, monkeypatch):
    """The loopback receiver behind TLS, and a client that trusts its certificate as a public CA's."""
    cert_path, key_path = certificate
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_path, key_path)
    receiver.server.socket = server_context.wrap_socket(receiver.server.socket, server_side=True)
    original = ssl.create_default_context
    monkeypatch.setattr(services.ssl, "create_default_context", lambda: original(cafile=str(cert_path)))
    return receiver


def _delivery(allow_local, url) -> WebhookDelivery:
    endpoint = WebhookEndpoint.objects.create(cohort=CohortFactory(), name="TLS", url=url)
    return WebhookDelivery.objects.create(endpoint=endpoint, kind=Kind.EVENT_CREATED, key="k", payload={"kind": "x"})


def test_a_webhook_is_posted_over_tls_to_the_name_in_the_address(allow_local, tls_receiver):
    port = tls_receiver.server.server_port
    delivery = _delivery(allow_local, f"https://localhost:{port}/in")
    assert services.webhook_deliver(delivery_id=delivery.pk) is True
    assert len(tls_receiver.received) == 1
    assert tls_receiver.received[0].headers["Host"] == f"localhost:{port}"
    assert tls_receiver.received[0].signature_valid(delivery.endpoint.secret)


def test_a_certificate_for_another_name_is_refused(allow_local, tls_receiver):
    delivery = _delivery(allow_local, f"https://127.0.0.1:{tls_receiver.server.server_port}/in")
    assert services.webhook_deliver(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert delivery.last_error.startswith("SSLCertVerificationError: ")
    assert "IP address mismatch" in delivery.last_error
    assert tls_receiver.received == []
