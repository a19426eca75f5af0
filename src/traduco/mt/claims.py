"""An engine's claims in the shared cache: texts it is about to buy, so that
engines working at once (Dask workers, a scheduled run and a manual one) never
buy the same text twice.

    for mine in claims.turns(key, texts):     # claimed, released after the turn
        ...                                   # ask the provider for `mine`

A text another live engine holds is waited for: it comes back in a later turn
(answered meanwhile, so read from the cache; or taken over when its owner
died). While the engine is open, a heartbeat renews its claims, so a long batch
never loses them. Storage and owners: `traduco.mt.cache`.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator

from traduco.mt.cache import Owner, TranslationCache

POLL_SECONDS = 0.2     # how often to look for an answer another engine is getting


class Claims:
    def __init__(self, cache: TranslationCache, stopping: threading.Event):
        self.cache = cache
        self.owner = Owner.this_process(uuid.uuid4().hex)   # this engine, in the cache's claims
        self._stopping = stopping
        self._closed = threading.Event()
        self._heartbeat: threading.Thread | None = None
        self._lock = threading.Lock()

    def turns(self, key: tuple[str, str, str, str], texts: list[str]) -> Iterator[list[str]]:
        """The texts this engine holds, turn after turn, until none is left or
        the run stops; `key`: provider, source, target, context."""
        provider, source, target, context = key
        self._keep_alive()
        while texts:
            elsewhere = set(self.cache.claim(provider, source, target, texts, context, self.owner))
            mine = [text for text in texts if text not in elsewhere]
            try:
                yield mine
            finally:
                self.cache.release(provider, source, target, mine, context, self.owner)
            texts = [text for text in texts if text in elsewhere]
            if texts and self._stopping.wait(POLL_SECONDS):
                return

    def close(self) -> None:
        self._closed.set()

    def _keep_alive(self) -> None:
        """The heartbeat: while this engine lives, its claims never expire."""
        with self._lock:
            if self._heartbeat is not None:
                return
            self._heartbeat = threading.Thread(target=self._beat, name="traduco-claims", daemon=True)
        self._heartbeat.start()

    def _beat(self) -> None:
        while not self._closed.wait(self.cache.claim_seconds / 4):
            try:
                self.cache.renew(self.owner)
            except sqlite3.OperationalError:   # a busy database: the next beat renews them
                pass
