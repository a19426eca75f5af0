"""The publish runs that wait for the editor, as the editor's side sees them on
the Prefect server: which wait, what each plan says, a run named by the start
of its id, and how a decided run ended."""

from __future__ import annotations

import time
from dataclasses import dataclass

from traduco.errors import ConfigError

PLAN_ARTIFACT, DECISION_ARTIFACT, RESULT_ARTIFACT = "publish-plan", "publish-decision", "publish"
OUTCOME_WAIT_SECONDS = 300   # `traduco approve` waits that long for serve to publish, then leaves it running


@dataclass(frozen=True)
class WaitingRun:
    run_id: str
    since: str              # when it began to wait (ISO, UTC)
    summary: str            # the plan's tally
    plan: str               # the plan, as Markdown


def waiting_runs(tag: str | None = None) -> list[WaitingRun]:
    """The publish runs that wait for a decision, oldest first (only those tagged `tag`, if given)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (FlowFilter, FlowFilterName, FlowRunFilter, FlowRunFilterState,
                                                FlowRunFilterStateType, FlowRunFilterTags)
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["publish"])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                type=FlowRunFilterStateType(any_=[StateType.PAUSED])),
                tags=FlowRunFilterTags(all_=[tag]) if tag else None),
            sort=FlowRunSort.START_TIME_ASC)
        return [_waiting(client, run) for run in runs]


def waiting_run(run_id: str) -> WaitingRun:
    """The run `run_id`, which must be waiting for a decision."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    try:
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(run_id)
            if not run.state or not run.state.is_paused():
                decided = _artifact(client, run.id, DECISION_ARTIFACT)
                raise ConfigError(f"publish run {run_id} is not waiting for approval ("
                                  + (f"it was decided: {decided.data}; " if decided else "")
                                  + f"it is {run.state.name if run.state else 'unknown'})",
                                  hint="`traduco approve` without an id lists the runs that wait")
            return _waiting(client, run)
    except (ObjectNotFound, ValueError):
        raise UnknownRun(f"there is no flow run {run_id} on the Prefect server") from None


class UnknownRun(ConfigError):
    """A run id that names no run (a usage mistake)."""


def find_run(run_id: str) -> str:
    """The whole id of the waiting run `run_id` names: itself, or the one waiting
    run whose id starts with it (ids are long; people copy the start)."""
    import uuid

    try:
        return str(uuid.UUID(run_id))
    except ValueError:
        pass
    matches = [run.run_id for run in waiting_runs() if run.run_id.startswith(run_id.strip().lower())]
    if len(matches) == 1:
        return matches[0]
    raise UnknownRun(f"no waiting publish run's id starts with {run_id!r}" if not matches else
                     f"{run_id!r} starts the ids of {len(matches)} waiting runs: give more of it")


def _waiting(client, run) -> WaitingRun:
    plan = _artifact(client, run.id, PLAN_ARTIFACT)
    return WaitingRun(str(run.id), run.state.timestamp.isoformat(timespec="minutes"),
                      plan.description if plan else "", plan.data if plan else "")


def same_plan_waiting(tag: str, besides: str | None = None) -> "WaitingRun | None":
    """The run that already waits for the editor with the plan `tag` names (see `plan_tag`)."""
    return next((run for run in waiting_runs(tag) if run.run_id != besides), None)


def outcome(run_id: str, seconds: float | None = None):
    """The resumed run's final state and the rows of its publish record once it has
    ended (None if it has not ended within `seconds`: no process serving the
    deployment picked it up yet)."""
    import json

    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + (OUTCOME_WAIT_SECONDS if seconds is None else seconds)
    with get_client(sync_client=True) as client:
        while True:
            state = client.read_flow_run(run_id).state
            if state and state.is_final():
                record = _artifact(client, run_id, RESULT_ARTIFACT)
                return state, json.loads(record.data) if record else []
            if time.monotonic() > deadline:
                return None
            time.sleep(1)


def _artifact(client, run_id, key: str):
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    found = client.read_artifacts(artifact_filter=ArtifactFilter(
        flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]), key=ArtifactFilterKey(any_=[key])),
        sort=ArtifactSort.CREATED_DESC, limit=1)
    return found[0] if found else None
