"""The editor's approval gate before publishing (`[tool.traduco] require_approval = true`).

A publish run shows its plan and *suspends* (Prefect's `suspend_flow_run`):
its process exits, and the run waits on the Prefect server, for days if need
be, surviving restarts of that server. The plan, with each catalog's content
hash, is the run's persisted `plan` task result (`.traduco/results/`). The
editor decides in the Prefect UI (the run's Resume form) or with `traduco
approve`; the server then schedules the run again, the process that serves the
publish deployment (`traduco serve`, or a worker) runs it once more, the plan
comes back from its persisted result, and exactly what was approved is
published: a catalog whose bytes changed meanwhile is not, and is named.

Suspension needs a deployment: `traduco publish` starts its run as a run of
the `traduco-publish` deployment of this project (that `traduco serve`
registers) and runs it in its own process until it suspends.

What the editor is shown, in the Prefect UI and by `traduco approve RUN_ID`:

>>> from traduco.publishing.plan import PublishResult, Status
>>> print(plan_markdown([PublishResult("comunicato", "en", Status.PUBLISH, "reviewed"),
...                      PublishResult("vecchio", "zh_CN", Status.WITHDRAW, "source removed")]))
### Publish these translations?
<BLANKLINE>
- **comunicato** (en): reviewed
<BLANKLINE>
### Withdraw these pages?
<BLANKLINE>
- **vecchio** (zh_CN): source removed; its page becomes a withdrawal notice
<BLANKLINE>
Exactly these catalogs, as they are now, are published: one that changes before the decision waits for the next plan.
"""

from __future__ import annotations

import getpass
import hashlib
import re
import time
import uuid

import httpx
from prefect.input import RunInput
from pydantic import Field, field_validator

from traduco.errors import ConfigError
from traduco.project.loading import Project
from traduco.project.private import private_dir, private_file
from traduco.publishing.plan import PLANNED, PublishResult, Status, tally
from traduco.serve.waiting import DECISION_ARTIFACT, PLAN_ARTIFACT, same_plan_waiting, waiting_run

APPROVAL_TIMEOUT_SECONDS = 7 * 24 * 3600   # a week: after that the run fails and publishes nothing
PLANS_KEPT_SECONDS = APPROVAL_TIMEOUT_SECONDS + 24 * 3600   # no run reads a plan older than that
PAUSE_KEY = "approval"
PLAN_TAG = "traduco-plan:"


