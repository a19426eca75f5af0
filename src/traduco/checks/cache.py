"""Findings for whole catalogs, cached so `traduco status` over thousands of
catalogs re-checks only what changed, and written into the catalogs."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from pathlib import Path

import polib

from traduco.checks.core import CHECKS_VERSION, Finding, check_entry, format_flags, ignored_checks
from traduco.language.glossary import Glossary
from traduco.project.private import Store

RECENT = 4096     # entries whose findings a CheckCache keeps in memory


class CheckCache:
    """Findings by (checks version, locale, glossary, silenced ids, source, translation)."""

    def __init__(self, path: Path):
        self.path = path
        self._store = Store(path, "CREATE TABLE IF NOT EXISTS findings (key TEXT PRIMARY KEY, findings TEXT)")
        # The entries judged last, in memory: one catalog is judged several times in
        # a row (drafted, then its queue row), and reading SQLite each time costs more
        # than the checks' cheaper half. Bounded, so a long run's memory stays flat.
        self._recent: OrderedDict[str, tuple[Finding, ...]] = OrderedDict()
        self._recent_lock = threading.Lock()

    def findings(self, entry: polib.POEntry, locale: str, glossary: Glossary | None) -> list[Finding]:
        key = hashlib.sha256("\0".join([
            CHECKS_VERSION, locale, glossary.terms_hash(locale) if glossary else "",
            ",".join(sorted(ignored_checks(entry))), ",".join(sorted(format_flags(entry.flags))),
            entry.msgid, entry.msgstr]).encode()).hexdigest()
        with self._recent_lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return list(self._recent[key])
        db = self._store.db()
        row = db.execute("SELECT findings FROM findings WHERE key=?", (key,)).fetchone()
        if row:
            found = [Finding(*item) for item in json.loads(row[0])]
        else:
            found = check_entry(entry, locale, glossary)
            with db:
                db.execute("INSERT OR REPLACE INTO findings VALUES (?, ?)",
                           (key, json.dumps([[f.check, f.severity, f.message] for f in found])))
        self._remember(key, found)
        return found

    def _remember(self, key: str, found: list[Finding]) -> None:
        with self._recent_lock:
            self._recent[key] = tuple(found)
            while len(self._recent) > RECENT:
                self._recent.popitem(last=False)


def catalog_findings(catalog: polib.POFile, locale: str, glossary: Glossary | None,
                     cache: CheckCache | None = None) -> list[tuple[polib.POEntry, list[Finding]]]:
    """Findings for every translated entry of a catalog, drafts and approved alike."""
    results = []
    for entry in catalog:
        if entry.obsolete or not entry.msgstr:
            continue
        found = cache.findings(entry, locale, glossary) if cache else check_entry(entry, locale, glossary)
        results.append((entry, found))
    return results
