"""The MT engine: deep-translator's providers made fast, cheap and resilient.

    with Engine.for_project(project) as engine:
        results = engine.translate(texts, "zh_CN")      # {text: Result}

For each distinct text, in order: this run's earlier answer, then the cache
(any provider of the locale's chain: a translation already paid for is never
bought again), then the providers of the chain in order. Glossary terms are
masked before MT and come back as their approved translation. Requests to a
provider run concurrently within its limits (connections, requests per second,
characters per minute), each with a total deadline; a request far slower
than the provider usually answers is abandoned and sent again well before it
(its socket shut down, so it holds no connection); 429, 5xx, timeouts and
garbage (including an answer far longer than any translation of the text) are
retried with exponential backoff and jitter (Retry-After respected); after
repeated failures the provider is skipped for the rest of the run and the next
one in the chain takes over. Texts nobody could translate come back with the
reason, and wait for the next run. `stop()` (Ctrl-C) sends nothing more and
gives the answers in flight `attempts.GRACE_SECONDS` to arrive. How one
request is sent (slot, pace, deadline, tail tolerance, retries): `attempts`.
"""

from __future__ import annotations

import threading
import time
import uuid
import weakref
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from traduco.config import MTSettings, Project
from traduco.mt import masking, segments
from traduco.mt.cache import Owner, TranslationCache
from traduco.mt.attempts import Requesting
from traduco.mt.failures import Failure
from traduco.mt.limits import Budget, Latency, Pacer
from traduco.mt.providers import PROVIDERS, Adapter, Limits, check_settings, language_code, secrets_for
from traduco.glossary import Glossary, load_glossary

CLAIM_POLL_SECONDS = 0.2     # how often to look for an answer another engine is getting
POOL_PER_CONNECTION = 4      # requests under way (sending or backing off) per connection


@dataclass(frozen=True)
class Result:
    text: str | None                 # the translation, or None if no provider could
    error: str | None = None         # why not, for the review queue
    provider: str | None = None      # who translated it
    cached: bool = False             # paid for in an earlier run
    lost: tuple[str, ...] = ()       # protected spans the provider dropped: check the draft


@dataclass
class Usage:
    """What one run cost, per provider and locale."""
    requests: int = 0
    characters: int = 0
    cache_hits: int = 0
    translated: int = 0
    retries: int = 0
    failures: int = 0


@dataclass
class _Job:
    text: str
    masked: masking.Masked
    pieces: list[str]
    done: list[str | None] = field(default_factory=list)


