"""The e-mail and Prefect-block channels, each to a real receiver on 127.0.0.1:
an SMTP server (aiosmtpd, STARTTLS with a certificate the client verifies,
a login) and a notification block saved on Prefect's server."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import ssl
from email import message_from_bytes
from email.policy import default as email_policy
from pathlib import Path

import pytest

from test_notify import Receiver
from traduco import notify
from traduco.config import load_project

PASSWORD = "SMTP-pass-w0rd-9182"


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts it through SSL_CERT_FILE)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp.pem", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def smtp_server(tmp_path, monkeypatch):
    """An SMTP server on 127.0.0.1 that wants STARTTLS and a login; yields (port, mails, logins)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from traduco.serving import free_port

    cert, key = certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    mails, logins = [], []

    class Mailbox:
        async def handle_DATA(self, server, session, envelope):
            mails.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=email_policy)))
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password.decode() == PASSWORD)

    port = free_port()
    controller = Controller(Mailbox(), hostname="127.0.0.1", port=port, tls_context=tls, require_starttls=True,
                            auth_required=True, authenticator=authenticator)
    controller.start()
    try:
        yield port, mails, logins
    finally:
        controller.stop()


def test_an_email_goes_through_starttls_and_a_login_and_the_password_reaches_no_log(
        project, smtp_server, monkeypatch, caplog):
    port, mails, logins = smtp_server
    with open(project / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write(f'[tool.traduco.notify]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
                     'smtp_user = "redazione"\nsmtp_from = "traduco@example.org"\n'
                     '[tool.traduco.notify.locales.zh_CN]\nemail = "traduttori-zh@example.org"\n')
    monkeypatch.setenv("TRADUCO_SMTP_PASSWORD", PASSWORD)
    proj = load_project(project)
    caplog.set_level(logging.DEBUG)

    sent = notify.send(proj, notify.Message(notify.DRAFTS, "zh_CN: 1 document(s) wait for review", "zh_CN"))
    not_en = notify.send(proj, notify.Message(notify.DRAFTS, "en: 1 document(s) wait for review", "en"))
    monkeypatch.setenv("TRADUCO_SMTP_PASSWORD", "wrong-" + PASSWORD)
    refused = notify.send(proj, notify.Message(notify.FAILURE, "The translate run failed: x"))

    assert sent == not_en == [] and logins[0] == ("redazione", PASSWORD)
    assert len(mails) == 1
    recipients, mail = mails[0]
    assert recipients == ["traduttori-zh@example.org"] and mail["From"] == "traduco@example.org"
    assert mail["Subject"] == "[Test office] zh_CN: 1 document(s) wait for review"
    assert "wait for review" in mail.get_content()
    assert len(refused) == 1 and refused[0].startswith("notification by email failed: SMTP ")
    assert PASSWORD not in caplog.text and PASSWORD not in " ".join(refused)


def test_an_email_to_a_server_with_a_certificate_nobody_vouches_for_is_not_sent(
        project, smtp_server, monkeypatch):
    """The login travels only over TLS the client verified: a stranger's certificate stops it."""
    port, mails, logins = smtp_server
    monkeypatch.setenv("SSL_CERT_FILE", str(project / "nobody.pem"))
    with open(project / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write(f'[tool.traduco.notify]\nemail = "redazione@example.org"\nsmtp_host = "127.0.0.1"\n'
                     f'smtp_port = {port}\nsmtp_user = "redazione"\n')
    monkeypatch.setenv("TRADUCO_SMTP_PASSWORD", PASSWORD)

    problems = notify.send(load_project(project), notify.Message(notify.FAILURE, "x"))

    assert logins == [] and mails == []
    assert problems and problems[0].startswith("notification by email failed: ") and PASSWORD not in problems[0]


def test_a_prefect_notification_block_named_in_the_settings_is_told(project):
    """A block saved on Prefect's server (here: a Custom Webhook to a local receiver), named type/name."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    with Receiver() as receiver:
        CustomWebhookNotificationBlock(name="redazione", url=receiver.url,
                                       json_data={"text": "{{body}}", "event": "{{subject}}"}).save(
            "redazione-hook", overwrite=True)
        with open(project / "pyproject.toml", "a", encoding="utf-8") as handle:
            handle.write('[tool.traduco.notify]\non = ["approval"]\n'
                         '[tool.traduco.notify.locales.en]\nblock = "custom-webhook/redazione-hook"\n')
        proj = load_project(project)

        told = notify.send(proj, notify.Message(notify.APPROVAL, "en: a publication waits", "en"))
        not_wanted = notify.send(proj, notify.Message(notify.FAILURE, "The translate run failed: x"))

    assert told == not_wanted == []
    assert [body for _, body in receiver.received] == [{"text": "en: a publication waits",
                                                        "event": "[Test office]"}]
    assert receiver.agents == ["Prefect Notifications"]
