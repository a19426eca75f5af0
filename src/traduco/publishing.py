"""Publish: only fully reviewed, check-clean catalogs become `.mo` files and web pages.

    plan = plan_publication(project)     # what would change, and why the rest waits
    results = publish(project)           # do it (optionally only an approved plan)

A document × locale pair is published when every unit is approved (translated,
not fuzzy) and no check reports an error. Anything else stays as it was
online: a page published before keeps its last approved version until the
update is approved too. `public/manifest.json` records which catalog state
each page was published from, so unchanged documents are not rewritten.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from io import BytesIO
from pathlib import Path

import polib
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from traduco import catalogs, checks
from traduco.config import Project
from traduco.errors import CatalogError
from traduco.glossary import Glossary, load_glossary
from traduco.ledger import fingerprint
from traduco.pages import page_from_catalog, render_feed, render_index, render_page
from traduco.review import QueueRow, check_cache, queue_rows

PUBLISH, PUBLISHED, UNCHANGED, WAITING, SKIPPED = "publish", "published", "unchanged", "waiting", "skipped"
REJECTED = "rejected"


@dataclass(frozen=True)
class PublishResult:
    doc_id: str
    locale: str
    status: str                     # publish (planned), published, unchanged, waiting, skipped
    reason: str = ""
    page: str | None = None
    catalog_sha256: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def plan_publication(project: Project) -> list[PublishResult]:
    """What `publish` would do, writing nothing. Built on the review queue's rows,
    so a catalog unchanged since the ledger last counted it is not read again."""
    manifest = _load_manifest(project)
    glossary, cache = load_glossary(project), check_cache(project)
    return [_plan_one(project, row, manifest, glossary, cache) for row in queue_rows(project)]


def publish(project: Project, approved: list[PublishResult] | None = None) -> list[PublishResult]:
    """Publish what the plan says. With `approved` (a plan someone approved),
    publish only those pairs, and only if their catalogs did not change since."""
    manifest = _load_manifest(project)
    allowed = {(r.doc_id, r.locale): r.catalog_sha256 for r in approved or [] if r.status == PUBLISH}
    results = []
    for item in plan_publication(project):
        if item.status != PUBLISH:
            results.append(item)
        elif approved is not None and allowed.get((item.doc_id, item.locale)) != item.catalog_sha256:
            results.append(PublishResult(item.doc_id, item.locale, SKIPPED,
                                         "not in the approved plan, or changed since it was approved"))
        else:
            results.append(_publish_one(project, item, manifest))
    for locale in project.locales:
        published = manifest.get(locale, {})
        pages = {doc_id: _published_page(project, doc_id, locale, info) for doc_id, info in published.items()}
        folder = project.public_dir / locale
        catalogs.atomic_write_text(folder / "index.html", render_index(locale, published))
        catalogs.atomic_write_text(folder / "feed.json", render_feed(
            locale, published, {d: p for d, p in pages.items() if p}, project.site_url))
    catalogs.atomic_write_text(project.public_dir / "manifest.json",
                               json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return results


def _plan_one(project: Project, row: QueueRow, manifest: dict,
              glossary: Glossary | None, cache: checks.CheckCache) -> PublishResult:
    doc_id, locale = row.doc_id, row.locale
    if not row.complete:
        return PublishResult(doc_id, locale, WAITING, _why_waiting(row))
    path = project.catalog_path(doc_id, locale)
    if row.errors:
        try:
            catalog = catalogs.read(path, locale=locale)
        except CatalogError as exc:
            return PublishResult(doc_id, locale, WAITING, exc.message)
        return PublishResult(doc_id, locale, WAITING, _check_errors(catalog, locale, glossary, cache))
    sha = fingerprint(path)
    page_path = project.public_dir / locale / f"{doc_id}.html"
    published = manifest.get(locale, {}).get(doc_id)
    if published and published["catalog_sha256"] == sha and page_path.exists():
        return PublishResult(doc_id, locale, UNCHANGED, page=str(page_path), catalog_sha256=sha)
    reason = "updated translation" if published else "new"
    return PublishResult(doc_id, locale, PUBLISH, reason, str(page_path), sha)


def _publish_one(project: Project, item: PublishResult, manifest: dict) -> PublishResult:
    path = project.catalog_path(item.doc_id, item.locale)
    catalog = catalogs.read(path, locale=item.locale)
    page = page_from_catalog(item.doc_id, catalog)
    mo_path, compiled = path.with_suffix(".mo"), compile_mo(catalog, item.locale)
    if not mo_path.exists() or mo_path.read_bytes() != compiled:
        catalogs.atomic_write_bytes(mo_path, compiled)
    catalogs.atomic_write_text(Path(item.page), render_page(page, item.locale))
    manifest.setdefault(item.locale, {})[item.doc_id] = {
        "title": page.title, "date": page.date, "catalog_sha256": item.catalog_sha256,
        "published": catalogs.now().isoformat()}
    return PublishResult(item.doc_id, item.locale, PUBLISHED, item.reason, item.page, item.catalog_sha256)


def _published_page(project: Project, doc_id: str, locale: str, info: dict):
    """The text as published, for the feed; None if the catalog changed since
    (the feed then keeps the title and link of the published version)."""
    path = project.catalog_path(doc_id, locale)
    try:
        if fingerprint(path) != info.get("catalog_sha256"):
            return None
        return page_from_catalog(doc_id, catalogs.read(path, locale=locale))
    except (OSError, CatalogError):
        return None


def noteworthy_first(results: list[PublishResult]) -> list[PublishResult]:
    """What changed or was refused first, then what waits, then what stayed as it was."""
    order = {PUBLISHED: 0, PUBLISH: 0, REJECTED: 1, SKIPPED: 1, WAITING: 2, UNCHANGED: 3}
    return sorted(results, key=lambda r: order.get(r.status, 2))


def tally(results: list[PublishResult]) -> str:
    """'1 published, 61 waiting' (a plan's 'publish' reads 'would publish')."""
    counts = Counter("would publish" if r.status == PUBLISH else r.status for r in results)
    return ", ".join(f"{n:,} {status}" for status, n in sorted(counts.items()))


def _why_waiting(row: QueueRow) -> str:
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
    """'2 check errors: numbers (sources/a.txt:3), glossary (sources/a.txt:5); ...'."""
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


def _load_manifest(project: Project) -> dict:
    try:
        return json.loads((project.public_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
