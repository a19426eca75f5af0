"""Sending a message to everyone who hears about it: through Prefect where
`traduco serve` installed the rules as automations (an event this run emits),
directly otherwise; and the flows' failure hook."""

from __future__ import annotations

import os

from traduco.notify import automations, messages
from traduco.notify.channels import Message, channels, deliver, wanted, why
from traduco.project.loading import Project


def send(project: Project, message: Message) -> list[str]:
    """Send `message` to everyone who hears about its locale; the problems, in
    words without secrets. Channels whose rule is installed as a Prefect
    automation on the server this run uses hear through it (an event this run
    emits); the others directly from here."""
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
            deliver(project, channel, message)
        except Exception as exc:     # a notification never breaks a run; what failed is said without the address
            problems.append(f"notification by {channel.kind} failed: {why(exc)}")
    return problems


def send_all(project: Project, said: list[Message]) -> list[str]:
    return [problem for message in said for problem in send(project, message)]


def on_failure(flow, flow_run, state) -> None:
    """Prefect hook of both flows: a failed run is told (a run whose work only waits completes)."""
    from prefect.logging.loggers import flow_run_logger

    from traduco.project.loading import SERVED_PROJECT, load_project
    from traduco.prefect_api.servers import flow_run_link
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
    for problem in send(project, messages.run_failed(project, flow.name, state.message or state.name,
                                            flow_run_link(flow_run.id))):
        logger.warning(problem)
