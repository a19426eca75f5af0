"""`[tool.traduco.notify]` as Prefect automations, so the rules show in the
Prefect UI (Automations) and Prefect's server sends the messages.

    install(project)        # `traduco serve`: one automation per rule and channel, idempotent

A rule is an event (drafts, approval, failure, waiting) and a channel that
hears about it. Each becomes an automation named for an editor ("traduco
Toscana press office: drafts waiting → zh_CN reviewers (webhook)"), tagged
with the project's key, whose trigger is the event a run emits
(`traduco.drafts.waiting`, ... with the project and the locale as resource
labels, the message in the payload) and whose action is Prefect's
send-notification through a notification block:

- a webhook: a Custom Webhook block this module saves, its whole address (the
  token in it) in the block's secret values, so the UI and the API show
  `{{url}}` and a masked secret, never the address;
- a `block` channel: the notification block it names;
- e-mail: Prefect has no SMTP notification block, so e-mail stays a direct
  message from the run.

A run that finds its rule installed on the server it uses emits the event and
does not also send the message itself; without a server (Prefect's ephemeral
mode, a command's own API) or without the rule, it sends directly.
"""

from __future__ import annotations

import hashlib
import re
import time

from traduco.project.loading import Project
from traduco.notify.channels import APPROVAL, DRAFTS, FAILURE, LOCALE_EVENTS, WAITING, Channel, Message, channels, \
    webhook_body

EVENTS = {DRAFTS: "traduco.drafts.waiting", APPROVAL: "traduco.approval.waiting",
          FAILURE: "traduco.run.failed", WAITING: "traduco.work.waiting"}
TITLES = {DRAFTS: "drafts waiting", APPROVAL: "publication waiting for approval",
          FAILURE: "run failed", WAITING: "work waiting for the next run"}
CONFIRM_SECONDS = 20      # Prefect's event store takes a few seconds to show what its automations did
VIA_PREFECT = ("webhook", "block")     # e-mail: no SMTP notification block in Prefect
# What the send-notification action renders: the payload the run emitted.
BODIES = {"webhook": "{{ event.payload.notice | tojson }}", "block": "{{ event.payload.notice.text }}"}
SUBJECT = "{{ event.payload.subject }}"


def project_key(project: Project) -> str:
    """The project's name, readable, and its folder, so two projects of the same name stay apart."""
    slug = re.sub(r"[^a-z0-9]+", "-", project.name.lower()).strip("-")[:40] or "project"
    return f"{slug}-{hashlib.sha256(str(project.root.resolve()).encode()).hexdigest()[:8]}"


def rule_tag(event: str, channel: Channel) -> str:
    return f"traduco-rule:{event}/{channel.scope or 'all'}/{channel.kind}"


def rules(project: Project) -> list[tuple[str, Channel]]:
    """(event, channel) for each rule Prefect can carry out."""
    found = []
    for event in project.notify.on:
        for channel in channels(project, None):
            if channel.kind in VIA_PREFECT:
                found.append((event, channel))
    return found


def rule_name(project: Project, event: str, channel: Channel) -> str:
    who = f"{channel.scope} reviewers" if channel.scope else "everyone"
    return f"traduco {project.name}: {TITLES[event]} → {who} ({channel.kind})"


# -- in the run ------------------------------------------------------------------------------

def covered(project: Project, event: str, targets: list[Channel]) -> set[Channel]:
    """The channels an enabled automation on the server this run uses tells about `event`."""
    if not _on_a_server():
        return set()
    from prefect.client.orchestration import get_client

    try:
        with get_client(sync_client=True) as client:
            tags = {tag for automation in _ours(client, project) if automation.enabled for tag in automation.tags}
    except Exception:           # the server busy or gone: the run tells people itself
        return set()
    return {channel for channel in targets if rule_tag(event, channel) in tags}


def emit(project: Project, message: Message, rules: int) -> list[str]:
    """Emit `message` as this project's event (an exception if it cannot be:
    then the run sends it itself), and wait (up to CONFIRM_SECONDS) until
    Prefect says how its `rules` automations did: what went wrong is one line
    for the run's log, as when the run sends a message itself."""
    from prefect.events import emit_event

    event = emit_event(event=EVENTS[message.event], resource=_resource(project, message.locale),
                       payload={"notice": webhook_body(project, message), "subject": f"[{project.name}]"})
    if event is None:
        raise RuntimeError("Prefect's events are off in this process")
    try:
        outcomes = _outcomes(event.id, rules)
    except Exception:           # sent all the same: only Prefect's word on it is missing
        outcomes = []
    if len(outcomes) < rules:
        return [f"notification through Prefect not confirmed in {CONFIRM_SECONDS} s: see Automations and "
                "Events in the Prefect UI"]
    return [f"notification through Prefect failed: {e.payload.get('reason', 'no reason given')}"
            for e in outcomes if e.event.endswith(".failed")]


