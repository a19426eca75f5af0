"""The translate flow: pull → extract → draft → review queue.

Run once with `traduco run`, or on a schedule with `traduco serve` or a work
pool (prefect.yaml). The run itself is the library's
(`traduco.drafting.runs.translate_project`); this flow holds the run lock around it,
makes each batch and the web pull a task run of its own, syncs through git
and records the review queue, the MT usage and the run's summary as artifacts.

With `[tool.traduco] task_runner = "dask"` the batches run in parallel on a
Dask cluster (prefect-dask), each with its own MT engine; otherwise they run
one after the other in this process, sharing one engine (and its limits).
"""

from __future__ import annotations

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, Failed
from prefect.utilities.annotations import quote

from traduco.drafting import interruption
from traduco.drafting.batches import BatchResult, translate_batch
from traduco.drafting.memory import TranslationMemory
from traduco.mt import Engine
from traduco.notify import messages, sending
from traduco.project import files, trust
from traduco.project.loading import Project, load_project
from traduco.review.queue import QueueView, most_urgent
from traduco.sources.feeds import WebResult, pull_web
from traduco.drafting.runs import (EXIT_MT_PENDING, InProcess, OnDask, RunIncomplete, RunSummary, quiet_expected_outcomes,
                          translate_project)
from traduco.git.sync import GitSync, SyncReport, run_message
from traduco.prefect_api.servers import results_made_private
from traduco.serve.deployments import refuse_foreign_parameters

quiet_expected_outcomes()     # a provider down is news for people, not a traceback
RUN_LOCK_WAIT_SECONDS = 3600
QUEUE_RECORD_ROWS = 500     # rows in the run's review-queue artifact; totals cover all


@task(name="translate-batch", cache_policy=NO_CACHE)
def translate_documents(project: Project, paths: list, memories: dict[str, TranslationMemory],
                        engine: Engine | None = None) -> BatchResult:
    return translate_batch(project, paths, memories, engine)


@task(name="git-pull", cache_policy=NO_CACHE)
def git_pull(git: GitSync) -> SyncReport:
    return git.pull()


@task(name="git-commit-push", cache_policy=NO_CACHE)
def git_commit_push(git: GitSync, summary: RunSummary, report: SyncReport) -> SyncReport:
    return git.commit_and_push(run_message(summary, git.staged_summary()), report)


@task(name="pull-web", cache_policy=NO_CACHE)
def pull_web_sources(project: Project) -> WebResult:
    return pull_web(project)


@task(name="review-queue", cache_policy=NO_CACHE)
def record_review_queue(project: Project) -> QueueView:
    view = most_urgent(project, QUEUE_RECORD_ROWS)
    more = f" (the {len(view.rows):,} most urgent of {view.count:,}: `traduco status --all` lists every one)" \
        if view.hidden else ""
    create_table_artifact(key="review-queue", table=[row.as_dict() for row in view.rows],
                          description=f"What waits for review, per document and locale, most urgent first "
                                      f"(check errors, then the riskiest drafts){more}")
    return view


@task(name="mt-usage", cache_policy=NO_CACHE)
def record_usage(summary: RunSummary) -> None:
    create_table_artifact(key="mt-usage", table=summary.usage or [{"provider": "-", "requests": 0}],
                          description="MT requests, characters, cache hits, retries and failures "
                                      "per provider and locale in this run")
    lines = [f"- {line}" for line in summary.problem_lines()] or ["- nothing to report"]
    waiting = [f"- {locale}: {sums['approved']:,}/{sums['units']:,} approved, {sums['drafts']:,} drafts, "
               f"{sums['untranslated']:,} untranslated, {sums['words_waiting']:,} Italian words waiting"
               for locale, sums in (summary.queue.totals if summary.queue else {}).items()]
    more = summary.written - len(summary.written_sample)
    create_markdown_artifact(key="run-summary", markdown="\n".join([
        f"**{summary.documents} documents**: {summary.drafted} units drafted by MT, "
        f"{summary.memory_line()}.", *([summary.llm_line() + ":", *[f"- {line}" for line in summary.llm_sample]]
                                        if summary.llm_line() else []),
        "", "Problems:", *lines, "",
        "Review queue:", *waiting, "",
        f"Catalogs changed this run ({summary.written}):", *[f"- {w}" for w in summary.written_sample],
        *([f"- and {more:,} more"] if more > 0 else [])]))


