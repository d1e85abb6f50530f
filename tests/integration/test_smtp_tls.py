"""STARTTLS at the SMTP door, on a real socket: offered when a certificate is configured, and when
required, no mail is taken over a plain connection."""

from __future__ import annotations

import datetime
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select

from infra.admin import add_account
from infra.db import migrate
from infra.models import InboundMessage
from infra.settings import Settings
from services import actors_of, make_app

pytestmark = pytest.mark.integration


def self_signed(directory: Path, host: str = "coi.test") -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "door.crt", directory / "door.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture(params=[False, True], ids=["starttls-offered", "starttls-required"])
def tls_door(request, tmp_path):
    from inbox.smtp import make_controller

    cert, key = self_signed(tmp_path)
    app = make_app(tmp_path, smtp_tls_cert=cert, smtp_tls_key=key, smtp_require_starttls=request.param)
    migrate(app.settings.resolved_database_url())
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
    door = make_controller(app, actors_of(app).send_on)
    door.start()
    yield app, (door.hostname, door.port), cert
    door.stop()
    app.close()


def mail() -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "agent@example.test", "acme@coi.test", "COI"
    message.set_content("Attached.")
    return message


def stored(app) -> int:
    with app.sessions() as session:
        return session.scalar(select(func.count()).select_from(InboundMessage))


def test_a_client_that_upgrades_with_starttls_is_encrypted_and_its_mail_taken(tls_door):
    app, door, cert = tls_door
    trusting_our_cert = ssl.create_default_context(cafile=str(cert))
    trusting_our_cert.check_hostname = False  # the door listens on 127.0.0.1; the certificate names coi.test
    with smtplib.SMTP(*door) as client:
        client.ehlo()
        assert client.has_extn("starttls")
        client.starttls(context=trusting_our_cert)
        assert isinstance(client.sock, ssl.SSLSocket) and client.sock.version() in ("TLSv1.2", "TLSv1.3")
        assert client.send_message(mail()) == {}
    assert stored(app) == 1


def test_a_plain_client_is_taken_only_when_starttls_is_not_required(tls_door):
    app, door, _ = tls_door
    required = app.settings.smtp_require_starttls
    with smtplib.SMTP(*door) as client:
        if required:
            with pytest.raises(smtplib.SMTPSenderRefused) as refused:
                client.send_message(mail())
            assert refused.value.smtp_code == 530
        else:
            assert client.send_message(mail()) == {}
    assert stored(app) == (0 if required else 1)


def test_requiring_starttls_without_a_certificate_is_refused_at_start(tmp_path):
    with pytest.raises(ValueError, match="COI_SMTP_REQUIRE_STARTTLS"):
        Settings(var_dir=tmp_path, smtp_require_starttls=True)
    with pytest.raises(ValueError, match="go together"):
        Settings(var_dir=tmp_path, smtp_tls_cert=tmp_path / "door.crt")
