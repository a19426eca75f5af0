"""What one translate run did, in a form the CLI prints and Prefect records."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from traduco import catalogs
from traduco.checks import CHECKS_VERSION
from traduco.risk import RISK_VERSION
from traduco.config import Project
from traduco.ledger import Ledger, fingerprint
from traduco.drafting import CatalogReport, pending_texts, update_catalog
from traduco.errors import TraducoError
from traduco.memory import TranslationMemory
from traduco.mt import Engine
from traduco.retirement import carry_over
from traduco.review import QueueView, check_cache
from traduco.sources import document_id, read_document
from traduco.units import write_template

EXIT_OK, EXIT_ERRORS, EXIT_MT_PENDING, EXIT_INTERRUPTED = 0, 1, 3, 130
WRITTEN_SAMPLE = 50
BATCH = 100   # documents per batch (default): bounded memory, and Prefect's 5-10 ms per task run stays small


@dataclass
class RunSummary:
    """Sums, not lists: a run over 10,000 documents is recorded in as little
    memory as a run over one (Prefect also walks a flow's result)."""

    documents: int = 0
    source_problems: list[str] = field(default_factory=list)
    source_warnings: list[str] = field(default_factory=list)   # said, but the run does not fail for them
    catalog_errors: list[str] = field(default_factory=list)   # catalogs that could not be updated
    drafted: int = 0
    reused: int = 0
    fuzzy: int = 0                                             # of the reused, fuzzy matches
    fuzzy_bands: Counter = field(default_factory=Counter)      # "75–84", "85–94", "95–99" -> matches
    saved_characters: int = 0                                  # Italian characters memory kept from MT
    failed_units: int = 0
    failure_reasons: Counter = field(default_factory=Counter)  # why units stay untranslated
    written: int = 0                                           # catalogs changed on disk
    written_sample: list[str] = field(default_factory=list)    # the first few, for the run record
    queue: QueueView | None = None
    usage: list[dict] = field(default_factory=list)
    outages: dict[str, str] = field(default_factory=dict)   # provider -> why it was given up
    mt_seconds: float = 0.0                                  # time with MT requests in flight
    drafted_by_locale: Counter = field(default_factory=Counter)
    git: object | None = None        # traduco.sync.SyncReport when the run synced through git
    interrupted: bool = False                                # Ctrl-C, SIGTERM, a cancelled run
    waiting: int = 0                       # catalogs not written: their texts were not all in
    unreached: int = 0                     # documents whose batch never started

    @property
    def exit_code(self) -> int:
        """130 when interrupted, 1 for files a person must fix, 3 when only MT
        left units for the next run."""
        if self.interrupted:
            return EXIT_INTERRUPTED
        git_problem = self.git is not None and self.git.problem
        if self.source_problems or self.catalog_errors or (git_problem and self.git.needs_person):
            return EXIT_ERRORS
        if self.failed_units or git_problem:    # a push that failed: the next run pushes
            return EXIT_MT_PENDING
        return EXIT_OK

    def add(self, batch: "BatchResult") -> None:
        self.documents += batch.documents
        self.waiting += batch.waiting
        self.source_problems += batch.problems
        self.source_warnings += batch.warnings
        for report in batch.reports:
            self.drafted += report.drafted
            self.drafted_by_locale[report.locale] += report.drafted
            self.reused += report.reused
            self.fuzzy += report.fuzzy
            self.fuzzy_bands.update(report.fuzzy_bands)
            self.saved_characters += report.saved_characters
            self.failed_units += report.failed
            self.failure_reasons.update(report.failures)
            if report.error:
                self.catalog_errors.append(report.error)
            if report.written:
                self.written += 1
                if len(self.written_sample) < WRITTEN_SAMPLE:
                    self.written_sample.append(f"{report.doc_id} ({report.locale}): {report.drafted} drafted, "
                                               f"{report.reused} from memory ({report.fuzzy} fuzzy)")

    def memory_line(self) -> str:
        """'12 reused from translation memory (5 fuzzy: 85–94 3, 95–99 2; 1,840 characters not sent to MT)'."""
        line = f"{self.reused} reused from translation memory"
        if self.reused:
            bands = ", ".join(f"{name} {n}" for name, n in sorted(self.fuzzy_bands.items()))
            fuzzy = f"{self.fuzzy} fuzzy: {bands}; " if self.fuzzy else ""
            line += f" ({fuzzy}{self.saved_characters:,} characters not sent to MT)"
        return line

    def interruption_line(self) -> str:
        """What an interrupted run saved and what waits, in one line."""
        waits = [f"{self.waiting:,} catalog{'s' * (self.waiting != 1)} whose texts were not all in"] \
            if self.waiting else []
        if self.unreached:
            waits.append(f"{self.unreached:,} document{'s' * (self.unreached != 1)} not reached")
        return (f"Interrupted: {self.written:,} catalog{'s' * (self.written != 1)} saved "
                f"({self.drafted:,} units drafted); "
                + (" and ".join(waits) + " wait for the next run, which pays nothing again for "
                   "answers already in" if waits else "nothing else was waiting") + ".")

    def problem_lines(self) -> list[str]:
        """One line per thing a person should know: files to fix, each provider
        that failed, and the units left for the next run."""
        lines = [*self.source_problems, *self.catalog_errors, *self.source_warnings]

        def by(provider: str, reason: str) -> bool:
            return reason.startswith(f"{provider} ") or reason.startswith(f"{provider}:")
        for provider, why in self.outages.items():
            mine = sum(n for reason, n in self.failure_reasons.items() if by(provider, reason))
            lines.append(f"{why}; {_units(mine)} wait in the review queue and the next run retries them"
                         if mine else why)
        others = {reason: n for reason, n in self.failure_reasons.items()
                  if not any(by(p, reason) for p in self.outages)}
        if others:
            detail = "; ".join(sorted(others)[:3])
            lines.append(f"{_units(sum(others.values()))} could not be drafted ({detail}): they wait in the "
                         "review queue and the next run retries them")
        if self.git is not None:
            lines += [*self.git.conflicts, *([self.git.problem] if self.git.problem else [])]
        return lines


class RunIncomplete(Exception):
    """A run that left work for people or for the next run (a provider down, a
    file to fix): an expected outcome, recorded as a Failed flow run, with what
    the run did as `summary`."""

    def __init__(self, message: str, summary: RunSummary | None = None):
        super().__init__(message)
        self.summary = summary

    def __reduce__(self):
        return RunIncomplete, (self.args[0], self.summary)


class _ExpectedOutcomes(logging.Filter):
    """Prefect's engine logs the exception of every Failed deployment run with its
    traceback ("Engine execution exited with unexpected exception"); for a
    RunIncomplete that is no news: the run's state and its message say it all."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], RunIncomplete))


def quiet_expected_outcomes() -> None:
    """No traceback in Prefect's logs for a RunIncomplete (see _ExpectedOutcomes)."""
    for name in ("prefect.flow_runs", "prefect.engine"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _ExpectedOutcomes) for f in logger.filters):
            logger.addFilter(_ExpectedOutcomes())


