"""What readers see: a page per published document, an index and a JSON Feed per locale.

Pages are Jinja2 templates (`templates/`) with autoescaping: every text is
escaped. Pages carry `lang`, the title, the date, and a statement of how the
translation was made (see `traduco.publishing.disclosure`), in the page's language, as
text and as metadata (`<meta>` and JSON-LD); the feed carries the same as its
`_traduco` extension. The Italian original is a link only when its URL is a web
address (`http`/`https`): a `javascript:` one from a feed or an edited catalog
header is no link at all, and without a URL there is none. Chinese pages ask
for fonts that render Simplified Chinese well. A withdrawn document's page
becomes a short notice.
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
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from traduco.catalogs import pofile
from traduco.catalogs.extraction import TITLE_CONTEXT
from traduco.publishing.disclosure import HUMAN, MACHINE, MEMORY, Disclosure, disclose
from traduco.sources import markup

LABELS = {
    "en": {"index": "Press releases", "withdrawn": "This press release has been withdrawn.",
           "source": "the Italian original", "source_plain": "Italian",
           MACHINE: "Translated from {source}: drafted by machine translation{providers} and reviewed by "
                    "{reviewer}{on}.",
           MEMORY: "Translated from {source}: it reuses translations reviewed and approved for earlier "
                   "releases (their first drafts may have been machine translations), reviewed by {reviewer}{on}.",
           HUMAN: "Translated from {source} by {reviewer}, without machine translation{on}.",
           "providers": " ({})", "reviewer": "a member of the editorial staff",
           "on": ", approved for publication on {}"},
    "zh": {"index": "新闻稿", "withdrawn": "此新闻稿已撤回。",
           "source": "意大利语原文", "source_plain": "意大利语",
           MACHINE: "本文译自{source}，由机器翻译{providers}生成初稿，经{reviewer}人工审校{on}。",
           MEMORY: "本文译自{source}，沿用此前已人工审定的译文（其初稿可能由机器翻译生成），经{reviewer}审校{on}。",
           HUMAN: "本文由{reviewer}译自{source}，未使用机器翻译{on}。",
           "providers": "（{}）", "reviewer": "编辑人员", "on": "，于{}核准发布"},
}
PROVIDER_NAMES = {"google": "Google Translate", "deepl": "DeepL", "libre": "LibreTranslate",
                  "microsoft": "Microsoft Translator", "baidu": "Baidu Translate", "yandex": "Yandex Translate",
                  "mymemory": "MyMemory", "chatgpt": "ChatGPT", "openai": "an OpenAI-compatible API"}
FONTS = {
    "zh": '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
          '"Source Han Sans SC", sans-serif',
}
DEFAULT_FONTS = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'
FEED_EXTENSION = "_traduco"      # JSON Feed: extensions are keys starting with an underscore
_templates = Environment(loader=PackageLoader("traduco", "templates"), autoescape=select_autoescape(["html"]),
                         keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class Page:
    doc_id: str
    title: str
    date: str | None
    source_url: str | None
    source_file: str | None
    paragraphs: tuple[str, ...]
    # Markdown sources: each paragraph's source line and the blocks' layout (traduco.sources.markup)
    lines: tuple[int, ...] = ()
    layout: dict[int, str] | None = None
    disclosure: Disclosure | None = None     # how the translation was made
    headed: bool = True       # the title is shown as the page's heading (not a plain text's first sentence)


def page_from_catalog(doc_id: str, catalog: polib.POFile, approved_on: str | None = None) -> Page:
    """The document in source order, from an approved catalog."""
    meta = catalog.metadata
    title = None
    placed: list[tuple[int, str, str]] = []
    for entry in pofile.active_entries(catalog):
        if entry.msgctxt == TITLE_CONTEXT:
            title = entry.msgstr
            continue
        # A file name with spaces splits into several "occurrences" without a
        # line (polib splits at spaces): only the one with the line places the text.
        lines = [int(line) for _, line in entry.occurrences if str(line).isdigit()] or [0]
        placed += [(line, entry.msgstr, entry.msgid) for line in lines]
    placed.sort(key=lambda item: item[0])
    markdown = meta.get(markup.FORMAT_HEADER) == markup.MARKDOWN
    headed = True
    if title is None and not markdown:
        # A plain text's title is its first paragraph when that is a title line
        # (the Italian: one short line, no closing stop), shown once, as the
        # heading. Otherwise the text has no title: its first sentence names the
        # page (tab, index, feed), and the page does not print it twice.
        if placed and _title_line(placed[0][2]):
            title, placed = placed[0][1], placed[1:]
        else:
            headed = False
    paragraphs = tuple(text for _, text, _ in placed)
    return Page(doc_id=doc_id, title=title or _first_sentence(paragraphs) or doc_id,
                date=meta.get("X-Source-Date"), source_url=meta.get("X-Source-URL"),
                source_file=meta.get("X-Source-File"), paragraphs=paragraphs, headed=headed,
                lines=tuple(line for line, _, _ in placed),
                layout=markup.decode(meta.get(markup.LAYOUT_HEADER)) if markdown else None,
                disclosure=disclose(catalog, approved_on))


def render_page(page: Page, locale: str) -> str:
    lang = locale.replace("_", "-")
    said = statement(page.disclosure, locale, page.source_url)
    about = {**(page.disclosure.as_dict() if page.disclosure else {}), "statement": said["text"]}
    json_ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": page.title,
               "inLanguage": lang, "creditText": said["text"],
               "translationOfWork": {"@type": "CreativeWork", "inLanguage": "it",
                                     **({"url": said["link"]} if said["link"] else {})}}
    if page.disclosure and page.disclosure.reviewer:
        json_ld["translator"] = {"@type": "Person", "name": page.disclosure.reviewer}
    if page.date:
        json_ld["datePublished"] = page.date
    return _render("page.html", locale, page.title, date=page.date,
                   date_text=format_date(page.date, locale) if page.date else None,
                   body=Markup(_body(page)), statement=said, json_ld=json_ld, headed=page.headed,
                   provenance_meta=[(f"traduco:{key}", ", ".join(value) if isinstance(value, list) else value)
                                    for key, value in about.items() if value])


def provider_name(provider: str) -> str:
    """A provider as readers know it; an LLM by its model: "qwen-plus, OpenAI-compatible API"."""
    name, _, model = provider.partition(":")
    if model and name == "openai":
        return f"{model}, OpenAI-compatible API"
    return PROVIDER_NAMES.get(provider, provider)


def statement(disclosure: Disclosure | None, locale: str, source_url: str | None) -> dict:
    """How the translation was made, in the page's language: the sentence split
    around the words naming the source (a link when `source_url` is a web address)."""
    labels = _labels(locale)
    disclosure = disclosure or Disclosure(MACHINE)       # unknown: say the most a machine may have done
    link = web_link(source_url)
    names = ", ".join(provider_name(p) for p in disclosure.providers)
    on = labels["on"].format(format_date(disclosure.approved_on, locale)) if disclosure.approved_on else ""
    sentence = labels[disclosure.kind].format(
        source="\0", providers=labels["providers"].format(names) if names else "",
        reviewer=disclosure.reviewer or labels["reviewer"], on=on)
    before, _, after = sentence.partition("\0")
    source = labels["source"] if link else labels["source_plain"]
    return {"before": before, "source": source, "link": link, "after": after, "text": before + source + after}


def _body(page: Page) -> str:
    """Markdown sources render their inline markup inside the recorded blocks;
    plain text is escaped paragraph by paragraph."""
    if page.layout is not None:
        return markup.render_body(list(zip(page.lines, page.paragraphs)), page.layout)
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
    labels = _labels(locale)
    return _render("withdrawn.html", locale, title, withdrawn=labels["withdrawn"], index=labels["index"])


def render_index(locale: str, published: dict[str, dict], name: str) -> str:
    """The list of published documents, titled with the project's name."""
    items = [{"doc_id": doc_id, "title": info["title"], "date": info.get("date"),
              "date_text": format_date(info["date"], locale) if info.get("date") else None}
             for doc_id, info in newest_first(published)]
    return _render("index.html", locale, name, items=items)


