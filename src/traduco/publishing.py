"""Publish: only fully reviewed catalogs become `.mo` files and web pages.

    results = publish(project)
    for r in results: print(r.doc_id, r.locale, r.status, r.reason)

A document × locale pair is published when every unit is approved (translated,
not fuzzy) and no check reports an error. Anything else is left as it was
online, and the result says why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import polib
from babel import Locale
from babel.dates import format_skeleton
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from traduco import catalogs, checks
from traduco.config import Project
from traduco.errors import CatalogError
from traduco.glossary import Glossary, load_glossary
from traduco.review import check_cache, queue_row
from traduco.units import TITLE_CONTEXT

PUBLISHED, UNCHANGED, WAITING = "published", "unchanged", "waiting"

LABELS = {
    "en": {"translated": "Translated from Italian", "source": "Italian original",
           "index": "Press releases"},
    "zh": {"translated": "译自意大利语", "source": "意大利语原文", "index": "新闻稿"},
}
FONTS = {
    "zh": '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
          '"Source Han Sans SC", sans-serif',
}
DEFAULT_FONTS = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'


@dataclass(frozen=True)
class PublishResult:
    doc_id: str
    locale: str
    status: str
    reason: str = ""
    page: str | None = None


@dataclass(frozen=True)
class Page:
    doc_id: str
    title: str
    date: str | None
    source_url: str | None
    source_file: str | None
    paragraphs: tuple[str, ...]


def publish(project: Project) -> list[PublishResult]:
    manifest = _load_manifest(project)
    glossary, cache = load_glossary(project), check_cache(project)
    results = []
    for doc_id in project.doc_ids():
        for locale in project.locales:
            results.append(_publish_one(project, doc_id, locale, manifest, glossary, cache))
    for locale in project.locales:
        _write_index(project, locale, manifest.get(locale, {}))
    catalogs.atomic_write_text(project.public_dir / "manifest.json",
                               json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return results


def _publish_one(project: Project, doc_id: str, locale: str, manifest: dict,
                 glossary: Glossary | None, cache: checks.CheckCache) -> PublishResult:
    row = queue_row(project, doc_id, locale, glossary, cache)
    if not row.complete:
        return PublishResult(doc_id, locale, WAITING, _why_waiting(row))
    path = project.catalog_path(doc_id, locale)
    try:
        catalog = catalogs.read(path, locale=locale)
    except CatalogError as exc:
        return PublishResult(doc_id, locale, WAITING, exc.message)
    if row.errors:
        return PublishResult(doc_id, locale, WAITING, _check_errors(catalog, locale, glossary, cache))
    page_path = project.public_dir / locale / f"{doc_id}.html"
    fingerprint = hashlib.sha256(path.read_bytes()).hexdigest()
    published = manifest.setdefault(locale, {}).get(doc_id)
    if published and published["catalog_sha256"] == fingerprint and page_path.exists():
        return PublishResult(doc_id, locale, UNCHANGED, page=str(page_path))
    page = page_from_catalog(doc_id, catalog)
    mo_path = path.with_suffix(".mo")
    _write_bytes(mo_path, compile_mo(catalog, locale))
    catalogs.atomic_write_text(page_path, render_page(page, locale))
    manifest[locale][doc_id] = {"title": page.title, "date": page.date,
                                "catalog_sha256": fingerprint,
                                "published": catalogs.now().isoformat()}
    return PublishResult(doc_id, locale, PUBLISHED, page=str(page_path))


def _why_waiting(row) -> str:
    if row.error:
        return row.error
    parts = []
    if row.drafts:
        parts.append(f"{row.drafts} draft{'s' * (row.drafts != 1)} waiting for review")
    if row.untranslated:
        parts.append(f"{row.untranslated} untranslated")
    return ", ".join(parts) or "no units"


def _check_errors(catalog: polib.POFile, locale: str, glossary: Glossary | None,
                  cache: checks.CheckCache) -> str:
    """'2 check errors: numbers (sources/a.txt:3), glossary (sources/a.txt:5)'."""
    where = []
    for entry, findings in checks.catalog_findings(catalog, locale, glossary, cache):
        line = ":".join(entry.occurrences[0]) if entry.occurrences else entry.msgid[:30]
        where += [f"{f.check} ({line})" for f in findings if f.severity == checks.ERROR]
    shown = ", ".join(where[:4]) + (", ..." if len(where) > 4 else "")
    return (f"{len(where)} check error{'s' * (len(where) != 1)}: {shown}; fix them, or silence one "
            "with a comment 'ignore-check: <id>' on that entry")


def compile_mo(catalog: polib.POFile, locale: str) -> bytes:
    """The binary catalog, compiled by babel from the approved entries."""
    compiled = Catalog(locale=locale, charset="utf-8")
    for entry in catalogs.active_entries(catalog):
        if catalogs.state(entry) == catalogs.APPROVED:
            compiled.add(entry.msgid, entry.msgstr, context=entry.msgctxt)
    buffer = BytesIO()
    write_mo(buffer, compiled)
    return buffer.getvalue()


def page_from_catalog(doc_id: str, catalog: polib.POFile) -> Page:
    meta = catalog.metadata
    title = None
    placed: list[tuple[int, str]] = []
    for entry in catalogs.active_entries(catalog):
        if entry.msgctxt == TITLE_CONTEXT:
            title = entry.msgstr
            continue
        for _, line in entry.occurrences or [("", "0")]:
            placed.append((int(line) if str(line).isdigit() else 0, entry.msgstr))
    paragraphs = tuple(text for _, text in sorted(placed, key=lambda item: item[0]))
    return Page(doc_id=doc_id, title=title or _first_sentence(paragraphs) or doc_id,
                date=meta.get("X-Source-Date"), source_url=meta.get("X-Source-URL"),
                source_file=meta.get("X-Source-File"), paragraphs=paragraphs)


def _first_sentence(paragraphs: tuple[str, ...]) -> str | None:
    if not paragraphs:
        return None
    text = paragraphs[0]
    for index, char in enumerate(text):
        if char in "。！？" or (char in ".!?" and (index + 1 == len(text) or text[index + 1] == " ")):
            return text[:index + 1]
    return text[:120]


def render_page(page: Page, locale: str) -> str:
    labels = _labels(locale)
    esc = html.escape
    if page.source_url:
        source = f'<a href="{esc(page.source_url, quote=True)}" rel="external">{esc(labels["source"])}</a>'
    else:
        source = f'{esc(labels["source"])}: <code>{esc(page.source_file or page.doc_id)}</code>'
    date = f'<time datetime="{esc(page.date)}">{esc(format_date(page.date, locale))}</time> · ' \
        if page.date else ""
    body = "\n".join(f"<p>{esc(text)}</p>" for text in page.paragraphs)
    return _document(locale, page.title, f"""<article>
