"""What readers see: a page per published document, an index and a JSON Feed per locale.

Everything is escaped; pages carry `lang`, the title, the date, a link to the
Italian original (only an `http`/`https` URL becomes a link: a `javascript:`
one from a feed or an edited catalog header is no link at all, and without a
URL there is none) and a "translated from Italian" note; Chinese pages ask for
fonts that render Simplified Chinese well. A withdrawn document's page becomes
a short notice.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

import polib
from babel import Locale
from babel.dates import format_skeleton

from traduco import catalogs, layout
from traduco.units import TITLE_CONTEXT

LABELS = {
    "en": {"translated": "Translated from Italian", "source": "Italian original",
           "index": "Press releases", "withdrawn": "This press release has been withdrawn."},
    "zh": {"translated": "译自意大利语", "source": "意大利语原文", "index": "新闻稿",
           "withdrawn": "此新闻稿已撤回。"},
}
FONTS = {
    "zh": '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
          '"Source Han Sans SC", sans-serif',
}
DEFAULT_FONTS = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'


@dataclass(frozen=True)
class Page:
    doc_id: str
    title: str
    date: str | None
    source_url: str | None
    source_file: str | None
    paragraphs: tuple[str, ...]
    # Markdown sources: each paragraph's source line and the blocks' layout (traduco.layout)
    lines: tuple[int, ...] = ()
    layout: dict[int, str] | None = None


def page_from_catalog(doc_id: str, catalog: polib.POFile) -> Page:
    """The document in source order, from an approved catalog."""
    meta = catalog.metadata
    title = None
    placed: list[tuple[int, str]] = []
    for entry in catalogs.active_entries(catalog):
        if entry.msgctxt == TITLE_CONTEXT:
            title = entry.msgstr
            continue
        # A file name with spaces splits into several "occurrences" without a
        # line (polib splits at spaces): only the one with the line places the text.
        lines = [int(line) for _, line in entry.occurrences if str(line).isdigit()] or [0]
        placed += [(line, entry.msgstr) for line in lines]
    placed.sort(key=lambda item: item[0])
    paragraphs = tuple(text for _, text in placed)
    markdown = meta.get(layout.FORMAT_HEADER) == layout.MARKDOWN
    return Page(doc_id=doc_id, title=title or _first_sentence(paragraphs) or doc_id,
                date=meta.get("X-Source-Date"), source_url=meta.get("X-Source-URL"),
                source_file=meta.get("X-Source-File"), paragraphs=paragraphs,
                lines=tuple(line for line, _ in placed),
                layout=layout.decode(meta.get(layout.LAYOUT_HEADER)) if markdown else None)


def render_page(page: Page, locale: str) -> str:
    labels = _labels(locale)
    esc = html.escape
    link = web_link(page.source_url)
    source = f' · <a href="{esc(link, quote=True)}" rel="external">{esc(labels["source"])}</a>' if link else ""
    date = f'<time datetime="{esc(page.date)}">{esc(format_date(page.date, locale))}</time> · ' \
        if page.date else ""
    body = _body(page)
    return _document(locale, page.title, f"""<article>
<h1>{esc(page.title)}</h1>
<p class="meta">{date}{esc(labels["translated"])}{source}</p>
{body}
</article>""")


def _body(page: Page) -> str:
    """Markdown sources render their inline markup inside the recorded blocks;
    plain text is escaped paragraph by paragraph."""
    if page.layout is not None:
        return layout.render_body(list(zip(page.lines, page.paragraphs)), page.layout)
    return "\n".join(f"<p>{html.escape(text)}</p>" for text in page.paragraphs)


def web_link(url: str | None) -> str | None:
    """`url` if it is a web address a reader may follow (http or https, with a
    host), else None: a `javascript:` or `data:` URL must never become a link."""
    url = (url or "").strip()
    if not url or any(ord(char) < 33 or ord(char) == 127 for char in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def render_withdrawn(title: str, locale: str) -> str:
    """What a withdrawn document's address shows: its title and one line."""
    esc, labels = html.escape, _labels(locale)
    return _document(locale, title, f"""<article>
<h1>{esc(title)}</h1>
<p class="withdrawn">{esc(labels["withdrawn"])}</p>
<p><a href="index.html">{esc(labels["index"])}</a></p>
</article>""")


def render_index(locale: str, published: dict[str, dict]) -> str:
    labels = _labels(locale)
    esc = html.escape
    items = "\n".join(
        f'<li><a href="{esc(doc_id, quote=True)}.html">{esc(info["title"])}</a>'
        + (f' <time datetime="{esc(info["date"])}">{esc(format_date(info["date"], locale))}</time>'
           if info.get("date") else "") + "</li>"
        for doc_id, info in newest_first(published))
    return _document(locale, labels["index"], f"<h1>{esc(labels['index'])}</h1>\n<ul>\n{items}\n</ul>")


def render_feed(locale: str, published: dict[str, dict], pages: dict[str, Page],
                site_url: str | None) -> str:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1) of the published documents."""
    base = f"{site_url.rstrip('/')}/{locale}/" if site_url else ""
    feed: dict = {"version": "https://jsonfeed.org/version/1.1", "title": _labels(locale)["index"],
                  "language": locale.replace("_", "-"), "items": []}
    if base:
        feed["home_page_url"] = base + "index.html"
        feed["feed_url"] = base + "feed.json"
    for doc_id, info in newest_first(published):
        item = {"id": f"{locale}/{doc_id}", "url": f"{base}{doc_id}.html", "title": info["title"],
                "language": locale.replace("_", "-")}
        if doc_id in pages:
            item["content_text"] = "\n\n".join(pages[doc_id].paragraphs)
        if info.get("date"):
            item["date_published"] = _rfc3339(info["date"])
        if info.get("published"):
            item["date_modified"] = info["published"]
        feed["items"].append(item)
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


def newest_first(published: dict[str, dict]) -> list[tuple[str, dict]]:
    return sorted(published.items(), key=lambda item: (item[1].get("date") or "", item[0]), reverse=True)


def format_date(value: str, locale: str) -> str:
    """2021-05 -> 'May 2021' / '2021年5月'; 2021-05-21 -> 'May 21, 2021' / '2021年5月21日'."""
    try:
        if len(value) == 7:
            return format_skeleton("yMMMM", dt.date.fromisoformat(value + "-01"), locale=locale)
        return format_skeleton("yMMMMd", dt.date.fromisoformat(value), locale=locale)
    except ValueError:
        return value


def _rfc3339(value: str) -> str:
    day = value if len(value) == 10 else value[:7] + "-01"
    return f"{day}T00:00:00+00:00"


def _first_sentence(paragraphs: tuple[str, ...]) -> str | None:
    if not paragraphs:
        return None
    text = paragraphs[0]
    for index, char in enumerate(text):
        if char in "。！？" or (char in ".!?" and (index + 1 == len(text) or text[index + 1] == " ")):
            return text[:index + 1]
    return text[:120]


def _labels(locale: str) -> dict[str, str]:
    return LABELS.get(Locale.parse(locale).language, LABELS["en"])


def _document(locale: str, title: str, body: str) -> str:
    fonts = FONTS.get(Locale.parse(locale).language, DEFAULT_FONTS)
    return f"""<!DOCTYPE html>
<html lang="{html.escape(locale.replace("_", "-"))}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="traduco">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: {fonts}; max-width: 42rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.7; color: #222; }}
.meta {{ color: #666; font-size: 0.9rem; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""
