"""What `traduco serve` serves: the translate and publish flows as deployments
on their schedules, and a line for each run they start and end.

    serve(project, say=print)      # blocks; Ctrl-C or SIGTERM stops cleanly

Their project folder and providers are frozen: a run may choose only locales
(and translate's `sync`, publish's `dry_run`), so whoever may start runs through
the API cannot send the project's keys and texts elsewhere. A run checks its
parameters against the project serve serves (on this disk), not against the
server's copy of the deployment, which the API can change.
"""

from __future__ import annotations

import inspect
import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from traduco.errors import ConfigError
from traduco.prefect_api.servers import flow_run_link
from traduco.project.loading import SERVED_PROJECT, Project

TRANSLATE_DEPLOYMENT, PUBLISH_DEPLOYMENT = "traduco-translate", "traduco-publish"
RUN_POLL_SECONDS = 2.0   # serve's report of the runs it starts and ends


@dataclass(frozen=True)
class Schedules:
    translate: str = "0 * * * *"     # drafts every hour
    publish: str = "0 7 * * *"       # publish every morning
    timezone: str = "Europe/Rome"


def schedules(project: Project) -> Schedules:
    """[tool.traduco.schedule], its keys checked when the project was loaded (traduco.project.settings)."""
    return Schedules(**(project.schedule or {}))


# What a run of a deployment may choose; the rest (project folder, MT provider
# and its address) is the served project's. Whoever may start runs through the
# API must not be able to send the project's keys and texts to an address of
# their choosing, nor make traduco work on another folder.
SCHEDULE_PARAMETERS = frozenset({"locales", "dry_run", "sync"})


def served_parameters(root) -> dict:
    """The parameters serve gives its deployments: the served folder, and no
    provider of the run's choosing (pyproject.toml on this disk decides)."""
    return {"project_dir": str(root), "provider": None, "provider_url": None}


@contextmanager
def serving_project(root):
    """Runs of the deployments started in this process (and its children) work on `root`."""
    saved = os.environ.get(SERVED_PROJECT)
    os.environ[SERVED_PROJECT] = str(root)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(SERVED_PROJECT, None)
        else:
            os.environ[SERVED_PROJECT] = saved


def foreign_parameters() -> list[str]:
    """Inside a flow run: the parameters a run of a deployment has that differ
    from what the served project (on this disk, `SERVED_PROJECT`) gives it.
    Never compared with the server's copy of the deployment: whoever can change
    that copy could make any value look like the deployment's own."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    run = context.flow_run if context else None
    if run is None or run.deployment_id is None:
        return []                    # a command's own run: its parameters are the person's
    served = os.environ.get(SERVED_PROJECT)
    if not served:
        raise ConfigError(f"this process serves no project ({SERVED_PROJECT} is not set), so a run of a "
                          "deployment cannot tell its project folder from what the Prefect server says",
                          hint=f"Run the deployments with `traduco serve`, or start the worker with "
                               f"{SERVED_PROJECT}=<the project folder>")
    own = served_parameters(Path(served).resolve())
    given = {**(run.parameters or {}), **(context.parameters or {})}
    if "project_dir" in given and _same_folder(given["project_dir"], own["project_dir"]):
        given["project_dir"] = own["project_dir"]
    defaults = {name: p.default for name, p in inspect.signature(context.flow.fn).parameters.items()
                if p.default is not inspect.Parameter.empty} if context.flow else {}
    return sorted(name for name, value in given.items()
                  if name not in SCHEDULE_PARAMETERS and value != own.get(name, defaults.get(name)))


def _same_folder(given, served: str) -> bool:
    try:
        return Path(str(given)).resolve() == Path(served)
    except (OSError, ValueError):
        return False


def refuse_foreign_parameters() -> None:
    if foreign := foreign_parameters():
        raise ConfigError(f"a run of this deployment may not set {', '.join(foreign)}: it works on the project "
                          f"{os.environ.get(SERVED_PROJECT)} as its pyproject.toml says",
                          hint="Set the MT providers in that project's pyproject.toml; a run may only choose "
                               + ", ".join(sorted(SCHEDULE_PARAMETERS)))


def deployments(project: Project, translate, publish):
    """The translate and publish flows (the app's, handed in: the library does
    not import `flows`) as deployments, one run at a time each. Their project
    folder and providers are frozen: a run may choose only locales."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron
    from prefect.utilities.annotations import freeze

    plan = schedules(project)
    one_at_a_time = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)
    frozen = {name: freeze(value) for name, value in served_parameters(project.root).items()}
    return [
        translate.to_deployment(name=TRANSLATE_DEPLOYMENT, schedules=[Cron(plan.translate, timezone=plan.timezone)],
                                parameters=frozen,
                                concurrency_limit=one_at_a_time, enforce_parameter_schema=True,
                                description="Pull, extract, draft by MT, review queue"),
        publish.to_deployment(name=PUBLISH_DEPLOYMENT, schedules=[Cron(plan.publish, timezone=plan.timezone)],
                              parameters={"project_dir": frozen["project_dir"]}, concurrency_limit=one_at_a_time, enforce_parameter_schema=True,
                              description="Publish what is approved and check-clean"),
    ]


