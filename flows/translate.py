"""The translate flow: pull → extract → draft → review queue.

Run once with `traduco run`, or on a schedule with `traduco serve`. Each task is
a plain library call over a batch of documents (never one task per unit, nor
per catalog), so Prefect's bookkeeping stays a rounding error. New texts are
machine-translated a whole locale at a time, concurrently, before the
catalogs are written.
"""

from __future__ import annotations

import polib
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, Failed

from traduco import catalogs
from traduco.config import Project, load_project
from traduco.drafting import CatalogReport, pending_texts, update_catalog
from traduco.errors import TraducoError
from traduco.mt import Engine
from traduco.memory import TranslationMemory
from traduco.review import check_cache, queue
from traduco.runs import RunSummary, report_progress
from traduco.sources import Document, PullResult, pull
from traduco.units import write_template


RUN_LOCK_WAIT_SECONDS = 3600
BATCH = 100   # documents per task run: Prefect costs 5-10 ms a task run, a catalog about 2 ms


@task(name="pull", cache_policy=NO_CACHE)
def pull_sources(project: Project) -> PullResult:
    return pull(project.sources_dir)


@task(name="extract", cache_policy=NO_CACHE)
def extract_templates(project: Project, documents: list[Document]) -> dict[str, polib.POFile | str]:
    """Templates for a batch of documents; a document that fails gets its message instead."""
    templates: dict[str, polib.POFile | str] = {}
    for document in documents:
        try:
            templates[document.id] = write_template(project, document)
        except TraducoError as problem:
            templates[document.id] = problem.message
    return templates


@task(name="plan", cache_policy=NO_CACHE)
def plan_batch(project: Project, templates: dict[str, polib.POFile], locale: str,
               memory: TranslationMemory) -> list[str]:
    return [text for doc_id, template in templates.items()
            for text in pending_texts(project, doc_id, template, locale, memory)]


@task(name="machine-translate", cache_policy=NO_CACHE)
def machine_translate(engine: Engine, texts: list[str], locale: str) -> int:
    """The whole locale's new texts at once, so requests run concurrently across
    documents; answers land in the cache as they come, so a crash loses none."""
    texts = list(dict.fromkeys(texts))
    report_progress(locale, total=len(texts))
    results = engine.translate(texts, locale,
                               on_result=lambda text, result: report_progress(locale, advance=1))
    return sum(1 for r in results.values() if r.text)


@task(name="draft", cache_policy=NO_CACHE)
def draft_batch(project: Project, templates: dict[str, polib.POFile], locale: str,
                engine: Engine, memory: TranslationMemory) -> list[CatalogReport]:
    cache = check_cache(project)
    return [update_catalog(project, doc_id, template, locale, engine, memory,
                           glossary=engine.glossary, check_cache=cache)
            for doc_id, template in templates.items()]


@task(name="review-queue", cache_policy=NO_CACHE)
def record_review_queue(project: Project) -> list:
    rows = queue(project)
    create_table_artifact(key="review-queue", table=[row.as_dict() for row in rows],
                          description="What waits for review, per document and locale")
    return rows


def _batches(items: list) -> list[list]:
    return [items[i:i + BATCH] for i in range(0, len(items), BATCH)]


@task(name="mt-usage", cache_policy=NO_CACHE)
def record_usage(summary: RunSummary) -> None:
    create_table_artifact(key="mt-usage", table=summary.usage or [{"provider": "-", "requests": 0}],
                          description="MT requests, characters, cache hits, retries and failures "
                                      "per provider and locale in this run")
    lines = [f"- {line}" for line in summary.problem_lines()] or ["- nothing to report"]
    create_markdown_artifact(key="run-summary", markdown="\n".join([
        f"**{summary.documents} documents**: {summary.drafted} units drafted by MT, "
        f"{summary.reused} reused from translation memory.", "", *lines]))


@flow(name="translate", log_prints=True)
def translate(project_dir: str = ".", provider: str | None = None,
              provider_url: str | None = None, locales: list[str] | None = None):
    project = load_project(project_dir, provider=provider, provider_url=provider_url,
                           locales=locales)
    # A second run (scheduled and manual at once) waits for the first, then finds
    # its work done: the same text is never sent to a provider twice.
    with catalogs.exclusive(project.run_lock_path, "the project", wait=RUN_LOCK_WAIT_SECONDS):
        summary = _translate(project)
    if summary.exit_code:
        return Failed(message="; ".join(summary.problem_lines())[:1000], data=summary)
    return Completed(message=f"{summary.drafted} units drafted", data=summary)


def _translate(project: Project) -> RunSummary:
    summary = RunSummary()
    pulled = pull_sources(project)
    summary.documents = len(pulled.documents)
    summary.source_problems = [problem.message for problem in pulled.problems]
    memories = {locale: TranslationMemory.for_locale(project, locale) for locale in project.locales}
    templates: dict[str, polib.POFile] = {}
    for batch in _batches(pulled.documents):
        for doc_id, template in extract_templates(project, batch).items():
            if isinstance(template, str):
                summary.source_problems.append(template)
            else:
                templates[doc_id] = template
    batches = _batches(list(templates.items()))
    with Engine.for_project(project) as engine:
        translating = [machine_translate.submit(engine, [
            text for batch in batches for text in plan_batch(project, dict(batch), locale, memories[locale])],
            locale) for locale in project.locales]
        for future in translating:
            future.result()
        for batch in batches:
            for locale in project.locales:
                summary.catalogs += draft_batch(project, dict(batch), locale, engine, memories[locale])
    summary.queue = record_review_queue(project)
    summary.usage = engine.summary()
    summary.outages = dict(engine.outages)
    summary.mt_seconds = engine.seconds
    record_usage(summary)
    return summary
