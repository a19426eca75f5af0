"""Pacing requests within a provider's limits, across worker threads.

    pacer = Pacer(Limits(requests_per_second=5, characters_per_minute=100_000))
    pacer.wait(len(text))     # blocks until this request may go
    pacer.hold(30)            # Retry-After: everyone waits 30 s
    latency.patience(30)      # how long a request may take before it is late
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import replace

from traduco.project.loading import MTSettings
from traduco.project.providers import PROVIDERS, Limits


class Pacer:
    """Spaces requests evenly (no bursts), so a provider counting per second or
    per minute never sees more than its limit. Thread-safe."""

    def __init__(self, limits: Limits, clock=time.monotonic, sleep=time.sleep):
        self._interval = 1.0 / limits.requests_per_second if limits.requests_per_second > 0 else 0.0
        self._chars_per_second = limits.characters_per_minute / 60.0 if limits.characters_per_minute > 0 else 0.0
        self._next_request = 0.0
        self._next_chars = 0.0
        self._held_until = 0.0
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def wait(self, characters: int, stop: threading.Event | None = None) -> bool:
        """Block until this request may go; False if `stop` was set meanwhile."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next_request, self._next_chars, self._held_until)
            self._next_request = start + self._interval
            if self._chars_per_second:
                self._next_chars = max(start, self._next_chars) + characters / self._chars_per_second
        delay = start - self._clock()
        if stop is not None:
            return not stop.wait(max(0.0, delay))
        if delay > 0:
            self._sleep(delay)
        return True

    def hold(self, seconds: float) -> None:
        """The provider asked us to back off (429 Retry-After): nobody sends before then."""
        with self._lock:
            self._held_until = max(self._held_until, self._clock() + seconds)


class Latency:
    """How long a provider usually takes to answer, learnt during the run, so
    a request far slower than usual (a hung socket) is given up long before the
    configured deadline. Until enough answers are in, the deadline is all we know."""

    SAMPLES = 200           # the most recent answers count
    LEARNT_AFTER = 8        # answers before we trust what we learnt
    FACTOR = 4.0            # late: this many times the 95th percentile
    FLOOR_SECONDS = 2.0     # never late before this

    def __init__(self):
        self._seconds: deque[float] = deque(maxlen=self.SAMPLES)
        self._lock = threading.Lock()

    def answered(self, seconds: float) -> None:
        with self._lock:
            self._seconds.append(seconds)

    def patience(self, deadline: float) -> float:
        """Seconds after which a request is late; never past the deadline."""
        with self._lock:
            if len(self._seconds) < self.LEARNT_AFTER:
                return deadline
            ordered = sorted(self._seconds)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        return min(deadline, max(self.FLOOR_SECONDS, self.FACTOR * p95))


class Budget:
    """A ceiling on characters sent to one provider in one run; thread-safe."""

    def __init__(self, characters: int | None):
        self.limit = characters
        self.spent = 0
        self._lock = threading.Lock()

    def reserve(self, characters: int) -> bool:
        """Take `characters` from the budget if they fit without crossing it."""
        with self._lock:
            if self.limit is not None and self.spent + characters > self.limit:
                return False
            self.spent += characters
            return True


def shared(settings: MTSettings, parts: int) -> MTSettings:
    """The settings for one of `parts` engines working at once (Dask worker
    threads): each gets an equal share of every provider's pace, volume,
    connections and budget, so together they stay within the provider's limits.
    With a Prefect server the pace and volume are shared there (`shared_limits`),
    so each keeps them whole."""
    if parts <= 1:
        return settings
    from traduco.mt.shared_limits import server_url
    pace = 1 if server_url() else parts     # with a Prefect server, the pace is shared there, whole
    providers = []
    for name in settings.names():
        own, default = settings.provider(name), PROVIDERS[name].limits
        budget = own.budget_characters
        providers.append(replace(
            own, requests_per_second=(own.requests_per_second or default.requests_per_second) / pace,
            characters_per_minute=max(1, (own.characters_per_minute or default.characters_per_minute) // pace),
            tokens_per_minute=None if own.tokens_per_minute is None else max(1, own.tokens_per_minute // pace),
            connections=max(1, (own.connections or default.connections) // parts),
            budget_characters=None if budget is None else budget // parts))
    return replace(settings, providers=tuple(providers))
