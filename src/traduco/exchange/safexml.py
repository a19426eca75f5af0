"""XML from outside read safely: no entities, no network, no huge trees.

Files from agencies and other tools are input from strangers. lxml reads
them with entity expansion off (`resolve_entities=False`: no XXE, no
"billion laughs"), no DTD loaded and no network, and libxml2's limits on
tree size kept (`huge_tree=False`). A document that declares entities at
all is refused outright: no CAT tool needs one, and a declaration left
unexpanded would otherwise turn into silently missing text.

    root = read(path, "XLIFF")         # ExchangeError naming the file and line
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from traduco.errors import TraducoError

MAX_BYTES = 50_000_000     # far above any press office's exchange file
_LIMITS = ("xml_parse_huge", "resource limit", "excessive depth")     # libxml2's words for huge_tree=False


class ExchangeError(TraducoError):
    """An exchange file (XLIFF, TMX, TBX) that cannot be used; nothing was changed."""


def parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False, remove_comments=True, remove_pis=True)


def read(path: Path, kind: str) -> etree._Element:
    """The root element of `path`, or ExchangeError (nothing read, nothing changed)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExchangeError(f"cannot be read ({exc.strerror or exc})", path=path,
                            hint=f"Give the path of the {kind} file the agency returned") from None
    return parse(data, path, kind)


def parse(data: bytes, path: Path, kind: str) -> etree._Element:
    if len(data) > MAX_BYTES:
        raise ExchangeError(f"is {len(data):,} bytes, more than a {kind} file traduco reads "
                            f"({MAX_BYTES:,})", path=path, hint="Split it into smaller files")
    if b"<!ENTITY" in data.upper() or b"<\x00!\x00E\x00N\x00T\x00I\x00T\x00Y" in data.upper():
        raise ExchangeError("declares XML entities (<!ENTITY>), which can read local files or "
                            "expand without end (XXE, 'billion laughs')", path=path,
                            hint=f"Nothing was changed. Ask for the {kind} file as the CAT tool "
                                 "exports it: tools write no entity declarations")
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if getattr(exc, "lineno", None) else None
        if not data.strip():
            raise ExchangeError("is empty", path=path, hint=f"Nothing was changed. Give the {kind} file "
                                "the agency returned, or ask them to send it again") from None
        if any(limit in exc.msg.lower() for limit in _LIMITS):
            raise ExchangeError("goes past the safe parser's limits (a text of over 10 MB, or elements "
                                "nested over 256 deep), as no CAT tool writes", path=path, line=line,
                                hint=f"Nothing was changed. Ask for the {kind} file as the CAT tool "
                                     "exports it, or split it into smaller files") from None
        # cut mid-element or mid-tag: the error is on the file's last line
        truncated = "premature end" in str(exc).lower() or (line or 0) >= data.rstrip().count(b"\n") + 1
        what = ("is cut short (the XML ends before its elements close)" if truncated
                else f"is not well-formed XML ({exc.msg})")
        raise ExchangeError(what, path=path, line=line,
                            hint=f"Nothing was changed. Export the {kind} file again from the tool, "
                                 "or ask the agency to send it again") from None
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise ExchangeError("uses XML entities traduco does not expand", path=path,
                            hint="Nothing was changed. Ask for the file as the CAT tool exports it")
    return root


def local(element) -> str:
    """An element's name without its namespace ('' for comments and the like)."""
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def text_of(element) -> str:
    """All the text inside an element, its children's included."""
    return "".join(element.itertext())
