"""Catalogs: gettext templates and per-locale `.po` files, read and written with polib.

    catalog = read(path, locale="zh_CN")          # CatalogError names file:line
    write(merged, path)                           # atomic; untouched if nothing changed

Formatting policy: messages are never wrapped (WRAP_WIDTH = 0). polib wraps by
spaces and never wraps Chinese, msgcat and Poedit wrap differently again, so
any width makes tools fight over line breaks; one line per message keeps diffs
to the messages that really changed. A file whose content did not change is not
rewritten at all, so a catalog saved by Poedit keeps its bytes until there is
real news for it, and when it is rewritten, every entry traduco did not
change keeps its exact bytes (its wrapping included), so a translator's diff
shows only what changed.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polib
from babel.messages.plurals import get_plural

from traduco import __version__
from traduco.catalogs import provenance, syntax
from traduco.errors import CatalogError
from traduco.project import files
from traduco.catalogs.provenance import MACHINE, MEMORY, SOURCE_CHANGED  # noqa: F401  what fuzzy_reason answers

WRAP_WIDTH = 0
APPROVED, DRAFT, UNTRANSLATED = "approved", "draft", "untranslated"
NEEDS_WORK = "needs work"   # a draft of a person's or another tool's (see `fuzzy_reason`)
_SYNTAX_LINE = re.compile(r"\(line (\d+)\)")


def gettext_date(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M%z")


# -- headers -----------------------------------------------------------------

def template_metadata(project_name: str, doc_id: str, *, source: str,
                      date: str | None, source_url: str | None) -> dict[str, str]:
    meta = {
        "Project-Id-Version": f"{project_name} {doc_id}",
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": gettext_date(files.now()),
        "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
        "Language-Team": "LANGUAGE <LL@li.org>",
        "Language": "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": f"traduco {__version__}",
        "X-Source-File": source,
    }
    if date:
        meta["X-Source-Date"] = date
    if source_url:
        meta["X-Source-URL"] = source_url
    return meta


def catalog_header(locale: str) -> str:
    return (f"{locale} translation, drafted by traduco and reviewed by people.\n"
            "Fuzzy entries are drafts: correct the text, then clear the fuzzy flag\n"
            "(Poedit: toggle 'Needs work') to approve it. Only catalogs with every\n"
            "entry approved are published.")


def catalog_metadata(template: dict[str, str], locale: str,
                     existing: dict[str, str] | None) -> dict[str, str]:
    """Headers for a locale's catalog: what the template says about the document,
    what the existing catalog says about its translators, and the locale's plural
    rule. Every field another tool wrote (X-Poedit-*, a team's own) is kept as it
    is; only X-Source-* follow the template, which knows the source."""
    existing = existing or {}
    meta = {
        "Project-Id-Version": template.get("Project-Id-Version", ""),
        "Report-Msgid-Bugs-To": template.get("Report-Msgid-Bugs-To", ""),
        "POT-Creation-Date": template.get("POT-Creation-Date", ""),
        "PO-Revision-Date": existing.get("PO-Revision-Date", gettext_date(files.now())),
        "Last-Translator": existing.get("Last-Translator", ""),
        "Language-Team": existing.get("Language-Team", ""),
        "Language": locale,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": existing.get("Plural-Forms") or get_plural(locale).plural_forms,
        "X-Generator": existing.get("X-Generator", f"traduco {__version__}"),
    }
    for key, value in template.items():
        if key.startswith("X-Source-"):
            meta[key] = value
    for key, value in existing.items():   # Poedit's, Weblate's, a team's own fields
        if key not in meta and not key.startswith("X-Source-"):
            meta[key] = value
    return meta


# -- reading -----------------------------------------------------------------

def read(path: Path, *, locale: str | None = None, compilable: bool = True) -> polib.POFile:
    """Parse a catalog or template, strictly; anything msgfmt would reject raises
    CatalogError with the file, the line and what to do (see `load`)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"cannot be read ({exc.strerror or exc})", path=path,
                           hint="Check that the file exists and that you may read it") from None
    return load(data, path, locale=locale, compilable=compilable)


