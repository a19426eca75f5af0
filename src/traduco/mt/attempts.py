"""One request to a provider, as the engine sends it: a connection slot, the
pace, a total deadline, tail tolerance and retries.

A connection slot is held only while the request is out (a request backing
off or waiting for its pace holds none). The request runs as a
`transport.Attempt`, waited for until it answers, the deadline passes (total,
not per read: a trickle is cut off like a hang), or it is late: far slower
than the provider usually answers (`Latency`, learnt during the run). A late
request is abandoned, its socket shut down, and sent again at once if the
budget can pay for it a second time. 429, 5xx, timeouts and garbage (among
them an answer far longer than any translation of the text) are retried with
exponential backoff and jitter; Retry-After holds every worker. Only what
reached the provider counts as a request in the usage table.

`Requesting` is the engine's part that does this (a mixin over the engine's
limits, budgets, usage and stop flag).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from traduco.mt import transport
from traduco.mt.failures import Failure, classify
from traduco.mt.providers import PROVIDERS

MAX_BACKOFF_SECONDS = 60.0
GRACE_SECONDS = 1.5          # after stop(): how long answers in flight may still take
WATCH_SECONDS = 0.1          # how often a waiting request looks whether the run was stopped
OVERLONG_FACTOR, OVERLONG_SLACK = 4, 100   # no translation is longer than 4 x the text + 100


@dataclass(frozen=True)
class _Late(Failure):
    """A request abandoned for being far slower than usual: sent again at once."""


class Requesting:
    """Mixed into the Engine, whose state it uses: settings, outages, pacers,
    slots, budgets, latency, failures in a row, usage, keys, adapters, and the
    stop flag."""

    def _request(self, name: str, locale: str, texts: list[str]) -> list[str] | Failure:
        secrets = self._keys(name)
        characters = sum(len(t) for t in texts)
        for attempt in range(1, self.settings.max_attempts + 1):
            if self.stopping:
                return self._interrupted(name)
            if name in self.outages:
                return Failure(self.outages[name], fatal=True)
            if not self._take_slot(name):
                return self._interrupted(name)
            try:
                if not self._pacers[name].wait(characters, self._stopping):
                    return self._interrupted(name)
                outcome = self._attempt(name, locale, texts, characters, secrets)
            finally:
                self._slots[name].release()
            if isinstance(outcome, list):
                with self._lock:
                    self._failures[name] = 0
                return outcome
            failure = outcome
            if self.stopping:
                return self._interrupted(name)
            if failure.fatal or attempt == self.settings.max_attempts:
                return self._give_up(name, failure)
            if not failure.retry:
                return failure
            usage = self._usage(name, locale)
            with self._lock:
                usage.retries += 1
            if not isinstance(failure, _Late):     # a hung request: send again at once
                self._back_off(name, attempt, failure)
        raise AssertionError("unreachable")

    def _take_slot(self, name: str) -> bool:
        while not self._slots[name].acquire(timeout=WATCH_SECONDS):
            if self.stopping:
                return False
        return True

    def _attempt(self, name: str, locale: str, texts: list[str], characters: int,
                 secrets: dict[str, str]) -> list[str] | Failure:
        """One request, waited for until it answers, the deadline (total, not
        per read) passes, or it is late: far slower than the provider usually
        answers. A late request is abandoned so that it can be sent again, if
        the budget can pay for it once more; otherwise it has until the deadline."""
        deadline = self.settings.deadline_seconds
        patience = self._latency[name].patience(deadline)
        adapter = self._adapter(name, locale)
        call = transport.start(lambda: _check_answer(name, texts, adapter.translate(texts)), deadline)
        outcome: list[str] | Failure | None = None
        while not call.wait(WATCH_SECONDS):
            limit = min(deadline, self._stopped_at + GRACE_SECONDS - call.started) if self.stopping else deadline
            if call.elapsed >= limit:
                outcome = Failure(f"{name} did not answer within {deadline:g} s", retry=True)
                break
            if call.elapsed >= patience and self._budgets[name].reserve(characters):
                outcome = _Late(f"{name} took over {patience:.1f} s, far longer than it usually "
                                "does: given up", retry=True)
                break
            if call.elapsed >= patience:
                patience = deadline      # no budget to ask again: the deadline decides
        if outcome is not None:
            call.abandon()
            self._adapters.by_key.pop((name, locale), None)   # the abandoned thread may still hold it
        elif call.error is None:
            self._latency[name].answered(call.elapsed)
            outcome = call.value
        else:
            outcome = classify(name, call.error, call.response, secrets, deadline)
        if call.reached:   # only what reached the provider is a request (and may be billed)
            usage = self._usage(name, locale)
            with self._lock:
                usage.requests += 1 if PROVIDERS[name].batch_size > 1 else len(texts)
                usage.characters += characters
        return outcome

    def _back_off(self, name: str, attempt: int, failure: Failure) -> None:
        if failure.retry_after is not None:
            self._pacers[name].hold(failure.retry_after)
            self._sleep(min(failure.retry_after, MAX_BACKOFF_SECONDS))
            return
        delay = min(MAX_BACKOFF_SECONDS, self.settings.backoff_seconds * 2 ** (attempt - 1))
        self._sleep(delay * random.uniform(0.5, 1.5))

    def _give_up(self, name: str, failure: Failure) -> Failure:
        """A request failed for good: after enough of those in a row (or one fatal
        failure, such as a refused key) the provider sits out the rest of the run."""
        with self._lock:
            self._failures[name] += 1
            if failure.fatal or self._failures[name] >= self.settings.failures_before_skipping:
                self.outages.setdefault(name, f"{failure.reason}; {name} is skipped for the rest of this run")
        return replace(failure, reason=self.outages.get(name, failure.reason))


def _check_answer(name: str, texts: list[str], translated: object) -> list[str]:
    """The answer, if it can be a translation of `texts`: one non-empty string
    each, none far longer than any translation could be (refused before
    anything else reads it)."""
    if not isinstance(translated, list) or len(translated) != len(texts) \
            or not all(isinstance(t, str) and t.strip() for t in translated):
        raise ValueError(f"{name} answered with something that is not a translation")
    if any(len(t) > OVERLONG_FACTOR * len(source) + OVERLONG_SLACK for source, t in zip(texts, translated)):
        raise ValueError(f"{name} answered with something far longer than a translation")
    return translated