def _units(count: int) -> str:
    return f"{count} unit{'s' * (count != 1)}"


@dataclass
class BatchResult:
    documents: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reports: list[CatalogReport] = field(default_factory=list)
    usage: list[dict] = field(default_factory=list)      # this batch's engine, if it had its own
    outages: dict[str, str] = field(default_factory=dict)
    mt_seconds: float = 0.0
    waiting: int = 0          # catalogs left as they were: interrupted before their texts were in


def batches(items: list, size: int = BATCH) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def translate_batch(project: Project, paths: list[Path], memories: dict[str, TranslationMemory],
                    engine: Engine | None = None, on_result=None) -> BatchResult:
    """Pull, extract, machine-translate and draft one batch of source files.

    All new texts of the batch go to MT at once, every locale concurrently, and
    each catalog is written as soon as its own texts are answered, while the
    rest are still in flight. Sources and catalogs the ledger shows unchanged
    since the last run (and not waiting for MT) are left alone without being
    parsed. Without an `engine` (a Dask worker) the batch makes its own.
    """
    own = engine is None
    engine = engine or Engine.for_project(project)
    ledger = Ledger.for_project(project)
    try:
        result = BatchResult()
        templates, template_shas = _templates(project, paths, ledger, result)
        stale = {(doc_id, locale) for doc_id in templates for locale in project.locales
                 if not _catalog_current(project, ledger, doc_id, locale, template_shas[doc_id],
                                         _context(project, engine, locale))}
        # In the order the catalogs are written, so that texts are asked for in that order too.
        loaded = {doc_id: templates[doc_id] or catalogs.read(project.template_path(doc_id))
                  for doc_id in sorted({doc_id for doc_id, _ in stale})}
        arrivals = _Arrivals()

        def prefetch(locale: str) -> None:
            _ask_for_batch(project, engine, loaded, stale, memories[locale], locale, arrivals)

        cache = check_cache(project)
        if stale:
            _warm_checks()
        with ThreadPoolExecutor(len(project.locales) or 1) as pool:
            prefetches = [pool.submit(prefetch, locale) for locale in project.locales]
            for doc_id, locale in sorted(stale):
                arrivals.wait(doc_id, locale)
                if engine.stopping and not arrivals.complete(doc_id, locale):
                    result.waiting += 1     # left as it is: the next run drafts it, from the cache
                    continue
                report = update_catalog(project, doc_id, loaded[doc_id], locale, engine, memories[locale],
                                        on_result, glossary=engine.glossary, check_cache=cache)
                result.reports.append(report)
                if report.error is None:
                    ledger.put(f"catalog:{locale}/{doc_id}", {
                        "sha": fingerprint(project.catalog_path(doc_id, locale)), "template": template_shas[doc_id],
                        "context": _context(project, engine, locale), "complete": report.failed == 0})
            for prefetch_done in prefetches:
                prefetch_done.result()
        if own:
            result.usage, result.outages, result.mt_seconds = engine.summary(), dict(engine.outages), engine.seconds
        return result
    except sqlite3.OperationalError as exc:
        if "full" not in str(exc):
            raise
        raise TraducoError(f"the disk holding {project.state_dir} is full (SQLite: {exc})",
                           hint="Nothing was lost: every catalog on disk is whole (written completely or "
                                "not at all) and the next run picks up from there. Free some space and "
                                "run again") from None
    finally:
        engine.forget()     # memory stays flat however many batches a run has
        if own:
            engine.close()


