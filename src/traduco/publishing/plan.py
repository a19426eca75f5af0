"""Publish: only fully reviewed, check-clean catalogs become `.mo` files and web pages.

    plan = plan_publication(project)     # what would change, and why the rest waits
    results = publish(project)           # do it (optionally only an approved plan)

A document × locale pair is published when every unit of its current template
is approved (translated, not fuzzy) in its catalog and no check reports an
error. Each catalog is read once (`Catalog.read`, by `each`): the verdict, the `.mo` and
the page all come from those bytes, and `public/manifest.json` records their
hash. Anything else stays as it was online: a page published before keeps its
last approved version until the update is approved too. A document whose
source is gone (its template retired) is withdrawn: out of the index and the
feed, its page replaced by a short notice.

Nothing is written that would not change: an unchanged publication leaves
every file (pages, `.mo`, index, feed, manifest) with its bytes and times, so
rsync and CDN deploys see no change. Publishing holds the project lock, the
one a translate run holds, so two publishes (or a publish and a run) never
interleave their writes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from traduco import __version__, checks
from traduco.catalogs.catalog import Catalog, each
from traduco.checks.judge import check_cache
from traduco.checks.ledger import Ledger, verdict_context
from traduco.checks.notes import settle
from traduco.language.glossary import Glossary, load_glossary
from traduco.project import files
from traduco.project.loading import Project
from traduco.publishing import outputs
from traduco.publishing.disclosure import Disclosure
from traduco.publishing.pages import Page, render_feed, render_index, render_withdrawn



class Status(StrEnum):
    """What happened to a document × locale: the one definition the CLI, the
    approval and the publish flow share (a str, so artifacts and JSON read it as text)."""
    PUBLISH = "publish"              # planned
    WITHDRAW = "withdraw"            # planned
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    UNCHANGED = "unchanged"
    WAITING = "waiting"
    BROKEN = "broken"                # its catalog or template cannot be read: a person must fix it
    SKIPPED = "skipped"              # not in the approved plan
    CHANGED = "changed"              # its catalog changed after the plan was made: the next plan has it
    REJECTED = "rejected"


PLANNED = (Status.PUBLISH, Status.WITHDRAW)            # what an editor approves
LOCK_WAIT_SECONDS = 3600                  # a translate run may hold the project lock that long


@dataclass(frozen=True)
class PublishResult:
    doc_id: str
    locale: str
    status: Status
    reason: str = ""
    page: str | None = None
    catalog_sha256: str | None = None
    template_sha256: str | None = None      # the units, their order, the title, the layout header: pinned too

    def as_dict(self) -> dict:
        return asdict(self)

    def pinned(self) -> tuple[str | None, str | None]:
        """The bytes a page is built from, as hashes: catalog, and template (units, order,
        title, layout header). A plan from before templates were pinned pins none."""
        return self.catalog_sha256, getattr(self, "template_sha256", None)

    def what_changed(self, approved: tuple[str | None, str | None]) -> str:
        catalog, template = (now != then for now, then in zip(self.pinned(), approved))
        return "catalog and template" if catalog and template else "template" if template else "catalog"


# Prefect pickles a waiting run's plan; it names these classes by their
# package, which stays put whatever module holds them, so a plan written by one
# release is read by the next, and by the one before after a rollback.
PublishResult.__module__ = Status.__module__ = "traduco.publishing"


@dataclass(frozen=True)
class _Planned:
    result: PublishResult
    catalog: Catalog | None = None
    rendition: tuple[Page, bytes, bytes] | None = None   # page, its HTML, the .mo


def plan_publication(project: Project) -> list[PublishResult]:
    """What `publish` would do, writing nothing but the notes of the catalogs it leaves waiting."""
    plan = [planned.result for planned in _plan(project, _load_manifest(project))]
    settle_notes(project, plan)
    return plan


def publish(project: Project, approved: list[PublishResult] | None = None) -> list[PublishResult]:
    """Publish what the plan says. With `approved` (a plan someone approved),
    publish and withdraw only those pairs, and only if their catalogs are the bytes the plan recorded:
    a catalog or template changed since is `changed` (named to the editor) and goes into the next plan."""
    allowed = {(r.doc_id, r.locale, r.status): r.pinned() for r in approved or [] if r.status in PLANNED}
    with files.exclusive(project.run_lock_path, "the project", wait=LOCK_WAIT_SECONDS):
        manifest = _load_manifest(project)
        results = []
        for planned in _plan(project, manifest):
            item = planned.result
            key = (item.doc_id, item.locale, item.status)
            if item.status not in PLANNED:
                results.append(item)
            elif approved is not None and key not in allowed:
                results.append(PublishResult(item.doc_id, item.locale, Status.SKIPPED,
                                             "not in the approved plan: it goes into the next plan"))
            elif approved is not None and allowed[key] != item.pinned():
                results.append(PublishResult(item.doc_id, item.locale, Status.CHANGED,
                                             f"its {item.what_changed(allowed[key])} changed after the plan was "
                                             "made: not published now, it goes into the next plan",
                                             catalog_sha256=item.catalog_sha256,
                                             template_sha256=item.template_sha256))
            elif item.status == Status.WITHDRAW:
                results.append(_withdraw(project, item, manifest))
            else:
                results.append(_publish_one(project, planned, manifest))
        _write_listings(project, manifest)
        settle_notes(project, results)
    return results


def settle_notes(project: Project, results: list[PublishResult]) -> None:
    """The judged catalogs' notes made to say what was found (traduco.checks.notes);
    never a planned one's, whose bytes a plan waiting for the editor records."""
    glossary, cache = load_glossary(project), check_cache(project)
    for item in results:
        if item.status not in (Status.BROKEN, Status.PUBLISH, Status.WITHDRAW, Status.WITHDRAWN):
            settle(project, item.doc_id, item.locale, glossary, cache)


