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

from traduco import checks
from traduco.catalogs import pofile, provenance
from traduco.catalogs.catalog import Catalog
from traduco.catalogs.extraction import TITLE_CONTEXT
from traduco.catalogs.provenance import MACHINE, MEMORY, NO_DRAFT, Provenance
from traduco.catalogs.update import merge
from traduco.checks import risk
from traduco.checks.judge import Judge
from traduco.drafting.memory import Match, TranslationMemory, band, differing_figures
from traduco.errors import CatalogError
from traduco.language.glossary import Glossary
from traduco.language.masking import FORMAT_FLAGS
from traduco.language.numbers import quantities
from traduco.mt import Engine, Result
from traduco.mt.documents import Document, Unit
from traduco.project import files
from traduco.project.loading import Project

MERGE_ATTEMPTS = 5   # a translator saving the catalog mid-run makes us merge again


@dataclass
class CatalogResult:
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


def reuse(entry: polib.POEntry, match: Match, report: CatalogResult, threshold: float) -> None:
    """Draft `entry` from memory. A fuzzy match shows the matched Italian as the
    previous msgid (#|), so Poedit shows which words differ, and names the
    numbers and dates that changed, so the old figures are not approved by habit."""
    if not match.fuzzy:
        pofile.mark_draft(entry, match.msgstr, Provenance(MEMORY, made=files.now(), origin=match.doc_id))
    else:
        figures = differing_figures(match.source, entry.msgid)
        check = f"numbers differ from the match: {'; '.join(figures)}" if figures else ""
        entry.previous_msgid = match.source
        pofile.mark_draft(entry, match.msgstr, Provenance(MEMORY, made=files.now(), origin=match.doc_id,
                                                            score=match.score, check=check))
        report.fuzzy += 1
        report.fuzzy_bands[band(match.score, threshold)] += 1
    report.reused += 1
    report.saved_characters += len(entry.msgid)


# The project's checks whose failure means an LLM's draft is not a translation of
# its unit (a misplaced or half-done answer, the wrong script): asked for again, never written.
MEANING_CHECKS = frozenset({"numbers", "dates", "sentences", "untranslated", "empty", "tokens", "zh-traditional"})
EXAMPLES = 5           # similar approved translations from memory shown to an LLM per document
EXAMPLE_THRESHOLD = 50.0
SMALL_FIGURE = 100     # a translation may spell out small numbers the Italian implies ("trentennale": 三十周年)


def pending_texts(project: Project, doc_id: str, template: polib.POFile, locale: str,
                  memory: TranslationMemory | None = None) -> list[str]:
    """The texts this catalog will need from MT (not approved, not drafted, not
    in translation memory), so a run can translate a whole locale at once."""
    return pending_document(project, doc_id, template, locale, memory)[0]


def pending_document(project: Project, doc_id: str, template: polib.POFile, locale: str,
                     memory: TranslationMemory | None = None) -> tuple[list[str], Document | None]:
    """The texts this catalog needs from MT, and the document they belong to (an LLM's context)."""
    path = project.catalog_path(doc_id, locale)
    try:
        existing = pofile.read_existing(path, locale=locale)
    except CatalogError:
        return [], None   # update_catalog reports it
    catalog = merge(template, existing, locale)
    texts = [e.msgid for e in pofile.active_entries(catalog)
             if pofile.state(e) == pofile.UNTRANSLATED
             and not (memory and memory.find(e.msgid, exclude=doc_id))]
    return texts, document_of(catalog, doc_id, texts, memory) if texts else None


