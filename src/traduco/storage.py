"""SQLite files in the project's `.traduco/` folder, shared by processes and threads.

    store = Store(path, "CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v TEXT)")
    store.db().execute(...)      # this thread's connection (sqlite3 objects are per thread)
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class Store:
    def __init__(self, path: Path, schema: str):
        self.path = path
        self._schema = schema
        self._local = threading.local()

    def db(self) -> sqlite3.Connection:
        connection = getattr(self._local, "db", None)
        if connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=60)
            connection.execute("PRAGMA journal_mode=WAL")      # readers never wait for a writer
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(self._schema)
            self._local.db = connection
        return connection
