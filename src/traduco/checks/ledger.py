"""The ledger: what traduco last saw of each source and wrote to each catalog.

A run over an unchanged project then costs one read and one hash per file
instead of parsing, merging and checking every catalog: a catalog is left
alone when its bytes, its template's bytes and the run's context (glossary,
checks version, provider chain) are what the ledger recorded, and nothing in
it was left waiting for MT. SQLite in the git-ignored `.traduco/`, safe for
several processes (Dask workers) and threads.

    ledger = Ledger.for_project(project)
    if ledger.current("catalog:zh_CN/doc", {"sha": file_sha256(path), ...}): skip
"""

from __future__ import annotations

import json
from pathlib import Path

from traduco.checks import CHECKS_VERSION

from traduco.language.glossary import Glossary
from traduco.project.private import Store



def verdict_context(glossary: Glossary | None, locale: str, *more: str) -> str:
    """What besides the files' bytes decides a recorded verdict: the locale's
    glossary terms, the checks, and what the caller adds (providers, version)."""
    return "|".join([glossary.terms_hash(locale) if glossary else "", CHECKS_VERSION, *more])


class Ledger:
    def __init__(self, path: Path):
        self.path = path
        self._store = Store(path, "CREATE TABLE IF NOT EXISTS ledger (key TEXT PRIMARY KEY, value TEXT)")

    @classmethod
    def for_project(cls, project) -> "Ledger":
        return cls(project.state_dir / "ledger.sqlite")

    def _db(self):
        return self._store.db()

    def get(self, key: str) -> dict | None:
        row = self._db().execute("SELECT value FROM ledger WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, value: dict) -> None:
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO ledger VALUES (?, ?)", (key, json.dumps(value)))

    def current(self, key: str, expected: dict) -> dict | None:
        """The recorded value if every field of `expected` matches it, else None."""
        recorded = self.get(key)
        if recorded and all(recorded.get(field) == value for field, value in expected.items()):
            return recorded
        return None
