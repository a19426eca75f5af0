"""The review page: one catalog side by side in a browser, riskiest drafts first.

For reviewers who prefer a browser to Poedit: Italian, translation, state,
provenance, risk, check findings, and what changed in the Italian. A view
only: edits happen in the .po. Rendered from `templates/review.html` with
Jinja2's autoescaping, so text from sources, MT and catalogs is always shown
as text, never as markup.

    html = review_page(project, "toscana", "zh_CN")
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

import jinja2

from traduco import checks
from traduco.catalogs import pofile, provenance
from traduco.catalogs.catalog import Catalog
from traduco.checks import risk
from traduco.checks.judge import Judge
from traduco.errors import CatalogError
from traduco.project.loading import Project
from traduco.review.queue import row_of


@dataclass(frozen=True)
class PageEntry:
    number: int                      # its place in the document
    where: str                       # file:line of the Italian
    entry: object                    # the polib entry
    state: str
    label: str                       # state, or why a draft waits
    provenance: str                  # traduco's note on where the translation came from
    risk: risk.Risk
    findings: list[checks.Finding]
    previous: list[tuple[str, str]]  # the old Italian, word diff: ("equal"|"del"|"ins", words)


def review_page(project: Project, doc_id: str, locale: str) -> str:
    """The page for one document and locale: drafts by risk (highest first),
    then the untranslated, then the approved, each group in document order."""
    catalog = Catalog.read(project, doc_id, locale)
    path = catalog.path
    if not catalog.exists and not catalog.verdict:
        raise CatalogError(f"there is no {locale} catalog for {doc_id}", path=path,
                           hint="Check the document id with `traduco status`, or run `traduco run`")
    if catalog.verdict:
        raise catalog.verdict
    judge = Judge.for_project(project)
    judged = judge.judge(catalog.entries, locale)
    entries = []
    for number, entry in enumerate(catalog.active(), start=1):
        state = pofile.state(entry)
        assessed = judged[id(entry)]
        entries.append(PageEntry(
            number, ":".join(entry.occurrences[0]) if entry.occurrences else "", entry, state,
            (pofile.fuzzy_reason(entry) if state == pofile.DRAFT else state) or "",
            provenance.note(entry) or "",
            assessed.risk, assessed.findings,
            word_diff(entry.previous_msgid, entry.msgid) if entry.previous_msgid else []))
    order = {pofile.DRAFT: 0, pofile.UNTRANSLATED: 1, pofile.APPROVED: 2}
    entries.sort(key=lambda e: (order[e.state], -e.risk.score, e.number))
    return _template().render(
        title=f"Review: {doc_id} ({locale})", locale=locale, lang=locale.replace("_", "-"),
        row=row_of(catalog, str(path.relative_to(project.root)), judge), entries=entries,
        catalog=str(path.relative_to(project.root)))


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    environment = jinja2.Environment(loader=jinja2.PackageLoader("traduco", "templates"),
                                     autoescape=True, undefined=jinja2.StrictUndefined,
                                     trim_blocks=True, lstrip_blocks=True)
    return environment.get_template("review.html")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The old Italian against the new, word by word: ("equal", words),
    ("del", words only in the old), ("ins", words only in the new)."""
    a, b = old.split(), new.split()
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("equal", " ".join(a[i1:i2])))
        if op in ("delete", "replace"):
            parts.append(("del", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(("ins", " ".join(b[j1:j2])))
    return parts
