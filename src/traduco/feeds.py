"""Pull from the web: RSS/Atom feeds and article pages become source documents.

    result = pull_web(project)        # new or changed items written to sources/*.md
    for problem in result.problems: print(problem)

Each item becomes `sources/<slug>.md` with front matter (title, date,
source_url) and the article's main text, extracted by trafilatura. Polite and
incremental: conditional GET (ETag / Last-Modified), a pause between requests
to the same host, a User-Agent naming traduco, timeouts, bounded retries, a
size limit. What was pulled is remembered in `.traduco/web-state.json`: an
unchanged item is not written again, a changed one updates its document (and
so its catalogs, by the usual lifecycle rules). A bad feed or page gives one
clear line and never a broken source file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

import requests
import yaml

from traduco import __version__, catalogs
from traduco.config import Project
from traduco.sources import MAX_SOURCE_BYTES

USER_AGENT = f"traduco/{__version__} (press-office translation workflow; polite: conditional GET, per-host delay)"
TIMEOUT_SECONDS = 20
ATTEMPTS = 3


@dataclass
class WebResult:
    written: list[str] = field(default_factory=list)     # document ids created or updated
    unchanged: int = 0
    not_modified: int = 0                                 # 304 answers
    problems: list[str] = field(default_factory=list)


class Fetcher:
    """HTTP GET with the manners a press office's web server deserves."""

    def __init__(self, state: dict, delay: float, max_bytes: int, sleep=time.sleep, clock=time.monotonic):
        self.state, self.delay, self.max_bytes = state, delay, max_bytes
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._last: dict[str, float] = {}
        self._sleep, self._clock = sleep, clock

    def get(self, url: str, conditional: bool = False) -> bytes | None:
        """The body, or None if unchanged since last time (304). Raises FetchError."""
        headers = {}
        known = self.state.get("http", {}).get(url, {})
        if conditional and known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if conditional and known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        for attempt in range(1, ATTEMPTS + 1):
            self._wait_for_host(url)
            try:
                response = self.session.get(url, headers=headers, timeout=TIMEOUT_SECONDS, stream=True)
                body = self._read(response, url)
            except requests.RequestException as exc:
                if attempt == ATTEMPTS:
                    raise FetchError(f"{url}: cannot fetch ({type(exc).__name__}) after {ATTEMPTS} attempts") from None
                self._sleep(2 ** attempt)
                continue
            if response.status_code == 304:
                return None
            if response.status_code >= 500 and attempt < ATTEMPTS:
                self._sleep(2 ** attempt)
                continue
            if response.status_code != 200:
                raise FetchError(f"{url}: the server answered HTTP {response.status_code}")
            self.state.setdefault("http", {})[url] = {
                "etag": response.headers.get("ETag"), "last_modified": response.headers.get("Last-Modified")}
            return body
        raise FetchError(f"{url}: no answer")

    def _read(self, response: requests.Response, url: str) -> bytes:
        declared = int(response.headers.get("Content-Length") or 0)
        if declared > self.max_bytes:
            response.close()
            raise FetchError(f"{url}: the response is {declared:,} bytes, over the {self.max_bytes:,}-byte limit")
        chunks, size = [], 0
        for chunk in response.iter_content(65536):
            size += len(chunk)
            if size > self.max_bytes:
                response.close()
                raise FetchError(f"{url}: the response is over the {self.max_bytes:,}-byte limit")
            chunks.append(chunk)
        return b"".join(chunks)

    def _wait_for_host(self, url: str) -> None:
        host = urlparse(url).netloc
        if host in self._last:
            pause = self._last[host] + self.delay - self._clock()
            if pause > 0:
                self._sleep(pause)
        self._last[host] = self._clock()


class FetchError(Exception):
    pass


def pull_web(project: Project, sleep=time.sleep) -> WebResult:
    """Fetch every configured feed and page; write new and changed items."""
    settings = project.web or {}
    state_path = project.state_dir / "web-state.json"
    state = _load_state(state_path)
    fetcher = Fetcher(state, float(settings.get("delay_seconds", 1.0)),
                      int(settings.get("max_bytes", 5_000_000)), sleep=sleep)
    result = WebResult()
    for feed_url in settings.get("feeds", []):
        _pull_feed(project, fetcher, feed_url, result)
    for page_url in settings.get("pages", []):
        _pull_article(project, fetcher, page_url, result, title=None, date=None)
    state_path.parent.mkdir(parents=True, exist_ok=True)
    catalogs.atomic_write_text(state_path, json.dumps(state, indent=1, sort_keys=True, ensure_ascii=False))
    return result


