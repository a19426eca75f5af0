"""The MT engine: deep-translator's providers made fast, cheap and resilient.

    with Engine.for_project(project) as engine:
        results = engine.translate(texts, "zh_CN")      # {text: Result}

For each distinct text, in order: this run's earlier answer, then the cache
(any provider of the locale's chain: a translation already paid for is never
bought again), then the providers of the chain in order, each through its
`client.ProviderClient` (limits, budget, deadlines, retries, breaker). Texts
another engine is buying right now are waited for (`claims`). Glossary terms
are masked before MT and come back as their approved translation; long texts
are split at sentence boundaries and joined after. Texts nobody could
translate come back with the reason, and wait for the next run. `stop()`
(Ctrl-C) sends nothing more and gives the answers in flight
`client.GRACE_SECONDS` to arrive.
"""

from __future__ import annotations

import copy
import threading
import time
import weakref
from collections import Counter
from concurrent.futures import as_completed
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

from traduco.language import masking
from traduco.language.glossary import Glossary, load_glossary
from traduco.mt import segments, transport
from traduco.mt.adapters import check_settings, secrets_for
from traduco.mt.cache import TranslationCache
from traduco.mt.claims import Claims
from traduco.mt.client import ProviderClient, Stop, interrupted
from traduco.mt.documents import Document
from traduco.mt.drafter import Drafter
from traduco.mt.failures import Failure
from traduco.mt.prompt import Prompt, house_style
from traduco.mt.shared_limits import project_salt, shared_paces
from traduco.mt.usage import Usage, UsageTable
from traduco.mt.verdicts import DraftCheck
from traduco.project.loading import MTSettings, Project
from traduco.project.providers import PROVIDERS

__all__ = ["Engine", "Result", "Usage"]


@dataclass(frozen=True)
class Result:
    text: str | None                 # the translation, or None if no provider could
    error: str | None = None         # why not, for the review queue
    provider: str | None = None      # who translated it
    cached: bool = False             # paid for in an earlier run
    lost: tuple[str, ...] = ()       # protected spans the provider dropped: check the draft


@dataclass
class _Job:
    text: str
    masked: masking.Masked
    pieces: list[str]
    done: list[str | None] = field(default_factory=list)


