"""One batch of documents through extract, machine translation and draft.

A run goes in batches of documents (`batches`), so memory stays bounded and
Prefect's bookkeeping (one task run per batch) a rounding error however large
the corpus. `translate_batch` sends every new text of its batch to MT at once,
every locale concurrently, and writes each catalog as soon as its own texts
are in.
"""

from __future__ import annotations

import contextvars
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from traduco.catalogs import pofile
from traduco.catalogs.catalog import Catalog
from traduco.catalogs.extraction import write_template
from traduco.catalogs.retirement import carry_over
from traduco.checks.judge import Judge, check_cache
from traduco.checks.ledger import Ledger
from traduco.drafting.drafts import CatalogResult, draft_catalog, draft_judge, pending_document
from traduco.drafting.memory import TranslationMemory
from traduco.drafting.progress import tell_progress
from traduco.drafting.unchanged import catalog_context, catalog_current, source_current
from traduco.errors import SourceError, TraducoError
from traduco.mt import Engine
from traduco.project.files import file_sha256
from traduco.project.loading import Project
from traduco.review.queue import record_row
from traduco.sources.documents import document_id, read_document

BATCH = 100   # documents per batch (default): bounded memory, and Prefect's 5-10 ms per task run stays small
# A unit is what a reviewer reads and MT is paid for at once: a press release's
# longest paragraphs are a few thousand characters. A page dumped whole into
# one paragraph (a feed's article extractor can) is refused, not sent.
MAX_UNIT_CHARS = 20_000
# Texts handed to the engine at once, per locale: its requests, futures and
# masks for them are in memory together (100,000 paragraphs at once took
# hundreds of MB); between chunks only the last few answers are out alone.
ASK_AT_ONCE = 1_000


@dataclass
class BatchResult:
    documents: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reports: list[CatalogResult] = field(default_factory=list)
    usage: list[dict] = field(default_factory=list)      # this batch's engine, if it had its own
    document_usage: list[dict] = field(default_factory=list)   # an LLM's calls and tokens per document, likewise
    outages: dict[str, str] = field(default_factory=dict)
    mt_seconds: float = 0.0
    waiting: int = 0          # catalogs left as they were: interrupted before their texts were in
    unreached: int = 0        # documents of a batch that never started (the run was interrupted)


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
    # The run's engine as this batch alone sees it: the next batch may be in flight beside it.
    engine = engine.for_batch() if engine else Engine.for_project(project)
    ledger = Ledger.for_project(project)
    try:
        result = BatchResult()
        templates, template_shas = _templates(project, paths, ledger, result)
        stale = {(doc_id, locale) for doc_id in templates for locale in project.locales
                 if not catalog_current(project, ledger, doc_id, locale, template_shas[doc_id],
                                         _context(project, engine, locale))}
        # In the order the catalogs are written, so that texts are asked for in that order too.
        loaded = {doc_id: templates[doc_id] or pofile.read(project.template_path(doc_id))
                  for doc_id in sorted({doc_id for doc_id, _ in stale})}
        arrivals = _Arrivals(stale)

        def prefetch(locale: str) -> None:
            _ask_for_batch(project, engine, loaded, stale, memories[locale], locale, arrivals)

        cache = check_cache(project)
        judge = Judge(engine.glossary, cache, project.state_dir)
        if stale:
            _warm_checks()
        with ThreadPoolExecutor(len(project.locales) or 1) as pool:
            prefetches = [pool.submit(prefetch, locale) for locale in project.locales]
            _tell_when_asked(prefetches)
            # Whichever catalog has its texts first is checked and written first, while
            # the rest are in flight; what each catalog holds depends on its texts alone.
            for doc_id, locale in arrivals.in_order_ready():
                if engine.stopping and not arrivals.complete(doc_id, locale):
                    result.waiting += 1     # left as it is: the next run drafts it, from the cache
                    continue
                report = draft_catalog(project, doc_id, loaded[doc_id], locale, engine, memories[locale],
                                        on_result, glossary=engine.glossary, check_cache=cache)
                result.reports.append(report)
                if report.error is None:
                    written = Catalog.read(project, doc_id, locale)
                    ledger.put(f"catalog:{locale}/{doc_id}", {
                        "sha": written.sha256, "template": template_shas[doc_id],
                        "context": _context(project, engine, locale), "complete": report.failed == 0})
                    # Its notes are what `judge` finds: the run's review queue need not judge it again.
                    record_row(project, written, judge, ledger)
            for prefetch_done in prefetches:
                prefetch_done.result()
        result.reports.sort(key=lambda report: (report.doc_id, report.locale))
        if own:
            result.usage, result.outages, result.mt_seconds = engine.summary(), dict(engine.outages), engine.seconds
            result.document_usage = engine.document_summary()
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


# Called once a batch's MT is over (every text answered or given up), while
# its last catalogs are still being checked and written: an in-process run
# starts the next batch's requests then (`drafting.runs.InProcess`).
when_asked: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar("traduco_when_asked",
                                                                                         default=None)


def _tell_when_asked(prefetches: list) -> None:
    hook = when_asked.get()
    if hook is None:
        return
    remaining = [len(prefetches)]
    lock = threading.Lock()

    def one_done(_):
        with lock:
            remaining[0] -= 1
            last = remaining[0] == 0
        if last:
            hook()
    for prefetch in prefetches:
        prefetch.add_done_callback(one_done)
    if not prefetches:
        hook()