def read_existing(path: Path, *, locale: str | None = None) -> polib.POFile | None:
    """`read`, or None where there is no such file (no run has made it yet)."""
    return read(path, locale=locale) if path.exists() else None


def load(data: bytes, path: Path, *, locale: str | None = None, compilable: bool = True) -> polib.POFile:
    """Parse the exact bytes of a catalog (a snapshot read once), or raise
    CatalogError naming path:line. The one reader for any catalog traduco trusts:
    drafting, status, check and publishing all come through here, so what one
    of them refuses none of them uses. Syntax is checked as strictly as msgfmt
    does (polib alone reads `msgstr "你好` as `你`), then the headers, then
    duplicate msgids, then what `msgfmt -c` refuses to compile (plural forms,
    newlines, format strings: `syntax.check_entries`). `compilable=False`
    leaves that last judgement out, for a catalog traduco only carries and
    never publishes (another project's, met by the git merge driver)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"the file is not valid UTF-8 ({exc.reason})", path=path,
                           line=data[:exc.start].count(b"\n") + 1,
                           hint="Save it as UTF-8 in your PO editor") from None
    syntax.check(text, path)
    try:
        catalog = polib.pofile(text, wrapwidth=WRAP_WIDTH)
    except (OSError, ValueError) as exc:
        match = _SYNTAX_LINE.search(str(exc))
        raise syntax.unreadable(text, path, int(match.group(1)) if match else None) from None
    _check_headers(catalog, path, locale, text)
    _check_duplicates(catalog, path)
    if compilable:
        syntax.check_entries(catalog, text, path)
    return catalog


def _check_headers(catalog: polib.POFile, path: Path, locale: str | None, text: str) -> None:
    charset = catalog.metadata.get("Content-Type", "")
    if charset and "charset=utf-8" not in charset.replace(" ", "").lower():
        raise CatalogError(f"the header says {charset!r}, but traduco catalogs are UTF-8",
                           path=path, line=_header_line(text, "Content-Type"),
                           hint='Set "Content-Type: text/plain; charset=UTF-8"')
    language = catalog.metadata.get("Language")
    if locale and language and language.replace("-", "_") != locale:
        raise CatalogError(f"the header says Language: {language}, but this is the "
                           f"{locale} catalog", path=path, line=_header_line(text, "Language"),
                           hint=f'Set "Language: {locale}", or move the file to its own locale folder')


def _check_duplicates(catalog: polib.POFile, path: Path) -> None:
    seen: set[tuple[str | None, str]] = set()
    for entry in catalog:
        if entry.obsolete:
            continue
        key = (entry.msgctxt, entry.msgid)
        if key == (None, ""):     # polib took the first msgid "" as the header
            raise CatalogError('a second header (msgid "") in the catalog', path=path,
                               line=getattr(entry, "linenum", None),
                               hint="Delete one of the two headers, keeping its fields in the other")
        if key in seen:
            raise CatalogError("the same msgid appears twice", path=path,
                               line=getattr(entry, "linenum", None),
                               hint="Delete one of the two entries")
        seen.add(key)


def _header_line(text: str, field: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f'"{field}:'):
            return number
    return None


# -- entry state ---------------------------------------------------------

def translations(entry: polib.POEntry) -> list[str]:
    """The entry's translation: msgstr, or a plural entry's msgstr[0], msgstr[1]..."""
    if entry.msgstr_plural:
        return [entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def state(entry: polib.POEntry) -> str:
    """Approved, draft (fuzzy) or untranslated; a plural entry is translated
    only when every one of its forms is."""
    if not all(translations(entry)):
        return UNTRANSLATED
    return DRAFT if "fuzzy" in entry.flags else APPROVED


def active_entries(catalog: polib.POFile) -> list[polib.POEntry]:
    return [e for e in catalog if not e.obsolete]


def fuzzy_reason(entry: polib.POEntry) -> str | None:
    """Why a draft waits: machine draft, source changed, reused from memory, or
    needs work (fuzzy set by a person or another tool). None if not a draft."""
    if state(entry) != DRAFT:
        return None
    kind = provenance.of(entry).kind
    return kind if kind in (MACHINE, SOURCE_CHANGED, MEMORY) else NEEDS_WORK


def mark_draft(entry: polib.POEntry, msgstr: str, source: provenance.Provenance) -> None:
    entry.msgstr = msgstr
    if "fuzzy" not in entry.flags:
        entry.flags.insert(0, "fuzzy")
    provenance.record(entry, source)


# -- writing -----------------------------------------------------------------

def render(catalog: polib.POFile) -> str:
    catalog.wrapwidth = WRAP_WIDTH
    return catalog.__unicode__()


def write(catalog: polib.POFile, path: Path, *, date_header: str = "PO-Revision-Date",
          expected: bytes | None | type(...) = ...) -> bool:
    """Write `catalog` to `path` atomically, only if its content changed.

    The date header is carried over from the file on disk when nothing else
    changed, so a rerun with no news leaves every byte as it was; entries that
    did not change keep their bytes. With `expected` (the bytes read before
    merging), raises ChangedOnDisk instead of overwriting someone else's save.
    Returns whether the file was written.
    """
    on_disk = files.contents(path)
    if expected is not ... and on_disk != expected:
        raise files.ChangedOnDisk(str(path))
    previous = _parse(on_disk)
    if previous is not None:
        if date_header in previous.metadata:
            catalog.metadata[date_header] = previous.metadata[date_header]
        if render(previous) == render(catalog):
            return False
    catalog.metadata[date_header] = gettext_date(files.now())
    text = render(catalog)
    if previous is not None:
        # Entries that did not change keep their bytes: another tool's wrapping
        # survives, and diffs show only real changes.
        text = _spelled_as(text, _blocks(on_disk.decode("utf-8"), previous))
    try:
        files.atomic_write_bytes(path, text.encode("utf-8"), expected=expected)
    except OSError as exc:    # a full disk, a folder we may not write: this file only
        raise files.write_problem(exc, path) from None
    return True


def render_keeping(catalog: polib.POFile, *originals: bytes) -> str:
    """`catalog` rendered with every entry that one of `originals` (file
    contents, first wins) has unchanged spelled exactly as there."""
    verbatim: dict[str, str] = {}
    for data in originals:
        previous = _parse(data)
        if previous is not None:
            for plain, block in _blocks(data.decode("utf-8"), previous).items():
                verbatim.setdefault(plain, block)
    return _spelled_as(render(catalog), verbatim)


def _parse(data: bytes | None) -> polib.POFile | None:
    if data is None:
        return None
    try:
        return polib.pofile(data.decode("utf-8"), wrapwidth=WRAP_WIDTH)
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _spelled_as(text: str, verbatim: dict[str, str]) -> str:
    """`text` with each entry found in `verbatim` (ours -> theirs) spelled as theirs."""
    blocks = text.rstrip("\n").split("\n\n")
    return "\n\n".join([blocks[0]] + [verbatim.get(b, b) for b in blocks[1:]]) + "\n"


def _blocks(old_text: str, previous: polib.POFile) -> dict[str, str]:
    """Each entry of a file as we would spell it -> as the file spells it
    (empty for an unusual layout, such as stray comments: then ours is used)."""
    old_blocks = re.split(r"\n[ \t]*\n", old_text.replace("\r\n", "\n").strip("\n"))
    if len(old_blocks) != 1 + len(previous):
        return {}
    return {entry.__unicode__(WRAP_WIDTH).rstrip("\n"): block
            for entry, block in zip(previous, old_blocks[1:])}
