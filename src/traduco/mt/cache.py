"""Every translation ever paid for, so the same text is never paid for twice.

Keyed by provider, source language, target language, text and context (the
glossary version the answer was made with). SQLite in the
project's git-ignored `.traduco/` folder: safe for several processes (WAL) and
threads (one connection per thread). Masking and splitting happen before the
request, and the cache keeps the final, restored translation of the whole text.

Engines working at once (Dask workers) claim the texts they are about to send,
so a text another engine is translating right now is waited for, not bought
again; a claim older than `CLAIM_SECONDS` (its engine died) no longer counts.
"""

from __future__ import annotations

import time
from pathlib import Path

from traduco.storage import Store

CLAIM_SECONDS = 300.0


class TranslationCache:
    def __init__(self, path: Path):
        self.path = path
        self._store = Store(path, """CREATE TABLE IF NOT EXISTS translations (
            provider TEXT, source TEXT, target TEXT, context TEXT, text TEXT, translation TEXT,
            created TEXT DEFAULT CURRENT_TIMESTAMP,
            PRIMARY KEY (provider, source, target, context, text));
            CREATE TABLE IF NOT EXISTS claims (
            provider TEXT, source TEXT, target TEXT, context TEXT, text TEXT, owner TEXT, claimed REAL,
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

    def claim(self, provider: str, source: str, target: str, texts: list[str], context: str,
              owner: str) -> list[str]:
        """Claim `texts` for `owner` in one transaction; returns those another
        engine holds a live claim on (the rest are now the owner's)."""
        now, elsewhere = time.time(), []
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            for text in texts:
                row = db.execute("SELECT owner, claimed FROM claims WHERE provider=? AND source=? AND target=? "
                                 "AND context=? AND text=?", (provider, source, target, context, text)).fetchone()
                if row and row[0] != owner and now - row[1] < CLAIM_SECONDS:
                    elsewhere.append(text)
                else:
                    db.execute("INSERT OR REPLACE INTO claims VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (provider, source, target, context, text, owner, now))
        return elsewhere

    def release(self, provider: str, source: str, target: str, texts: list[str], context: str,
                owner: str) -> None:
        with self._db() as db:
            db.executemany("DELETE FROM claims WHERE provider=? AND source=? AND target=? AND context=? "
                           "AND text=? AND owner=?",
                           [(provider, source, target, context, text, owner) for text in texts])
