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
    prompt_tokens: int = 0          # an LLM's, from the API's `usage`
    completion_tokens: int = 0


@dataclass
class DocumentUsage:
    """What drafting one document cost with an LLM."""
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class UsageTable:
    def __init__(self):
        self._rows: dict[tuple[str, str], Usage] = {}
        self._documents: dict[tuple[str, str], DocumentUsage] = {}
        self._lock = threading.Lock()

    def count(self, provider: str, locale: str, **amounts: int) -> None:
        """Add `amounts` (requests=1, characters=120, ...) to the provider's row for the locale."""
        self._add(self._rows, (provider, locale), Usage, amounts)

    def count_document(self, doc_id: str, locale: str, **amounts: int) -> None:
        """Add `amounts` (calls=1, prompt_tokens=900, ...) to the document's row for the locale."""
        self._add(self._documents, (doc_id, locale), DocumentUsage, amounts)

    def rows(self) -> list[dict]:
        return self._listed(self._rows, "provider")

    def document_rows(self) -> list[dict]:
        return self._listed(self._documents, "document")

    def _add(self, table: dict, key: tuple[str, str], kind: type, amounts: dict[str, int]) -> None:
        with self._lock:
            row = table.setdefault(key, kind())
            for name, amount in amounts.items():
                setattr(row, name, getattr(row, name) + amount)

    def _listed(self, table: dict, what: str) -> list[dict]:
        with self._lock:
            return [{what: name, "locale": locale, **{f.name: getattr(row, f.name) for f in fields(row)}}
                    for (name, locale), row in sorted(table.items())]
