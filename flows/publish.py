"""The publish flow: compile and render every fully reviewed, check-clean document × locale,
and withdraw the pages of documents whose source was removed.

With `[tool.traduco] require_approval = true` it first shows the plan
(publications and withdrawals) and pauses for the editor's decision (see
`traduco.approval`).
"""

from __future__ import annotations

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.flow_runs import pause_flow_run
from prefect.runtime import flow_run

from traduco.approval import APPROVAL_TIMEOUT_SECONDS, Approval, decision_markdown, plan_markdown
from traduco.config import Project, load_project
from traduco.reporting import announce
from traduco.serving import refuse_foreign_parameters
from traduco.publishing import (PLANNED, REJECTED, PublishResult, noteworthy_first, plan_publication,
                                publish as publish_project, tally)

RECORD_ROWS = 500     # rows in the publish artifact: what changed first; the description counts all


@task(name="plan", cache_policy=NO_CACHE)
def plan(project: Project) -> list[PublishResult]:
    return plan_publication(project)


@task(name="publish", cache_policy=NO_CACHE)
def publish_plan(project: Project, approved: list[PublishResult] | None) -> list[PublishResult]:
    results = publish_project(project, approved)
    create_table_artifact(key="publish", table=[r.as_dict() for r in noteworthy_first(results)[:RECORD_ROWS]],
                          description=f"What was published, and what waits and why ({tally(results)}"
                                      + (f"; the first {RECORD_ROWS:,} rows" if len(results) > RECORD_ROWS else "")
                                      + ")")
    return results


@flow(name="publish")
def publish(project_dir: str = ".", locales: list[str] | None = None,
            dry_run: bool = False) -> list[PublishResult]:
    refuse_foreign_parameters()
    project = load_project(project_dir, locales=locales)
    planned = plan(project)
    if dry_run or not any(r.status in PLANNED for r in planned):
        return planned
    if not project.require_approval:
        return publish_plan(project, None)
    description = plan_markdown(planned)
    create_markdown_artifact(key="publish-plan", markdown=description)
    announce(f"Waiting for approval: run `traduco approve {flow_run.get_id()}` "
             "(add --reject to refuse), or answer in the Prefect UI.")
    decision = pause_flow_run(wait_for_input=Approval.with_initial_data(description=description),
                              timeout=APPROVAL_TIMEOUT_SECONDS, key="approval")
    create_markdown_artifact(key="publish-decision", markdown=decision_markdown(decision))
    if not decision.approve:
        return [PublishResult(r.doc_id, r.locale, REJECTED if r.status in PLANNED else r.status,
                              decision.note or r.reason) for r in planned]
    return publish_plan(project, planned)