def _pull_feed(project: Project, fetcher: Fetcher, url: str, result: WebResult) -> None:
    import feedparser

    try:
        body = fetcher.get(url, conditional=True)
    except FetchError as exc:
        result.problems.append(f"{exc}; the feed is skipped this run")
        return
    if body is None:
        result.not_modified += 1
        return
    feed = feedparser.parse(body)
    if feed.bozo or not feed.entries:
        why = f"not a valid RSS/Atom feed ({feed.bozo_exception})" if feed.bozo else "a feed with no items"
        readable = f"; {len(feed.entries)} item(s) read anyway" if feed.entries else ""
        result.problems.append(f"{url}: {why}{readable}; check the feed address with its publisher")
        fetcher.state.get("http", {}).pop(url, None)   # not remembered: fetched whole next run
        if not feed.entries:
            return
    for entry in feed.entries:
        link = entry.get("link")
        if not link:
            result.problems.append(f"{url}: an item without a link ({entry.get('title', '?')}) is skipped")
            continue
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        date = dt.date(*published[:3]).isoformat() if published else None
        _pull_article(project, fetcher, link, result, title=entry.get("title"), date=date)


def _pull_article(project: Project, fetcher: Fetcher, url: str, result: WebResult,
                  title: str | None, date: str | None) -> None:
    import trafilatura

    known = fetcher.state.get("items", {}).get(url)
    try:
        body = fetcher.get(url, conditional=bool(known))   # pulled before: 304 if unchanged
    except FetchError as exc:
        result.problems.append(f"{exc}; the item is skipped this run")
        return
    if body is None:
        result.unchanged += 1
        return
    html = body.decode("utf-8", errors="replace")
    extracted = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False,
        date_extraction_params={"extensive_search": False, "original_date": True})
    text = getattr(extracted, "text", None) if extracted else None
    if not text or len(text.split()) < 5:
        result.problems.append(f"{url}: no article text found (an error page?); the item is skipped")
        return
    title = " ".join((title or getattr(extracted, "title", None) or url).split())
    language = _language(text)
    if language != "it":
        result.problems.append(f"{url}: the text is not Italian (looks {language}); the item is skipped")
        return
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    if paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    document = _markdown(title, date or _date(extracted), url, paragraphs)
    if len(document.encode("utf-8")) > MAX_SOURCE_BYTES:
        result.problems.append(f"{url}: the article is over the source size limit; the item is skipped")
        return
    items = fetcher.state.setdefault("items", {})
    known = items.get(url, {})
    digest = hashlib.sha256(document.encode("utf-8")).hexdigest()
    doc_id = known.get("doc_id") or _unique_id(project, slug(title, url), items)
    path = project.sources_dir / f"{doc_id}.md"
    if known.get("sha256") == digest and path.exists():
        result.unchanged += 1
        return
    catalogs.atomic_write_text(path, document)
    items[url] = {"doc_id": doc_id, "sha256": digest}
    result.written.append(doc_id)


def _markdown(title: str, date: str | None, url: str, paragraphs: list[str]) -> str:
    meta = {"title": title, "source_url": url}
    if date:
        meta["date"] = date
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False)
    return f"---\n{front}---\n\n" + "\n\n".join(paragraphs) + "\n"


def slug(title: str, url: str) -> str:
    """An ASCII document id from the title (or the URL): 'Firenze, città d'arte' -> firenze-citta-d-arte."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", text)[:8] or re.findall(r"[a-z0-9]+", urlparse(url).path.lower())[-6:]
    return "-".join(words) or hashlib.sha256(url.encode()).hexdigest()[:12]


def _unique_id(project: Project, base: str, items: dict) -> str:
    taken = {item["doc_id"] for item in items.values()}
    candidate, number = base, 2
    while candidate in taken or (project.sources_dir / f"{candidate}.md").exists() \
            or (project.sources_dir / f"{candidate}.txt").exists():
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _date(extracted) -> str | None:
    value = getattr(extracted, "date", None)
    return value if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None


def _language(text: str) -> str:
    found = _detector().detect_language_of(text[:2000])
    return found.iso_code_639_1.name.lower() if found else "unknown"


@lru_cache(maxsize=1)
def _detector():
    """Built once per process: building it loads the language models (it was built per article)."""
    from lingua import Language, LanguageDetectorBuilder
    return LanguageDetectorBuilder.from_languages(
        Language.ITALIAN, Language.ENGLISH, Language.FRENCH, Language.GERMAN, Language.SPANISH,
        Language.CHINESE).build()


def _load_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
