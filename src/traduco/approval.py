"""The editor's approval gate before publishing (`[tool.traduco] require_approval = true`).

The publish flow shows what it would publish and pauses, waiting for a typed
decision; the editor resumes it from the Prefect UI, or with
`traduco approve RUN_ID [--reject] [--note ...]`, which calls Prefect's
`resume_flow_run` (Prefect has no CLI verb for it). A paused run lives on a
Prefect server: the local one `traduco serve` starts, or any `PREFECT_API_URL`.
"""

from __future__ import annotations

import getpass

from prefect.input import RunInput
from pydantic import Field

from traduco.errors import ConfigError

APPROVAL_TIMEOUT_SECONDS = 7 * 24 * 3600   # a week: after that the run ends and publishes nothing


class Approval(RunInput):
    """The editor's decision on a publish run."""
    approve: bool = False
    note: str = ""
    # Who decided, kept with the run: the Prefect UI knows no user names (one password
    # for the whole team), so the form asks; `traduco approve` gives the OS user.
    approver: str = Field(min_length=1, max_length=200, description="Your name")


def decision_markdown(decision: Approval) -> str:
    """The `publish-decision` artifact: what was decided, by whom, and why."""
    verdict = "approved" if decision.approve else "rejected"
    return f"**{verdict}** by {decision.approver}" + (f": {decision.note}" if decision.note else "")


def plan_markdown(plan) -> str:
    """The plan as the Prefect UI shows it next to the approve/reject form."""
    publishing = [r for r in plan if r.status == "publish"]
    lines = ["### Publish these translations?", ""] if publishing else []
    lines += [f"- **{r.doc_id}** ({r.locale}): {r.reason}" for r in publishing]
    withdrawing = [r for r in plan if r.status == "withdraw"]
    if withdrawing:
        lines += ["", "### Withdraw these pages?", "",
                  *[f"- **{r.doc_id}** ({r.locale}): {r.reason}; its page becomes a withdrawal notice"
                    for r in withdrawing]]
    waiting = [r for r in plan if r.status == "waiting"]
    if waiting:
        lines += ["", "Not published (waiting):", *[f"- {r.doc_id} ({r.locale}): {r.reason}" for r in waiting]]
    lines += ["", "Set *approve* and add a note, then submit; or leave *approve* off to reject."]
    return "\n".join(lines)


def decide(run_id: str, approve: bool, note: str = "", approver: str | None = None) -> None:
    """Resume a paused publish run with the editor's decision (`approver`: by default the OS user)."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound
    from prefect.flow_runs import resume_flow_run

    try:
        with get_client(sync_client=True) as client:
            state = client.read_flow_run(run_id).state
    except (ObjectNotFound, ValueError):
        raise ConfigError(f"there is no flow run {run_id} on the Prefect server",
                          hint="Copy the id from the Prefect UI or from `traduco publish`") from None
    if not state or not state.is_paused():
        raise ConfigError(f"flow run {run_id} is not waiting for approval "
                          f"(it is {state.name if state else 'unknown'})")
    approver = (approver or "").strip() or getpass.getuser()
    resume_flow_run(run_id, run_input=Approval(approve=approve, note=note, approver=approver).model_dump())
