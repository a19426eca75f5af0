"""A catalog's text as its file spells it: the header's fields and one block per
entry, each kept byte for byte, so a merge can change only what changed.

    text = CatalogText.parse(data)          # any .po/.pot, as loosely as git hands it
    text.blocks[3].key                      # (msgctxt, msgid, obsolete, twin number)
    text.blocks[3].parsed                   # polib's reading, made only when asked

Reading is by lines, not by polib's parser: it never refuses a file (git hands
the merge driver whatever was committed: charset=ASCII, xgettext's
charset=CHARSET, a blank line in the leading comment, obsolete twins), it costs
one pass, and every block keeps its exact bytes (wrapping, `#` lines, order).
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property

import polib

HEADER_KEY = (None, "", False, 0)
_EMPTY_HEADER = 'msgid ""\nmsgstr ""\n\n'
_CHARSET = re.compile(rb"charset=([A-Za-z0-9_.:-]+)")
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s*(\".*)?$")
_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')


def encoding_of(data: bytes) -> str:
    """The codec the header names, UTF-8 where it names none Python knows (CHARSET)."""
    match = _CHARSET.search(data[:4000])
    if match:
        try:
            return codecs.lookup(match.group(1).decode("ascii")).name
        except LookupError:
            pass
    return "utf-8"


def not_text(data: bytes) -> str | None:
    """Why `data` is no text catalog git should let the driver merge (UTF-16
    from Notepad's "Unicode", a compiled .mo or other binary), or None.
    A NUL inside a msgstr is text still: msgfmt compiles it."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "it is UTF-16 (save it as UTF-8)"
    if data.count(b"\0") * 20 > len(data):
        return "it is binary (a compiled .mo, or UTF-16 without a byte-order mark)"
    if b"\0" in data:
        try:
            data.decode(encoding_of(data))
        except (UnicodeDecodeError, LookupError):
            return "it is binary, not a .po file"
    return None


def _kind(line: str) -> tuple[str, bool, str]:
    """(kind, obsolete, rest): kind is blank, comment, a keyword, "string" or "other"."""
    text = line.strip().lstrip("\ufeff")
    if not text:
        return "blank", False, ""
    obsolete = text.startswith("#~")
    if obsolete:
        text = text[2:].lstrip()
        if not text or text.startswith("|"):
            return "comment", True, text
    elif text.startswith("#"):
        return "comment", False, text
    if text.startswith('"'):
        return "string", obsolete, text
    match = _KEYWORD.match(text)
    if match:
        return match.group(1).split("[")[0], obsolete, match.group(2) or ""
    return "other", obsolete, text


def lines_of(text: str) -> list[str]:
    """`text` cut after each newline only (str.splitlines also cuts at U+2028,
    form feeds and others, which a translation may hold)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _literal(rest: str) -> str:
    return "".join(polib.unescape(part) if "\\" in part else part for part in _LITERAL.findall(rest))


@dataclass
class Block:
    """One entry (or the header) as lines of its file; `gap` the blank lines after it."""

    lines: list[str]
    gap: str = ""
    msgctxt: str | None = None
    msgid: str | None = None
    obsolete: bool = False
    twin: int = 0
    has_msgstr: bool = False

    @property
    def text(self) -> str:
        return "".join(self.lines)

    @property
    def key(self) -> tuple:
        return (self.msgctxt, self.msgid, self.obsolete, self.twin)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None and not self.obsolete

    @cached_property
    def parsed(self) -> polib.POEntry | None:
        """polib's reading of this block alone, or None where polib cannot read it."""
        if self.is_header:
            return None
        try:    # after an empty header: polib takes a file's first comments as the header's
            catalog = polib.pofile(_EMPTY_HEADER + self.text + ("" if self.text.endswith("\n") else "\n"),
                                   wrapwidth=0)
        except (OSError, ValueError):
            return None
        entries = list(catalog)
        return entries[0] if len(entries) == 1 else None

    @classmethod
    def spelling(cls, entry: polib.POEntry, like: "Block") -> "Block":
        """`entry` as traduco spells an entry (unwrapped), in `like`'s place."""
        text = entry.__unicode__(wrapwidth=0)
        if like.lines and like.lines[0].endswith("\r\n"):     # a file saved on Windows stays so
            text = text.replace("\n", "\r\n")
        block = cls(lines_of(text), like.gap, entry.msgctxt,
                    entry.msgid, bool(entry.obsolete), like.twin, True)
        block.__dict__["parsed"] = entry
        return block


@dataclass
class CatalogText:
    """A catalog file as blocks; `str(text)` gives the same characters back."""

    blocks: list[Block] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> "CatalogText":
        blocks: list[Block] = []
        current: Block | None = None
        field_name = None
        for line in lines_of(text):
            if line[:1] == '"' and current is not None and not current.gap:   # most lines: a string goes on
                current.lines.append(line)
                if field_name in ("msgctxt", "msgid"):
                    setattr(current, field_name, getattr(current, field_name) + _literal(line))
                continue
            kind, obsolete, rest = _kind(line)
            if kind == "blank":
                if current is None:      # blank lines before anything: the first block's
                    current = Block([])
                    blocks.append(current)
                current.gap += line
                continue
            if current is None or (kind in ("comment", "msgctxt", "msgid", "other") and current.has_msgstr):
                current = Block([])
                blocks.append(current)
            elif current.gap:            # a blank line inside an entry (a leading comment's)
                current.lines.append(current.gap)
                current.gap = ""
            current.lines.append(line)
            if kind in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
                field_name = kind
                current.obsolete = current.obsolete or obsolete
                if kind == "msgstr":
                    current.has_msgstr = True
                elif kind != "msgid_plural":
                    setattr(current, kind, (getattr(current, kind) or "") + _literal(rest))
            elif kind == "string" and field_name in ("msgctxt", "msgid"):
                setattr(current, field_name, getattr(current, field_name) + _literal(rest))
        _number_twins(blocks)
        return cls(blocks)

    def __str__(self) -> str:
        return "".join(block.text + block.gap for block in self.blocks)

    @property
    def header(self) -> Block | None:
        return next((b for b in self.blocks[:2] if b.is_header), None)


def _number_twins(blocks: list[Block]) -> None:
    seen: dict[tuple, int] = {}
    for block in blocks:
        key = block.key
        block.twin = seen.get(key, 0)
        seen[key] = block.twin + 1


def join(blocks: list[Block], last_gap: str = "") -> str:
    """Blocks as one file: a blank line between entries, whichever file each came from."""
    parts = []
    for index, block in enumerate(blocks):
        text = block.text
        if index == len(blocks) - 1:
            parts.append(text + last_gap)
            break
        if not text.endswith("\n"):
            text += "\n"
        parts.append(text + (block.gap or "\n"))
    return "".join(parts)


# -- the header's fields -------------------------------------------------------

@dataclass
class Header:
    """A header block as comment lines, the msgid/msgstr lines and its fields,
    each field with its own lines (a wrapped field keeps its wrapping)."""

    comments: list[str]
    opening: list[str]          # msgid "" ... msgstr "" as spelled
    fields: dict[str, list[str]]
    values: dict[str, str]

    @classmethod
    def parse(cls, block: Block) -> "Header":
        comments, opening, fields, values = [], [], {}, {}
        pending: list[str] = []
        value = ""
        in_msgstr = False
        for line in block.lines:
            kind, _, rest = _kind(line)
            if not in_msgstr:
                if kind == "comment" and not opening:
                    comments.append(line)
                    continue
                opening.append(line)
                if kind == "msgstr":
                    in_msgstr = True
                    literal = _literal(rest)
                    if literal:        # msgstr "Field: ..." on the keyword's own line
                        opening[-1] = line[:line.index('"')] + '""\n'
                        pending, value = ['"' + rest.strip()[1:-1] + '"\n'], literal
                continue
            pending.append(line)
            value += _literal(rest)
            if value.endswith("\n"):
                name = value.split(":", 1)[0].strip()
                fields[name], values[name] = pending, value.split(":", 1)[-1].strip()
                pending, value = [], ""
        if pending:
            name = value.split(":", 1)[0].strip()
            fields[name], values[name] = pending, value.split(":", 1)[-1].strip()
        return cls(comments, opening, fields, values)

    def text(self) -> str:
        return "".join(self.comments + self.opening + [line for lines in self.fields.values() for line in lines])


REVISION_FIELDS = ("Last-Translator", "PO-Revision-Date")   # one person's name with their date


def merge_headers(base: Header | None, ours: Header, theirs: Header, theirs_newer: bool) -> Header:
    """Field by field, each from the side that changed it; the revision fields
    together from one side (the newer if both changed them); comment lines of both."""
    base = base or Header([], [], {}, {})
    merged = {}
    for name in [*ours.fields, *(n for n in theirs.fields if n not in ours.fields)]:
        if name in REVISION_FIELDS:
            continue
        mine, other, old = ours.fields.get(name), theirs.fields.get(name), base.fields.get(name)
        if mine != old and other != old and mine != other:
            value = other if theirs_newer else mine
        else:
            value = other if mine == old else mine
        if value is not None:
            merged[name] = value
    changed = [side for side in (ours, theirs)
               if any(side.fields.get(f) != base.fields.get(f) for f in REVISION_FIELDS)]
    source = (theirs if theirs_newer else ours) if len(changed) == 2 else (changed or [ours])[0]
    for name in REVISION_FIELDS:
        if name in source.fields:
            merged[name] = source.fields[name]
    order = [*ours.fields, *(n for n in theirs.fields if n not in ours.fields)]
    fields = {name: merged[name] for name in order if name in merged}
    return Header(_merge_lines(base.comments, ours.comments, theirs.comments), ours.opening, fields,
                  {})


def _merge_lines(base: list[str], ours: list[str], theirs: list[str]) -> list[str]:
    """The changed side's lines; if both changed, ours with theirs' new lines after
    the line they follow there, less the lines either side deleted."""
    if ours == base or theirs == base:
        return theirs if ours == base else ours
    deleted = {line for line in base if line not in ours or line not in theirs}
    result = [line for line in ours if line not in deleted]
    present = set(result)
    for index, line in enumerate(theirs):
        if line in present or line in deleted:
            continue
        after = next((theirs[i] for i in range(index - 1, -1, -1) if theirs[i] in present), None)
        result.insert(result.index(after) + 1 if after is not None else 0, line)
        present.add(line)
    return result


# -- order and revision ---------------------------------------------------------

def obsolete_last(catalog: CatalogText) -> bool:
    """Whether the file keeps its obsolete entries last, as msgmerge does."""
    flags = [block.obsolete for block in catalog.blocks]
    return flags == sorted(flags)


def revision(catalog: CatalogText) -> dt.datetime:
    """The header's PO-Revision-Date (the epoch where there is none)."""
    header = catalog.header
    value = Header.parse(header).values.get("PO-Revision-Date", "") if header is not None else ""
    try:
        return dt.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M%z")
    except ValueError:
        return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def merge_order(base: list, ours: list, theirs: list) -> list:
    """The order of the side that reordered (ours if both did), each key the
    other side has beside it placed after the key it follows there. Linear."""
    in_base, in_ours = set(base), set(ours)
    ours_kept = [k for k in ours if k in in_base]
    primary, secondary = (theirs, ours) if ours_kept == [k for k in base if k in in_ours] else (ours, theirs)
    placed = set(primary)
    head: list = []
    after: dict = {}
    anchor = None
    for key in secondary:
        if key in placed:
            anchor = key
            continue
        (after.setdefault(anchor, []) if anchor is not None else head).append(key)
    order = list(head)
    for key in primary:
        order.append(key)
        order.extend(after.get(key, ()))
    return order
