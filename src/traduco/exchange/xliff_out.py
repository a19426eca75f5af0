"""XLIFF written for CAT tools: 2.1 by default (with the glossary module),
1.2 for the tools that still prefer it.

One `<file>` per document, one unit per catalog entry, the unit's id from
its Italian and context (`selection.unit_id`). The Italian is the source,
the current translation the target, with its state:

| catalog | XLIFF 2.1 | XLIFF 1.2 |
|---|---|---|
| untranslated | `state="initial"`, no target | no target |
| draft (fuzzy) | `state="initial"` | `state="needs-review-translation"` |
| approved | `state="final"` | `state="final"`, `approved="yes"` |

Context goes in notes (document, msgctxt, notes for translators, traduco's
provenance note, check findings, risk); glossary terms in XLIFF 2.1's
`gls:glossary`, or as notes in 1.2. Markup and placeholders are inline codes
(`inline.split`): `<ph>`/`<pc>` with `<originalData>` in 2.1, `<ph>`/`<g>` in
1.2. traduco's own bookkeeping (the translation's fingerprint as exported)
is an attribute in its own namespace in 2.1 and a `context-group` in 1.2,
both of which tools carry through untouched.

The same catalogs give the same bytes (no dates in the file).
"""

from __future__ import annotations

from lxml import etree

from traduco import __version__
from traduco.catalogs import pofile
from traduco.exchange import inline
from traduco.exchange.selection import OutgoingUnit

XLIFF2 = "urn:oasis:names:tc:xliff:document:2.0"
XLIFF12 = "urn:oasis:names:tc:xliff:document:1.2"
GLS = "urn:oasis:names:tc:xliff:glossary:2.0"
TRADUCO = "urn:x-traduco:exchange:1"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
VERSIONS = ("2.1", "2.0", "1.2")
_STRUCTURE = {"xliff", "file", "unit", "notes", "segment", "originalData", "glossary", "glossEntry",
              "body", "header", "trans-unit", "context-group"}
_PRIORITY = {"check-error": "1", "check-warning": "3", "risk": "2"}


def bcp47(locale: str) -> str:
    """zh_CN -> zh-CN, as XLIFF, TMX and TBX write languages."""
    return locale.replace("_", "-")


def render(units: list[OutgoingUnit], source_language: str, locale: str, version: str = "2.1",
           source_files: dict[str, str] | None = None) -> bytes:
    """One locale's units as an XLIFF document."""
    if version not in VERSIONS:
        raise ValueError(f"XLIFF version {version!r}: traduco writes {', '.join(VERSIONS)}")
    by_doc: dict[str, list[OutgoingUnit]] = {}
    for unit in units:
        by_doc.setdefault(unit.doc_id, []).append(unit)
    build = _xliff2 if version.startswith("2") else _xliff12
    root = build(by_doc, source_language, locale, version, source_files or {})
    _indent(root, 0)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


# -- XLIFF 2.x -----------------------------------------------------------------

def _xliff2(by_doc, source_language, locale, version, source_files) -> etree._Element:
    nsmap = {None: XLIFF2, "traduco": TRADUCO}
    if version == "2.1":
        nsmap["gls"] = GLS
    root = etree.Element(f"{{{XLIFF2}}}xliff", nsmap=nsmap, version=version, srcLang=source_language,
                         trgLang=bcp47(locale))
    for number, (doc_id, units) in enumerate(by_doc.items(), start=1):
        file = _sub(root, "file", XLIFF2, id=f"f{number}", original=doc_id)
        notes = _sub(file, "notes", XLIFF2)
        _sub(notes, "note", XLIFF2, category="document").text = \
            f"{doc_id} ({source_files.get(doc_id, doc_id)}), translated by traduco {__version__}"
        for unit in units:
            _unit2(file, unit, version)
    return root