def _warm_checks() -> None:
    """Load the checks' language models (seconds) while MT works, not when the
    first catalog is written: an interrupted run writes its catalogs at once."""
    from traduco import checks

    def load():
        try:    # lingua loads its models at the first text it sees; pysbd compiles its rules
            checks._opencc()
            for text in ("Il comunicato della Regione Toscana è uscito oggi.", "The press release is out."):
                checks._is_italian(text)
            for language in ("it", "en"):
                checks.sentence_count("Una frase di prova. Un'altra frase di prova.", language)
        except Exception:   # the check itself reports what is wrong, when it runs
            pass
    threading.Thread(target=load, name="traduco-warm-checks", daemon=True).start()


def _ask_for_batch(project: Project, engine: Engine, loaded: dict, stale: set, memory: TranslationMemory,
                   locale: str, arrivals: "_Arrivals") -> None:
    """Every text of the batch that the locale's catalogs need, asked for in one go."""
    try:
        texts = []
        for doc_id, template in loaded.items():
            if (doc_id, locale) in stale:
                mine = pending_texts(project, doc_id, template, locale, memory)
                arrivals.expect(doc_id, locale, mine)
                texts += mine
        texts = list(dict.fromkeys(texts))
        report_progress(locale, more=len(texts))

        def heard(text, answer):
            report_progress(locale, advance=1)
            arrivals.arrived(locale, text, answered=bool(answer.text))
        engine.translate(texts, locale, on_result=heard)
    finally:
        arrivals.finished(locale)