def _warm_checks() -> None:
    """Load the checks' language models (seconds) while MT works, not when the
    first catalog is written: an interrupted run writes its catalogs at once."""
    from traduco import checks

    def load():
        try:
            checks.warm_up()
        except Exception:   # the check itself reports what is wrong, when it runs
            pass
    threading.Thread(target=load, name="traduco-warm-checks", daemon=True).start()


def _ask_for_batch(project: Project, engine: Engine, loaded: dict, stale: set, memory: TranslationMemory,
                   locale: str, arrivals: "_Arrivals") -> None:
    """Every text of the batch that the locale's catalogs need, asked for in one go."""
    try:
        texts, documents = [], []
        for doc_id, template in loaded.items():
            if (doc_id, locale) in stale:
                mine, document = pending_document(project, doc_id, template, locale, memory)
                arrivals.expect(doc_id, locale, mine)
                texts += mine
                documents += [document] if document else []
        texts = list(dict.fromkeys(texts))
        tell_progress(locale, more=len(texts))

        def heard(text, answer):
            if answer.text:      # a failed or interrupted text is not drafted: the bar says so
                tell_progress(locale, advance=1)
            arrivals.arrived(locale, text, answered=bool(answer.text))
        judge = draft_judge(engine)
        for at in range(0, len(texts), ASK_AT_ONCE):
            engine.translate(texts[at:at + ASK_AT_ONCE], locale, on_result=heard, documents=documents, judge=judge)
    finally:
        arrivals.finished(locale)


class _Arrivals:
    """Which texts of a batch have their MT answer (or final failure), per
    locale, so each catalog is written as soon as its own texts are in."""

    def __init__(self, catalogs: set[tuple[str, str]]):
        self._changed = threading.Condition()
        self._unwritten = set(catalogs)
        self._ready: set[tuple[str, str]] = set()         # every text in: write it
        self._needs: dict[tuple[str, str], set[str]] = {}
        self._missing: dict[tuple[str, str], set[str]] = {}
        self._waiting_for: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # (locale, text) -> catalogs
        self._arrived: dict[str, set[str]] = defaultdict(set)
        self._answered: dict[str, set[str]] = defaultdict(set)

    def expect(self, doc_id: str, locale: str, texts: list[str]) -> None:
        key = (doc_id, locale)
        with self._changed:
            self._needs[key] = set(texts)
            self._missing[key] = missing = set(texts) - self._arrived[locale]
            for text in missing:
                self._waiting_for[(locale, text)].append(key)
            if not missing:
                self._is_ready(key)

    def arrived(self, locale: str, text: str, answered: bool = True) -> None:
        with self._changed:
            self._arrived[locale].add(text)
            if answered:
                self._answered[locale].add(text)
            for key in self._waiting_for.pop((locale, text), ()):
                self._missing[key].discard(text)
                if not self._missing[key]:
                    self._is_ready(key)

    def complete(self, doc_id: str, locale: str) -> bool:
        """Every text the catalog needs has its translation."""
        with self._changed:
            return self._needs.get((doc_id, locale), set()) <= self._answered[locale]

    def finished(self, locale: str) -> None:
        """The locale's MT is over, answered or not: nobody waits any longer."""
        with self._changed:
            for key in [key for key in self._unwritten if key[1] == locale]:
                self._is_ready(key)

    def in_order_ready(self):
        """Every catalog once, each as soon as its texts are in (the first in
        sorted order among those that are)."""
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._ready or not self._unwritten)
                if not self._ready:
                    return
                key = min(self._ready)
                self._ready.discard(key)
            yield key

    def _is_ready(self, key: tuple[str, str]) -> None:
        if key in self._unwritten:
            self._unwritten.discard(key)
            self._ready.add(key)
            self._changed.notify_all()


def _templates(project: Project, paths: list[Path], ledger: Ledger, result: BatchResult) -> tuple[dict, dict]:
    """Each document's template and the hash of its file. The template is None where
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
        source, sha = file_sha256(path), file_sha256(project.template_path(doc_id))
        if source_current(ledger, path, source, sha):
            result.documents += 1
            templates[doc_id], shas[doc_id] = None, sha
            continue
        try:
            document = read_document(path)
            refuse_huge_units(document)
            result.warnings += document.warnings
            templates[doc_id] = write_template(project, document)
            carry_over(project, doc_id, templates[doc_id])   # a renamed or restored source keeps its work
        except TraducoError as problem:
            result.problems.append(problem.message)
            continue
        result.documents += 1
        shas[doc_id] = file_sha256(project.template_path(doc_id))
        ledger.put(f"source:{path.name}", {"sha": source, "template": shas[doc_id]})
    return templates, shas


def refuse_huge_units(document) -> None:
    for text, line in [(document.title or "", 1), *((p.text, p.line) for p in document.paragraphs)]:
        if len(text) > MAX_UNIT_CHARS:
            raise SourceError(f"a paragraph of {len(text):,} characters: traduco translates at most "
                              f"{MAX_UNIT_CHARS:,} in one unit", path=document.path, line=line,
                              hint="Split it into paragraphs (a blank line between them); the document "
                                   "is left out until then")


def _context(project: Project, engine: Engine, locale: str) -> str:
    return catalog_context(project, engine.glossary, locale)
