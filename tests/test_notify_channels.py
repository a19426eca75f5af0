"""The e-mail and Prefect-block channels, each to a real receiver on 127.0.0.1:
an SMTP server (aiosmtpd, STARTTLS with a certificate the client verifies,
a login) and a notification block saved on Prefect's server."""

from __future__ import annotations

import logging
from email import message_from_bytes
from email.policy import default as email_policy

import pytest

from test_notify import Receiver
from websites import tls_context
from traduco.notify import channels, sending
from traduco.project.loading import load_project

PASSWORD = "SMTP-pass-w0rd-9182"


@pytest.fixture
def smtp_server(tmp_path, monkeypatch):
    """An SMTP server on 127.0.0.1 that wants STARTTLS and a login; yields (port, mails, logins)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from traduco.prefect_api.servers import free_port

    tls, cert = tls_context(tmp_path)                # a certificate for localhost
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))   # the system's trust, as an office trusts its own CA
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
        handle.write(f'[tool.traduco.notify]\nsmtp_host = "localhost"\nsmtp_port = {port}\n'
                     'smtp_user = "redazione"\nsmtp_from = "traduco@example.org"\n'
                     '[tool.traduco.notify.locales.zh_CN]\nemail = "traduttori-zh@example.org"\n')
    monkeypatch.setenv("TRADUCO_SMTP_PASSWORD", PASSWORD)
    proj = load_project(project)
    caplog.set_level(logging.DEBUG)

    sent = sending.send(proj, channels.Message(channels.DRAFTS, "zh_CN: 1 document(s) wait for review", "zh_CN"))
    not_en = sending.send(proj, channels.Message(channels.DRAFTS, "en: 1 document(s) wait for review", "en"))
    monkeypatch.setenv("TRADUCO_SMTP_PASSWORD", "wrong-" + PASSWORD)
    refused = sending.send(proj, channels.Message(channels.FAILURE, "The translate run failed: x"))

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
        handle.write(f'[tool.traduco.notify]\nemail = "redazione@example.org"\nsmtp_host = "localhost"\n'
                     f'smtp_port = {port}\nsmtp_user = "redazione"\n')
    monkeypatch.setenv("TRADUCO_SMTP_PASSWORD", PASSWORD)

    problems = sending.send(load_project(project), channels.Message(channels.FAILURE, "x"))

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

        told = sending.send(proj, channels.Message(channels.APPROVAL, "en: a publication waits", "en"))
        not_wanted = sending.send(proj, channels.Message(channels.FAILURE, "The translate run failed: x"))

    assert told == not_wanted == []
    assert [body for _, body in receiver.received] == [{"text": "en: a publication waits",
                                                        "event": "[Test office]"}]
    assert receiver.agents == ["Prefect Notifications"]