class Approval(RunInput):
    """The editor's decision on a publish run."""
    approve: bool = False
    note: str = ""
    # Who decided, kept with the run: the Prefect UI knows no user names (one password
    # for the whole team), so the form asks; `traduco approve` gives the OS user.
    approver: str = Field(min_length=1, max_length=200, description="Your name")

    @field_validator("approver")
    @classmethod
    def _someone(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("say who decides: a decision by nobody holds nobody responsible")
        return name.strip()


def decision_markdown(decision: Approval) -> str:
    """The `publish-decision` artifact: what was decided, by whom, and why, as
    text (a name or note is never a link, an image or markup in the UI)."""
    verdict = "approved" if decision.approve else "rejected"
    return f"**{verdict}** by {_plain(decision.approver)}" + (f": {_plain(decision.note)}" if decision.note else "")


def _plain(text: str) -> str:
    """`text` shown as itself in Markdown: one line, its markup characters escaped."""
    return _MARKUP.sub(r"\\\g<0>", " ".join(text.split()))


_MARKUP = re.compile(r"[\\`*_{}\[\]()<>#+!|~-]")


def plan_markdown(plan: list[PublishResult]) -> str:
    """The plan as the Prefect UI shows it next to the approve/reject form (and the terminal)."""
    publishing = [r for r in plan if r.status == Status.PUBLISH]
    lines = ["### Publish these translations?", ""] if publishing else []
    lines += [f"- **{_plain(r.doc_id)}** ({r.locale}): {_plain(r.reason)}" for r in publishing]
    withdrawing = [r for r in plan if r.status == Status.WITHDRAW]
    if withdrawing:
        lines += ["", "### Withdraw these pages?", "",
                  *[f"- **{_plain(r.doc_id)}** ({r.locale}): {_plain(r.reason)}; its page becomes a withdrawal notice"
                    for r in withdrawing]]
    waiting = [r for r in plan if r.status == Status.WAITING]
    if waiting:
        lines += ["", "Not published (waiting):", *[f"- {_plain(r.doc_id)} ({r.locale}): {_plain(r.reason)}" for r in waiting]]
    if publishing:
        lines += ["", "Exactly these catalogs, as they are now, are published: one that changes before the "
                  "decision waits for the next plan."]
    return "\n".join(lines)


# For the Prefect UI's form only: the terminal asks its own question.
FORM_HELP = "Set *approve* and add a note, then submit; or leave *approve* off to reject."


def plan_tag(project: Project, plan: list[PublishResult]) -> str:
    """A tag naming what a plan would publish and withdraw, from which bytes, for
    which project: two runs with the same tag ask the editor the same question."""
    asked = sorted((r.doc_id, r.locale, r.status, *(sha or "" for sha in r.pinned())) for r in plan
                   if r.status in PLANNED)
    return PLAN_TAG + hashlib.sha256(repr((str(project.root), asked)).encode()).hexdigest()[:16]


class AlreadyWaiting(Exception):
    """The same plan already waits for the editor in another run."""


# -- inside the publish flow ----------------------------------------------------------------

def kept_plan(plan_task, project: Project) -> list[PublishResult]:
    """Run the plan task with its result persisted, keyed by this flow run: when
    the run comes back after the decision (another process, days later) the
    plan is read back, not made again. It is kept in the project's own private
    folder (Prefect's local result storage), whichever process (this one,
    serve's, a worker's) runs the flow again."""
    from prefect.cache_policies import RUN_ID
    from prefect.context import FlowRunContext

    folder = private_dir(project.state_dir / "results")
    state = plan_task.with_options(cache_policy=RUN_ID, persist_result=True, result_storage=folder)(
        project, return_state=True)
    for path in folder.iterdir():     # Prefect writes with the process's umask
        private_file(path)
    resumed = PAUSE_KEY in (FlowRunContext.get().flow_run.empirical_policy.pause_keys or set())
    if resumed and state.name != "Cached":
        # The decision is about the plan the editor saw; a plan made now was seen by nobody.
        raise ConfigError("the plan this run's decision is about is gone (.traduco/results/ was removed, or "
                          "this process cannot read it): nothing is published",
                          hint="Run `traduco publish` again for a fresh plan to approve")
    return state.result()


def changed_since_plan(project: Project, run_id: str) -> list[PublishResult] | None:
    """The rows of run `run_id`'s plan whose catalogs no longer hold the bytes the
    plan recorded (approving will not publish them), read from the plan persisted
    here; None when this machine does not hold that plan."""
    from traduco.project.files import file_sha256
    plan = _persisted_plan(project, run_id)
    return None if plan is None else [r for r in plan if r.status == Status.PUBLISH
                                      and (file_sha256(project.catalog_path(r.doc_id, r.locale)),
                                           file_sha256(project.template_path(r.doc_id))) != r.pinned()]


def left_to_publish(project: Project, run_id: str) -> int | None:
    """How many rows of run `run_id`'s plan approving would still publish or withdraw (None: plan not here)."""
    plan, changed = _persisted_plan(project, run_id), changed_since_plan(project, run_id)
    return None if plan is None or changed is None else sum(r.status in PLANNED for r in plan) - len(changed)


def _persisted_plan(project: Project, run_id: str) -> list[PublishResult] | None:
    from prefect.results import ResultRecord
    try:
        return ResultRecord.deserialize((project.state_dir / "results" / run_id).read_bytes()).result
    except Exception:           # not here, or not a plan this version can read: nothing to say
        return None


def prune_plans(project: Project, this_run_ended: bool = False) -> int:
    """At the end of a publish run: delete the persisted plans no run will read
    again (else `.traduco/results/` grows by one file per scheduled publish,
    forever): those of runs that have ended (this one, with `this_run_ended`)
    and any older than a run may wait for its decision. A plan whose run still
    waits, or was decided and has yet to run, is kept: without it, that run
    would publish nothing. How many were deleted."""
    from prefect import get_run_logger
    from prefect.context import FlowRunContext

    folder = project.state_dir / "results"
    plans = {path.name: path for path in folder.iterdir() if path.is_file()} if folder.is_dir() else {}
    done = {str(FlowRunContext.get().flow_run.id)} if this_run_ended else set()
    try:
        done |= _ended_runs([name for name in plans if name not in done])
    except httpx.HTTPError as failure:       # housekeeping: the next run's end tries again
        get_run_logger().warning(f"old publish plans not pruned: the Prefect API failed ({failure})")
    expired = time.time() - PLANS_KEPT_SECONDS
    pruned = 0
    for name, path in plans.items():
        try:
            if name in done or path.stat().st_mtime < expired:
                path.unlink()
                pruned += 1
        except FileNotFoundError:        # another run's end pruned it first
            continue
    return pruned


def _ended_runs(names: list[str]) -> set[str]:
    """Which of these flow run ids (a plan's file is named after its run) name
    runs that have ended on the Prefect server. A run the server does not know
    (another server's?) counts as not ended: its plan goes when it is too old."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    ids = []
    for name in names:
        try:
            ids.append(uuid.UUID(name))
        except ValueError:
            continue
    if not ids:
        return set()
    ended = set()
    with get_client(sync_client=True) as client:
        for start in range(0, len(ids), 200):
            chunk = ids[start:start + 200]
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=chunk)),
                                         limit=len(chunk))
            ended |= {str(run.id) for run in runs if run.state and run.state.is_final()}
    return ended


def await_decision(project: Project, plan: list[PublishResult]) -> Approval:
    """Suspend the current run for the editor's decision. The first time, this
    records the plan, tells whoever `[tool.traduco.notify]` names, and ends the
    process (Prefect's `Pause`); when the run runs again after the decision, it
    returns the decision."""
    from prefect import get_run_logger
    from prefect.artifacts import create_markdown_artifact
    from prefect.context import FlowRunContext
    from prefect.flow_runs import suspend_flow_run

    from traduco.notify import sending, messages
    from traduco.prefect_api.servers import flow_run_link

    run = FlowRunContext.get().flow_run
    description = plan_markdown(plan)
    if PAUSE_KEY not in (run.empirical_policy.pause_keys or set()):
        _tag_or_stop(run, plan_tag(project, plan))
        create_markdown_artifact(key=PLAN_ARTIFACT, markdown=description, description=tally(plan))
        for problem in sending.send_all(project, messages.approval_waiting(project, plan, str(run.id),
                                                                        flow_run_link(run.id))):
            get_run_logger().warning(problem)
    decision = suspend_flow_run(wait_for_input=Approval.with_initial_data(description=f"{description}\n\n{FORM_HELP}"),
                                timeout=APPROVAL_TIMEOUT_SECONDS, key=PAUSE_KEY)
    create_markdown_artifact(key=DECISION_ARTIFACT, markdown=decision_markdown(decision))
    return decision


def _tag_or_stop(run, tag: str) -> None:
    """Tag this run with its plan, unless a run with the same plan already waits:
    then the editor is not asked (nor told) twice, however many schedules come round."""
    from prefect.client.orchestration import get_client

    twin = same_plan_waiting(tag, besides=str(run.id))
    if twin:
        raise AlreadyWaiting(f"the same plan already waits for the editor in publish run {twin.run_id} "
                             f"(since {twin.since}): traduco approve {twin.run_id}")
    with get_client(sync_client=True) as client:
        client.update_flow_run(run.id, tags=[*(run.tags or []), tag])


def rejected(plan: list[PublishResult], decision: Approval) -> list[PublishResult]:
    return [PublishResult(r.doc_id, r.locale, Status.REJECTED if r.status in PLANNED else r.status,
                          decision.note or r.reason) for r in plan]


# -- on the editor's side ---------------------------------------------------------------------

def start_publication(project: Project, flow):
    """Start a run of this project's publish deployment and run it here until it
    suspends for the editor; its id, and its final state if it ended instead
    (nothing to approve, or a failure)."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound, Pause
    from prefect.flow_engine import run_flow
    from prefect.states import Pending

    from traduco.serve.deployments import PUBLISH_DEPLOYMENT, serving_project

    with get_client(sync_client=True) as client:
        try:
            deployment = client.read_deployment_by_name(f"{flow.name}/{PUBLISH_DEPLOYMENT}")
        except ObjectNotFound:
            raise ConfigError("approvals need the publish deployment `traduco serve` registers, and the Prefect "
                              "server has none", hint="Start `traduco serve` for this project and leave it "
                                                      "running: it publishes what the editor approves") from None
        if (deployment.parameters or {}).get("project_dir") != str(project.root):
            raise ConfigError(f"the Prefect server's {PUBLISH_DEPLOYMENT} deployment publishes "
                              f"{(deployment.parameters or {}).get('project_dir')}, not {project.root}",
                              hint="Run `traduco serve` for this project")
        # Created Pending, not Scheduled: serve's runner takes Scheduled runs, and this one runs here.
        run = client.create_flow_run_from_deployment(deployment.id, parameters={"locales": list(project.locales)},
                                                     state=Pending())
    try:
        with serving_project(project.root):
            return str(run.id), run_flow(flow, flow_run=run, return_type="state")
    except Pause:
        return str(run.id), None


def decide(run_id: str, approve: bool, note: str = "", approver: str | None = None) -> None:
    """Give a waiting publish run the editor's decision (`approver`: by default the OS user)."""
    from prefect.exceptions import FlowPauseTimeout
    from prefect.flow_runs import resume_flow_run

    waiting_run(run_id)
    approver = (approver or "").strip() or getpass.getuser()
    try:
        resume_flow_run(run_id, run_input=Approval(approve=approve, note=note, approver=approver).model_dump())
    except FlowPauseTimeout:
        raise ConfigError(f"publish run {run_id} waited longer than a week and has expired",
                          hint="Run `traduco publish` again for a fresh plan") from None
