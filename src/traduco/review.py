"""The review queue: per document and locale, what waits for a reviewer.

Read straight from the catalogs on disk (no Prefect, no network), so it is
as fast to ask as `ls`.

    view = most_urgent(project, 50)     # the 50 most urgent rows, totals over all
    for row in view.rows:
        print(row.doc_id, row.locale, row.drafts, row.untranslated)
"""

from __future__ import annotations

import datetime as dt
import difflib
import heapq
import html
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from traduco import catalogs, checks, files, provenance
from traduco.config import Project
from traduco.errors import CatalogError
from traduco.glossary import Glossary, load_glossary
from traduco.ledger import Ledger, file_sha256, verdict_context


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
    oldest_draft: str | None = None   # when the oldest waiting draft was made (ISO, UTC)
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

    def age_hours(self, now: dt.datetime | None = None) -> float | None:
        if not self.oldest_draft:
            return None
        now = now or files.now()
        return (now - dt.datetime.fromisoformat(self.oldest_draft)).total_seconds() / 3600

    def urgency(self) -> tuple:
        """Most urgent first: unreadable catalogs, check errors, the oldest wait, the most words."""
        return (self.error is None, -self.errors, -(self.age_hours() or 0), -self.words_waiting,
                self.doc_id, self.locale)

    def as_dict(self) -> dict:
        age = self.age_hours()
        return {**asdict(self), "complete": self.complete,
                "oldest_draft_age_hours": round(age, 1) if age is not None else None}


_STATES = (catalogs.APPROVED, catalogs.DRAFT, catalogs.UNTRANSLATED)


@dataclass
class QueueView:
    """The most urgent rows of the queue and the sums over all of it: what a
    person or a run record needs, in memory that does not grow with the corpus."""

    rows: list[QueueRow]                     # most urgent first
    totals: dict[str, dict[str, int]]        # per locale, over every row
    count: int                               # rows in the whole queue

    @property
    def hidden(self) -> int:
        return self.count - len(self.rows)


def most_urgent(project: Project, limit: int | None = None) -> QueueView:
    """The `limit` most urgent rows (all with None) and the totals, reading one catalog at a time."""
    sums: dict[str, dict[str, int]] = {}
    count = 0

    def counted():
        nonlocal count
        for row in queue_rows(project):
            count += 1
            _add(sums, row)
            yield row
    rows = sorted(counted(), key=QueueRow.urgency) if limit is None else \
        heapq.nsmallest(limit, counted(), key=QueueRow.urgency)
    return QueueView(rows, sums, count)


def queue_rows(project: Project) -> Iterator[QueueRow]:
    """Every document × locale, in no order. A catalog whose bytes (and template,
    glossary and checks) are as the ledger last saw them is not re-read."""
    glossary, cache, ledger = load_glossary(project), check_cache(project), Ledger.for_project(project)
    for doc_id in project.doc_ids():
        template = file_sha256(project.template_path(doc_id))
        for locale in project.locales:
            expected = {"sha": file_sha256(project.catalog_path(doc_id, locale)), "template": template,
                        "context": verdict_context(glossary, locale)}
            known = ledger.current(f"queue:{locale}/{doc_id}", expected)
            if known and expected["sha"]:
                yield QueueRow(**known["row"])
                continue
            row = queue_row(project, doc_id, locale, glossary, cache)
            if row.error is None and expected["sha"]:
                ledger.put(f"queue:{locale}/{doc_id}", {**expected, "row": asdict(row)})
            yield row


_TOTALLED = ("units", "approved", "drafts", "machine_drafts", "source_changed", "from_memory",
             "needs_work", "untranslated", "errors", "warnings", "words_waiting")


def _add(sums: dict[str, dict[str, int]], row: QueueRow) -> None:
    into = sums.setdefault(row.locale, dict.fromkeys(_TOTALLED, 0))
    for key in _TOTALLED:
        into[key] += getattr(row, key)


def check_cache(project: Project) -> checks.CheckCache:
    return checks.CheckCache(project.state_dir / "checks.sqlite")


def queue_row(project: Project, doc_id: str, locale: str, glossary: Glossary | None = None,
              cache: checks.CheckCache | None = None) -> QueueRow:
    path = project.catalog_path(doc_id, locale)
    relative = str(path.relative_to(project.root))
    try:
        catalog = catalogs.read_existing(path, locale=locale)
    except CatalogError as exc:
        return QueueRow(doc_id, locale, relative, error=exc.message)
    if catalog is None:
        units = _template_units(project, doc_id)
        return QueueRow(doc_id, locale, relative, units=units, untranslated=units,
                        error=None if units else "no catalog yet: run `traduco run`")
    counts = Counter()
    oldest = None
    for entry in catalogs.active_entries(catalog):
        state = catalogs.state(entry)
        counts[state] += 1
        counts[catalogs.fuzzy_reason(entry)] += 1
        if state != catalogs.APPROVED:
            counts["words"] += len(entry.msgid.split())
        if state == catalogs.DRAFT:
            made = provenance.of(entry).made
            oldest = min(oldest, made) if oldest and made else (oldest or made)
    for entry in _missing_units(project, doc_id, catalog):
        # A unit of the template the catalog lacks (no run since the source
        # grew, or an entry deleted by hand) waits like an untranslated one.
        counts[catalogs.UNTRANSLATED] += 1
        counts["words"] += len(entry.msgid.split())
    for _, findings in checks.catalog_findings(catalog, locale, glossary, cache):
        counts.update(f.severity for f in findings)
    return QueueRow(doc_id, locale, relative, units=sum(counts[s] for s in _STATES),
                    approved=counts[catalogs.APPROVED], drafts=counts[catalogs.DRAFT],
                    machine_drafts=counts[catalogs.MACHINE],
                    source_changed=counts[catalogs.SOURCE_CHANGED],
                    from_memory=counts[catalogs.MEMORY], needs_work=counts[catalogs.NEEDS_WORK],
                    untranslated=counts[catalogs.UNTRANSLATED],
                    errors=counts[checks.ERROR], warnings=counts[checks.WARNING],
                    words_waiting=counts["words"],
                    oldest_draft=oldest.isoformat() if oldest else None)


