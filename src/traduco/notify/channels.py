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


def send(project: Project, message: Message) -> list[str]:
    """Send `message` to everyone who hears about its locale; the problems, in
    words without secrets. Channels whose rule is installed as a Prefect
    automation on the server this run uses hear through it (an event this run
    emits); the others directly from here."""
    from traduco.notify import automations

    if not wanted(project, message.event) or not (targets := channels(project, message.locale)):
        return []
    through_prefect, problems = automations.covered(project, message.event, targets), []
    if through_prefect:
        try:
            problems = automations.emit(project, message, len(through_prefect))
        except Exception:      # not emitted, so nobody was told: the run tells them itself
            through_prefect = set()
    for channel in targets:
        if channel in through_prefect:
            continue
        try:
            _SENDERS[channel.kind](project, channel, message)
        except Exception as exc:     # a notification never breaks a run; what failed is said without the address
            problems.append(f"notification by {channel.kind} failed: {_why(exc)}")
    return problems


def _why(exc: Exception) -> str:
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


# -- the messages -----------------------------------------------------------------------------

def approval_waiting(project: Project, plan, run_id: str, link: str | None) -> list[Message]:
    """One message per locale with something to publish or withdraw."""
    from traduco.publishing.plan import PLANNED
    messages = []
    for locale in project.locales:
        docs = [r for r in plan if r.locale == locale and r.status in PLANNED]
        if docs:
            text = (f"{locale}: a publication waits for the editor's approval: {len(docs)} document(s) "
                    f"({', '.join(f'{r.status} {r.doc_id}' for r in docs[:10])}"
                    f"{', ...' if len(docs) > 10 else ''}). Decide with `traduco approve {run_id}`"
                    + (f" or in the Prefect UI: {link}" if link else "") + ".")
            messages.append(Message(APPROVAL, text, locale, link))
    return messages


def drafts_waiting(project: Project, rows, hours: float | None = None) -> list[Message]:
    """Per locale, the documents whose oldest draft has waited longer than `drafts_waiting_hours`."""
    limit = hours if hours is not None else project.notify.drafts_waiting_hours
    messages = []
    for locale in project.locales:
        late = _late(rows, locale, limit)
        if late:
            oldest = max(late, key=lambda r: r.age_hours() or 0)
            text = (f"{locale}: {len(late)} document(s) wait for review longer than {limit:g} h: "
                    f"{sum(r.drafts + r.untranslated for r in late):,} units, "
                    f"{sum(r.words_waiting for r in late):,} Italian words; the oldest, {oldest.doc_id}, "
                    f"for {oldest.age_hours():.0f} h. Open "
                    f"{project.catalog_path(oldest.doc_id, locale).relative_to(project.root)} in Poedit "
                    "(`traduco status` lists them all).")
            messages.append(Message(DRAFTS, text, locale))
    return messages


def work_waiting(problems: list[str]) -> Message:
    """A translate run that completed with units left for the next run (a provider down, a budget spent)."""
    return Message(WAITING, "Machine translation could not draft everything; the units wait for the next run "
                   "(`traduco status` lists them): " + "; ".join(problems)[:500])


def run_failed(project: Project, flow_name: str, message: str, link: str | None) -> Message:
    said = message[:500].rstrip()
    return Message(FAILURE, f"The {flow_name} run failed: {said}" + ("" if said.endswith((".", "!", "?")) else ".")
                   + (f" See {link}" if link else ""), None, link)


def _late(rows, locale: str, hours: float) -> list:
    """The queue rows of `locale` whose oldest draft has waited longer than `hours`."""
    return [r for r in rows if r.locale == locale and (r.age_hours() or 0) > hours]


def send_all(project: Project, messages: list[Message]) -> list[str]:
    return [problem for message in messages for problem in send(project, message)]


def new_drafts_waiting(project: Project, rows) -> list[Message]:
    """`drafts_waiting`, said once per document that became late (not at every hourly run)."""
    from traduco.project.private import write_private

    if not wanted(project, DRAFTS):
        return []
    record = project.state_dir / "notified-drafts.json"
    try:
        told = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        told = {}
    messages, now_late = [], {}
    for message in drafts_waiting(project, rows):
        late = sorted(r.doc_id for r in _late(rows, message.locale, project.notify.drafts_waiting_hours))
        now_late[message.locale] = late
        if set(late) - set(told.get(message.locale, [])):
            messages.append(message)
    write_private(record, json.dumps(now_late))
    return messages


def on_failure(flow, flow_run, state) -> None:
    """Prefect hook of both flows: a failed run is told (a run whose work only waits completes)."""
    from prefect.logging.loggers import flow_run_logger

    from traduco.project.loading import SERVED_PROJECT, load_project
    from traduco.server.servers import flow_run_link
    from traduco.project.trust import changes

    # A deployment's run works on the served folder whatever its parameters say
    # (deployments.refuse_foreign_parameters), and so is its failure told.
    folder = os.environ.get(SERVED_PROJECT) if flow_run.deployment_id else None
    try:
        project = load_project(folder or (flow_run.parameters or {}).get("project_dir", "."))
        untrusted = changes(project)
    except Exception:
        return                     # no settings to read: nobody to tell
    logger = flow_run_logger(flow_run, flow)
    if untrusted:                  # a pushed address is nobody's to be told at (nor an SMTP password's)
        logger.warning("nobody was notified of this failure: the project's settings changed since they were "
                       "accepted on this server (`traduco trust-settings`)")
        return
    for problem in send(project, run_failed(project, flow.name, state.message or state.name,
                                            flow_run_link(flow_run.id))):
        logger.warning(problem)