<h1>{esc(page.title)}</h1>
<p class="meta">{date}{esc(labels["translated"])} · {source}</p>
{body}
</article>""")


def _write_index(project: Project, locale: str, published: dict) -> None:
    labels = _labels(locale)
    esc = html.escape
    newest_first = sorted(published.items(), key=lambda item: (item[1].get("date") or "", item[0]),
                          reverse=True)
    items = "\n".join(
        f'<li><a href="{esc(doc_id, quote=True)}.html">{esc(info["title"])}</a>'
        + (f' <time datetime="{esc(info["date"])}">{esc(format_date(info["date"], locale))}</time>'
           if info.get("date") else "") + "</li>"
        for doc_id, info in newest_first)
    catalogs.atomic_write_text(project.public_dir / locale / "index.html", _document(
        locale, labels["index"], f"<h1>{esc(labels['index'])}</h1>\n<ul>\n{items}\n</ul>"))


def format_date(value: str, locale: str) -> str:
    """2021-05 -> 'May 2021' / '2021年5月'; 2021-05-21 -> 'May 21, 2021' / '2021年5月21日'."""
    try:
        if len(value) == 7:
            return format_skeleton("yMMMM", dt.date.fromisoformat(value + "-01"), locale=locale)
        return format_skeleton("yMMMMd", dt.date.fromisoformat(value), locale=locale)
    except ValueError:
        return value


def _labels(locale: str) -> dict[str, str]:
    return LABELS.get(Locale.parse(locale).language, LABELS["en"])


def _document(locale: str, title: str, body: str) -> str:
    language = Locale.parse(locale)
    lang = locale.replace("_", "-")
    fonts = FONTS.get(language.language, DEFAULT_FONTS)
    return f"""<!DOCTYPE html>
<html lang="{html.escape(lang)}">
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


def _load_manifest(project: Project) -> dict:
    path = project.public_dir / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_bytes(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
