"""Draft: bring a locale's catalog up to date with its template and fill every
untranslated unit with a fuzzy machine draft.

Approved entries (a msgstr without the fuzzy flag) are a reviewer's work: they
are never sent to MT and never changed.

    report = update_catalog(project, "toscana", template, "zh_CN", engine)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polib

from traduco import catalogs, checks
from traduco.config import Project
from traduco.errors import CatalogError
from traduco.glossary import Glossary
from traduco.mt import Engine, Result
from traduco.mt.masking import FORMAT_FLAGS
from traduco.memory import TranslationMemory
from traduco.merging import merge

MERGE_ATTEMPTS = 5   # a translator saving the catalog mid-run makes us merge again


@dataclass
class CatalogReport:
    doc_id: str
    locale: str
    path: str
    drafted: int = 0
    reused: int = 0                   # drafts taken from translation memory
    failed: int = 0
    errors: int = 0                   # check findings now in the catalog
    warnings: int = 0
    written: bool = False
    error: str | None = None          # the catalog could not be updated at all
    failures: list[str] = field(default_factory=list)   # why units stay untranslated


NO_DRAFT = "no draft yet: "


def draft_note(result: Result, moment=None) -> str:
    """'machine draft by deepl on 2026-11-26 06:12 UTC', plus what to check."""
    moment = moment or catalogs.now()
    note = f"{catalogs.MACHINE} by {result.provider} on {moment:%Y-%m-%d %H:%M} UTC"
    if result.lost:
        note += f"; check: the machine dropped {', '.join(result.lost)}"
    return note


def pending_texts(project: Project, doc_id: str, template: polib.POFile, locale: str,
                  memory: TranslationMemory | None = None) -> list[str]:
    """The texts this catalog will need from MT (not approved, not drafted, not
    in translation memory), so a run can translate a whole locale at once."""
    path = project.catalog_path(doc_id, locale)
    try:
        existing = catalogs.read(path, locale=locale) if path.exists() else None
    except CatalogError:
        return []   # update_catalog reports it
    catalog = merge(template, existing, locale)
    return [e.msgid for e in catalogs.active_entries(catalog)
            if catalogs.state(e) == catalogs.UNTRANSLATED
            and not (memory and memory.lookup(e.msgid, exclude=doc_id))]


def draft(catalog: polib.POFile, locale: str, engine: Engine | None,
          memory: TranslationMemory | None = None, doc_id: str | None = None,
          on_result: Callable[[str, Result], None] | None = None) -> CatalogReport:
    """Fill untranslated units: first from translation memory, then by MT."""
    report = CatalogReport(doc_id or "", locale, "")
    pending = [e for e in catalogs.active_entries(catalog)
               if catalogs.state(e) == catalogs.UNTRANSLATED]
    if memory is not None:
        for entry in list(pending):
            match = memory.lookup(entry.msgid, exclude=doc_id)
            if match:
                catalogs.mark_draft(entry, match.msgstr, f"{catalogs.MEMORY}: approved in "
                                    f"{match.doc_id} (reused on {catalogs.now():%Y-%m-%d %H:%M} UTC)")
                pending.remove(entry)
                report.reused += 1
    if not pending or engine is None:
        return report
    results = engine.translate([e.msgid for e in pending], locale, on_result,
                               formats={e.msgid: e.flags for e in pending if FORMAT_FLAGS.intersection(e.flags)})
    for entry in pending:
        result = results[entry.msgid]
        if result.text:
            catalogs.mark_draft(entry, result.text, draft_note(result))
            report.drafted += 1
        else:
            reason = result.error or "no translation"
            catalogs.set_provenance(entry, NO_DRAFT + reason)
            report.failures.append(reason)
    report.failed = len(report.failures)
    return report


def update_catalog(project: Project, doc_id: str, template: polib.POFile, locale: str,
                   engine: Engine | None, memory: TranslationMemory | None = None,
                   on_result: Callable[[str, Result], None] | None = None,
                   glossary: Glossary | None = None,
                   check_cache: checks.CheckCache | None = None) -> CatalogReport:
    """Merge the template into the catalog, draft what is missing, check every
    translation (findings become comments the reviewer sees), write it back.

    One traduco writer per catalog at a time (a lock file under `.traduco/locks/`).
    A PO editor knows nothing of that lock, so if the file changes while we
    draft, we merge again on top of the translator's save (MT answers come from
    the cache the second time) rather than overwrite it. A catalog that cannot
    be read is reported and left exactly as it is.
    """
    path = project.catalog_path(doc_id, locale)
    relative = str(path.relative_to(project.root))
    try:
        with catalogs.locked(path, project.lock_path(path)):
            for _ in range(MERGE_ATTEMPTS):
                before = catalogs.fingerprint(path)
                existing = catalogs.read(path, locale=locale) if before is not None else None
                catalog = merge(template, existing, locale)
                report = draft(catalog, locale, engine, memory, doc_id, on_result)
                report.errors, report.warnings = checks.annotate_catalog(catalog, locale, glossary,
                                                                         check_cache)
                report.path = relative
                try:
                    report.written = catalogs.write(catalog, path, expected=before)
                    return report
                except catalogs.ChangedOnDisk:
                    continue
            raise CatalogError(f"the catalog kept changing while traduco tried to update it "
                               f"({MERGE_ATTEMPTS} attempts)", path=path,
                               hint="Save and close it in your editor; the next run updates it")
    except CatalogError as exc:
        return CatalogReport(doc_id, locale, relative, error=exc.message)
    except OSError as exc:     # an unwritable folder or a full disk: this catalog only
        return CatalogReport(doc_id, locale, relative, error=catalogs.write_problem(exc, path).message)
