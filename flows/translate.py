"""The translate flow: pull → extract → draft → review queue.

Run once with `traduco run`, or on a schedule with `traduco serve`. Each task is
a plain library call; tasks are per document and per document × locale, never
per unit, so Prefect's bookkeeping stays a rounding error.
"""

from __future__ import annotations

import polib
from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, Failed

from traduco.config import Project, load_project
from traduco.drafting import CatalogReport, update_catalog
from traduco.errors import TraducoError
from traduco.machine_translation import Engine
from traduco.memory import TranslationMemory
from traduco.review import queue
from traduco.runs import RunSummary
from traduco.sources import Document, PullResult, pull
from traduco.units import write_template


@task(name="pull", cache_policy=NO_CACHE)
def pull_sources(project: Project) -> PullResult:
    return pull(project.sources_dir)


@task(name="extract", cache_policy=NO_CACHE)
def extract_template(project: Project, document: Document) -> polib.POFile:
    return write_template(project, document)


@task(name="draft", cache_policy=NO_CACHE)
def draft_catalog(project: Project, doc_id: str, template: polib.POFile, locale: str,
                  engine: Engine, memory: TranslationMemory) -> CatalogReport:
    return update_catalog(project, doc_id, template, locale, engine, memory)


@task(name="review-queue", cache_policy=NO_CACHE)
def record_review_queue(project: Project) -> list:
    rows = queue(project)
    create_table_artifact(key="review-queue", table=[row.as_dict() for row in rows],
                          description="What waits for review, per document and locale")
    return rows


@flow(name="translate", log_prints=True)
def translate(project_dir: str = ".", provider: str | None = None,
              provider_url: str | None = None, locales: list[str] | None = None):
    project = load_project(project_dir, provider=provider, provider_url=provider_url,
                           locales=locales)
    engine = Engine.for_project(project)
    summary = RunSummary()
    pulled = pull_sources(project)
    summary.documents = len(pulled.documents)
    summary.source_problems = [problem.message for problem in pulled.problems]
    memories = {locale: TranslationMemory.for_locale(project, locale) for locale in project.locales}
    for document in pulled.documents:
        try:
            template = extract_template(project, document)
        except TraducoError as problem:
            summary.source_problems.append(problem.message)
            continue
        for locale in project.locales:
            summary.catalogs.append(
                draft_catalog(project, document.id, template, locale, engine, memories[locale]))
    summary.queue = record_review_queue(project)
    summary.usage = engine.summary()
    if engine.outage:
        summary.outages[engine.name] = engine.outage
    if summary.exit_code:
        return Failed(message="; ".join(summary.problem_lines())[:1000], data=summary)
    return Completed(message=f"{summary.drafted} units drafted", data=summary)