def _outcomes(event_id, rules: int) -> list:
    """Prefect's `prefect.automation.action.executed` or `.failed` events that follow `event_id`."""
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventRelatedFilter

    deadline = time.monotonic() + CONFIRM_SECONDS
    with get_client(sync_client=True) as client:
        while True:
            # Made anew each time: a filter's period ends when it is made.
            wanted = EventFilter(event=EventNameFilter(name=["prefect.automation.action.executed",
                                                             "prefect.automation.action.failed"]),
                                 related=EventRelatedFilter(id=[f"prefect.event.{event_id}"]))
            found = client.read_events(filter=wanted, limit=50).events
            if len(found) >= rules or time.monotonic() > deadline:
                return found
            time.sleep(0.5)


def _resource(project: Project, locale: str | None) -> dict[str, str]:
    return {"prefect.resource.id": f"traduco.project.{project_key(project)}",
            "prefect.resource.name": project.name, "traduco.locale": locale or "all"}


def _on_a_server() -> bool:
    """A server whose services run automations: not Prefect's ephemeral mode, not a command's own API."""
    from prefect.settings import PREFECT_API_URL

    from traduco.prefect_api.servers import on_own_api

    return bool(PREFECT_API_URL.value()) and not on_own_api()


def _ours(client, project: Project) -> list:
    tag = f"traduco:{project_key(project)}"
    return [automation for automation in client.read_automations() if tag in automation.tags]


# -- on the server (traduco serve) -----------------------------------------------------------

def install(project: Project) -> tuple[list[str], list[str]]:
    """Make this project's automations on the current Prefect server match its
    settings: create or update one per rule, delete its stale ones (and their
    webhook blocks); other automations are left alone. The rules' names, and
    the problems (a `block` channel whose block does not exist) in words."""
    from prefect.client.orchestration import get_client

    installed, problems, kept_blocks = [], [], set()
    with get_client(sync_client=True) as client:
        existing, doubles = {}, []
        for automation in _ours(client, project):
            tag = next((t for t in automation.tags if t.startswith("traduco-rule:")), "")
            if tag in existing:
                doubles.append(automation)        # two serves starting at once each made it
            else:
                existing[tag] = automation
        for event, channel in rules(project):
            try:
                block_id = _block_id(client, project, channel)
            except Exception as exc:
                problems.append(f"{rule_name(project, event, channel)}: "
                                + ("no such notification block" if channel.kind == "block" else
                                   "its webhook block could not be saved")
                                + f" ({type(exc).__name__}); the run sends it directly")
                continue
            kept_blocks.add(block_id)
            automation = _automation(project, event, channel, block_id)
            old = existing.pop(rule_tag(event, channel), None)
            if old is None:
                client.create_automation(automation)
            else:
                client.update_automation(old.id, automation)
            installed.append(automation.name)
        for stale in [*existing.values(), *doubles]:
            client.delete_automation(stale.id)
        _delete_stale_webhook_blocks(client, project, kept_blocks)
    return installed, problems


def _automation(project: Project, event: str, channel: Channel, block_id):
    from prefect.automations import AutomationCore, EventTrigger, Posture, SendNotification

    match = {"prefect.resource.id": f"traduco.project.{project_key(project)}"}
    if event in LOCALE_EVENTS and channel.scope:
        match["traduco.locale"] = channel.scope
    return AutomationCore(
        name=rule_name(project, event, channel),
        description=f"Made by `traduco serve` from [tool.traduco.notify] in {project.root / 'pyproject.toml'}; "
                    "edit the settings there (serve puts them back here at its next start).",
        tags=["traduco", f"traduco:{project_key(project)}", rule_tag(event, channel)],
        trigger=EventTrigger(expect={EVENTS[event]}, match=match, posture=Posture.Reactive, threshold=1),
        actions=[SendNotification(block_document_id=block_id, subject=SUBJECT, body=BODIES[channel.kind])])


def _webhook_block_name(project: Project, channel: Channel) -> str:
    return f"traduco-{project_key(project)}-webhook-{(channel.scope or 'all').lower().replace('_', '-')}"


def _block_id(client, project: Project, channel: Channel):
    if channel.kind == "block":
        kind, name = channel.target.split("/", 1)
        return client.read_block_document_by_name(name, kind, include_secrets=False).id
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    # The address holds the token: only in the secret values, sent raw as the run's JSON.
    block = CustomWebhookNotificationBlock(name=f"traduco {project.name}", url="{{url}}",
                                           secrets={"url": channel.target}, form_data="{{body}}",
                                           headers={"Content-Type": "application/json"})
    return block.save(_webhook_block_name(project, channel), overwrite=True)


def _delete_stale_webhook_blocks(client, project: Project, kept: set) -> None:
    prefix = f"traduco-{project_key(project)}-webhook-"
    for document in client.read_block_documents(include_secrets=False):
        if (document.name or "").startswith(prefix) and document.id not in kept:
            client.delete_block_document(document.id)
