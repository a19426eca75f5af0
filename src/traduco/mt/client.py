"""One provider, as an engine talks to it: its limits, budget and connection
slots, retries with backoff, and the breaker that gives it up for the run.

    client = ProviderClient("libre", settings, "it", usage, stop)
    client.request("zh_CN", ["Ciao"])      # ["你好"], or a Failure saying why not

A connection slot is held only while a request is out (a request backing
off or waiting for its pace holds none). The request runs as a
`transport.Attempt`, waited for until it answers, the deadline passes (total,
not per read: a trickle is cut off like a hang), or it is late: far slower
than the provider usually answers (`Latency`, learnt during the run). A late
request is abandoned, its socket shut down, and sent again at once if the
budget can pay for it a second time. 429, 5xx, timeouts and garbage (among
them an answer far longer than any translation of the text) are retried with
exponential backoff and jitter; Retry-After holds every worker. After
`failures_before_skipping` requests failed for good in a row (or one fatal
failure: a refused key) the breaker opens: the provider sits out the rest of
the run. Only what reached the provider counts as a request in the usage table.
An exception that is not the provider's (`failures.classify`) is a bug in
traduco and propagates as one.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

from traduco import redaction
from traduco.mt import transport
from traduco.mt.adapters import Adapter, secrets_for
from traduco.mt.failures import Failure, NotATranslation, SecretInAnswer, classify
from traduco.mt.limits import Budget, Latency, Pacer
from traduco.mt.llm import ChatAdapter, Exchange, Features, Reply
from traduco.mt.shared_limits import limits_of
from traduco.mt.usage import UsageTable
from traduco.project.loading import MTSettings
from traduco.project.providers import PROVIDERS, language_code
from traduco.project.secrets import known_secrets

MAX_BACKOFF_SECONDS = 60.0
GRACE_SECONDS = 1.5          # after stop(): how long answers in flight may still take
WATCH_SECONDS = 0.1          # how often a waiting request looks whether the run was stopped
OVERLONG_FACTOR, OVERLONG_SLACK = 4, 100   # no translation is longer than 4 x the text + 100
POOL_PER_CONNECTION = 4      # requests under way (sending or backing off) per connection


class Stop:
    """The run was asked to stop (Ctrl-C): shared by an engine and its clients."""

    def __init__(self):
        self.event = threading.Event()
        self.at = 0.0
        self._lock = threading.Lock()

    def set(self) -> None:
        with self._lock:
            if not self.event.is_set():
                self.at = time.monotonic()
                self.event.set()

    def __bool__(self) -> bool:
        return self.event.is_set()


@dataclass(frozen=True)
class _Late(Failure):
    """A request abandoned for being far slower than usual: sent again at once."""


def interrupted(name: str) -> Failure:
    return Failure(f"{name}: the run was interrupted before this text was answered")


class ProviderClient:
    def __init__(self, name: str, settings: MTSettings, source_language: str, usage: UsageTable,
                 stop: Stop, sleep: Callable[[float], None] | None = None, secrets: dict[str, str] | None = None,
                 shared_pace=None):
        self.name, self.settings, self.source_language = name, settings, source_language
        self.usage, self.stop = usage, stop
        self._sleep = sleep or stop.event.wait       # backoff ends at once on stop()
        self._secrets = secrets
        self._forms: list[str] | None = None
        own = settings.provider(name)
        self.limits = limits_of(settings, name)
        self.budget = Budget(own.budget_characters)
        self.outage: str | None = None                # why the provider sits out the rest of the run
        self._pacer = Pacer(self.limits)
        self._shared_pace = shared_pace               # limits shared with other runs (a Prefect server)
        self._latency = Latency()
        self._slots = threading.BoundedSemaphore(self.limits.connections)
        self._failures_in_a_row = 0
        self._answers = 0                             # requests answered so far (a 429 alone or not)
        self._adapters = threading.local()
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._features = Features()                   # what an LLM server supports, learnt once

    @property
    def label(self) -> str:
        """Who drafted, as provenance and pages name it: an LLM with its model ("openai:qwen-plus")."""
        model = self.settings.provider(self.name).model
        return f"{self.name}:{model}" if PROVIDERS[self.name].documents and model else self.name

    def submit(self, locale: str, texts: "list[str] | Exchange") -> "Future[list[str] | Reply | Failure]":
        with self._lock:
            if self._pool is None:
                # More workers than connections: those backing off leave their slot to others.
                self._pool = ThreadPoolExecutor(POOL_PER_CONNECTION * self.limits.connections,
                                                thread_name_prefix=f"traduco-{self.name}")
            return self._pool.submit(self.request, locale, texts)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def codes(self, locale: str) -> tuple[str, str]:
        return language_code(self.name, self.source_language), language_code(self.name, locale)

    def _secret_forms(self) -> list[str]:
        if self._forms is None:     # the same list whichever thread makes it first
            self._forms = redaction.secret_forms([*self.keys().values(), *known_secrets()])
        return self._forms

    def keys(self) -> dict[str, str]:
        with self._lock:
            if self._secrets is None:
                self._secrets = secrets_for(self.name)
            return self._secrets

    # -- one request, with retries ------------------------------------------

    def request(self, locale: str, texts: "list[str] | Exchange") -> "list[str] | Reply | Failure":
        """Texts to translate, or an LLM's exchange (its volume counted in tokens)."""
        characters = texts.volume if isinstance(texts, Exchange) else sum(len(t) for t in texts)
        answers_before = self._answers
        for attempt in range(1, self.settings.max_attempts + 1):
            if self.stop:
                return interrupted(self.name)
            if self.outage:
                return Failure(self.outage, fatal=True)
            if not self._take_slot():
                return interrupted(self.name)
            try:
                if not self._paced(characters):
                    return interrupted(self.name)
                outcome = self._attempt(locale, texts, characters)
            finally:
                self._slots.release()
            if not isinstance(outcome, Failure):
                with self._lock:
                    self._failures_in_a_row = 0
                    self._answers += 1
                return outcome
            failure = outcome
            if self.stop:
                return interrupted(self.name)
            if failure.fatal or attempt == self.settings.max_attempts:
                return self._give_up(failure, answered_meanwhile=self._answers > answers_before)
            if not failure.retry:
                return failure
            self.usage.count(self.name, locale, retries=1)
            if not isinstance(failure, _Late):     # a hung request: send again at once
                self._back_off(attempt, failure)
        raise AssertionError("unreachable")

    def _paced(self, characters: int) -> bool:
        """Wait for this run's pace, then for the pace shared with other runs."""
        if not self._pacer.wait(characters, self.stop.event):
            return False
        return self._shared_pace is None or self._shared_pace.wait(characters, self.stop.event)

    def _take_slot(self) -> bool:
        while not self._slots.acquire(timeout=WATCH_SECONDS):
            if self.stop:
                return False
        return True

    def _attempt(self, locale: str, texts: list[str], characters: int) -> list[str] | Failure:
        """One request, waited for until it answers, the deadline (total, not
        per read) passes, or it is late: far slower than the provider usually
        answers. A late request is abandoned so that it can be sent again, if
        the budget can pay for it once more; otherwise it has until the deadline."""
        deadline = self.settings.deadline_seconds
        patience = self._latency.patience(deadline)
        adapter = self._adapter(locale)
        forms = self._secret_forms()
        if isinstance(texts, Exchange):
            call = transport.start(lambda: _check_reply(self.name, adapter.exchange(texts), forms), deadline)
        else:
            call = transport.start(lambda: _check_answer(self.name, texts, adapter.translate(texts), forms), deadline)
        outcome: list[str] | Failure | None = None
        while not call.wait(WATCH_SECONDS):
            limit = min(deadline, self.stop.at + GRACE_SECONDS - call.started) if self.stop else deadline
            if call.elapsed >= limit:
                outcome = Failure(f"{self.name} did not answer within {deadline:g} s", retry=True)
                break
            if call.elapsed >= patience and self.budget.reserve(characters):
                outcome = _Late(f"{self.name} took over {patience:.1f} s, far longer than it usually "
                                "does: given up", retry=True)
                break
            if call.elapsed >= patience:
                patience = deadline      # no budget to ask again: the deadline decides
        if outcome is not None:
            call.abandon()
            self._adapters.by_locale.pop(locale, None)   # the abandoned thread may still hold it
        if call.reached:   # only what reached the provider is a request (and may be billed)
            self.usage.count(self.name, locale,
                             characters=texts.characters if isinstance(texts, Exchange) else characters,
                             requests=1 if PROVIDERS[self.name].batch_size > 1 else len(texts))
        if outcome is not None:
            return outcome
        if call.error is None:
            self._latency.answered(call.elapsed)
            if isinstance(call.value, Reply):     # tokens are billed whatever the answer is worth
                self.usage.count(self.name, locale, prompt_tokens=call.value.prompt_tokens,
                                 completion_tokens=call.value.completion_tokens)
            return call.value
        return classify(self.name, call.error, call.response, self.keys(), deadline)

    def _back_off(self, attempt: int, failure: Failure) -> None:
        if failure.retry_after is not None:
            self._pacer.hold(failure.retry_after)
            self._sleep(min(failure.retry_after, MAX_BACKOFF_SECONDS))
            return
        delay = min(MAX_BACKOFF_SECONDS, self.settings.backoff_seconds * 2 ** (attempt - 1))
        self._sleep(delay * random.uniform(0.5, 1.5))

    def _give_up(self, failure: Failure, answered_meanwhile: bool = False) -> Failure:
        """A request failed for good: after enough of those in a row (or one fatal
        failure, such as a refused key) the breaker opens for the rest of the run."""
        if failure.rate_limited and not answered_meanwhile:
            # Still limited after every attempt, and nobody else answered either: the next requests
            # would only wait out the same Retry-After, round after round, in silence. Out for the
            # run, saying what to set. (A busy provider's occasional 429s, others answered meanwhile,
            # fail this request alone: its units wait for the next run.)
            failure = replace(failure, fatal=True, reason=(
                f"{self.name} kept rate-limiting us (HTTP 429) through {self.settings.max_attempts} attempts: "
                f"set requests_per_second and tokens_per_minute in [tool.traduco.mt.providers.{self.name}] "
                "to your account's tier"))
        with self._lock:
            self._failures_in_a_row += 1
            if self.outage is None and (failure.fatal or
                                        self._failures_in_a_row >= self.settings.failures_before_skipping):
                self.outage = f"{failure.reason}; {self.name} is skipped for the rest of this run"
        return replace(failure, reason=self.outage or failure.reason)

    def _adapter(self, locale: str) -> "Adapter | ChatAdapter":
        """One per worker thread and locale: deep-translator's clients mutate themselves."""
        adapters = getattr(self._adapters, "by_locale", None)
        if adapters is None:
            adapters = self._adapters.by_locale = {}
        if locale not in adapters and PROVIDERS[self.name].documents:
            own = self.settings.provider(self.name)
            adapters[locale] = ChatAdapter(own.url, own.model or "", self.keys().get("OPENAI_API_KEY"),
                                           self.settings.deadline_seconds, self._features, own.temperature)
        if locale not in adapters:
            source, target = self.codes(locale)
            adapters[locale] = Adapter(self.name, source, target, self.settings.provider(self.name).url,
                                       self.keys())
        return adapters[locale]


