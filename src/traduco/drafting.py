"""Draft: bring a locale's catalog up to date with its template and fill every
untranslated unit with a fuzzy machine draft.

Approved entries (a msgstr without the fuzzy flag) are a reviewer's work: they
are never sent to MT and never changed.

    report = update_catalog(project, "toscana", template, "zh_CN", engine)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import polib

from traduco import catalogs, checks, files, provenance, risk
from traduco.config import Project
from traduco.errors import CatalogError
from traduco.glossary import Glossary
from traduco.mt import Engine, Result
from traduco.mt.masking import FORMAT_FLAGS
from traduco.memory import Match, TranslationMemory, band, differing_figures
from traduco.merging import merge
from traduco.project_catalogs import Catalog, Judge
from traduco.provenance import MACHINE, MEMORY, NO_DRAFT, Provenance

MERGE_ATTEMPTS = 5   # a translator saving the catalog mid-run makes us merge again


@dataclass
class CatalogReport:
    doc_id: str
    locale: str
    path: str
    drafted: int = 0
    reused: int = 0                   # drafts taken from translation memory (exact or fuzzy)
    fuzzy: int = 0                    #   of which fuzzy matches
    fuzzy_bands: Counter = field(default_factory=Counter)   # "85–94" -> fuzzy matches
    saved_characters: int = 0         # Italian characters memory kept from MT
    failed: int = 0
    errors: int = 0                   # check findings now in the catalog
    warnings: int = 0
    written: bool = False
    error: str | None = None          # the catalog could not be updated at all
    failures: list[str] = field(default_factory=list)   # why units stay untranslated


def machine_draft(result: Result, moment=None, second_opinion: str | None = None) -> Provenance:
    """'machine draft by deepl on 2026-11-26 06:12 UTC', plus what to check and,
    with a second opinion, how far the other provider's answer is (for risk)."""
    lost = f"the machine dropped {', '.join(result.lost)}" if result.lost else ""
    return Provenance(MACHINE, made=moment or files.now(), provider=result.provider, check=lost,
                      extra=second_opinion or "")


def second_opinions(engine: Engine, results: dict[str, Result], locale: str) -> dict[str, str]:
    """With `[tool.traduco.mt] second_opinion`, how far that provider's answer
    is from each draft the chain made ('second opinion by deepl: 83 % similar').
    Asked through the same engine (its cache, claims and budget), so no text is
    bought twice. Empty when none is configured."""
    other = engine.settings.second_opinion
    texts = [text for text, result in results.items() if result.text and result.provider != other]
    if not other or not texts or engine.stopping:
        return {}
    return {text: risk.second_opinion_note(other, results[text].text, answer.text, locale)
            for text, answer in engine.consult(other, texts, locale).items() if answer.text}


def reuse(entry: polib.POEntry, match: Match, report: CatalogReport, threshold: float) -> None:
    """Draft `entry` from memory. A fuzzy match shows the matched Italian as the
    previous msgid (#|), so Poedit shows which words differ, and names the
    numbers and dates that changed, so the old figures are not approved by habit."""
    if not match.fuzzy:
        catalogs.mark_draft(entry, match.msgstr, Provenance(MEMORY, made=files.now(), origin=match.doc_id))
    else:
        figures = differing_figures(match.source, entry.msgid)
        check = f"numbers differ from the match: {'; '.join(figures)}" if figures else ""
        entry.previous_msgid = match.source
        catalogs.mark_draft(entry, match.msgstr, Provenance(MEMORY, made=files.now(), origin=match.doc_id,
                                                            score=match.score, check=check))
        report.fuzzy += 1
        report.fuzzy_bands[band(match.score, threshold)] += 1
    report.reused += 1
    report.saved_characters += len(entry.msgid)


def pending_texts(project: Project, doc_id: str, template: polib.POFile, locale: str,
                  memory: TranslationMemory | None = None) -> list[str]:
    """The texts this catalog will need from MT (not approved, not drafted, not
    in translation memory), so a run can translate a whole locale at once."""
    path = project.catalog_path(doc_id, locale)
    try:
        existing = catalogs.read_existing(path, locale=locale)
    except CatalogError:
        return []   # update_catalog reports it
    catalog = merge(template, existing, locale)
    return [e.msgid for e in catalogs.active_entries(catalog)
            if catalogs.state(e) == catalogs.UNTRANSLATED
            and not (memory and memory.find(e.msgid, exclude=doc_id))]


def draft(catalog: polib.POFile, locale: str, engine: Engine | None,
          memory: TranslationMemory | None = None, doc_id: str | None = None,
          on_result: Callable[[str, Result], None] | None = None) -> CatalogReport:
    """Fill untranslated units: first from translation memory, then by MT."""
    report = CatalogReport(doc_id or "", locale, "")
    pending = [e for e in catalogs.active_entries(catalog)
               if catalogs.state(e) == catalogs.UNTRANSLATED]
    if memory is not None:
        for entry in list(pending):
            match = memory.find(entry.msgid, exclude=doc_id)
            if match:
                reuse(entry, match, report, memory.threshold)
                pending.remove(entry)
    if not pending or engine is None:
        return report
    results = engine.translate([e.msgid for e in pending], locale, on_result,
                               formats={e.msgid: e.flags for e in pending if FORMAT_FLAGS.intersection(e.flags)})
    opinions = second_opinions(engine, results, locale)
    for entry in pending:
        result = results[entry.msgid]
        if result.text:
            catalogs.mark_draft(entry, result.text, machine_draft(result, second_opinion=opinions.get(entry.msgid)))
            report.drafted += 1
        else:
            reason = result.error or "no translation"
            provenance.record(entry, Provenance(NO_DRAFT, reason=reason))
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
    catalog = Catalog.to_edit(project, doc_id, locale)
    path = catalog.path
    relative = str(path.relative_to(project.root))
    judge = Judge(glossary, check_cache, project.state_dir)
    reports: list[CatalogReport] = []

    def change(fresh: Catalog) -> polib.POFile:
        merged = merge(template, fresh.entries if fresh.exists else None, locale)
        report = draft(merged, locale, engine, memory, doc_id, on_result)
        report.errors, report.warnings = checks.annotate_catalog(merged, locale, glossary, check_cache)
        judged = judge.judge(merged, locale)
        for entry in catalogs.active_entries(merged):
            risk.annotate(entry, judged[id(entry)].risk)
        report.path = relative
        reports.append(report)
        return merged
    try:
        written = catalog.edit(project.lock_path(path), change, attempts=MERGE_ATTEMPTS)
    except files.ChangedOnDisk:
        return CatalogReport(doc_id, locale, relative, error=CatalogError(
            f"the catalog kept changing while traduco tried to update it ({MERGE_ATTEMPTS} attempts)",
            path=path, hint="Save and close it in your editor; the next run updates it").message)
    except CatalogError as exc:
        return CatalogReport(doc_id, locale, relative, error=exc.message)
    except OSError as exc:     # an unwritable folder or a full disk: this catalog only
        return CatalogReport(doc_id, locale, relative, error=files.write_problem(exc, path).message)
    reports[-1].written = written
    return reports[-1]