class Engine:
    _running: "weakref.WeakSet[Engine]" = weakref.WeakSet()

    def __init__(self, settings: MTSettings, source_language: str, cache: TranslationCache,
                 glossary: Glossary | None = None, sleep: Callable[[float], None] | None = None,
                 secrets: dict[str, dict[str, str]] | None = None, shared: dict | None = None,
                 style_dir=None):
        self.settings = settings
        self.style_dir = style_dir            # the project's house style per locale (an LLM's prompt)
        self.source_language = source_language
        self.cache = cache
        self.glossary = glossary
        self._usage = UsageTable()
        self._stop = Stop()
        self._clients = {name: ProviderClient(name, settings, source_language, self._usage, self._stop,
                                              sleep, (secrets or {}).get(name), (shared or {}).get(name))
                         for name in settings.names()}
        self._claims = Claims(cache, self._stop.event)
        self._asking = 0                  # translate() calls with requests in flight
        self._asking_since = 0.0
        self._busy_seconds = 0.0          # time with at least one provider request in flight
        self._memo: dict[tuple[str, str], Result] = {}
        self._carried: tuple[dict, threading.Event] | None = None    # for the next batch (`carry`)
        self._ready: threading.Event | None = None                  # answers still coming in (`carry`)
        self._formats: dict[str, frozenset[str]] = {}   # text -> its format flags (python-format, ...)
        self._documents: dict[tuple[str, str], Document] = {}   # (locale, text) -> its document, for an LLM
        self._judges: dict[str, DraftCheck] = {}                      # locale -> the project's checks of a draft
        self._lock = threading.Lock()
        # The deadline hooks on requests live as long as some engine does.
        transport.install()
        self._unhook = weakref.finalize(self, transport.uninstall)
        Engine._running.add(self)

    @classmethod
    def for_project(cls, project: Project, **kwargs) -> "Engine":
        # Here, in the flow's own thread: Prefect Secret blocks and the Prefect
        # server are only visible where its run context is, not in the engine's threads.
        secrets = {name: secrets_for(name) for name in project.mt.names() if name in PROVIDERS}
        check_settings(project.mt, secrets=secrets)
        return cls(project.mt, project.source_language,
                   TranslationCache(project.state_dir / "mt-cache.sqlite"),
                   glossary=load_glossary(project), secrets=secrets,
                   shared=shared_paces(project.mt, secrets, project_salt(project.state_dir)),
                   style_dir=project.root / "style", **kwargs)

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._claims.close()
        self._unhook()
        Engine._running.discard(self)

    # -- stopping -------------------------------------------------------------

    def stop(self) -> None:
        """Send nothing more; answers in flight get GRACE_SECONDS, then are
        abandoned. Texts not answered come back with the reason and wait."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return bool(self._stop)

    @classmethod
    def running(cls) -> bool:
        """Some engine of this process is open (a run is drafting)."""
        return bool(cls._running)

    @classmethod
    def stop_all(cls) -> None:
        """Every engine of this process (Ctrl-C, SIGTERM, a cancelled flow run)."""
        for engine in list(cls._running):
            engine.stop()

    @property
    def outages(self) -> dict[str, str]:
        """Provider -> why it is skipped for the rest of this run."""
        return {name: client.outage for name, client in self._clients.items() if client.outage}

    # -- translating ---------------------------------------------------------

    def translate(self, texts: Iterable[str], locale: str,
                  on_result: Callable[[str, Result], None] | None = None,
                  formats: Mapping[str, Collection[str]] | None = None,
                  documents: Iterable[Document] = (), judge: DraftCheck | None = None) -> dict[str, Result]:
        """Translate each distinct text once; failures come back as Results with an error.
        `formats` gives the gettext flags of texts that are format strings: only
        their placeholders are masked (in prose `20% sui` is a percentage).
        `documents` are the texts' documents (an LLM drafts with them as context);
        `judge` the project's checks, which an LLM's draft must pass."""
        if self._ready is not None:
            self._ready.wait()
        self._formats.update({text: frozenset(flags) for text, flags in (formats or {}).items()})
        with self._lock:
            for document in documents:
                for unit in document.units:
                    self._documents.setdefault((locale, unit.text), document)
            if judge is not None:
                self._judges[locale] = judge
        results: dict[str, Result] = {}
        todo: list[str] = []

        def settle(text: str, result: Result) -> None:
            # Known to every caller before anyone hears of it: a catalog written
            # while the rest of the batch is still being translated finds its
            # answers here and never asks the provider again.
            self._memo[(locale, text)] = result
            if on_result:
                on_result(text, result)
        for text in dict.fromkeys(texts):
            known = self._memo.get((locale, text)) or self._from_cache(text, locale)
            if known:
                results[text] = self._memo[(locale, text)] = known
                if on_result and known.text:
                    on_result(text, known)
            else:
                todo.append(text)
        errors: dict[str, list[str]] = {text: [] for text in todo}
        if todo:
            self._busy(+1)
            try:
                self._ask(todo, locale, results, errors, settle)
            finally:
                self._busy(-1)
        chain = self.settings.chain_for(locale)
        for text in todo:
            if text not in results:
                results[text] = Result(None, "; ".join(dict.fromkeys(errors[text])) or
                                       interrupted(chain[0]).reason)
                if not self.stopping:    # an interrupted text did not fail: it waits
                    self._usage.count(chain[-1], locale, failures=1)
                settle(text, results[text])
        return results

    def consult(self, name: str, texts: Iterable[str], locale: str) -> dict[str, Result]:
        """One provider's answers, outside the locale's chain (a second opinion):
        from the cache when paid for before, else asked within that provider's
        limits and budget. Failures come back as Results with an error."""
        todo = list(dict.fromkeys(texts))
        self._busy(+1)
        try:
            results = self._send(self._clients[name], todo, locale, None)
        finally:
            self._busy(-1)
        return {text: results.get(text) or Result(None, f"{name} gave no translation") for text in todo}

    def _ask(self, todo: list[str], locale: str, results: dict[str, Result],
             errors: dict[str, list[str]], settle) -> None:
        """Down the locale's provider chain until every text has an answer or no provider is left."""
        for name in self.settings.chain_for(locale):
            if not todo or self.stopping:
                return
            for text, result in self._send(self._clients[name], todo, locale, settle).items():
                if result.text:
                    results[text] = result
                else:
                    errors[text].append(result.error or f"{name} gave no translation")
            todo = [text for text in todo if text not in results]

    def _busy(self, change: int) -> None:
        """Count the time at least one request is in flight (locales ask at once)."""
        with self._lock:
            now = time.monotonic()
            if change > 0 and self._asking == 0:
                self._asking_since = now
            self._asking += change
            if change < 0 and self._asking == 0:
                self._busy_seconds += now - self._asking_since

    def _from_cache(self, text: str, locale: str) -> Result | None:
        for name in self.settings.chain_for(locale):
            cached = self._cached(self._clients[name], locale, text)
            if cached is not None:
                return cached
        return None

    def _cached(self, client: ProviderClient, locale: str, text: str) -> Result | None:
        """One provider's answer for `text`, if any engine has paid for it before."""
        source, target = client.codes(locale)
        cached = self.cache.get(client.name, source, target, text, self._context(locale, client))
        if cached is None:
            return None
        self._usage.count(client.name, locale, cache_hits=1)
        return Result(cached, provider=client.label, cached=True)

    def _send(self, client: ProviderClient, texts: list[str], locale: str, on_result) -> dict[str, Result]:
        """Translate `texts` with one provider. A text another engine is asking
        for right now (a Dask worker) is waited for and read from the shared
        cache: nobody pays for it twice."""
        results: dict[str, Result] = {}
        for mine in self._claims.turns((client.name, *client.codes(locale), self._context(locale, client)), texts):
            unanswered = []
            for text in mine:   # answered since we last looked, by whoever
                cached = self._cached(client, locale, text)
                if cached is None:
                    unanswered.append(text)
                    continue
                results[text] = cached
                if on_result:
                    on_result(text, cached)
            results.update(self._send_claimed(client, unanswered, locale, on_result))
        for text in texts:
            if text not in results:     # still another engine's when the run stopped
                results[text] = Result(None, interrupted(client.name).reason)
        return results

    def _send_claimed(self, client: ProviderClient, texts: list[str], locale: str,
                      on_result) -> dict[str, Result]:
        """Translate `texts` with one provider, concurrently within its limits."""
        results: dict[str, Result] = {}
        jobs: list[_Job] = []
        spec = PROVIDERS[client.name]
        if spec.documents and texts:
            return self._send_documents(client, texts, locale, on_result)
        for text in texts:
            if client.outage:
                results[text] = Result(None, client.outage)
            elif not client.budget.reserve(len(text)):
                results[text] = Result(None, f"{client.name}: the character budget for this run "
                                             f"({client.budget.limit:,}) is spent")
            else:
                masked = masking.protect(text, self.glossary.mask_terms(locale) if self.glossary else [],
                                         self._formats.get(text, ()))
                pieces = segments.split(masked.text, spec.max_chars, self.source_language)
                jobs.append(_Job(text, masked, pieces, [None] * len(pieces)))
        batches = segments.requests_of([job.pieces for job in jobs], spec.batch_size, spec.max_chars)
        futures = {client.submit(locale, [jobs[j].pieces[p] for j, p in batch]): batch for batch in batches}
        waiting = Counter(j for batch in batches for j in dict.fromkeys(j for j, _ in batch))  # requests per text
        failed: dict[int, str] = {}
        # In the order answers arrive: each is in the cache the moment its text is
        # whole, so a run killed right after still never pays for it again.
        for future in as_completed(futures):
            batch, outcome = futures[future], future.result()
            for (j, p), translated in zip(batch, outcome if isinstance(outcome, list) else []):
                jobs[j].done[p] = translated
            if isinstance(outcome, Failure):
                for j, _ in batch:
                    failed[j] = outcome.reason
            # Each text is done as soon as its last request is: its catalog can be
            # written while later requests are still in flight.
            for j in dict.fromkeys(j for j, _ in batch):
                waiting[j] -= 1
                if waiting[j]:
                    continue
                if j in failed:
                    results[jobs[j].text] = Result(None, failed[j])
                    continue
                results[jobs[j].text] = result = self._finish(client, locale, jobs[j])
                if on_result:
                    on_result(jobs[j].text, result)
        return results

    def _finish(self, client: ProviderClient, locale: str, job: _Job) -> Result:
        joined = segments.join([piece for piece in job.done if piece is not None], locale)
        translation, lost = masking.restore(joined, job.masked)
        return self._keep(client, locale, job.text, translation, lost)

    def _keep(self, client: ProviderClient, locale: str, text: str, translation: str, lost) -> Result:
        source, target = client.codes(locale)
        if not lost:   # a draft missing a URL is not worth keeping for later runs
            self.cache.put(client.name, source, target, text, translation, self._context(locale, client))
        self._usage.count(client.name, locale, translated=1)
        return Result(translation, provider=client.label, lost=tuple(lost))

    def _send_documents(self, client: ProviderClient, texts: list[str], locale: str,
                        on_result) -> dict[str, Result]:
        """An LLM drafts `texts` knowing their documents (`drafter`); each is
        finished (cached, counted, heard of) the moment its answer passes."""
        results: dict[str, Result] = {}

        def finish(text: str, masked: masking.Masked, answer: str) -> None:
            translation, lost = masking.restore(answer, masked)
            results[text] = result = self._keep(client, locale, text, translation, lost)
            if on_result:
                on_result(text, result)
        prompt = Prompt(locale, house_style(self.style_dir, locale), self.source_language)
        with self._lock:
            documents = {text: self._documents[(locale, text)] for text in texts if (locale, text) in self._documents}
        drafter = Drafter(client, locale, prompt, self.glossary, self.cache, self._usage)
        failures = drafter.send(texts, documents, self._formats, self._judges.get(locale), finish)
        for text in texts:
            if text not in results:
                results[text] = Result(None, failures.get(text) or f"{client.name} gave no translation")
        return results

    # -- plumbing -------------------------------------------------------------

    def _context(self, locale: str, client: ProviderClient | None = None) -> str:
        """Answers depend on the glossary terms that were enforced, and an LLM's on its model."""
        context = f"glossary:{self.glossary.terms_hash(locale)}" if self.glossary else ""
        model = self.settings.provider(client.name).model if client and PROVIDERS[client.name].documents else None
        return f"{context} model:{model}".strip() if model else context

    def for_batch(self) -> "Engine":
        """This engine as one batch sees it: the same providers, limits, cache,
        claims, usage and stop, with answers kept in memory for this batch
        alone (`forget` drops them), so two batches in flight side by side each
        find what they would find one after the other."""
        view = copy.copy(self)
        view._memo, view._formats, view._documents = {}, {}, {}
        if self._carried is not None:      # see `carry`
            (view._memo, view._ready), self._carried = self._carried, None
        view._busy = self._busy            # time in flight counted once, on this engine
        return view

    def carry(self, ahead: "Engine", ready: threading.Event) -> None:
        """The answers `ahead` (a view of this engine) has and is still getting
        go to the next batch, which asks nothing before `ready` is set: texts
        asked before the run began (`drafting.ahead`) are bought once."""
        self._carried = (ahead._memo, ready)

    @property
    def carrying(self) -> bool:
        """The next batch has answers asked for it ahead (an interrupted run still writes what is in)."""
        return self._carried is not None

    def forget(self) -> None:
        """Drop this run's answers kept in memory (a batch is done): successes stay
        in the cache, and a provider given up stays given up."""
        self._memo.clear()
        self._formats.clear()
        with self._lock:
            self._documents.clear()

    @property
    def seconds(self) -> float:
        """Wall time during which requests were in flight (not the time between
        batches, when catalogs are written and nothing is asked)."""
        return self._busy_seconds

    def summary(self) -> list[dict]:
        return self._usage.rows()

    def document_summary(self) -> list[dict]:
        """Calls and tokens per document and locale, of the LLM drafting this engine did."""
        return self._usage.document_rows()