def _plan(project: Project, manifest: dict) -> Iterator[_Planned]:
    """Every document × locale, one catalog at a time (memory stays flat),
    then the withdrawals: published documents whose template is gone."""
    glossary, cache, ledger = load_glossary(project), check_cache(project), Ledger.for_project(project)
    current = set()
    for catalog in each(project):
        current.add(catalog.doc_id)
        yield _plan_one(project, catalog, manifest, glossary, cache, ledger)
    for locale in project.locales:
        for doc_id, info in sorted(manifest.get(locale, {}).items()):
            if doc_id not in current and not info.get("withdrawn"):
                yield _Planned(PublishResult(doc_id, locale, Status.WITHDRAW, "its source was removed",
                                             str(_page_path(project, doc_id, locale))))


def _plan_one(project: Project, catalog: Catalog, manifest: dict, glossary: Glossary | None,
              cache: checks.CheckCache, ledger: Ledger) -> _Planned:
    doc_id, locale, sha = catalog.doc_id, catalog.locale, catalog.sha256
    why = _waiting_reason(catalog, glossary, cache, ledger)
    if why:
        broken = why.startswith(outputs.UNREADABLE) or bool(catalog.error)
        return _Planned(PublishResult(doc_id, locale, Status.BROKEN if broken else Status.WAITING,
                                      why.removeprefix(outputs.UNREADABLE)))
    page_path = _page_path(project, doc_id, locale)
    published = manifest.get(locale, {}).get(doc_id)
    live = bool(published) and not published.get("withdrawn")
    intact = live and _intact(page_path, published, catalog.path)
    if intact and published["catalog_sha256"] == sha and "content_sha256" in published:
        return _Planned(PublishResult(doc_id, locale, Status.UNCHANGED, page=str(page_path), catalog_sha256=sha))
    # The page says on which day it was approved for publication: the day it was, while its text stays.
    today = files.now().date().isoformat()
    recorded = ((published or {}).get("disclosure") or {}).get("approved_on") if live else None
    rendition = outputs.render(catalog, recorded or today)
    same_page = live and published.get("content_sha256") == files.sha256(rendition[1])
    if intact and same_page:
        # The catalog changed, but not what readers see (a run refreshed its check notes).
        return _Planned(PublishResult(doc_id, locale, Status.UNCHANGED, page=str(page_path), catalog_sha256=sha))
    if not same_page and recorded and recorded != today:
        rendition = outputs.render(catalog, today)
    reason = ("new" if not published else "published again" if not live
              else "page or .mo missing or edited: written again" if same_page
              else "updated translation" if "content_sha256" in published or published["catalog_sha256"] != sha
              else "recorded again (manifest of an older traduco)")
    return _Planned(PublishResult(doc_id, locale, Status.PUBLISH, reason, str(page_path), sha,
                                  catalog.template_sha256), catalog, rendition)


def _waiting_reason(catalog: Catalog, glossary: Glossary | None, cache: checks.CheckCache,
                    ledger: Ledger) -> str | None:
    """The catalog's verdict, remembered by the hash of its bytes (and of the
    template, glossary and checks): an unchanged catalog is not parsed again."""
    key = f"publish:{catalog.locale}/{catalog.doc_id}"
    expected = {"sha": catalog.sha256, "template": catalog.template_sha256,
                "context": verdict_context(glossary, catalog.locale, __version__)}
    known = ledger.current(key, expected)
    if known and catalog.sha256:
        return known["waiting"]
    why = outputs.waiting_reason(catalog, glossary, cache)
    if catalog.sha256 and catalog.template_sha256:
        ledger.put(key, {**expected, "waiting": why})
    return why