def _check_reply(name: str, reply: Reply, secrets: list[str]) -> Reply:
    """An LLM's reply, refused whole if it holds a secret in any encoding:
    no unit of it may reach a catalog or the cache."""
    if redaction.contains(reply.content or "", secrets) or redaction.contains(reply.refusal or "", secrets):
        raise SecretInAnswer(f"{name} answered with a secret (a key or token of this server, encoded or not) "
                             "instead of a translation: refused, and it gets no more texts this run")
    return reply


def _check_answer(name: str, texts: list[str], translated: object, secrets: list[str]) -> list[str]:
    """The answer, if it can be a translation of `texts`: one non-empty string
    each, none far longer than any translation could be, none holding a
    secret in any encoding (refused before anything else reads it: never in a
    catalog or the cache)."""
    if not isinstance(translated, list) or len(translated) != len(texts) \
            or not all(isinstance(t, str) and t.strip() for t in translated):
        raise NotATranslation(f"{name} answered with something that is not a translation")
    if any(len(t) > OVERLONG_FACTOR * len(source) + OVERLONG_SLACK for source, t in zip(texts, translated)):
        raise NotATranslation(f"{name} answered with something far longer than a translation")
    if any(redaction.contains(t, secrets) for t in translated):
        raise SecretInAnswer(f"{name} answered with a secret (a key or token of this server, encoded or not) "
                             "instead of a translation: refused, and it gets no more texts this run")
    return translated
