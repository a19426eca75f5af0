"""One translate run: its documents, batch by batch, and what it did, in a
form the CLI prints and Prefect records.

    summary = translate_project(project)                  # batches in this process
    summary = translate_project(project, OnDask(task))    # or on the Dask cluster

The flow (`flows/translate.py`) holds the run lock around it, syncs through
git and records the artifacts; the tests call the same function.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from traduco.catalogs.retirement import retire_vanished
from traduco.drafting import interruption
from traduco.drafting.ahead import taken
from traduco.drafting.batches import BatchResult, batches, translate_batch, when_asked
from traduco.drafting.memory import TranslationMemory
from traduco.mt import Engine
from traduco.project.loading import Project
from traduco.review.queue import QueueView
from traduco.sources.documents import source_paths
from traduco.sources.feeds import WebResult, pull_web

EXIT_OK, EXIT_ERRORS, EXIT_MT_PENDING, EXIT_INTERRUPTED = 0, 1, 3, 130
WRITTEN_SAMPLE = 50


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
    mt_seconds: float = 0.0          # time with MT requests in flight (parallel batches: the longest)
    drafted_by_locale: Counter = field(default_factory=Counter)
    git: object | None = None        # traduco.git.sync.SyncReport when the run synced through git
    interrupted: bool = False                                # Ctrl-C, SIGTERM, a cancelled run
    waiting: int = 0                       # catalogs not written: their texts were not all in
    unreached: int = 0                     # documents whose batch never started
    llm: Counter = field(default_factory=Counter)   # an LLM's documents, calls, prompt and completion tokens
    llm_sample: list[str] = field(default_factory=list)   # the first few documents' calls and tokens

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

    def add(self, batch: BatchResult) -> None:
        self.documents += batch.documents
        self.waiting += batch.waiting
        self.unreached += batch.unreached
        self.outages.update(batch.outages)
        self.mt_seconds = max(self.mt_seconds, batch.mt_seconds)
        self.usage = _merge_usage(self.usage, batch.usage)
        # A document is in one batch: its rows (one per locale) are all here.
        self.llm.update(documents=len({row["document"] for row in batch.document_usage}))
        for row in batch.document_usage:
            self.llm.update(catalogs=1, calls=row["calls"], prompt_tokens=row["prompt_tokens"],
                            completion_tokens=row["completion_tokens"])
            if len(self.llm_sample) < WRITTEN_SAMPLE:
                self.llm_sample.append(f"{row['document'] or '(texts)'} ({row['locale']}): {row['calls']} "
                                       f"call{'s' * (row['calls'] != 1)}, {row['prompt_tokens']:,} + "
                                       f"{row['completion_tokens']:,} tokens")
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

    def llm_line(self) -> str:
        """'LLM: 2 call(s) for 1 document(s) (2.0 per document), 4,210 prompt + 1,130 completion tokens', or ""."""
        if not self.llm["documents"]:
            return ""
        per = self.llm["calls"] / self.llm["documents"]
        return (f"LLM: {self.llm['calls']:,} call(s) for {self.llm['documents']:,} document(s) ({per:.1f} per "
                f"document), {self.llm['prompt_tokens']:,} prompt + {self.llm['completion_tokens']:,} "
                "completion tokens")

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


def _merge_usage(total: list[dict], more: list[dict]) -> list[dict]:
    """Usage rows summed per provider and locale (each engine counts its own)."""
    merged = {(u["provider"], u["locale"]): dict(u) for u in total}
    for usage in more:
        known = merged.setdefault((usage["provider"], usage["locale"]), {**usage, **{
            k: 0 for k, v in usage.items() if isinstance(v, int)}})
        for key, value in usage.items():
            if isinstance(value, int):
                known[key] += value
    return sorted(merged.values(), key=lambda u: (u["provider"], u["locale"]))


def translate_project(project: Project, executor: InProcess | None = None) -> RunSummary:
    """Pull the web sources (if configured), retire what vanished, and translate
    every source document batch by batch through `executor`; the summary of it all."""
    executor = executor or InProcess()
    summary = RunSummary()
    if project.web and (project.web.get("feeds") or project.web.get("pages")):
        summary.source_problems += executor.pull(project).problems
    paths, problems = source_paths(project.sources_dir)
    summary.source_problems += [problem.message for problem in problems]
    retire_vanished(project, paths)     # a removed source: its catalogs leave the queue, publish withdraws it
    ahead = taken(project)      # the first batch's texts, asked while Prefect started (`traduco run`)
    memories = ahead.memories if ahead else {
        locale: TranslationMemory.for_locale(project, locale) for locale in project.locales}
    for result in executor.results(project, batches(paths, project.batch_size), memories,
                                   ahead.engine if ahead else None):
        summary.add(result)
    summary.interrupted = interruption.requested()
    return summary


@dataclass(frozen=True)
class InProcess:
    """Batches one after another in this process, sharing one engine (and its
    limits). `translate` runs a batch and `pull` the web pull: the library's
    own functions (tests, benchmarks) or the flow's Prefect tasks around them."""

    translate: Callable[..., BatchResult] = translate_batch
    pull: Callable[[Project], WebResult] = pull_web
    overlap: bool = True     # False: each batch only once the one before is written (same catalogs, slower)

    def results(self, project: Project, work: list[list], memories: dict,
                engine: Engine | None = None) -> Iterator[BatchResult]:
        with engine or Engine.for_project(project) as engine:
            if self.overlap:
                yield from self._overlapped(project, work, memories, engine)
            else:
                for batch in work:
                    yield (BatchResult(unreached=len(batch)) if _unreached(engine)
                           else self.translate(project, batch, memories, engine))
        # What the shared engine spent, counted once for the whole run.
        yield BatchResult(usage=engine.summary(), outages=dict(engine.outages), mt_seconds=engine.seconds,
                          document_usage=engine.document_summary())


    def _overlapped(self, project: Project, work: list[list], memories: dict, engine: Engine) -> Iterator[BatchResult]:
        """The batches in order, two at a time at most: the next one starts asking
        once this one's MT is over, while this one's last catalogs are checked
        and written (what a catalog holds depends on its own texts alone)."""
        def run(batch: list, asked: threading.Event) -> BatchResult:
            when_asked.set(asked.set)
            try:
                if _unreached(engine):
                    return BatchResult(unreached=len(batch))
                return self.translate(project, batch, memories, engine)
            finally:
                asked.set()
        in_flight: deque = deque()
        with ThreadPoolExecutor(2, thread_name_prefix="traduco-batch") as pool:
            for batch in work:
                if in_flight:
                    in_flight[-1][1].wait()        # the batch before has all its answers
                while in_flight and (len(in_flight) == 2 or in_flight[0][0].done()):
                    yield in_flight.popleft()[0].result()
                asked = threading.Event()
                # Prefect's flow and task-run context goes along, as its own thread pool does it.
                in_flight.append((pool.submit(contextvars.copy_context().run, run, batch, asked), asked))
            while in_flight:
                yield in_flight.popleft()[0].result()


def _unreached(engine: Engine) -> bool:
    """An interrupted run starts no batch, but for one whose answers were asked
    ahead (`drafting.ahead`): it writes the catalogs whose texts are in."""
    return interruption.requested() and not engine.carrying


@dataclass(frozen=True)
class OnDask(InProcess):
    """Batches in parallel on the project's Dask cluster (`traduco.drafting.cluster`);
    `translate` is a Prefect task taking project, paths and memories."""

    def results(self, project: Project, work: list[list], memories: dict,
                engine: Engine | None = None) -> Iterator[BatchResult]:
        if engine is not None:       # never asked ahead for (`drafting.ahead`): each worker has its own
            engine.close()
        from traduco.drafting.cluster import task_runner
        from traduco.mt.limits import shared

        with task_runner(project) as runner:
            # Every worker thread drafts with its own engine: each gets its share of
            # the providers' limits, so together they never exceed them.
            slots = sum(w["nthreads"] for w in runner.client.scheduler_info()["workers"].values())
            project = replace(project, mt=shared(project.mt, slots))
            futures = [runner.submit(self.translate, {"project": project, "paths": batch, "memories": memories})
                       for batch in work]
            for future in futures:
                yield future.result()