def _missing_units(project: Project, doc_id: str, catalog) -> list:
    try:
        template = catalogs.active_entries(catalogs.read(project.template_path(doc_id)))
    except CatalogError:
        return []
    present = {(e.msgctxt, e.msgid) for e in catalogs.active_entries(catalog)}
    return [e for e in template if (e.msgctxt, e.msgid) not in present]


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
            try:
                catalog = catalogs.read_existing(path, locale=locale)
            except CatalogError as exc:
                report.append({"document": doc_id, "locale": locale, "where": str(path),
                               "severity": checks.ERROR, "check": "catalog", "message": exc.message})
                continue
            if catalog is None:
                continue
            for entry, findings in checks.catalog_findings(catalog, locale, glossary, cache):
                where = ":".join(entry.occurrences[0]) if entry.occurrences else ""
                report += [{"document": doc_id, "locale": locale, "where": where, "severity": f.severity,
                            "check": f.check, "message": f.message, "msgid": entry.msgid}
                           for f in findings]
    return report


def review_page(project: Project, doc_id: str, locale: str) -> str:
    """A self-contained side-by-side page of one catalog for reviewers who prefer
    a browser to Poedit: Italian, translation, state and provenance, check
    findings, and what changed in the Italian. A view only: edits happen in the .po."""
    path = project.catalog_path(doc_id, locale)
    catalog = catalogs.read_existing(path, locale=locale)
    if catalog is None:
        raise CatalogError(f"there is no {locale} catalog for {doc_id}", path=path,
                           hint="Check the document id with `traduco status`, or run `traduco run`")
    glossary, cache = load_glossary(project), check_cache(project)
    findings = {id(e): f for e, f in checks.catalog_findings(catalog, locale, glossary, cache)}
    row = queue_row(project, doc_id, locale, glossary, cache)
    rows = []
    for number, entry in enumerate(catalogs.active_entries(catalog), start=1):
        state = catalogs.state(entry)
        label = catalogs.fuzzy_reason(entry) if state == catalogs.DRAFT else state
        notes = [f'<li class="{f.severity}">{html.escape(str(f))}</li>' for f in findings.get(id(entry), [])]
        previous = (f'<div class="previous"><b>Italian before the edit:</b> '
                    f'{_word_diff(entry.previous_msgid, entry.msgid)}</div>') if entry.previous_msgid else ""
        where = html.escape(":".join(entry.occurrences[0])) if entry.occurrences else ""
        rows.append(f"""<tr class="{state}">
<td class="n">{number}<br><small>{where}</small></td>
<td lang="it">{html.escape(entry.msgid)}{previous}</td>
<td lang="{html.escape(locale.replace('_', '-'))}">{html.escape(entry.msgstr) or '<i>untranslated</i>'}</td>
<td><span class="state">{html.escape(label or '')}</span><br><small>{html.escape(provenance.note(entry) or '')}</small>
<ul>{''.join(notes)}</ul></td>
</tr>""")
    title = f"Review: {doc_id} ({locale})"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; margin: 1.5rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-top: 1px solid #ddd; padding: .6rem; vertical-align: top; text-align: left; line-height: 1.6; }}
td:nth-child(2), td:nth-child(3) {{ width: 38%; }}
tr.approved {{ background: #f3fbf3; }} tr.draft {{ background: #fffbea; }} tr.untranslated {{ background: #fdf0f0; }}
.state {{ font-weight: 600; }} li.error {{ color: #a40000; }} li.warning {{ color: #8a6d00; }}
.previous {{ margin-top: .5rem; font-size: .9rem; color: #555; }} del {{ background: #fdd; }} ins {{ background: #dfd; text-decoration: none; }}
.n small {{ color: #777; }}
@media print {{ body {{ margin: 0; font-size: 10pt; }} tr {{ break-inside: avoid; }} }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p>{row.approved} of {row.units} approved · {row.drafts} drafts ({html.escape(row.waiting or 'none')}) ·
{row.untranslated} untranslated · {row.errors} check errors, {row.warnings} warnings ·
{row.words_waiting} Italian words waiting. Edit in <code>{html.escape(str(path.relative_to(project.root)))}</code>
(Poedit or any PO editor); clear the fuzzy flag to approve.</p>
<table>
<thead><tr><th>#</th><th>Italian</th><th>{html.escape(locale)}</th><th>State, provenance, checks</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""


def _word_diff(old: str, new: str) -> str:
    """The old Italian with deletions and insertions marked, word by word."""
    a, b = old.split(), new.split()
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(html.escape(" ".join(a[i1:i2])))
        if op in ("delete", "replace"):
            parts.append(f"<del>{html.escape(' '.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{html.escape(' '.join(b[j1:j2]))}</ins>")
    return " ".join(parts)