class Engine(Requesting):
    _running: "weakref.WeakSet[Engine]" = weakref.WeakSet()

    def __init__(self, settings: MTSettings, source_language: str, cache: TranslationCache,
                 glossary: Glossary | None = None, sleep: Callable[[float], None] | None = None,
                 secrets: dict[str, dict[str, str]] | None = None):
        self.settings = settings
        self._secrets = dict(secrets or {})     # provider -> keys, looked up once per engine
        self.source_language = source_language
        self.cache = cache
        self.glossary = glossary
        self.usage: dict[tuple[str, str], Usage] = {}
        self.outages: dict[str, str] = {}      # provider -> why it is skipped for this run
        self._stopping = threading.Event()
        self._stopped_at = 0.0
        self._sleep = sleep or self._stopping.wait     # backoff ends at once on stop()
        self._asking = 0                  # translate() calls with requests in flight
        self._asking_since = 0.0
        self._busy_seconds = 0.0          # time with at least one provider request in flight
        self._memo: dict[tuple[str, str], Result] = {}
        self._formats: dict[str, frozenset[str]] = {}   # text -> its format flags (python-format, ...)
        self._budgets = {n: Budget(settings.provider(n).budget_characters) for n in settings.names()}
        self._pacers = {n: Pacer(self.limits(n)) for n in settings.names()}
        self._failures = {n: 0 for n in settings.names()}
        self._latency = {n: Latency() for n in settings.names()}
        self._pools: dict[str, ThreadPoolExecutor] = {}
        # A connection slot is held only while a request is out: a request
        # backing off or waiting for its pace holds none.
        self._slots = {n: threading.BoundedSemaphore(self.limits(n).connections) for n in settings.names()}
        self._adapters = threading.local()
        self._lock = threading.Lock()
        self._owner = Owner.this_process(uuid.uuid4().hex)   # this engine, in the cache's claims
        self._closed = threading.Event()
        self._heartbeat: threading.Thread | None = None
        Engine._running.add(self)

    @classmethod
    def for_project(cls, project: Project, **kwargs) -> "Engine":
        # Here, in the flow's own thread: Prefect Secret blocks are only visible
        # where its run context is, not in the engine's connection threads.
        secrets = {name: secrets_for(name) for name in project.mt.names() if name in PROVIDERS}
        check_settings(project.mt, secrets=secrets)
        return cls(project.mt, project.source_language,
                   TranslationCache(project.state_dir / "mt-cache.sqlite"),
                   glossary=load_glossary(project), secrets=secrets, **kwargs)

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for pool in self._pools.values():
            pool.shutdown(wait=True)
        self._pools.clear()
        self._closed.set()
        Engine._running.discard(self)

    # -- stopping -------------------------------------------------------------

    def stop(self) -> None:
        """Send nothing more; answers in flight get GRACE_SECONDS, then are
        abandoned. Texts not answered come back with the reason and wait."""
        with self._lock:
            if not self._stopping.is_set():
                self._stopped_at = time.monotonic()
                self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    @classmethod
    def running(cls) -> bool:
        """Some engine of this process is open (a run is drafting)."""
        return bool(cls._running)

    @classmethod
    def stop_all(cls) -> None:
        """Every engine of this process (Ctrl-C, SIGTERM, a cancelled flow run)."""
        for engine in list(cls._running):
            engine.stop()

    def _interrupted(self, name: str) -> Failure:
        return Failure(f"{name}: the run was interrupted before this text was answered")

    def limits(self, name: str) -> Limits:
        default, own = PROVIDERS[name].limits, self.settings.provider(name)
        return Limits(own.requests_per_second or default.requests_per_second,
                      own.characters_per_minute or default.characters_per_minute,
                      own.connections or default.connections)

    # -- translating ---------------------------------------------------------

    def translate(self, texts: Iterable[str], locale: str,
                  on_result: Callable[[str, Result], None] | None = None,
                  formats: Mapping[str, Collection[str]] | None = None) -> dict[str, Result]:
        """Translate each distinct text once; failures come back as Results with an error.
        `formats` gives the gettext flags of texts that are format strings: only
        their placeholders are masked (in prose `20% sui` is a percentage)."""
        self._formats.update({text: frozenset(flags) for text, flags in (formats or {}).items()})
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
        for text in todo:
            if text not in results:
                results[text] = Result(None, "; ".join(dict.fromkeys(errors[text])) or
                                       self._interrupted(self.settings.chain_for(locale)[0]).reason)
                if not self.stopping:    # an interrupted text did not fail: it waits
                    self._usage(self.settings.chain_for(locale)[-1], locale).failures += 1
                settle(text, results[text])
        return results

    def consult(self, name: str, texts: Iterable[str], locale: str) -> dict[str, Result]:
        """One provider's answers, outside the locale's chain (a second opinion):
        from the cache when paid for before, else asked within that provider's
        limits and budget. Failures come back as Results with an error."""
        todo = list(dict.fromkeys(texts))
        self._busy(+1)
        try:
            results = self._send(name, todo, locale, None)
        finally:
            self._busy(-1)
        return {text: results.get(text) or Result(None, f"{name} gave no translation") for text in todo}

    def _ask(self, todo: list[str], locale: str, results: dict[str, Result],
             errors: dict[str, list[str]], settle) -> None:
        """Down the locale's provider chain until every text has an answer or no provider is left."""
        for name in self.settings.chain_for(locale):
            if not todo or self.stopping:
                return
            for text, result in self._send(name, todo, locale, settle).items():
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
            cached = self._cached(name, locale, text)
            if cached is not None:
                return cached
        return None

    def _cached(self, name: str, locale: str, text: str) -> Result | None:
        """One provider's answer for `text`, if any engine has paid for it before."""
        source, target = self._codes(name, locale)
        cached = self.cache.get(name, source, target, text, self._context(locale))
        if cached is None:
            return None
        self._usage(name, locale).cache_hits += 1
        return Result(cached, provider=name, cached=True)

    def _send(self, name: str, texts: list[str], locale: str, on_result) -> dict[str, Result]:
        """Translate `texts` with one provider. A text another engine is asking
        for right now (a Dask worker) is waited for and read from the shared
        cache: nobody pays for it twice."""
        source, target = self._codes(name, locale)
        context = self._context(locale)
        results: dict[str, Result] = {}
        self._keep_claims_alive()
        while texts:
            elsewhere = set(self.cache.claim(name, source, target, texts, context, self._owner))
            mine = [text for text in texts if text not in elsewhere]
            try:
                unanswered = []
                for text in mine:   # answered since we last looked, by whoever
                    cached = self._cached(name, locale, text)
                    if cached is None:
                        unanswered.append(text)
                        continue
                    results[text] = cached
                    if on_result:
                        on_result(text, cached)
                results.update(self._send_claimed(name, unanswered, locale, on_result))
            finally:
                self.cache.release(name, source, target, mine, context, self._owner)
            texts = [text for text in texts if text in elsewhere]
            if texts and self._stopping.wait(CLAIM_POLL_SECONDS):
                results.update({text: Result(None, self._interrupted(name).reason) for text in texts})
                break
        return results

    def _keep_claims_alive(self) -> None:
        """The heartbeat: while this engine lives, its claims never expire."""
        with self._lock:
            if self._heartbeat is not None:
                return
            self._heartbeat = threading.Thread(target=self._beat, name="traduco-claims", daemon=True)
        self._heartbeat.start()

    def _beat(self) -> None:
        while not self._closed.wait(self.cache.claim_seconds / 4):
            try:
                self.cache.renew(self._owner)
            except Exception:   # a busy database: the next beat renews them
                pass

    def _send_claimed(self, name: str, texts: list[str], locale: str, on_result) -> dict[str, Result]:
        """Translate `texts` with one provider, concurrently within its limits."""
        results: dict[str, Result] = {}
        jobs: list[_Job] = []
        spec = PROVIDERS[name]
        for text in texts:
            if name in self.outages:
                results[text] = Result(None, self.outages[name])
            elif not self._budgets[name].reserve(len(text)):
                results[text] = Result(None, f"{name}: the character budget for this run "
                                             f"({self._budgets[name].limit:,}) is spent")
            else:
                masked = masking.protect(text, self.glossary.mask_terms(locale) if self.glossary else [],
                                         self._formats.get(text, ()))
                pieces = segments.split(masked.text, spec.max_chars, self.source_language)
                jobs.append(_Job(text, masked, pieces, [None] * len(pieces)))
        batches = self._batches(jobs, spec.batch_size, spec.max_chars)
        pool = self._pool(name)
        futures = [(batch, pool.submit(self._request, name, locale, [jobs[j].pieces[p] for j, p in batch]))
                   for batch in batches]
        last = {j: k for k, batch in enumerate(batches) for j, _ in batch}   # a job's last request
        failed: dict[int, str] = {}
        for k, (batch, future) in enumerate(futures):
            outcome = future.result()
            for (j, p), translated in zip(batch, outcome if isinstance(outcome, list) else []):
                jobs[j].done[p] = translated
            if isinstance(outcome, Failure):
                for j, _ in batch:
                    failed[j] = outcome.reason
            # Each text is done as soon as its last request is: its catalog can be
            # written while later requests are still in flight.
            for j in dict.fromkeys(j for j, _ in batch):
                if last[j] != k:
                    continue
                if j in failed:
                    results[jobs[j].text] = Result(None, failed[j])
                    continue
                results[jobs[j].text] = result = self._finish(name, locale, jobs[j])
                if on_result:
                    on_result(jobs[j].text, result)
        return results

    def _finish(self, name: str, locale: str, job: _Job) -> Result:
        joined = segments.join([piece for piece in job.done if piece is not None], locale)
        translation, lost = masking.restore(joined, job.masked)
        source, target = self._codes(name, locale)
        if not lost:   # a draft missing a URL is not worth keeping for later runs
            self.cache.put(name, source, target, job.text, translation, self._context(locale))
        self._usage(name, locale).translated += 1
        return Result(translation, provider=name, lost=tuple(lost))

    @staticmethod
    def _batches(jobs: list[_Job], size: int, max_chars: int) -> list[list[tuple[int, int]]]:
        """Pieces grouped into requests: one per request, or up to `size` for
        providers whose API takes a list."""
        batches: list[list[tuple[int, int]]] = []
        current: list[tuple[int, int]] = []
        chars = 0
        for j, job in enumerate(jobs):
            for p, piece in enumerate(job.pieces):
                if current and (len(current) >= size or chars + len(piece) > max_chars):
                    batches.append(current)
                    current, chars = [], 0
                current.append((j, p))
                chars += len(piece)
        if current:
            batches.append(current)
        return batches

    # -- plumbing -------------------------------------------------------------

    def _adapter(self, name: str, locale: str) -> Adapter:
        key = (name, locale)
        adapters = getattr(self._adapters, "by_key", None)
        if adapters is None:
            adapters = self._adapters.by_key = {}
        if key not in adapters:
            source, target = self._codes(name, locale)
            adapters[key] = Adapter(name, source, target, self.settings.provider(name).url,
                                    self._keys(name))
        return adapters[key]

    def _keys(self, name: str) -> dict[str, str]:
        with self._lock:
            if name not in self._secrets:
                self._secrets[name] = secrets_for(name)
            return self._secrets[name]

    def _pool(self, name: str) -> ThreadPoolExecutor:
        with self._lock:
            if name not in self._pools:
                # More workers than connections: those backing off leave their slot to others.
                self._pools[name] = ThreadPoolExecutor(POOL_PER_CONNECTION * self.limits(name).connections,
                                                       thread_name_prefix=f"traduco-{name}")
            return self._pools[name]

    def _context(self, locale: str) -> str:
        """Answers depend on the glossary terms that were enforced."""
        return f"glossary:{self.glossary.fingerprint(locale)}" if self.glossary else ""

    def _codes(self, name: str, locale: str) -> tuple[str, str]:
        return language_code(name, self.source_language), language_code(name, locale)

    def _usage(self, name: str, locale: str) -> Usage:
        with self._lock:
            return self.usage.setdefault((name, locale), Usage())

    def forget(self) -> None:
        """Drop this run's answers kept in memory (a batch is done): successes stay
        in the cache, and a provider given up stays given up."""
        self._memo.clear()
        self._formats.clear()

    @property
    def seconds(self) -> float:
        """Wall time during which requests were in flight (not the time between
        batches, when catalogs are written and nothing is asked)."""
        return self._busy_seconds

    def summary(self) -> list[dict]:
        return [{"provider": provider, "locale": locale, **vars(usage)}
                for (provider, locale), usage in sorted(self.usage.items())]
