"""Pull from the web: RSS/Atom feeds and article pages become source documents.

    result = pull_web(project)        # new or changed items written to sources/*.md
    for problem in result.problems: print(problem)

Each item becomes `sources/<slug>.md` with front matter (title, date,
source_url) and the article's main text, extracted by trafilatura. Fetching
(polite, bounded, public addresses only) is `traduco.sources.fetcher`'s job. What was
pulled is remembered in `.traduco/web-state.json` (`traduco.sources.webstate`): an
unchanged item is not written again, a changed one updates its document (and
so its catalogs, by the usual lifecycle rules), an item that failed is tried
again on every pull until it succeeds. A bad feed or item gives one clear line
and never a broken source file, nor a crash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import time
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import yaml

from traduco.errors import ConfigError
from traduco.language.sentences import detector
from traduco.project import files
from traduco.project.addresses import AddressPolicy
from traduco.project.loading import Project
from traduco.sources.documents import MAX_SOURCE_BYTES
from traduco.sources.fetcher import USER_AGENT, FetchError, Fetched, Fetcher, Limits, web_url_problem
from traduco.sources.webstate import WebState

__all__ = ["USER_AGENT", "WebResult", "id_from_title", "pull_web"]

MAX_SLUG_CHARS = 60      # file names stay far below the 255-byte limit, with room for "-2" and ".po"


@dataclass
class WebResult:
    written: list[str] = field(default_factory=list)     # document ids created or updated
    unchanged: int = 0
    not_modified: int = 0                                 # 304 answers
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)        # worth saying, nothing to fix


def pull_web(project: Project, sleep=time.sleep) -> WebResult:
    """Fetch every configured feed and page; write new and changed items."""
    settings = project.web or {}
    limits = _limits(project, settings)
    state = WebState.load(project.state_dir / "web-state.json", project.sources_dir)
    fetcher = Fetcher(state.data, limits, _policy(project, settings), sleep=sleep)
    result = WebResult(notes=list(state.notes))
    puller = _Puller(project, fetcher, state, result, budget_end=time.monotonic() + limits.budget)
    for feed_url in settings.get("feeds", []):
        puller.feed(str(feed_url))
    for url in state.retry_urls():
        if url not in puller.seen:
            puller.item(url, *state.retry_entry(url), retry=True)
    for page_url in settings.get("pages", []):
        puller.item(str(page_url), title=None, date=None, retry=False)
    if puller.postponed:
        result.problems.append(f"{puller.postponed} feed(s) or item(s) not fetched: this pull spent its "
                               f"{limits.budget:g}-second budget ([tool.traduco.web] pull_budget_seconds); "
                               f"they are fetched next pull")
    if puller.refused_again:
        result.notes.append(f"{puller.refused_again} feed item(s) refused in an earlier pull (their addresses) "
                            f"skipped again")
    state.save()
    return result


def _limits(project: Project, settings: dict) -> Limits:
    # types and ranges were checked when the project was loaded (traduco.project.settings)
    return Limits(delay=float(settings.get("delay_seconds", 1.0)),
                  max_bytes=settings.get("max_bytes", 5_000_000),
                  deadline=float(settings.get("deadline_seconds", 30.0)),
                  budget=float(settings.get("pull_budget_seconds", 300.0)))


def _policy(project: Project, settings: dict) -> AddressPolicy:
    try:
        return AddressPolicy.from_settings(settings.get("allow_hosts", []))
    except ValueError as exc:
        raise ConfigError(str(exc), path=project.root / "pyproject.toml",
                          hint='Write host names or networks, e.g. allow_hosts = ["intranet.example.org", "10.0.0.0/8"]')


class _Puller:
    def __init__(self, project: Project, fetcher: Fetcher, state: WebState, result: WebResult, budget_end: float):
        self.project, self.fetcher, self.state, self.result = project, fetcher, state, result
        self.seen: set[str] = set()
        # each fetch has its deadline, but a feed can list many slow hosts: the pull has a budget too
        self.budget_end, self.postponed, self.refused_again = budget_end, 0, 0

    def feed(self, url: str) -> None:
        import feedparser

        if time.monotonic() > self.budget_end:
            self.postponed += 1
            return
        try:
            page = self.fetcher.get(url, conditional=True)
        except FetchError as exc:
            self.result.problems.append(f"{exc}; the feed is skipped this run")
            return
        if page is None:
            self.result.not_modified += 1
            return
        # a stream, never bytes: feedparser opens bytes that name a file as that file
        feed = feedparser.parse(io.BytesIO(page.body), response_headers={"content-type": page.content_type})
        if feed.bozo or not feed.entries:
            why = f"not a valid RSS/Atom feed ({feed.bozo_exception})" if feed.bozo else "a feed with no items"
            readable = f"; {len(feed.entries)} item(s) read anyway" if feed.entries else ""
            self.result.problems.append(f"{url}: {why}{readable}; check the feed address with its publisher")
            self.fetcher.state.get("http", {}).pop(url, None)   # not remembered: fetched whole next run
        for entry in feed.entries:
            link, title = entry.get("link"), " ".join(str(entry.get("title") or "").split())
            if not link:
                self.result.problems.append(f"{url}: an item without a link ({title or '?'}) is skipped")
                continue
            link = urljoin(page.url, str(link))       # a relative link is on the feed's site
            if why := web_url_problem(link):
                # A third party's feed: its refused items are news once, not a red run every hour.
                if self.state.refused_before(link):
                    self.refused_again += 1
                else:
                    self.state.refuse(link)
                    self.result.problems.append(f"{url}: the item {title[:80]!r} links to {link[:200]!r}: {why}; "
                                                f"the item is skipped (and not reported again)")
                continue
            self.item(link, title or None, _entry_date(entry), retry=True)

    def item(self, url: str, title: str | None, date: str | None, retry: bool) -> None:
        """One article; whatever goes wrong with it is one line, never a crash."""
        if url in self.seen:
            return
        self.seen.add(url)
        if retry and self.state.refused_before(url):     # a feed item refused for good in an earlier pull
            self.refused_again += 1
            return
        if time.monotonic() > self.budget_end:
            self.postponed += 1
            if retry:
                self.state.postpone(url, title, date)
            return
        try:
            self._article(url, title, date)
        except FetchError as exc:
            if retry and exc.retry:
                failures = self.state.remember_failure(url, title, date)
                self.result.problems.append(f"{exc}; the item is skipped this run and tried again next pull "
                                            f"(failed {failures} time(s) so far)")
            else:
                self.state.forget_failure(url)
                if retry:    # a feed's item: news once, not a red run on every pull while the feed lists it
                    self.state.refuse(url)
                self.result.problems.append(f"{exc}; the item is skipped" + (" (and not reported again)" if retry
                                                                             else ""))
            return
        except Exception as exc:   # hostile pages find paths nobody foresaw: one line, the pull goes on
            self.result.problems.append(f"{url}: cannot be made a source ({type(exc).__name__}: {exc}); "
                                        f"the item is skipped")
        self.state.forget_failure(url)

    def _article(self, url: str, title: str | None, date: str | None) -> None:
        document = self._document(url, title, date)
        if document is None:
            return
        text, title = document
        doc_id, path = self.state.place(url, lambda: id_from_title(title, url))
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if self.state.holds(url, path, digest):
            self.result.unchanged += 1
            return
        files.atomic_write_text(path, text)
        self.state.record(url, doc_id, digest)
        self.result.written.append(doc_id)

    def _document(self, url: str, title: str | None, date: str | None) -> tuple[str, str] | None:
        """The Markdown source for the article at `url` and its title, or None if it is
        unchanged (304) or not one to keep (the reason goes to problems)."""
        import trafilatura

        known = self.state.knows(url)
        page: Fetched | None = self.fetcher.get(url, conditional=known)   # pulled before: 304 if unchanged
        if page is None:
            self.result.unchanged += 1
            return None
        extracted = trafilatura.bare_extraction(
            page.text(), with_metadata=True, include_comments=False,
            date_extraction_params={"extensive_search": False, "original_date": True})
        text = getattr(extracted, "text", None) if extracted else None
        if not text or len(text.split()) < 5:
            self.result.problems.append(f"{url}: no article text found (an error page?); the item is skipped")
            return None
        title = " ".join((title or getattr(extracted, "title", None) or url).split())
        language = _language(text)
        if language != "it":
            self.result.problems.append(f"{url}: the text is not Italian (looks {language}); the item is skipped")
            return None
        paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
        if paragraphs and paragraphs[0] == title:
            paragraphs = paragraphs[1:]
        document = _markdown(title, date or _date(extracted), url, paragraphs)
        if len(document.encode("utf-8")) > MAX_SOURCE_BYTES:
            self.result.problems.append(f"{url}: the article is over the source size limit; the item is skipped")
            return None
        return document, title


def _entry_date(entry) -> str | None:
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    try:
        return dt.date(*published[:3]).isoformat() if published else None
    except (TypeError, ValueError):     # a date no calendar has: the article's own date, if any
        return None


def _markdown(title: str, date: str | None, url: str, paragraphs: list[str]) -> str:
    # The article's text is prose: a paragraph opening "2024." or "- 30%" is no list.
    meta = {"title": title, "source_url": url, "format": "text"}
    if date:
        meta["date"] = date
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False)
    return f"---\n{front}---\n\n" + "\n\n".join(paragraphs) + "\n"


def id_from_title(title: str, url: str) -> str:
    """An ASCII document id from the title (or the URL): 'Firenze, città d'arte' -> firenze-citta-d-arte.
    At most eight words and MAX_SLUG_CHARS, cut at a word boundary (a long word is cut itself)."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", text)[:8] or re.findall(r"[a-z0-9]+", urlsplit(url).path.lower())[-6:]
    kept: list[str] = []
    for word in words:
        if len("-".join(kept + [word])) > MAX_SLUG_CHARS:
            break
        kept.append(word)
    if not kept and words:
        kept = [words[0][:MAX_SLUG_CHARS]]
    return "-".join(kept) or hashlib.sha256(url.encode()).hexdigest()[:12]


def _date(extracted) -> str | None:
    value = getattr(extracted, "date", None)
    return value if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None


def _language(text: str) -> str:
    found = detector("ITALIAN", "ENGLISH", "FRENCH", "GERMAN", "SPANISH", "CHINESE").detect_language_of(
        text[:2000])
    return found.iso_code_639_1.name.lower() if found else "unknown"