def _intact(page_path: Path, published: dict, catalog_path: Path) -> bool:
    """The published page and `.mo` are still there as published."""
    if not page_path.exists() or not catalog_path.with_suffix(".mo").exists():
        return False
    recorded = published.get("content_sha256")
    return recorded is None or files.sha256(page_path.read_bytes()) == recorded


def _publish_one(project: Project, planned: _Planned, manifest: dict) -> PublishResult:
    item, catalog = planned.result, planned.catalog
    page, html, mo = planned.rendition
    write_if_changed(catalog.path.with_suffix(".mo"), mo)
    write_if_changed(Path(item.page), html)
    manifest.setdefault(item.locale, {})[item.doc_id] = {
        "title": page.title, "date": page.date, "catalog_sha256": catalog.sha256,
        "content_sha256": files.sha256(html), "published": files.now().isoformat(),
        "source_url": page.source_url, "paragraphs": list(page.paragraphs),
        "disclosure": page.disclosure.as_dict() if page.disclosure else None}
    return PublishResult(item.doc_id, item.locale, Status.PUBLISHED, item.reason, item.page, item.catalog_sha256)


def _withdraw(project: Project, item: PublishResult, manifest: dict) -> PublishResult:
    """The page becomes a short notice (links shared on social media keep
    answering, and say why), the `.mo` goes, the index and feed drop it."""
    info = manifest[item.locale][item.doc_id]
    write_if_changed(Path(item.page), render_withdrawn(info.get("title") or item.doc_id, item.locale).encode())
    project.catalog_path(item.doc_id, item.locale).with_suffix(".mo").unlink(missing_ok=True)
    manifest[item.locale][item.doc_id] = {"title": info.get("title"), "date": info.get("date"),
                                          "withdrawn": files.now().isoformat()}
    return PublishResult(item.doc_id, item.locale, Status.WITHDRAWN, item.reason, item.page)


def _write_listings(project: Project, manifest: dict) -> None:
    for locale in project.locales:
        live = {d: info for d, info in manifest.get(locale, {}).items() if not info.get("withdrawn")}
        pages = {d: _page(d, info) for d, info in live.items() if "paragraphs" in info}
        folder = project.public_dir / locale
        if not live and not (folder / "index.html").exists():
            continue     # no page in this language yet: no empty index or feed to announce it
        write_if_changed(folder / "index.html", render_index(locale, live, project.name).encode())
        write_if_changed(folder / "feed.json", render_feed(locale, live, pages, project.site_url,
                                                           project.name).encode())
    write_if_changed(project.public_dir / "manifest.json",
                     (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode())


def _page(doc_id: str, info: dict) -> Page:
    """The page as published, from the manifest: the feed keeps the published
    text even when the catalog has changed since."""
    return Page(doc_id=doc_id, title=info["title"], date=info.get("date"), source_url=info.get("source_url"),
                source_file=None, paragraphs=tuple(info["paragraphs"]),
                disclosure=Disclosure.from_dict(info.get("disclosure")))


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write atomically, only if the bytes differ: an unchanged file keeps its time."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    files.atomic_write_bytes(path, data)
    return True


def _page_path(project: Project, doc_id: str, locale: str) -> Path:
    return project.public_dir / locale / f"{doc_id}.html"


def noteworthy_first(results: list[PublishResult]) -> list[PublishResult]:
    """What changed or was refused first, then what waits, then what stayed as it was."""
    order = {Status.BROKEN: 0, Status.PUBLISHED: 0, Status.PUBLISH: 0, Status.WITHDRAWN: 0, Status.WITHDRAW: 0,
             Status.REJECTED: 1, Status.CHANGED: 1, Status.SKIPPED: 1, Status.WAITING: 2, Status.UNCHANGED: 3}
    return sorted(results, key=lambda r: order.get(r.status, 2))


def tally(results: list[PublishResult]) -> str:
    """'1 published, 61 waiting' (a plan's 'publish' reads 'would publish')."""
    counts = Counter(status_label(r.status) for r in results)
    return ", ".join(f"{n:,} {status}" for status, n in sorted(counts.items()))


def status_label(status: str) -> str:
    """A planned step reads 'would publish' / 'would withdraw'."""
    return f"would {status}" if status in PLANNED else status


def _load_manifest(project: Project) -> dict:
    try:
        return json.loads((project.public_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
