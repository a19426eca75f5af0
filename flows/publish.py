"""The publish flow: compile and render every fully reviewed, check-clean document × locale,
and withdraw the pages of documents whose source was removed.

With `[tool.traduco] require_approval = true` it first shows the plan
(publications and withdrawals), persisted with the run, and suspends for the
editor's decision (see `traduco.serve.approval`): the process ends, and the run
comes back here once the editor has decided.
"""

from __future__ import annotations

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, Failed

from traduco.notify import sending
from traduco.project import trust
from traduco.project.loading import Project, load_project
from traduco.serve import approval, waiting
from traduco.serve.deployments import refuse_foreign_parameters
from traduco.publishing.plan import (PLANNED, PublishResult, Status, noteworthy_first, plan_publication,
                                publish as publish_project, tally)
from traduco.prefect_api.servers import results_made_private

RECORD_ROWS = 500     # rows in the publish artifact: what changed first; the description counts all


@task(name="plan", cache_policy=NO_CACHE)
def plan(project: Project) -> list[PublishResult]:
    return plan_publication(project)


@task(name="publish", cache_policy=NO_CACHE)
def publish_plan(project: Project, approved: list[PublishResult] | None) -> list[PublishResult]:
    results = publish_project(project, approved)
    create_table_artifact(key=waiting.RESULT_ARTIFACT,
                          table=[r.as_dict() for r in noteworthy_first(results)[:RECORD_ROWS]],
                          description=f"What was published, and what waits and why ({tally(results)}"
                                      + (f"; the first {RECORD_ROWS:,} rows" if len(results) > RECORD_ROWS else "")
                                      + ")")
    return results


@flow(name="publish", on_failure=[sending.on_failure, results_made_private],
      on_completion=[results_made_private], on_cancellation=[results_made_private],
      on_crashed=[results_made_private])
def publish(project_dir: str = ".", locales: list[str] | None = None,
            dry_run: bool = False) -> list[PublishResult]:
    refuse_foreign_parameters()
    project = load_project(project_dir, locales=locales)
    if first := trust.require_trusted(project):     # pinned settings accepted on this server
        print(first)
    if dry_run or not project.require_approval:
        planned = plan(project)
        results = planned if dry_run or not any(r.status in PLANNED for r in planned) else publish_plan(project, None)
        approval.prune_plans(project)          # plans kept from when approval was required
        return _ended(results)
    planned = approval.kept_plan(plan, project)      # persisted: the same plan when the run comes back
    if not any(r.status in PLANNED for r in planned):
        approval.prune_plans(project, this_run_ended=True)
        return _ended(planned)
    try:
        decision = approval.await_decision(project, planned)
    except approval.AlreadyWaiting as twin:          # a schedule that comes round while the editor decides
        approval.prune_plans(project, this_run_ended=True)
        return Completed(message=str(twin), data=planned)
    results = publish_plan(project, planned) if decision.approve else approval.rejected(planned, decision)
    approval.prune_plans(project, this_run_ended=True)
    return _ended(results)


def _ended(results: list[PublishResult]):
    """The results; a run that met a catalog nobody can read fails (after publishing
    the rest), so that the UI, serve and the failure notice call a person to fix it."""
    broken = [r for r in results if r.status == Status.BROKEN]
    if not broken:
        return results
    return Failed(data=results, message=f"{len(broken):,} catalog(s) cannot be read ({broken[0].reason}"
                                        f"{', ...' if len(broken) > 1 else ''}): fix them (Poedit shows where, "
                                        "or `msgfmt -c FILE`), then publish again; the rest was published")
