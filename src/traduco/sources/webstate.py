"""What `traduco pull` remembers between runs, in `.traduco/web-state.json`.

    state = WebState.load(project.state_dir / "web-state.json", project.sources_dir)
    doc_id, path = state.place(url, make_slug)      # the document an article URL belongs to
    state.record(url, doc_id, digest); state.save()

`http`: the ETag and Last-Modified of every URL (for conditional GET);
`items`: the document each article URL was written to, and its text's digest;
`retry`: feed items that failed, tried again on every pull until they succeed
(a feed that answers 304 would never list them again).

The sources are the truth: an article URL that the state does not know, or a
damaged state, is matched to the source whose front matter has that
`source_url`, so an article is never written twice (`x.md` and `x-2.md`) and
never paid for twice in MT. The file is private to its owner and replaced
atomically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Callable

import yaml

_FRONT_MATTER_BYTES = 65536
_TABLES = ("http", "items", "retry", "refused")


class WebState:
    def __init__(self, path: Path, sources_dir: Path, data: dict, notes: list[str]):
        self.path, self.sources_dir, self.data, self.notes = path, sources_dir, data, notes
        self._sources: dict[str, Path] | None = None

    @classmethod
    def load(cls, path: Path, sources_dir: Path) -> WebState:
        try:
            raw = json.loads(path.read_bytes())
        except FileNotFoundError:
            return cls(path, sources_dir, {}, [])
        except (OSError, ValueError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else "not valid JSON"
            return cls(path, sources_dir, {}, [_damaged(path, why)])
        data, dropped = _valid(raw)
        return cls(path, sources_dir, data, [_damaged(path, f"{dropped} bad entries")] if dropped else [])

    def knows(self, url: str) -> bool:
        return url in self._items() or url in self._by_source_url()

    def place(self, url: str, make_slug: Callable[[], str]) -> tuple[str, Path]:
        """The document id and file for an article: the one it was written to before
        (by the state, else by the sources' source_url), or a new unused name."""
        known = self._items().get(url)
        recorded = self.sources_dir / f"{known['doc_id']}.md" if known else None
        if recorded is not None and recorded.exists():
            return known["doc_id"], recorded
        if url in self._by_source_url():
            path = self._by_source_url()[url]
            return path.stem, path
        if recorded is not None:
            return known["doc_id"], recorded
        doc_id = self._unused(make_slug())
        return doc_id, self.sources_dir / f"{doc_id}.md"

    def holds(self, url: str, path: Path, digest: str) -> bool:
        """Whether `path` already has this text (as written last time, or on disk)."""
        if not path.exists():
            return False
        if self._items().get(url, {}).get("sha256") == digest:
            return True
        return hashlib.sha256(path.read_bytes()).hexdigest() == digest

    def record(self, url: str, doc_id: str, digest: str) -> None:
        self._items()[url] = {"doc_id": doc_id, "sha256": digest}

    def remember_failure(self, url: str, title: str | None, date: str | None) -> int:
        entry = self.data.setdefault("retry", {}).setdefault(url, {"since": dt.date.today().isoformat()})
        entry.update({"title": title, "date": date, "failures": int(entry.get("failures", 0)) + 1})
        return entry["failures"]

    def postpone(self, url: str, title: str | None, date: str | None) -> None:
        """Not fetched this pull (no time left): fetched next pull, not counted as a failure."""
        entry = self.data.setdefault("retry", {}).setdefault(url, {"since": dt.date.today().isoformat()})
        entry.update({"title": title, "date": date, "failures": int(entry.get("failures", 0))})

    def refused_before(self, url: str) -> bool:
        """An item a pull refused for good (its address): reported once, not on every pull."""
        return url in self.data.get("refused", {})

    def refuse(self, url: str) -> None:
        self.data.setdefault("refused", {})[url] = {"since": dt.date.today().isoformat()}

    def forget_failure(self, url: str) -> None:
        self.data.get("retry", {}).pop(url, None)

    def retry_urls(self) -> list[str]:
        return list(self.data.get("retry", {}))

    def retry_entry(self, url: str) -> tuple[str | None, str | None]:
        """The title and date the feed gave a failed item."""
        entry = self.data.get("retry", {}).get(url, {})
        return tuple(value if isinstance(value, str) else None for value in (entry.get("title"), entry.get("date")))

    def save(self) -> None:
        """Atomically, readable by its owner only (it lists what the office follows)."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        text = json.dumps(self.data, indent=1, sort_keys=True, ensure_ascii=False)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")  # 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _items(self) -> dict:
        return self.data.setdefault("items", {})

    def _by_source_url(self) -> dict[str, Path]:
        """source_url -> file, from the front matter of sources/*.md (read once, when needed)."""
        if self._sources is None:
            self._sources = {}
            for path in sorted(self.sources_dir.glob("*.md")) if self.sources_dir.is_dir() else []:
                url = _source_url(path)
                if url and path.is_file() and not path.is_symlink():
                    self._sources.setdefault(url, path)
        return self._sources

    def _unused(self, base: str) -> str:
        taken = {item["doc_id"] for item in self._items().values()}
        candidate, number = base, 2
        while candidate in taken or (self.sources_dir / f"{candidate}.md").exists() \
                or (self.sources_dir / f"{candidate}.txt").exists():
            candidate, number = f"{base}-{number}", number + 1
        return candidate


def _damaged(path: Path, why: str) -> str:
    return (f"{path}: the pull state was damaged ({why}); it is rebuilt from the sources' source_url, "
            f"so no article is written twice")


def _valid(raw) -> tuple[dict, int]:
    """The well-formed part of a state file, and how many entries were dropped."""
    if not isinstance(raw, dict):
        return {}, 1
    data, dropped = {}, 0
    for table in _TABLES:
        entries = raw.get(table, {})
        if not isinstance(entries, dict):
            dropped += 1
            continue
        good = {url: entry for url, entry in entries.items() if _valid_entry(table, entry)}
        dropped += len(entries) - len(good)
        data[table] = good
    return data, dropped


def _valid_entry(table: str, entry) -> bool:
    if not isinstance(entry, dict):
        return False
    if table == "items":
        doc_id = entry.get("doc_id")
        # the state decides a file name: never one outside sources/
        return (isinstance(doc_id, str) and 0 < len(doc_id) <= 200 and Path(doc_id).name == doc_id
                and not doc_id.startswith(".") and "\x00" not in doc_id and isinstance(entry.get("sha256"), str))
    return isinstance(entry.get("failures", 0), int)


def _source_url(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            head = handle.read(_FRONT_MATTER_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    if not head.startswith("---"):
        return None
    parts = head.split("\n---", 1)
    if len(parts) < 2:
        return None
    try:
        meta = yaml.safe_load(parts[0][3:])
    except yaml.YAMLError:
        return None
    url = meta.get("source_url") if isinstance(meta, dict) else None
    return url if isinstance(url, str) else None