class _Arrivals:
    """Which texts of a batch have their MT answer (or final failure), per
    locale, so each catalog is written as soon as its own texts are in."""

    def __init__(self):
        self._changed = threading.Condition()
        self._needs: dict[tuple[str, str], set[str]] = {}
        self._arrived: dict[str, set[str]] = defaultdict(set)
        self._answered: dict[str, set[str]] = defaultdict(set)
        self._finished: set[str] = set()

    def expect(self, doc_id: str, locale: str, texts: list[str]) -> None:
        with self._changed:
            self._needs[(doc_id, locale)] = set(texts)
            self._changed.notify_all()

    def arrived(self, locale: str, text: str, answered: bool = True) -> None:
        with self._changed:
            self._arrived[locale].add(text)
            if answered:
                self._answered[locale].add(text)
            self._changed.notify_all()

    def complete(self, doc_id: str, locale: str) -> bool:
        """Every text the catalog needs has its translation."""
        with self._changed:
            return self._needs.get((doc_id, locale), set()) <= self._answered[locale]

    def finished(self, locale: str) -> None:
        """The locale's MT is over, answered or not: nobody waits any longer."""
        with self._changed:
            self._finished.add(locale)
            self._changed.notify_all()

    def wait(self, doc_id: str, locale: str) -> None:
        key = (doc_id, locale)
        with self._changed:
            self._changed.wait_for(lambda: locale in self._finished or (
                key in self._needs and self._needs[key] <= self._arrived[locale]))


def _templates(project: Project, paths: list[Path], ledger: Ledger, result: BatchResult) -> tuple[dict, dict]:
    """Each document's template and its fingerprint. The template is None where
    the ledger shows the source and its template unchanged (loaded from disk
    only if a catalog needs it)."""
    templates: dict = {}
    shas: dict[str, str | None] = {}
    for path in paths:
        try:
            doc_id = document_id(path)
        except TraducoError as problem:
            result.problems.append(problem.message)
            continue
        source = fingerprint(path)
        known = ledger.current(f"source:{path.name}", {"sha": source})
        sha = fingerprint(project.template_path(doc_id))
        if known and known.get("template") == sha:
            result.documents += 1
            templates[doc_id], shas[doc_id] = None, sha
            continue
        try:
            document = read_document(path)
            result.warnings += document.warnings
            templates[doc_id] = write_template(project, document)
            carry_over(project, doc_id, templates[doc_id])   # a renamed or restored source keeps its work
        except TraducoError as problem:
            result.problems.append(problem.message)
            continue
        result.documents += 1
        shas[doc_id] = fingerprint(project.template_path(doc_id))
        ledger.put(f"source:{path.name}", {"sha": source, "template": shas[doc_id]})
    return templates, shas


def _catalog_current(project: Project, ledger: Ledger, doc_id: str, locale: str, template_sha: str | None,
                     context: str) -> bool:
    recorded = ledger.current(f"catalog:{locale}/{doc_id}", {
        "sha": fingerprint(project.catalog_path(doc_id, locale)), "template": template_sha, "context": context})
    return bool(recorded and recorded.get("complete") and recorded.get("sha"))


def _context(project: Project, engine: Engine, locale: str) -> str:
    """What else decides a catalog's content: glossary, checks, risk notes, providers."""
    glossary = engine.glossary.fingerprint(locale) if engine.glossary else ""
    return f"{glossary}|{CHECKS_VERSION}|{RISK_VERSION}|{','.join(project.mt.chain_for(locale))}"


# Who wants to hear about drafting progress (the CLI's progress bar).
# Each listener is called as listener(locale, more=0, advance=0): `more` units
# joined the work, `advance` were done.
progress_listeners: list = []


def report_progress(locale: str, *, more: int = 0, advance: int = 0) -> None:
    for listener in progress_listeners:
        listener(locale, more=more, advance=advance)


# Who wants to hear what a flow has to tell the person at the terminal
# (the CLI prints it; Prefect's own console logging stays off).
announcement_listeners: list = []


def announce(message: str) -> None:
    for listener in announcement_listeners:
        listener(message)
