"""SQLite files in the project's `.traduco/` folder, shared by processes and threads.

    store = Store(path, "CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v TEXT)")
    store.db().execute(...)      # this thread's connection (sqlite3 objects are per thread)
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path


class Store:
    def __init__(self, path: Path, schema: str):
        self.path = path
        self._schema = schema
        self._local = threading.local()
        self._opening = threading.Lock()

    def db(self) -> sqlite3.Connection:
        connection = getattr(self._local, "db", None)
        if connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=60)
            with self._opening:
                _prepare(connection, self._schema)
            self._local.db = connection
        return connection


def _prepare(connection: sqlite3.Connection, schema: str, seconds: float = 60.0) -> None:
    """WAL mode (readers never wait for a writer) and the table. Switching a new
    file to WAL needs a moment alone with it, and SQLite reports "locked" at once
    instead of waiting when another process or thread is opening it too: retry."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.executescript(schema)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
