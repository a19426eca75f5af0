"""Translation memory in TMX 1.4b: the approved pairs out, an agency's memory in.

    data = export_tmx(project, "zh_CN")                 # bytes of one locale's TMX
    seeded = import_tmx(project, Path("agency.tmx"))    # pairs per locale, written to locales/memory/

Export: every approved entry of every catalog of the locale (retired
documents too), one `<tu>` per Italian text, with `creationdate` (when its
draft was made), `changedate` (the catalog's last save) and `changeid` (the
reviewer: the catalog's Last-Translator, or who approved it in bulk). Markup
and placeholders are inline codes (`<bpt>`/`<ept>` pairs, `<ph>`).

Import reads TMX as real tools write it (Trados, memoQ, OmegaT, Okapi):
several languages per `<tu>`, `<prop>`s, the header's `srclang` (or
`*all*`), and `seg` inline markup: `bpt`/`ept`/`ph`/`it` hold native codes
(kept as text, as traduco's catalogs hold markup), `hi` and `sub` their
text. Each locale's pairs become a catalog of approved entries in
`locales/memory/<locale>/<name>.po`, which the translation memory reads as
its own (exact and fuzzy matches, "approved in <name>"). Importing the same
file again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polib
from lxml import etree

from traduco import __version__
from traduco.catalogs import pofile, provenance
from traduco.catalogs.catalog import each
from traduco.catalogs.retirement import retired_catalogs
from traduco.drafting.memory import IMPORTED
from traduco.exchange import inline
from traduco.exchange.safexml import ExchangeError, local, read
from traduco.exchange.xliff_out import bcp47
from traduco.language import masking
from traduco.project import files
from traduco.project.loading import Project

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TMX_DATE = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_APPROVER = re.compile(r"approved by (.+?) on \d{4}-")


def memory_dir(project: Project, locale: str) -> Path:
    return project.catalogs_dir / IMPORTED / locale


# -- export --------------------------------------------------------------------

def export_tmx(project: Project, locale: str) -> tuple[bytes, int]:
    """The locale's approved pairs as TMX, and how many."""
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(root, "header", {"creationtool": "traduco", "creationtoolversion": __version__,
                                      "segtype": "paragraph", "o-tmf": "gettext", "adminlang": "en",
                                      "srclang": project.source_language, "datatype": "plaintext"})
    body = etree.SubElement(root, "body")
    seen: set[str] = set()
    folders = (project.catalogs_dir / locale / "LC_MESSAGES", retired_catalogs(project, locale))
    for found in each(project, [locale], folders=folders):
        if found.verdict:
            continue        # `traduco check` names it
        catalog = found.entries
        changed = _gettext_date(catalog.metadata.get("PO-Revision-Date"))
        reviewer = _person(catalog.metadata.get("Last-Translator", ""))
        for entry in catalog:
            # a plural entry's forms have no place in a TMX pair
            if pofile.state(entry) != pofile.APPROVED or entry.msgid_plural or entry.msgid in seen:
                continue
            seen.add(entry.msgid)
            body.append(_tu(entry, found.doc_id, project.source_language, locale, changed, reviewer))
    for tu in body:
        tu.tail = "\n"
    body.text = "\n"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n", len(body)


def _tu(entry: polib.POEntry, doc_id: str, source_language: str, locale: str,
        changed: dt.datetime | None, reviewer: str) -> etree._Element:
    made = provenance.of(entry).made or changed
    approver = _APPROVER.search(provenance.note(entry) or "")
    attributes = {}
    if made:
        attributes["creationdate"] = made.strftime(_TMX_DATE)
    if changed:
        attributes["changedate"] = changed.strftime(_TMX_DATE)
    if approver or reviewer:
        attributes["changeid"] = approver.group(1) if approver else reviewer
    tu = etree.Element("tu", attributes)
    etree.SubElement(tu, "prop", type="x-document").text = doc_id
    if entry.msgctxt is not None:
        etree.SubElement(tu, "prop", type="x-context").text = entry.msgctxt
    for language, text in ((source_language, entry.msgid), (bcp47(locale), entry.msgstr)):
        tuv = etree.SubElement(tu, "tuv", {XML_LANG: language})
        _seg(etree.SubElement(tuv, "seg"), inline.split(text, entry.flags))
    return tu


def _seg(seg, pieces: list[inline.Piece]) -> None:
    last = None
    for piece in pieces:
        if isinstance(piece, str):
            if last is None:
                seg.text = (seg.text or "") + piece
            else:
                last.tail = (last.tail or "") + piece
            continue
        name = {inline.OPEN: "bpt", inline.CLOSE: "ept"}.get(piece.role, "ph")
        last = etree.SubElement(seg, name, {"i": str(piece.id)} if name != "ph" else {"x": str(piece.id)})
        last.text = piece.native