def document_of(catalog: polib.POFile, doc_id: str, pending: list[str],
                memory: TranslationMemory | None = None) -> Document:
    """The catalog as an LLM reads it: title, date, every unit in order with
    its id; approved units with their translation; similar approved units from memory."""
    entries = pofile.active_entries(catalog)
    units = tuple(Unit(f"u{n}", e.msgid, e.msgstr if pofile.state(e) == pofile.APPROVED else None)
                  for n, e in enumerate(entries, start=1))
    title = next((e.msgid for e in entries if e.msgctxt == TITLE_CONTEXT), "")
    examples = memory.examples(pending, doc_id, EXAMPLES, EXAMPLE_THRESHOLD) if memory is not None else ()
    return Document(doc_id, title, catalog.metadata.get("X-Source-Date", ""), units, tuple(examples))


def meaning_problems(source: str, translation: str, locale: str, glossary: Glossary | None = None) -> list[str]:
    """What the project's checks find wrong with the meaning of an LLM's draft,
    and figures it has that the Italian has not (another unit's, or made up)."""
    others = set(checks.CHECKS) - MEANING_CHECKS        # the reviewer's, when the catalog is checked
    found = [finding.message for finding in checks.check(source, translation, locale, glossary, ignored=others)
             if finding.severity == checks.ERROR]
    italian = quantities(source, "it").numbers
    extra = [value for value in quantities(translation, locale.split("_")[0]).numbers
             if value > SMALL_FIGURE and not any(abs(value - v) <= 1e-9 * max(value, 1) for v in italian)]
    return found + [f"the figure {extra[0]:g} is not in the Italian"] if extra else found


def draft_judge(engine: Engine):
    """The project's checks, as an LLM's drafts must pass them."""
    return lambda source, translation, locale: meaning_problems(source, translation, locale, engine.glossary)


def draft(catalog: polib.POFile, locale: str, engine: Engine | None,
          memory: TranslationMemory | None = None, doc_id: str | None = None,
          on_result: Callable[[str, Result], None] | None = None) -> CatalogResult:
    """Fill untranslated units: first from translation memory, then by MT."""
    report = CatalogResult(doc_id or "", locale, "")
    pending = [e for e in pofile.active_entries(catalog)
               if pofile.state(e) == pofile.UNTRANSLATED]
    if memory is not None:
        for entry in list(pending):
            match = memory.find(entry.msgid, exclude=doc_id)
            if match:
                reuse(entry, match, report, memory.threshold)
                pending.remove(entry)
    if not pending or engine is None:
        return report
    results = engine.translate([e.msgid for e in pending], locale, on_result,
                               formats={e.msgid: e.flags for e in pending if FORMAT_FLAGS.intersection(e.flags)},
                               documents=[document_of(catalog, doc_id or "", [e.msgid for e in pending], memory)],
                               judge=draft_judge(engine))
    opinions = second_opinions(engine, results, locale)
    for entry in pending:
        result = results[entry.msgid]
        if result.text:
            pofile.mark_draft(entry, result.text, machine_draft(result, second_opinion=opinions.get(entry.msgid)))
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
                   check_cache: checks.CheckCache | None = None) -> CatalogResult:
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
    reports: list[CatalogResult] = []

    def change(fresh: Catalog) -> polib.POFile:
        merged = merge(template, fresh.entries if fresh.exists else None, locale)
        report = draft(merged, locale, engine, memory, doc_id, on_result)
        report.errors, report.warnings = judge.annotate(merged, locale)
        report.path = relative
        reports.append(report)
        return merged
    try:
        written = catalog.edit(project.lock_path(path), change, attempts=MERGE_ATTEMPTS)
    except files.ChangedOnDisk:
        return CatalogResult(doc_id, locale, relative, error=CatalogError(
            f"the catalog kept changing while traduco tried to update it ({MERGE_ATTEMPTS} attempts)",
            path=path, hint="Save and close it in your editor; the next run updates it").message)
    except CatalogError as exc:
        return CatalogResult(doc_id, locale, relative, error=exc.message)
    except OSError as exc:     # an unwritable folder or a full disk: this catalog only
        return CatalogResult(doc_id, locale, relative, error=files.write_problem(exc, path).message)
    reports[-1].written = written
    return reports[-1]
