"""Every translation ever paid for, so the same text is never paid for twice.

Keyed by provider, source language, target language, text and context (the
glossary version the answer was made with). SQLite in the
project's git-ignored `.traduco/` folder: safe for several processes (WAL) and
threads (one connection per thread). Masking and splitting happen before the
request, and the cache keeps the final, restored translation of the whole text.
"""

from __future__ import annotations

from pathlib import Path

from traduco.storage import Store


class TranslationCache:
    def __init__(self, path: Path):
        self.path = path
        self._store = Store(path, """CREATE TABLE IF NOT EXISTS translations (
            provider TEXT, source TEXT, target TEXT, context TEXT, text TEXT, translation TEXT,
            created TEXT DEFAULT CURRENT_TIMESTAMP,
            PRIMARY KEY (provider, source, target, context, text))""")

    def _db(self):
        return self._store.db()

    def get(self, provider: str, source: str, target: str, text: str, context: str = "") -> str | None:
        row = self._db().execute(
            "SELECT translation FROM translations WHERE provider=? AND source=? AND target=? "
            "AND context=? AND text=?", (provider, source, target, context, text)).fetchone()
        return row[0] if row else None

    def put(self, provider: str, source: str, target: str, text: str, translation: str,
            context: str = "") -> None:
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO translations (provider, source, target, context, text, "
                       "translation) VALUES (?, ?, ?, ?, ?, ?)",
                       (provider, source, target, context, text, translation))