def render_feed(locale: str, published: dict[str, dict], pages: dict[str, Page],
                site_url: str | None, name: str) -> str:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1) of the published documents."""
    base = f"{site_url.rstrip('/')}/{locale}/" if site_url else ""
    feed: dict = {"version": "https://jsonfeed.org/version/1.1", "title": name,
                  "language": locale.replace("_", "-"), "items": []}
    if base:
        feed["home_page_url"] = base + "index.html"
        feed["feed_url"] = base + "feed.json"
    for doc_id, info in newest_first(published):
        item = {"id": f"{locale}/{doc_id}", "url": f"{base}{doc_id}.html", "title": info["title"],
                "language": locale.replace("_", "-")}
        if doc_id in pages:
            page = pages[doc_id]
            said = statement(page.disclosure, locale, page.source_url)
            # Syndicated text travels alone (WeChat, Ctrip): it says how it was made, as the page does.
            item["content_text"] = "\n\n".join([*page.paragraphs, *([said["text"]] if page.disclosure else [])])
            item[FEED_EXTENSION] = {**(page.disclosure.as_dict() if page.disclosure else {}),
                                    "source_url": said["link"], "statement": said["text"]}
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


def _title_line(text: str) -> bool:
    text = text.strip()
    return "\n" not in text and len(text) <= 150 and not text.endswith((".", "!", "?", ":", ";", "…", "\""))


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


def _render(template: str, locale: str, title: str, **context) -> str:
    fonts = FONTS.get(Locale.parse(locale).language, DEFAULT_FONTS)
    return _templates.get_template(template).render(lang=locale.replace("_", "-"), title=title,
                                                    fonts=Markup(fonts), **context)
