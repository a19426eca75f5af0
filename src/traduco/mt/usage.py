"""What one engine's run cost, per provider and locale: counted under one lock
(worker threads of every provider and locale count at once)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields


@dataclass
class Usage:
    """What one run cost, per provider and locale."""
    requests: int = 0
    characters: int = 0
    cache_hits: int = 0
    translated: int = 0
    retries: int = 0
    failures: int = 0


class UsageTable:
    def __init__(self):
        self._rows: dict[tuple[str, str], Usage] = {}
        self._lock = threading.Lock()

    def count(self, provider: str, locale: str, **amounts: int) -> None:
        """Add `amounts` (requests=1, characters=120, ...) to the provider's row for the locale."""
        with self._lock:
            row = self._rows.setdefault((provider, locale), Usage())
            for name, amount in amounts.items():
                setattr(row, name, getattr(row, name) + amount)

    def rows(self) -> list[dict]:
        with self._lock:
            return [{"provider": provider, "locale": locale,
                     **{f.name: getattr(usage, f.name) for f in fields(Usage)}}
                    for (provider, locale), usage in sorted(self._rows.items())]
