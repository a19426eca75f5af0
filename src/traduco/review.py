"""The review queue: per document and locale, what waits for a reviewer.

Read straight from the catalogs on disk (no Prefect, no network), so it is
as fast to ask as `ls`.

    for row in queue(project):
        print(row.doc_id, row.locale, row.drafts, row.untranslated)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from traduco import catalogs
from traduco.config import Project
from traduco.errors import CatalogError


@dataclass(frozen=True)
class QueueRow:
    doc_id: str
    locale: str
    catalog: str
    units: int = 0
    approved: int = 0
    drafts: int = 0
    untranslated: int = 0
    error: str | None = None

    @property
    def complete(self) -> bool:
        return self.error is None and self.units > 0 and self.approved == self.units

    def as_dict(self) -> dict:
        return {**asdict(self), "complete": self.complete}


def queue(project: Project) -> list[QueueRow]:
    rows = []
    for doc_id in project.doc_ids():
        for locale in project.locales:
            rows.append(queue_row(project, doc_id, locale))
    return rows


def queue_row(project: Project, doc_id: str, locale: str) -> QueueRow:
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
    counts = {catalogs.APPROVED: 0, catalogs.DRAFT: 0, catalogs.UNTRANSLATED: 0}
    for entry in catalogs.active_entries(catalog):
        counts[catalogs.state(entry)] += 1
    return QueueRow(doc_id, locale, relative, units=sum(counts.values()),
                    approved=counts[catalogs.APPROVED], drafts=counts[catalogs.DRAFT],
                    untranslated=counts[catalogs.UNTRANSLATED])


def _template_units(project: Project, doc_id: str) -> int:
    try:
        return len(catalogs.active_entries(catalogs.read(project.template_path(doc_id))))
    except CatalogError:
        return 0
