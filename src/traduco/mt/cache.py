"""Every translation ever paid for, so the same text is never paid for twice.

Keyed by provider, source language, target language, text and context (the
glossary version the answer was made with). SQLite in the
project's git-ignored `.traduco/` folder: safe for several processes (WAL) and
threads (one connection per thread). Masking and splitting happen before the
request, and the cache keeps the final, restored translation of the whole text.

Engines working at once (Dask workers, a scheduled run and a manual one) claim
the texts they are about to send, so a text another engine is translating
right now is waited for, not bought again. A claim names its owner (engine,
process id, host, the process's start time): a claim whose process is gone
(`kill -9`, a crash) is taken over at once; the owner renews its claims while
it works (`renew`, its heartbeat), so a claim older than `claim_seconds` means
an owner that stopped working (on another host, where the process cannot be
looked at).
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from traduco.project.private import Store

CLAIM_SECONDS = 60.0        # an owner renews every quarter of this


@dataclass(frozen=True)
class Owner:
    """Who holds a claim: an engine, in a process, on a host."""
    engine: str
    pid: int
    host: str
    started: str            # the process's start time: a recycled pid is another process

    @classmethod
    def this_process(cls, engine: str) -> "Owner":
        return cls(engine, os.getpid(), socket.gethostname(), process_start(os.getpid()) or "")

    def alive(self) -> bool:
        if self.host != socket.gethostname():
            return True     # cannot look: its heartbeat tells
        started = process_start(self.pid)
        return started is not None and (started == self.started or not self.started)


def process_start(pid: int) -> str | None:
    """The start time of process `pid` (clock ticks since boot, from /proc),
    "" where /proc is missing but the process exists, None if there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        pass
    if Path("/proc/self/stat").exists():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return ""


class TranslationCache:
    def __init__(self, path: Path):
        self.path = path
        self.claim_seconds = CLAIM_SECONDS
        self._store = Store(path, """CREATE TABLE IF NOT EXISTS translations (
            provider TEXT, source TEXT, target TEXT, context TEXT, text TEXT, translation TEXT,
            created TEXT DEFAULT CURRENT_TIMESTAMP,
            PRIMARY KEY (provider, source, target, context, text));
            CREATE TABLE IF NOT EXISTS mt_claims (
            provider TEXT, source TEXT, target TEXT, context TEXT, text TEXT,
            owner TEXT, pid INTEGER, host TEXT, started TEXT, renewed REAL,
            PRIMARY KEY (provider, source, target, context, text));
            CREATE INDEX IF NOT EXISTS mt_claims_owner ON mt_claims (owner);
            CREATE TABLE IF NOT EXISTS mt_tokens (
            provider TEXT, month TEXT, tokens INTEGER, PRIMARY KEY (provider, month))""")

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
              owner: Owner) -> list[str]:
        """Claim `texts` for `owner` in one transaction; returns those another
        live engine holds (the rest are now the owner's)."""
        now, elsewhere, verdicts = time.time(), [], {}
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            for text in texts:
                row = db.execute("SELECT owner, pid, host, started, renewed FROM mt_claims WHERE provider=? "
                                 "AND source=? AND target=? AND context=? AND text=?",
                                 (provider, source, target, context, text)).fetchone()
                if row and row[0] != owner.engine and now - row[4] < self.claim_seconds:
                    holder = Owner(row[0], row[1], row[2], row[3])
                    if holder not in verdicts:
                        verdicts[holder] = holder.alive()
                    if verdicts[holder]:
                        elsewhere.append(text)
                        continue
                db.execute("INSERT OR REPLACE INTO mt_claims VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (provider, source, target, context, text, owner.engine, owner.pid,
                            owner.host, owner.started, now))
        return elsewhere

    def renew(self, owner: Owner) -> None:
        """The owner's heartbeat: every claim it holds counts from now again."""
        with self._db() as db:
            db.execute("UPDATE mt_claims SET renewed=? WHERE owner=?", (time.time(), owner.engine))

    def release(self, provider: str, source: str, target: str, texts: list[str], context: str,
                owner: Owner) -> None:
        with self._db() as db:
            db.executemany("DELETE FROM mt_claims WHERE provider=? AND source=? AND target=? AND context=? "
                           "AND text=? AND owner=?",
                           [(provider, source, target, context, text, owner.engine) for text in texts])

    # -- an LLM's tokens, per calendar month (budget_tokens_per_month), across runs --

    def tokens_spent(self, provider: str, month: str) -> int:
        row = self._db().execute("SELECT tokens FROM mt_tokens WHERE provider=? AND month=?",
                                 (provider, month)).fetchone()
        return row[0] if row else 0

    def spend_tokens(self, provider: str, month: str, tokens: int) -> None:
        with self._db() as db:
            db.execute("INSERT INTO mt_tokens VALUES (?, ?, ?) ON CONFLICT (provider, month) "
                       "DO UPDATE SET tokens = tokens + excluded.tokens", (provider, month, tokens))
