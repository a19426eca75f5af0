"""What one catalog publishes: whether it may be published, its `.mo` and its page.

Publishing decides, compiles and renders from the bytes of one reading of the
catalog and its template (a `Catalog`), never from a second reading: a catalog
a run or a translator turns fuzzy while `publish` works cannot slip a draft
online, and the manifest records the hash of exactly what was published.

    catalog = Catalog.read(project, "toscana", "zh_CN")   # read once
    why = waiting_reason(catalog, glossary, cache)        # None: every template unit approved, no check error
    page, html, mo = render(catalog)
"""

from __future__ import annotations

import polib

from traduco import checks
from traduco.catalogs import pofile
from traduco.catalogs.catalog import Catalog
from traduco.errors import CatalogError
from traduco.language.glossary import Glossary
from traduco.publishing.pages import Page, page_from_catalog, render_page
from traduco.sources import markup


# How a verdict starts when the files themselves are broken (a person must fix
# them): the commands that meet one exit 1, not 0.
UNREADABLE = "cannot be read: "


def waiting_reason(catalog: Catalog, glossary: Glossary | None, cache: checks.CheckCache) -> str | None:
    """Why the catalog cannot be published, or None when every unit of the
    current template is approved in it and no check reports an error."""
    if catalog.error or catalog.data is None:
        return catalog.error or "no catalog yet: run `traduco run`"
    try:
        entries, states = catalog.entries, catalog.unit_states()
    except CatalogError as exc:
        return UNREADABLE + exc.message
    if not states:
        return "no units"
    parts = [_count(states.count(pofile.DRAFT), "draft", "waiting for review"),
             _count(states.count(pofile.UNTRANSLATED), "untranslated unit", ""),
             _count(states.count("missing"), "unit", "of the template missing from the catalog "
                                                     "(run `traduco run`)")]
    if any(parts):
        return ", ".join(p for p in parts if p)
    return _check_errors(entries, catalog.locale, glossary, cache)


def published_catalog(catalog: Catalog) -> polib.POFile:
    """What goes online: the catalog's own header and its entries for the
    template's units, at the template's places (a translator's stray entry or
    a paragraph no longer in the source is not published)."""
    read, template = catalog.entries, catalog.template
    entries = {(e.msgctxt, e.msgid): e for e in pofile.active_entries(read)}
    published = polib.POFile(wrapwidth=pofile.WRAP_WIDTH)
    published.metadata = dict(read.metadata)
    for field in (markup.FORMAT_HEADER, markup.LAYOUT_HEADER):   # the page's structure is the source's,
        published.metadata.pop(field, None)                     # at the template's lines, never a catalog's
        if field in template.metadata:
            published.metadata[field] = template.metadata[field]
    for unit in pofile.active_entries(template):
        entry = entries[(unit.msgctxt, unit.msgid)]
        published.append(polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt, msgstr=entry.msgstr,
                                       msgid_plural=entry.msgid_plural, msgstr_plural=entry.msgstr_plural,
                                       occurrences=unit.occurrences,
                                       tcomment=entry.tcomment))    # provenance: what the page says of it
    return published


def render(catalog: Catalog, approved_on: str | None = None) -> tuple[Page, bytes, bytes]:
    """The page, its HTML and the compiled `.mo`, all from the catalog's one reading; the page
    says it was approved for publication on `approved_on` (YYYY-MM-DD)."""
    published = published_catalog(catalog)
    page = page_from_catalog(catalog.doc_id, published, approved_on)
    return page, render_page(page, catalog.locale).encode("utf-8"), compile_mo(published)


def compile_mo(catalog: polib.POFile) -> bytes:
    """The binary catalog, by polib, with the catalog's own header and only its
    approved entries: the same catalog always gives the same bytes (no compile
    time, no template header). Like msgfmt, without POT-Creation-Date, which
    changes with every extraction and says nothing about the translations."""
    compiled = polib.POFile(wrapwidth=pofile.WRAP_WIDTH)
    compiled.metadata = {k: v for k, v in catalog.metadata.items() if k != "POT-Creation-Date"}
    compiled.extend(catalog)
    return compiled.to_binary()


def _check_errors(catalog: polib.POFile, locale: str, glossary: Glossary | None,
                  cache: checks.CheckCache) -> str | None:
    """'3 check errors (numbers, glossary) at sources/a.txt:3, 5: see `traduco
    check`': short, as it stands in a table cell at 80 columns; the
    findings themselves are `traduco check`'s."""
    ids, places, count = [], [], 0
    for entry, findings in checks.catalog_findings(catalog, locale, glossary, cache):
        errors = [f.check for f in findings if f.severity == checks.ERROR]
        if not errors:
            continue
        count += len(errors)
        ids = list(dict.fromkeys(ids + errors))
        place = entry.occurrences[0] if entry.occurrences else (f"“{entry.msgid[:30]}”", "")
        if place not in places:
            places.append(place)
    if not count:
        return None
    lines_of: dict[str, list[str]] = {}
    for file, line in places:
        lines_of.setdefault(file, []).extend([line] if line else [])
    where = "; ".join(f"{file}:{', '.join(lines)}" if lines else file for file, lines in lines_of.items())
    return (f"{count} check error{'s' * (count != 1)} ({', '.join(ids)}) at {where}: "
            "see `traduco check`")


def _count(n: int, noun: str, rest: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}{' ' + rest if rest else ''}" if n else ""

