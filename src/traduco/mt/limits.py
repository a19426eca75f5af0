"""Pacing requests within a provider's limits, across worker threads.

    pacer = Pacer(Limits(requests_per_second=5, characters_per_minute=100_000))
    pacer.wait(len(text))     # blocks until this request may go
    pacer.hold(30)            # Retry-After: everyone waits 30 s
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from traduco.config import MTSettings
from traduco.mt.providers import PROVIDERS, Limits


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

    def wait(self, characters: int) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next_request, self._next_chars, self._held_until)
            self._next_request = start + self._interval
            if self._chars_per_second:
                self._next_chars = max(start, self._next_chars) + characters / self._chars_per_second
        delay = start - self._clock()
        if delay > 0:
            self._sleep(delay)

    def hold(self, seconds: float) -> None:
        """The provider asked us to back off (429 Retry-After): nobody sends before then."""
        with self._lock:
            self._held_until = max(self._held_until, self._clock() + seconds)


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
    connections and budget, so together they stay within the provider's limits."""
    if parts <= 1:
        return settings
    providers = []
    for name in settings.names():
        own, default = settings.provider(name), PROVIDERS[name].limits
        budget = own.budget_characters
        providers.append(replace(
            own, requests_per_second=(own.requests_per_second or default.requests_per_second) / parts,
            characters_per_minute=max(1, (own.characters_per_minute or default.characters_per_minute) // parts),
            connections=max(1, (own.connections or default.connections) // parts),
            budget_characters=None if budget is None else budget // parts))
    return replace(settings, providers=tuple(providers))