@flow(name="translate", log_prints=True, on_failure=[sending.on_failure, results_made_private],
      on_completion=[results_made_private], on_cancellation=[results_made_private],
      on_crashed=[results_made_private])
def translate(project_dir: str = ".", provider: str | None = None,
              provider_url: str | None = None, locales: list[str] | None = None, sync: bool = True):
    refuse_foreign_parameters()
    project = load_project(project_dir, provider=provider, provider_url=provider_url,
                           locales=locales)
    if first := trust.require_trusted(project):     # pinned settings accepted on this server
        print(first)
    # A second run (scheduled and manual at once) waits for the first, then finds
    # its work done: the same text is never sent to a provider twice.
    # Ctrl-C, SIGTERM, or a run cancelled from the Prefect UI (its runner sends
    # SIGTERM): nothing more is sent, the catalogs whose texts are in are written.
    # Told to stop while waiting for another run (Ctrl-C as this one asked ahead,
    # `drafting.ahead`): it stops at once; the other drafts those texts from the cache.
    with interruption.handled(), files.exclusive(project.run_lock_path, "the project",
                                                 wait=RUN_LOCK_WAIT_SECONDS, stopped=interruption.requested):
        # With [tool.traduco.git]: translators' pushes come in first, the run's work goes out after.
        git = GitSync.for_project(project) if sync else None
        summary = _translate(project, git, git_pull(quote(git)) if git else None)
    if summary.exit_code == EXIT_MT_PENDING and not (summary.git and summary.git.problem):
        # A provider down or a budget spent: units wait for the next run, which is no failure
        # of this one (real failures, files a person must fix, stay Failed).
        message = "work waiting: " + "; ".join(summary.problem_lines())[:1000]
        create_markdown_artifact(key="work-waiting", markdown="\n".join(
            ["**Work waiting for the next run**", "", *[f"- {line}" for line in summary.problem_lines()]]))
        for problem in sending.send(project, messages.work_waiting(summary.problem_lines())):
            print(problem)       # in the run's log (log_prints)
        return Completed(message=message, data=summary)
    if summary.exit_code:
        message = (summary.interruption_line() if summary.interrupted
                   else "; ".join(summary.problem_lines())[:1000])
        return Failed(message=message, data=RunIncomplete(message, summary))
    return Completed(message=f"{summary.drafted} units drafted", data=summary)


def _translate(project: Project, git: GitSync | None = None, pulled: SyncReport | None = None) -> RunSummary:
    summary = translate_project(project, _executor(project))
    # An interrupted run goes at once: the next run commits and pushes, `traduco status` has the queue.
    if git is not None and not summary.interrupted:
        summary.git = git_commit_push(quote(git), quote(summary), quote(pulled))
    if not summary.interrupted:
        summary.queue = record_review_queue(project)
        for problem in sending.send_all(project, messages.new_drafts_waiting(project, summary.queue.rows)):
            print(problem)       # in the run's log (log_prints)
    record_usage(summary)
    return summary


def _executor(project: Project) -> InProcess:
    """Each batch and the web pull as a task run of this flow."""
    if project.task_runner == "dask":
        return OnDask(translate=translate_documents, pull=pull_web_sources)

    def in_this_process(project, batch, memories, engine) -> BatchResult:
        # quote(): Prefect would otherwise walk every parameter looking for
        # futures (seconds per run on a large corpus) and find none.
        return translate_documents(quote(project), quote(batch), quote(memories), quote(engine))
    return InProcess(translate=in_this_process, pull=pull_web_sources)
