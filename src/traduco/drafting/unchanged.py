"""Whether a translate run would change nothing, answered from the ledger
alone: no Prefect, no MT client, no language model is loaded to find out.

An unchanged rerun spends seconds starting Prefect and importing what a run
needs, to find that every source, template and catalog is as the last run
left it. A command can ask first:

    if nothing_to_do(project, sync=not no_sync):
        ...    # say so, print the queue (`review.queue.most_urgent`: from the ledger too)

It answers True only when a run would provably do nothing: no web pull or
git sync configured (either may bring new work), no source problem to report,
no document to retire, and every catalog of every source current and
complete (nothing waits for MT) in the ledger the runs keep
(`drafting.batches`: the same keys and the same context).
"""

from __future__ import annotations

from traduco.checks.ledger import Ledger, verdict_context
from traduco.checks.risk import RISK_VERSION
from traduco.errors import TraducoError
from traduco.language.glossary import Glossary, load_glossary
from traduco.project.files import file_sha256
from traduco.project.loading import Project
from traduco.sources.documents import document_id, source_paths


def nothing_to_do(project: Project, sync: bool = True) -> bool:
    """True when `traduco run` would send nothing, write nothing and report no problem."""
    if project.web and (project.web.get("feeds") or project.web.get("pages")):
        return False
    if sync and project.git is not None:
        return False
    paths, problems = source_paths(project.sources_dir)
    if problems or not paths:
        return False
    try:
        doc_ids = [document_id(path) for path in paths]
    except TraducoError:
        return False
    if set(project.doc_ids()) != set(doc_ids):      # a new source, or one to retire
        return False
    ledger = Ledger.for_project(project)
    glossary = load_glossary(project)
    contexts = {locale: catalog_context(project, glossary, locale) for locale in project.locales}
    for path, doc_id in zip(paths, doc_ids):
        template = file_sha256(project.template_path(doc_id))
        if not source_current(ledger, path, file_sha256(path), template):
            return False
        if not all(catalog_current(project, ledger, doc_id, locale, template, contexts[locale])
                   for locale in project.locales):
            return False
    return True


def source_current(ledger: Ledger, path, source_sha: str | None, template_sha: str | None) -> bool:
    """The source is as the last run read it, and its template as that run wrote it."""
    known = ledger.current(f"source:{path.name}", {"sha": source_sha})
    return bool(known) and known.get("template") == template_sha


def catalog_current(project: Project, ledger: Ledger, doc_id: str, locale: str, template_sha: str | None,
                    context: str) -> bool:
    """The catalog is as the last run wrote it, from this template, in this
    context, with every unit drafted: a run leaves it alone unread."""
    recorded = ledger.current(f"catalog:{locale}/{doc_id}", {
        "sha": file_sha256(project.catalog_path(doc_id, locale)), "template": template_sha, "context": context})
    return bool(recorded and recorded.get("complete") and recorded.get("sha"))


def catalog_context(project: Project, glossary: Glossary | None, locale: str) -> str:
    """What else decides a catalog's content: glossary, checks, risk notes, providers."""
    return verdict_context(glossary, locale, RISK_VERSION, ",".join(project.mt.chain_for(locale)))