def _unit2(file, unit: OutgoingUnit, version: str) -> None:
    element = _sub(file, "unit", XLIFF2, id=unit.id)
    element.set(f"{{{TRADUCO}}}base", unit.base)
    if unit.terms and version == "2.1":
        glossary = _sub(element, "glossary", GLS)
        for term in unit.terms:
            entry = _sub(glossary, "glossEntry", GLS)
            _sub(entry, "term", GLS, source="glossary").text = term.source
            target = term.target(unit.locale)
            if target:
                _sub(entry, "translation", GLS, source="glossary").text = target
            if term.note:
                _sub(entry, "definition", GLS, source="glossary").text = term.note
    notes = _sub(element, "notes", XLIFF2)
    for category, text in _notes(unit, version):
        note = _sub(notes, "note", XLIFF2, category=category)
        if category in _PRIORITY:
            note.set("priority", _PRIORITY[category])
        note.text = text
    source_pieces = inline.split(unit.msgid, unit.flags)
    codes = inline.natives(source_pieces)
    if codes:
        data = _sub(element, "originalData", XLIFF2)
        for code_id, (start, end) in codes.items():
            _sub(data, "data", XLIFF2, id=f"d{code_id}").text = start
            if end:
                _sub(data, "data", XLIFF2, id=f"d{code_id}e").text = end
    segment = _sub(element, "segment", XLIFF2, state="final" if unit.state == pofile.APPROVED else "initial")
    source = _sub(segment, "source", XLIFF2)
    source.set(XML_SPACE, "preserve")
    _inline2(source, source_pieces)
    if unit.msgstr:
        target = _sub(segment, "target", XLIFF2)
        target.set(XML_SPACE, "preserve")
        _inline2(target, _pieces_like(unit.msgstr, source_pieces, unit.flags))


def _paired2(parent, code: inline.Code) -> etree._Element:
    return _sub(parent, "pc", XLIFF2, id=str(code.id), dataRefStart=f"d{code.id}", dataRefEnd=f"d{code.id}e",
                dispStart=code.native, type="fmt")


def _standalone2(parent, code: inline.Code) -> None:
    _sub(parent, "ph", XLIFF2, id=str(code.id), dataRef=f"d{code.id}", disp=code.native,
         **({"type": "link"} if code.kind == "url" else {}))


def _inline2(parent, pieces: list[inline.Piece]) -> None:
    _inline(parent, pieces, _paired2, _standalone2, lambda pc, code: pc.set("dispEnd", code.native))


# -- XLIFF 1.2 -----------------------------------------------------------------

def _xliff12(by_doc, source_language, locale, version, source_files) -> etree._Element:
    root = etree.Element(f"{{{XLIFF12}}}xliff", nsmap={None: XLIFF12}, version="1.2")
    for doc_id, units in by_doc.items():
        file = _sub(root, "file", XLIFF12, original=doc_id, datatype="plaintext",
                    **{"source-language": source_language, "target-language": bcp47(locale)})
        header = _sub(file, "header", XLIFF12)
        _sub(header, "tool", XLIFF12, **{"tool-id": "traduco", "tool-name": "traduco",
                                        "tool-version": __version__})
        _sub(header, "note", XLIFF12, **{"from": "document"}).text = \
            f"{doc_id} ({source_files.get(doc_id, doc_id)})"
        body = _sub(file, "body", XLIFF12)
        for unit in units:
            _unit12(body, unit)
    return root


def _unit12(body, unit: OutgoingUnit) -> None:
    element = _sub(body, "trans-unit", XLIFF12, id=unit.id)
    element.set(XML_SPACE, "preserve")
    if unit.msgctxt is not None:
        element.set("resname", unit.msgctxt)
    if unit.state == pofile.APPROVED:
        element.set("approved", "yes")
    source_pieces = inline.split(unit.msgid, unit.flags)
    _inline12(_sub(element, "source", XLIFF12), source_pieces)
    if unit.msgstr:
        state = "final" if unit.state == pofile.APPROVED else "needs-review-translation"
        _inline12(_sub(element, "target", XLIFF12, state=state),
                  _pieces_like(unit.msgstr, source_pieces, unit.flags))
    group = _sub(element, "context-group", XLIFF12, purpose="information")   # names must be unique per file
    _sub(group, "context", XLIFF12, **{"context-type": "x-traduco-base"}).text = unit.base
    if unit.msgctxt is not None:
        _sub(group, "context", XLIFF12, **{"context-type": "x-msgctxt"}).text = unit.msgctxt
    for category, text in _notes(unit, "1.2"):
        note = _sub(element, "note", XLIFF12, **{"from": category})
        if category in _PRIORITY:
            note.set("priority", _PRIORITY[category])
        note.text = text