def _gettext_date(value: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m-%d %H:%M%z").astimezone(dt.timezone.utc)
    except ValueError:
        return None


def _person(last_translator: str) -> str:
    name = re.sub(r"\s*<[^>]*>\s*", "", last_translator).strip()
    return "" if name in ("", "FULL NAME") else name


# -- import --------------------------------------------------------------------

def import_tmx(project: Project, path: Path) -> dict[str, int]:
    """Seed each locale's memory from a TMX file: locale -> pairs written."""
    root = read(path, "TMX")
    if local(root) != "tmx":
        raise ExchangeError(f"is not a TMX file (its root element is <{local(root)}>)", path=path,
                            hint="Give a .tmx file exported from a CAT tool or translation memory")
    header = root.find("header")
    srclang = (header.get("srclang") if header is not None else None) or "*all*"
    if srclang != "*all*" and _language(srclang) != project.source_language.lower():
        raise ExchangeError(f"its source language is {srclang}, but this project translates from "
                            f"{project.source_language}", path=path,
                            hint="Nothing was changed. Export the memory with Italian as the source language")
    pairs: dict[str, dict[str, tuple[str, str]]] = {locale: {} for locale in project.locales}
    for tu in root.iterfind("body/tu"):
        texts = _variants(tu)
        italian = texts.get(project.source_language.lower())
        if not italian or not italian.strip():
            continue
        note = _origin(tu, path.name)
        for locale in project.locales:
            text = texts.get(locale.lower()) or (texts.get(locale.split("_")[0].lower())
                                                 if _unique_language(project, locale) else None)
            if text and text.strip():
                pairs[locale][italian] = (text, note)      # a later <tu> for the same Italian wins
    if not any(pairs.values()):
        raise ExchangeError(f"holds no Italian text paired with {' or '.join(project.locales)}", path=path,
                            hint="Nothing was changed. Check the languages the memory was exported with")
    name = _NAME.sub("-", path.stem).strip("-.") or "imported"
    return {locale: _write_memory(project, locale, name, found) for locale, found in pairs.items() if found}


def _variants(tu) -> dict[str, str]:
    """language (lower case; also its primary subtag) -> the segment's text."""
    texts: dict[str, str] = {}
    for tuv in tu.iterfind("tuv"):
        language = (tuv.get(XML_LANG) or tuv.get("lang") or "").replace("_", "-").lower()
        seg = tuv.find("seg")
        if not language or seg is None:
            continue
        text = _flatten(seg)
        texts.setdefault(language.replace("-", "_"), text)
        texts.setdefault(_language(language), text)
    return texts


def _flatten(element) -> str:
    """A segment's text: `hi` and `sub` as their text; a native code (`bpt`,
    `ept`, `ph`, `it`, `ut`) only where it is markup a catalog keeps (an HTML
    tag, a URL), not a word processor's formatting (memoQ's `{}`, Trados's
    empty tags)."""
    parts = [element.text or ""]
    for child in element:
        name = local(child)
        if name in ("bpt", "ept", "ph", "it", "ut"):
            native = "".join(child.itertext())
            if native and masking.PROTECTED.fullmatch(native):
                parts.append(native)
        elif name in ("hi", "sub"):
            parts.append(_flatten(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _origin(tu, file_name: str) -> str:
    who = tu.get("changeid") or tu.get("creationid")
    when = tu.get("changedate") or tu.get("creationdate")
    return f"from {file_name}" + (f", by {who}" if who else "") + (f", {when}" if when else "")


def _language(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


def _unique_language(project: Project, locale: str) -> bool:
    return sum(_language(other) == _language(locale) for other in project.locales) == 1


def _write_memory(project: Project, locale: str, name: str, found: dict[str, tuple[str, str]]) -> int:
    path = memory_dir(project, locale) / f"{name}.po"
    catalog = polib.POFile(wrapwidth=pofile.WRAP_WIDTH)
    catalog.metadata = {"Project-Id-Version": f"{project.name} memory {name}", "Language": locale,
                        "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
                        "Content-Transfer-Encoding": "8bit", "X-Generator": f"traduco {__version__}"}
    catalog.header = f"{locale} translation memory imported from {name}: approved pairs, read as memory only."
    for italian, (text, note) in found.items():
        catalog.append(polib.POEntry(msgid=italian, msgstr=text, comment=note))
    with files.locked(path, project.lock_path(path)):
        pofile.write(catalog, path)
    return len(found)
