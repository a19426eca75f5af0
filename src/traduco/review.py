"""The review queue: per document and locale, what waits for a reviewer.

Read straight from the catalogs on disk (no Prefect, no network), so it is
as fast to ask as `ls`.

    for row in queue(project):
        print(row.doc_id, row.locale, row.drafts, row.untranslated)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

from traduco import catalogs, checks
from traduco.config import Project
from traduco.errors import CatalogError
from traduco.glossary import Glossary, load_glossary


@dataclass(frozen=True)
class QueueRow:
    doc_id: str
    locale: str
    catalog: str
    units: int = 0
    approved: int = 0
    drafts: int = 0            # all fuzzy entries waiting for review, of which:
    machine_drafts: int = 0    #   drafted by MT
    source_changed: int = 0    #   approved before, then the Italian was edited
    from_memory: int = 0       #   reused from another document's approved entry
    needs_work: int = 0        #   marked fuzzy by a person or another tool
    untranslated: int = 0
    errors: int = 0            # check findings that block publishing
    warnings: int = 0
    error: str | None = None   # the catalog itself cannot be read

    @property
    def waiting(self) -> str:
        """'6 machine, 1 source changed' for people."""
        parts = [(self.machine_drafts, "machine"), (self.source_changed, "source changed"),
                 (self.from_memory, "from memory"), (self.needs_work, "needs work")]
        return ", ".join(f"{n} {label}" for n, label in parts if n)

    @property
    def complete(self) -> bool:
        """Every unit approved (check findings aside)."""
        return self.error is None and self.units > 0 and self.approved == self.units

    def as_dict(self) -> dict:
        return {**asdict(self), "complete": self.complete}


_STATES = (catalogs.APPROVED, catalogs.DRAFT, catalogs.UNTRANSLATED)


def queue(project: Project) -> list[QueueRow]:
    glossary, cache = load_glossary(project), check_cache(project)
    rows = []
    for doc_id in project.doc_ids():
        for locale in project.locales:
            rows.append(queue_row(project, doc_id, locale, glossary, cache))
    return rows


def check_cache(project: Project) -> checks.CheckCache:
    return checks.CheckCache(project.state_dir / "checks.sqlite")


def queue_row(project: Project, doc_id: str, locale: str, glossary: Glossary | None = None,
              cache: checks.CheckCache | None = None) -> QueueRow:
    path = project.catalog_path(doc_id, locale)
    relative = str(path.relative_to(project.root))
    if not path.exists():
        units = _template_units(project, doc_id)
        return QueueRow(doc_id, locale, relative, units=units, untranslated=units,
                        error=None if units else "no catalog yet: run `traduco run`")
    try:
        catalog = catalogs.read(path, locale=locale)
    except CatalogError as exc:
        return QueueRow(doc_id, locale, relative, error=exc.message)
    counts = Counter()
    for entry in catalogs.active_entries(catalog):
        counts[catalogs.state(entry)] += 1
        counts[catalogs.fuzzy_reason(entry)] += 1
    for _, findings in checks.catalog_findings(catalog, locale, glossary, cache):
        counts.update(f.severity for f in findings)
    return QueueRow(doc_id, locale, relative, units=sum(counts[s] for s in _STATES),
                    approved=counts[catalogs.APPROVED], drafts=counts[catalogs.DRAFT],
                    machine_drafts=counts[catalogs.MACHINE],
                    source_changed=counts[catalogs.SOURCE_CHANGED],
                    from_memory=counts[catalogs.MEMORY], needs_work=counts[catalogs.NEEDS_WORK],
                    untranslated=counts[catalogs.UNTRANSLATED],
                    errors=counts[checks.ERROR], warnings=counts[checks.WARNING])


def _template_units(project: Project, doc_id: str) -> int:
    try:
        return len(catalogs.active_entries(catalogs.read(project.template_path(doc_id))))
    except CatalogError:
        return 0


def checks_report(project: Project) -> list[dict]:
    """Every check finding in every catalog, for `traduco check`."""
    glossary, cache = load_glossary(project), check_cache(project)
    report = []
    for doc_id in project.doc_ids():
        for locale in project.locales:
            path = project.catalog_path(doc_id, locale)
            if not path.exists():
                continue
            try:
                catalog = catalogs.read(path, locale=locale)
            except CatalogError as exc:
                report.append({"document": doc_id, "locale": locale, "where": str(path),
                               "severity": checks.ERROR, "check": "catalog", "message": exc.message})
                continue
            for entry, findings in checks.catalog_findings(catalog, locale, glossary, cache):
                where = ":".join(entry.occurrences[0]) if entry.occurrences else ""
                report += [{"document": doc_id, "locale": locale, "where": where, "severity": f.severity,
                            "check": f.check, "message": f.message, "msgid": entry.msgid}
                           for f in findings]
    return report
