"""XLIFF as CAT tools return it: 2.x, 1.2, and 1.2 as Trados and memoQ write it.

    returned = read_xliff(path)     # ExchangeError for anything traduco cannot trust

What each tool says about a unit's state, read as "approved" or "needs work":

| tool | approved (confirmed) | anything else |
|---|---|---|
| XLIFF 2.x | every segment `state="final"` | initial, translated, reviewed |
| XLIFF 1.2 | `state="final"` or `"signed-off"` (or `approved="yes"` with no state) | new, needs-*, translated |
| Trados (`sdl:seg-defs`) | every segment's `conf` Translated, ApprovedTranslation or ApprovedSignOff | Draft, Rejected*, none |
| memoQ (`mq:status`) | ManuallyConfirmed, Reviewer1Confirmed, Reviewer2Confirmed, Proofread | NotStarted, PartiallyEdited, Edited, Pretranslated, MachineTranslated, Rejected |

Trados's segmentation (`<seg-source>` and `<target>` holding
`<mrk mtype="seg">` segments) is joined back into one text per unit; inline
codes (`ph`, `pc`, `g`, `x`, `bpt`/`ept`, `it`, `bx`/`ex`) are kept as
references, resolved against the unit's codes when merged (`resolve`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from traduco.exchange.inline import CLOSE, OPEN, STANDALONE
from traduco.exchange.safexml import ExchangeError, local, read, text_of
from traduco.exchange.xliff_out import TRADUCO, XLIFF12, XLIFF2

SDL = "http://sdl.com/FileTypes/SdlXliff/1.0"
MQ = "MQXliff"
TOOLS = ("Trados", "memoQ")     # dialects whose unit ids are the tool's own
TRADOS_CONFIRMED = {"Translated", "ApprovedTranslation", "ApprovedSignOff"}
MEMOQ_CONFIRMED = {"ManuallyConfirmed", "Reviewer1Confirmed", "Reviewer2Confirmed", "Proofread"}
_CODES = {"ph", "x", "bpt", "ept", "it", "bx", "ex", "sc", "ec", "cp"}
_PAIRED = {"pc", "g"}
_WRAPPERS = {"mrk", "sub", "sm", "em"}      # their content is text; sm/em hold none


@dataclass(frozen=True)
class Ref:
    """An inline code in a returned file: its id, role, and the native text
    the file itself gives for it (ph content, originalData), if any."""
    id: str
    role: str
    native: str | None = None


Marked = list  # of str | Ref


@dataclass
class ReturnedUnit:
    id: str
    line: int | None
    msgctxt: str | None
    base: str | None                # the translation's fingerprint as exported, if the tool kept it
    source: Marked
    target: Marked | None           # None: no target at all
    approved: bool


@dataclass
class ReturnedFile:
    path: Path
    dialect: str                                     # "XLIFF 2.1", "XLIFF 1.2", "Trados", "memoQ"
    source_language: str
    target_language: str
    documents: dict[str, list[ReturnedUnit]] = field(default_factory=dict)   # file@original -> units


def read_xliff(path: Path) -> ReturnedFile:
    root = read(path, "XLIFF")
    namespace = root.nsmap.get(root.prefix)
    if local(root) == "xliff" and namespace is None:
        namespace = _adopt_namespace(root, path)
    if local(root) != "xliff" or namespace not in (XLIFF2, XLIFF12):
        raise ExchangeError(f"is not an XLIFF file (its root element is <{local(root)}> "
                            f"in namespace {namespace or '(none)'})", path=path,
                            hint="Give the .xlf/.xliff/.sdlxliff/.mqxliff file the agency returned")
    return _read2(root, path) if namespace == XLIFF2 else _read12(root, path)


def _adopt_namespace(root, path: Path) -> str:
    """A file whose tool dropped the XLIFF namespace (older 1.x tools, scripts)
    is read by its `version`: its unqualified elements put back in that namespace."""
    version = root.get("version", "")
    namespace = XLIFF2 if version.startswith("2.") else XLIFF12 if version in ("1.2", "1.1", "1.0") else None
    if namespace is None:
        raise ExchangeError(f"is an <xliff> without its namespace and of version {version or '(none)'}",
                            path=path, hint="Nothing was changed. Export it again as XLIFF 2.x or 1.2")
    for element in root.iter():
        if isinstance(element.tag, str) and not etree.QName(element).namespace:
            element.tag = f"{{{namespace}}}{element.tag}"
    return namespace


# -- XLIFF 2.x -----------------------------------------------------------------

def _read2(root, path: Path) -> ReturnedFile:
    returned = ReturnedFile(path, f"XLIFF {root.get('version', '2')}", _required(root, "srcLang", path),
                            _required(root, "trgLang", path))
    for file in root.iterfind(f"{{{XLIFF2}}}file"):
        units = returned.documents.setdefault(file.get("original") or file.get("id"), [])
        for unit in file.iter(f"{{{XLIFF2}}}unit"):
            units.append(_unit2(unit, path))
    return returned


def _unit2(unit, path: Path) -> ReturnedUnit:
    data = {d.get("id"): text_of(d) for d in unit.iterfind(f"{{{XLIFF2}}}originalData/{{{XLIFF2}}}data")}
    sources, targets, states = [], [], []
    for part in unit:
        if local(part) in ("segment", "ignorable"):
            source, target = part.find(f"{{{XLIFF2}}}source"), part.find(f"{{{XLIFF2}}}target")
            sources += _marked(source, data) if source is not None else []
            if target is not None:
                targets += _marked(target, data)
            elif local(part) == "ignorable":
                targets += _marked(source, data) if source is not None else []
            if local(part) == "segment":
                states.append(part.get("state", "initial"))
    context = next((n.text for n in unit.iterfind(f"{{{XLIFF2}}}notes/{{{XLIFF2}}}note")
                    if n.get("category") == "msgctxt"), None)
    has_target = unit.find(f".//{{{XLIFF2}}}target") is not None
    return ReturnedUnit(_required(unit, "id", path), unit.sourceline, context, unit.get(f"{{{TRADUCO}}}base"),
                        sources, targets if has_target else None,
                        bool(states) and all(state == "final" for state in states))


# -- XLIFF 1.2, Trados, memoQ --------------------------------------------------

def _read12(root, path: Path) -> ReturnedFile:
    files = root.findall(f"{{{XLIFF12}}}file")
    if not files:
        raise ExchangeError("has no <file> element", path=path, hint="Nothing was changed. Export it again")
    dialect = "Trados" if SDL in root.nsmap.values() else "memoQ" if MQ in root.nsmap.values() else "XLIFF 1.2"
    returned = ReturnedFile(path, dialect, _required(files[0], "source-language", path),
                            _required(files[0], "target-language", path))
    for file in files:
        if (file.get("source-language"), file.get("target-language")) != \
                (returned.source_language, returned.target_language):
            raise ExchangeError("mixes languages: its <file> elements have different source or target "
                                "languages", path=path, line=file.sourceline,
                                hint="Nothing was changed. Return one file per target language")
        units = returned.documents.setdefault(file.get("original", ""), [])
        for unit in file.iter(f"{{{XLIFF12}}}trans-unit"):
            if unit.get("translate") != "no":
                units.append(_unit12(unit, path))
    return returned


def _unit12(unit, path: Path) -> ReturnedUnit:
    source, target = unit.find(f"{{{XLIFF12}}}source"), unit.find(f"{{{XLIFF12}}}target")
    if source is None:
        raise ExchangeError("a <trans-unit> has no <source>", path=path, line=unit.sourceline,
                            hint="Nothing was changed. Export the file again from the tool")
    contexts = {c.get("context-type"): c.text or "" for c in unit.iter(f"{{{XLIFF12}}}context")}
    context = contexts.get("x-msgctxt", unit.get("resname"))
    return ReturnedUnit(_required(unit, "id", path), unit.sourceline, context, contexts.get("x-traduco-base"),
                        _marked(source, {}), _marked(target, {}) if target is not None else None,
                        _approved12(unit, target))


def _approved12(unit, target) -> bool:
    segments = unit.findall(f"{{{SDL}}}seg-defs/{{{SDL}}}seg")
    if segments:                                  # Trados: each segment's confirmation level
        return all(seg.get("conf") in TRADOS_CONFIRMED for seg in segments)
    status = unit.get(f"{{{MQ}}}status")
    if status is not None:                        # memoQ
        return status in MEMOQ_CONFIRMED
    state = target.get("state") if target is not None else None
    if state is not None:
        return state in ("final", "signed-off")
    return unit.get("approved") == "yes"


# -- inline content --------------------------------------------------------------

def _marked(element, data: dict[str, str]) -> Marked:
    """Text and code references of a source or target, in order."""
    found: Marked = [element.text] if element.text else []
    for child in element:
        name = local(child)
        if name in _PAIRED:
            start = data.get(child.get("dataRefStart", ""))
            end = data.get(child.get("dataRefEnd", ""))
            found.append(Ref(child.get("id", ""), OPEN, start))
            found += _marked(child, data)
            found.append(Ref(child.get("id", ""), CLOSE, end))
        elif name in _WRAPPERS:
            found += _marked(child, data)
        elif name in _CODES:
            found.append(_code(child, name, data))
        if child.tail:
            found.append(child.tail)
    return found


def _code(child, name: str, data: dict[str, str]) -> Ref:
    if name == "cp":                              # XLIFF 2's escape for a character XML cannot hold
        return Ref("", STANDALONE, chr(int(child.get("hex", "0"), 16)))
    role = {"bpt": OPEN, "bx": OPEN, "sc": OPEN, "ept": CLOSE, "ex": CLOSE, "ec": CLOSE}.get(name, STANDALONE)
    code_id = child.get("id") or child.get("rid") or child.get("startRef") or ""
    if name in ("ept", "ex") and child.get("rid"):
        code_id = child.get("rid")
    native = data.get(child.get("dataRef", "")) if child.get("dataRef") else None
    if native is None and name in ("ph", "bpt", "ept", "it") and len(child) == 0 and child.text:
        native = child.text
    return Ref(code_id, role, native)


def code_table(source: Marked, fallback: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """id -> (start, end) native text of a returned unit's codes: what the file
    itself says (ph content, originalData), else the unit's own codes
    (`fallback`, as `inline.natives` gives them: a `<g>` or `<x>` carries none)."""
    table = dict(fallback)
    for piece in source:
        if isinstance(piece, Ref) and piece.native is not None and piece.id:
            start, end = table.get(piece.id, ("", ""))
            table[piece.id] = (start, piece.native) if piece.role == CLOSE else (piece.native, end)
    return table


def resolve(marked: Marked, codes: dict[str, tuple[str, str]]) -> tuple[str, list[str]]:
    """The text a marked source or target stands for, with `codes` from
    `code_table`. Returns the text and the ids of codes the unit does not have."""
    text, unknown = [], []
    for piece in marked:
        if isinstance(piece, str):
            text.append(piece)
        elif not piece.id and piece.native is not None:      # a <cp> character
            text.append(piece.native)
        elif piece.id in codes:
            text.append(codes[piece.id][1] if piece.role == CLOSE else codes[piece.id][0])
        else:
            unknown.append(piece.id)
    return "".join(text), unknown


def _required(element, attribute: str, path: Path) -> str:
    value = element.get(attribute)
    if not value:
        raise ExchangeError(f"<{local(element)}> has no {attribute} attribute", path=path,
                            line=element.sourceline, hint="Nothing was changed. Export the file again from the tool")
    return value