def serve(project: Project, translate, publish, say=print) -> None:
    """Serve both deployments until Ctrl-C or SIGTERM; `say` gets one line per
    run that starts, ends or begins to wait for approval."""
    from prefect import serve as prefect_serve

    install_notification_rules(project, say)

    def stop_serving(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop_serving)
    stopped = threading.Event()
    threading.Thread(target=report_runs, args=(say, stopped), name="traduco-run-report", daemon=True).start()
    try:
        with serving_project(project.root):       # what the runs (serve's children) check their parameters with
            prefect_serve(*deployments(project, translate, publish), print_starting_message=False)
    except KeyboardInterrupt:
        pass
    finally:
        stopped.set()


def install_notification_rules(project: Project, say=print) -> None:
    """[tool.traduco.notify] as Prefect automations on serve's server (traduco.notify.automations)."""
    from traduco.notify import automations

    try:
        installed, problems = automations.install(project)
    except Exception as exc:     # the runs then tell people themselves: serve still serves
        installed, problems = [], [f"notification rules not installed in Prefect ({type(exc).__name__}): "
                                   "the runs send every message themselves"]
    if installed:
        say(f"Notifications: {len(installed)} rule(s) in the Prefect UI under Automations "
            f"(\"{installed[0]}\"{', ...' if len(installed) > 1 else ''})"
            + ("; e-mail is sent by the runs themselves" if any(
                c.kind == "email" for c in automations.channels(project, None)) else ""))
    for problem in problems:
        say(problem)


def report_runs(say, stopped: threading.Event, seconds: float = RUN_POLL_SECONDS) -> None:
    """Poll serve's server for runs of the two deployments and say each start
    (Running), end (a final state) and wait (Suspended for approval) once:
    `07:00 traduco-publish: Suspended (waiting for approval) http://.../runs/flow-run/<id>`."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName
    from prefect.client.schemas.sorting import FlowRunSort

    seen: dict[str, str] | None = None      # None: the first poll, which only says what waits
    names = {}
    with get_client(sync_client=True) as client:
        while not stopped.wait(seconds):
            try:
                runs = client.read_flow_runs(
                    deployment_filter=DeploymentFilter(name=DeploymentFilterName(
                        any_=[TRANSLATE_DEPLOYMENT, PUBLISH_DEPLOYMENT])),
                    sort=FlowRunSort.EXPECTED_START_TIME_DESC, limit=50)
            except Exception:       # the server busy or going down: the next poll tells
                continue
            first, seen = seen is None, seen or {}
            for run in runs:
                state = run.state
                shown = state.type.value if state and (state.is_running() or state.is_paused()
                                                       or state.is_final()) else None
                known = seen.get(str(run.id))
                if shown is None or known == shown:
                    continue
                seen[str(run.id)] = shown
                if first and not state.is_paused():
                    continue
                if run.deployment_id not in names:
                    names[run.deployment_id] = client.read_deployment(run.deployment_id).name
                if known is None and state.is_final() and run.start_time:
                    # Started and ended between two polls: its start is said all the same.
                    say(f"{time.strftime('%H:%M', time.localtime(run.start_time.timestamp()))} "
                        f"{names[run.deployment_id]}: Running {flow_run_link(run.id) or ''}".rstrip())
                waiting = " (waiting for approval: traduco approve)" if state.is_paused() else ""
                message = f": {state.message[:200]}" if state.message and state.is_final() else ""
                say(f"{time.strftime('%H:%M')} {names[run.deployment_id]}: {state.name}{waiting}{message} "
                    f"{flow_run_link(run.id) or ''}".rstrip())
