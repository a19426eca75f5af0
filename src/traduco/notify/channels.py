"""Telling people that work waits for them: drafts for reviewers, a plan for the editor, a failed run.

    [tool.traduco.notify]
    webhook = "https://chat.example.org/hooks/..."   # or TRADUCO_NOTIFY_WEBHOOK (a URL holding a token)
    email = "redazione@example.org"                   # through smtp_host (TRADUCO_SMTP_PASSWORD)
    block = "slack-webhook/redazione"                 # any Prefect notification block, type/name
    on = ["drafts", "approval", "failure", "waiting"] # the default: all four
    drafts_waiting_hours = 24

    [tool.traduco.notify.locales.zh_CN]               # who hears about one locale's work, besides the above
    email = "traduttori-zh@example.org"

The table's keys are declared and checked with the rest of [tool.traduco]
(traduco.project.settings). Each message says what waits (documents, units, Italian
words per locale), the oldest, and where to find it. On a Prefect server where
`traduco serve` installed the rules as automations (traduco.notify.automations), the
run emits an event and Prefect sends the message; otherwise the run sends it.
A message that cannot be sent is one line in the run's log naming the
channel's kind and what went wrong, never its address (a webhook URL or an
SMTP login is a secret).
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import urllib.error
from dataclasses import dataclass
from email.message import EmailMessage

import requests

from traduco.project.addresses import AddressPolicy, Refused, guarded_session
from traduco.project.loading import Project

DRAFTS, APPROVAL, FAILURE, WAITING = "drafts", "approval", "failure", "waiting"
LOCALE_EVENTS = (DRAFTS, APPROVAL)     # about one locale's work; the others are about the whole project
CHANNELS = ("webhook", "email", "block")
SEND_SECONDS = 10


@dataclass(frozen=True)
class Channel:
    kind: str                 # webhook, email, block
    target: str               # the URL, the address, the block's type/name
    scope: str | None = None  # the locale whose table names it; None: the notify table itself


@dataclass(frozen=True)
class Message:
    event: str
    text: str
    locale: str | None = None
    link: str | None = None


def channels(project: Project, locale: str | None) -> list[Channel]:
    """Who hears about `locale`'s work (None: about the whole project: everyone).
    The notify table's channels first; a channel named twice is told once."""
    table = project.notify
    tables = [(None, table), *([(locale, table.locales.get(locale))] if locale else table.locales.items())]
    found: list[Channel] = []
    for scope, part in tables:
        for kind in CHANNELS if part is not None else ():
            target = getattr(part, kind) or (os.environ.get("TRADUCO_NOTIFY_WEBHOOK") if kind == "webhook"
                                             and scope is None else None)
            if target and all((c.kind, c.target) != (kind, target) for c in found):
                found.append(Channel(kind, target, scope))
    return found


def wanted(project: Project, event: str) -> bool:
    return event in project.notify.on


def why(exc: Exception) -> str:
    """What went wrong with a channel, in words, without its address."""
    if isinstance(exc, Refused):       # "<host> is a private network address": the host, not the URL
        return (f"refused: {str(exc).split(' is ', 1)[-1]}; notifications go only to public addresses "
                "(or hosts in [tool.traduco.web] allow_hosts)")
    if isinstance(exc, requests.RequestException):
        return f"cannot connect ({type(exc).__name__})"
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"SMTP {exc.smtp_code}"
    if isinstance(exc, smtplib.SMTPException):
        return f"SMTP {type(exc).__name__}"     # e.g. a server that hangs up on a wrong login
    if isinstance(exc, (urllib.error.URLError, OSError)):
        return f"cannot connect ({type(getattr(exc, 'reason', exc)).__name__})"
    return type(exc).__name__


def webhook_body(project: Project, message: Message) -> dict:
    """What a webhook receives (Slack, Mattermost and Teams show `text`), directly or through Prefect."""
    return {"text": message.text, "event": message.event, "locale": message.locale,
            "project": project.name, "link": message.link}


def _webhook(project: Project, channel: Channel, message: Message) -> None:
    """POSTed only to an address the feeds' policy allows (public, or in allow_hosts),
    checked on the address connected to; a redirect is not followed (it would take
    the message elsewhere)."""
    body = json.dumps(webhook_body(project, message), ensure_ascii=False).encode()
    policy = AddressPolicy.from_settings((project.web or {}).get("allow_hosts", []))
    with guarded_session(policy, on_socket=lambda sock: None) as session:
        response = session.post(channel.target, data=body, timeout=SEND_SECONDS, allow_redirects=False,
                                headers={"Content-Type": "application/json", "User-Agent": "traduco notifications"})
        if response.status_code >= 300:
            raise urllib.error.HTTPError("webhook", response.status_code, response.reason, None, None)


def _email(project: Project, channel: Channel, message: Message) -> None:
    table = project.notify
    mail = EmailMessage()
    mail["Subject"] = f"[{project.name}] " + message.text.split("\n", 1)[0][:120]
    mail["From"] = table.smtp_from or f"traduco@{table.smtp_host}"
    mail["To"] = channel.target
    mail.set_content(message.text)       # its link is in the text
    with smtplib.SMTP(table.smtp_host, table.smtp_port, timeout=SEND_SECONDS) as smtp:
        if table.smtp_user:
            smtp.starttls(context=ssl.create_default_context())   # the password only to a server we verified
            smtp.login(table.smtp_user, os.environ.get("TRADUCO_SMTP_PASSWORD", ""))
        smtp.send_message(mail)


def _block(project: Project, channel: Channel, message: Message) -> None:
    from prefect.blocks.core import Block

    block = Block.load(channel.target)     # "slack-webhook/redazione": its type's slug and its name
    block.notify(message.text, subject=f"[{project.name}]")


_SENDERS = {"webhook": _webhook, "email": _email, "block": _block}


def deliver(project: Project, channel: Channel, message: Message) -> None:
    """Send `message` through one channel, directly from this process."""
    _SENDERS[channel.kind](project, channel, message)
