"""The review queue: per document and locale, what waits for a reviewer.

Read straight from the catalogs on disk (no Prefect, no network), so it is
as fast to ask as `ls`.

    view = most_urgent(project, 50)     # the 50 most urgent rows, totals over all
    for row in view.rows:
        print(row.doc_id, row.locale, row.drafts, row.untranslated)
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from traduco import checks
from traduco.catalogs import pofile
from traduco.catalogs.catalog import Catalog, each
from traduco.checks import risk
from traduco.checks.judge import Judge
from traduco.checks.ledger import Ledger, verdict_context
from traduco.checks.notes import settle
from traduco.errors import CatalogError
from traduco.language.glossary import Glossary
from traduco.project import files
from traduco.project.loading import Project

NO_CATALOG_YET = "no catalog yet: run `traduco run`"


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
    words_waiting: int = 0     # Italian words not yet approved: the reviewer's effort
    risk: float = 0.0          # the riskiest draft's score (see traduco.checks.risk)
    high_risk: int = 0         # drafts at high risk
    low_risk: int = 0          # drafts at low risk (what approve-low-risk may take)
    oldest_draft: str | None = None   # when the oldest waiting draft was made (ISO, UTC)
    error: str | None = None   # the catalog itself cannot be read

    @property
    def unreadable(self) -> int:
        """1 when the catalog is there but cannot be read (a person must fix it)."""
        return int(self.error is not None and self.error != NO_CATALOG_YET)

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

    def age_hours(self, now: dt.datetime | None = None) -> float | None:
        if not self.oldest_draft:
            return None
        now = now or files.now()
        return (now - dt.datetime.fromisoformat(self.oldest_draft)).total_seconds() / 3600

    @property
    def risk_level(self) -> str | None:
        return risk.level(self.risk) if self.drafts else None

    def urgency(self) -> tuple:
        """Most urgent first: unreadable catalogs, check errors, the riskiest
        draft, the most risky drafts, the oldest wait, the most words."""
        return (self.error is None, -self.errors, -self.risk, -self.high_risk, -(self.age_hours() or 0),
                -self.words_waiting, self.doc_id, self.locale)

    def as_dict(self) -> dict:
        age = self.age_hours()
        return {**asdict(self), "complete": self.complete, "risk_level": self.risk_level,
                "oldest_draft_age_hours": round(age, 1) if age is not None else None}


_STATES = (pofile.APPROVED, pofile.DRAFT, pofile.UNTRANSLATED)


@dataclass
class QueueView:
    """The most urgent rows of the queue and the sums over all of it: what a
    person or a run record needs, in memory that does not grow with the corpus."""

    rows: list[QueueRow]                     # most urgent first
    totals: dict[str, dict[str, int]]        # per locale, over every row
    count: int                               # rows in the whole queue
    unreadable: int = 0                      # catalogs (or templates) that cannot be read: a person must fix them

    @property
    def hidden(self) -> int:
        return self.count - len(self.rows)


def most_urgent(project: Project, limit: int | None = None) -> QueueView:
    """The `limit` most urgent rows (all with None) and the totals, reading one catalog at a time."""
    sums: dict[str, dict[str, int]] = {}
    count = unreadable = 0

    def counted():
        nonlocal count, unreadable
        for row in queue_rows(project):
            count += 1
            unreadable += row.unreadable
            _add(sums, row)
            yield row
    rows = sorted(counted(), key=QueueRow.urgency) if limit is None else \
        heapq.nsmallest(limit, counted(), key=QueueRow.urgency)
    return QueueView(rows, sums, count, unreadable)


def queue_rows(project: Project) -> Iterator[QueueRow]:
    """Every document × locale, in no order. A catalog whose bytes (and template,
    glossary and checks) are as the ledger last saw them is not re-read."""
    judge, ledger = Judge.for_project(project), Ledger.for_project(project)
    for catalog in each(project):
        doc_id, locale = catalog.doc_id, catalog.locale
        known = ledger.current(f"queue:{locale}/{doc_id}", _as_seen(catalog, judge))
        if known and catalog.exists:      # as the last status (or run) settled it: its notes are true
            yield QueueRow(**known["row"])
            continue
        if catalog.exists and settle(project, doc_id, locale, judge.glossary, judge.cache):
            catalog = catalog.reread()    # only its notes changed: the row and the ledger see the file as it is
        yield record_row(project, catalog, judge, ledger)


def record_row(project: Project, catalog: Catalog, judge: Judge, ledger: Ledger) -> QueueRow:
    """The row of a catalog whose notes say what `judge` finds (settled, or just
    written by a run), remembered so that the queue reads it again only once it changes."""
    row = row_of(catalog, str(catalog.path.relative_to(project.root)), judge)
    if row.error is None and catalog.exists:
        ledger.put(f"queue:{catalog.locale}/{catalog.doc_id}", {**_as_seen(catalog, judge), "row": asdict(row)})
    return row


def _as_seen(catalog: Catalog, judge: Judge) -> dict:
    """What a queue row depends on: the catalog's and template's bytes, and what judged them."""
    return {"sha": catalog.sha256, "template": catalog.template_sha256,
            "context": verdict_context(judge.glossary, catalog.locale, risk.RISK_VERSION,
                                       json.dumps(judge.priors(catalog.locale), sort_keys=True))}


_TOTALLED = ("units", "approved", "drafts", "machine_drafts", "source_changed", "from_memory",
             "needs_work", "untranslated", "errors", "warnings", "words_waiting", "high_risk", "low_risk")


def _add(sums: dict[str, dict[str, int]], row: QueueRow) -> None:
    into = sums.setdefault(row.locale, dict.fromkeys(_TOTALLED, 0))
    for key in _TOTALLED:
        into[key] += getattr(row, key)


def queue_row(project: Project, doc_id: str, locale: str, glossary: Glossary | None = None,
              cache: checks.CheckCache | None = None, priors: dict[str, float] | None = None) -> QueueRow:
    settle(project, doc_id, locale, glossary, cache)     # the file's notes say what the row counts
    catalog = Catalog.read(project, doc_id, locale)
    return row_of(catalog, str(catalog.path.relative_to(project.root)),
                  Judge(glossary, cache, project.state_dir), priors if priors is not None else {})


def row_of(catalog: Catalog, relative: str, judge: Judge, priors: dict[str, float] | None = None) -> QueueRow:
    """The queue row of a catalog already read (`relative`: its path for people)."""
    doc_id, locale = catalog.doc_id, catalog.locale
    if catalog.verdict:
        return QueueRow(doc_id, locale, relative, error=catalog.verdict.message)
    if not catalog.exists:
        waiting = _template_entries(catalog)
        return QueueRow(doc_id, locale, relative, units=len(waiting), untranslated=len(waiting),
                        words_waiting=sum(len(e.msgid.split()) for e in waiting),
                        error=None if waiting else NO_CATALOG_YET)
    counts = Counter()
    oldest = None
    judged = judge.judge(catalog.entries, locale, priors)
    highest = 0.0
    for entry in catalog.active():
        state = pofile.state(entry)
        counts[state] += 1
        counts[pofile.fuzzy_reason(entry)] += 1
        if state != pofile.APPROVED:
            counts["words"] += len(entry.msgid.split())
        if state == pofile.DRAFT:
            made = catalog.provenance(entry).made
            oldest = min(oldest, made) if oldest and made else (oldest or made)
            score = judged[id(entry)].risk.score
            highest = max(highest, score)
            counts[f"risk-{risk.level(score)}"] += 1
    for entry in _missing_units(catalog):
        # A unit of the template the catalog lacks (no run since the source
        # grew, or an entry deleted by hand) waits like an untranslated one.
        counts[pofile.UNTRANSLATED] += 1
        counts["words"] += len(entry.msgid.split())
    for found in judged.values():
        counts.update(f.severity for f in found.findings)
    return QueueRow(doc_id, locale, relative, units=sum(counts[s] for s in _STATES),
                    approved=counts[pofile.APPROVED], drafts=counts[pofile.DRAFT],
                    machine_drafts=counts[pofile.MACHINE],
                    source_changed=counts[pofile.SOURCE_CHANGED],
                    from_memory=counts[pofile.MEMORY], needs_work=counts[pofile.NEEDS_WORK],
                    untranslated=counts[pofile.UNTRANSLATED],
                    errors=counts[checks.ERROR], warnings=counts[checks.WARNING],
                    words_waiting=counts["words"], risk=highest,
                    high_risk=counts[f"risk-{risk.HIGH}"], low_risk=counts[f"risk-{risk.LOW}"],
                    oldest_draft=oldest.isoformat() if oldest else None)


def _missing_units(catalog: Catalog) -> list:
    try:
        return catalog.missing_units()
    except CatalogError:
        return []


def _template_entries(catalog: Catalog) -> list:
    try:
        return pofile.active_entries(catalog.template)
    except CatalogError:
        return []