def _standalone12(parent, code: inline.Code) -> None:
    _sub(parent, "ph", XLIFF12, id=str(code.id), ctype=f"x-{code.kind}").text = code.native


def _inline12(parent, pieces: list[inline.Piece]) -> None:
    _inline(parent, pieces, lambda p, code: _sub(p, "g", XLIFF12, id=str(code.id), ctype="x-html"),
            _standalone12, lambda g, code: None)


# -- shared --------------------------------------------------------------------

def _inline(parent, pieces: list[inline.Piece], paired, standalone, closed) -> None:
    """Text and codes into `parent`: `paired(parent, code)` makes the element
    a tag pair encloses, `closed(element, closing_code)` finishes it,
    `standalone(parent, code)` writes a code on its own."""
    stack = [parent]
    for piece in pieces:
        if isinstance(piece, str):
            _append_text(stack[-1], piece)
        elif piece.role == inline.OPEN:
            stack.append(paired(stack[-1], piece))
        elif piece.role == inline.CLOSE:
            closed(stack.pop(), piece)
        else:
            standalone(stack[-1], piece)


def _notes(unit: OutgoingUnit, version: str) -> list[tuple[str, str]]:
    notes = list(unit.notes)
    if version != "2.1":      # no glossary module: the terms as notes
        for term in unit.terms:
            target = term.target(unit.locale)
            notes.append(("glossary", f"{term.source} → {target}" + (f" ({term.note})" if term.note else "")
                          if target else term.source))
    return notes


def _pieces_like(text: str, source: list[inline.Piece], flags) -> list[inline.Piece]:
    """The translation's codes numbered as the Italian's: each takes the id of
    the first unused code of the Italian with the same text (a closing tag
    its opening's); a code the Italian lacks is left as text (the checks
    report it), so the tool cannot mistake it for one of the source's."""
    free = [p for p in source if isinstance(p, inline.Code) and p.role != inline.CLOSE]
    pieces: list[inline.Piece] = []
    opened: list[inline.Code] = []
    for piece in inline.split(text, flags):
        if isinstance(piece, str):
            pieces.append(piece)
        elif piece.role == inline.CLOSE:
            if opened:
                start = opened.pop()
                pieces.append(inline.Code(start.id, piece.native, inline.CLOSE, start.kind))
            else:
                pieces.append(piece.native)
        else:
            twin = next((p for p in free if (p.native, p.role) == (piece.native, piece.role)), None)
            if twin is None:
                pieces.append(piece.native)
                continue
            free.remove(twin)
            pieces.append(twin)
            if twin.role == inline.OPEN:
                opened.append(twin)
    if not _balanced(pieces, source):     # a tag pair broken in the translation: its tags as text
        pieces = [p.native if isinstance(p, inline.Code) and p.role != inline.STANDALONE else p for p in pieces]
    return pieces


def _balanced(pieces: list[inline.Piece], source: list[inline.Piece]) -> bool:
    closing = {p.id: p.native for p in source if isinstance(p, inline.Code) and p.role == inline.CLOSE}
    if any(isinstance(p, inline.Code) and p.role == inline.CLOSE and closing.get(p.id) != p.native
           for p in pieces):
        return False
    stack = []
    for piece in pieces:
        if isinstance(piece, inline.Code) and piece.role == inline.OPEN:
            stack.append(piece.id)
        elif isinstance(piece, inline.Code) and piece.role == inline.CLOSE:
            if not stack or stack.pop() != piece.id:
                return False
    return not stack


def _sub(parent, tag: str, namespace: str, **attributes) -> etree._Element:
    return etree.SubElement(parent, f"{{{namespace}}}{tag}", {k: v for k, v in attributes.items()})


def _append_text(parent, text: str) -> None:
    children = parent.getchildren()
    if children:
        children[-1].tail = (children[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _indent(element, level: int) -> None:
    """Line breaks and indentation between structural elements only: inside a
    source, target or note every character is content."""
    if etree.QName(element).localname not in _STRUCTURE or not len(element):
        return
    inner = "\n" + "  " * (level + 1)
    element.text = inner
    for child in element:
        _indent(child, level + 1)
        child.tail = inner
    element[-1].tail = "\n" + "  " * level
