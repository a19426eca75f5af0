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
from filelock import FileLock, Timeout

from traduco import catalogs
from traduco.config import Project
from traduco.errors import CatalogError
from traduco.machine_translation import Engine, Result

LOCK_WAIT_SECONDS = 600


@dataclass
class CatalogReport:
    doc_id: str
    locale: str
    path: str
    drafted: int = 0
    failed: int = 0
    written: bool = False
    error: str | None = None          # the catalog could not be updated at all
    failures: list[str] = field(default_factory=list)   # why units stay untranslated


def draft_note(engine_name: str, moment=None) -> str:
    moment = moment or catalogs.now()
    return f"machine draft by {engine_name} on {moment:%Y-%m-%d %H:%M} UTC"


def draft(catalog: polib.POFile, locale: str, engine: Engine,
          on_result: Callable[[str, Result], None] | None = None) -> tuple[int, list[str]]:
    """Fill untranslated units with fuzzy drafts. Returns (drafted, failure reasons)."""
    pending = [e for e in catalogs.active_entries(catalog)
               if catalogs.state(e) == catalogs.UNTRANSLATED]
    if not pending:
        return 0, []
    results = engine.translate([e.msgid for e in pending], locale, on_result)
    note = draft_note(engine.name)
    drafted, failures = 0, []
    for entry in pending:
        result = results[entry.msgid]
        if result.text:
            catalogs.mark_draft(entry, result.text, note)
            drafted += 1
        else:
            failures.append(result.error or "no translation")
    return drafted, failures


def update_catalog(project: Project, doc_id: str, template: polib.POFile, locale: str,
                   engine: Engine | None,
                   on_result: Callable[[str, Result], None] | None = None) -> CatalogReport:
    """Merge the template into the catalog, draft what is missing, write it back.

    One writer per catalog at a time (a lock file in `.traduco/locks/`); a
    catalog that cannot be read is reported and left exactly as it is.
    """
    path = project.catalog_path(doc_id, locale)
    report = CatalogReport(doc_id, locale, str(path.relative_to(project.root)))
    try:
        with catalog_lock(project, doc_id, locale):
            existing = catalogs.read(path, locale=locale) if path.exists() else None
            catalog = catalogs.merge(template, existing, locale)
            if engine is not None:
                report.drafted, report.failures = draft(catalog, locale, engine, on_result)
                report.failed = len(report.failures)
            report.written = catalogs.write(catalog, path)
    except CatalogError as exc:
        report.error = exc.message
    return report


def catalog_lock(project: Project, doc_id: str, locale: str) -> FileLock:
    lock_path = project.state_dir / "locks" / locale / f"{doc_id}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    return _Lock(str(lock_path), timeout=LOCK_WAIT_SECONDS)


class _Lock(FileLock):
    def acquire(self, *args, **kwargs):
        try:
            return super().acquire(*args, **kwargs)
        except Timeout:
            raise CatalogError("another traduco run has been holding this catalog for "
                               f"{LOCK_WAIT_SECONDS} s", path=self.lock_file,
                               hint="Wait for it to finish; the next run picks this catalog up") from None
