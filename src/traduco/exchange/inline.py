"""Inline codes: markup and placeholders a translator must not break.

A unit's text is split into plain text and codes with the very patterns
machine translation is protected by (`mt.masking`): URLs, e-mail addresses,
hashtags, @handles, markup tags, Markdown inline markup, and printf/brace
placeholders in format strings. In XLIFF each code becomes an inline element
the CAT tool shows as a tag (never as text a translator could mistype):
a standalone code is `<ph>`, an HTML tag pair around words is `<pc>` in
XLIFF 2 and `<g>` in XLIFF 1.2. Codes are numbered in order, from 1.

    >>> [str(p) for p in split("Vedi <b>qui</b> e www.toscana.it")]
    ['Vedi ', '<b>#1', 'qui', '</b>#1', ' e ', 'www.toscana.it#2']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from traduco.language import masking

STANDALONE, OPEN, CLOSE = "ph", "open", "close"
_KINDS = [("url", masking.URL), ("email", masking.EMAIL), ("hashtag", masking.HASHTAG),
          ("handle", masking.HANDLE), ("tag", masking.MARKUP), ("printf", masking.PRINTF),
          ("brace", masking.BRACE)]
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")


@dataclass(frozen=True)
class Code:
    id: int
    native: str          # the text it stands for, exactly as in the catalog
    role: str = STANDALONE
    kind: str = "markdown"

    def __str__(self) -> str:
        return f"{self.native}#{self.id}"


Piece = str | Code


def kind_of(native: str) -> str:
    for name, pattern in _KINDS:
        if re.fullmatch(pattern, native):
            return name
    return "markdown"


def split(text: str, flags: Iterable[str] = ()) -> list[Piece]:
    """`text` as plain strings and codes; an HTML tag and its closing tag
    around words share one id (a paired code)."""
    pieces: list[Piece] = []
    spans = list(masking.protected(flags).finditer(text))
    pairs = _pairs([m.group(0) for m in spans])
    ids: dict[int, int] = {}
    position = 0
    for index, match in enumerate(spans):
        if match.start() > position:
            pieces.append(text[position:match.start()])
        if index in pairs and pairs[index] < index:          # a closing tag: its opening's id
            pieces.append(Code(ids[pairs[index]], match.group(0), CLOSE, "tag"))
        else:
            ids[index] = len(ids) + 1
            role = OPEN if index in pairs else STANDALONE
            pieces.append(Code(ids[index], match.group(0), role, kind_of(match.group(0))))
        position = match.end()
    if position < len(text):
        pieces.append(text[position:])
    return pieces


def _pairs(natives: list[str]) -> dict[int, int]:
    """Opening and closing HTML tags that nest properly: index <-> index."""
    pairs: dict[int, int] = {}
    stack: list[tuple[str, int]] = []
    for index, native in enumerate(natives):
        tag = _TAG.match(native)
        if not tag or native.endswith("/>"):
            continue
        closing, name = tag.group(1) == "/", tag.group(2).lower()
        if not closing:
            stack.append((name, index))
        elif stack and stack[-1][0] == name:
            _, start = stack.pop()
            pairs[start], pairs[index] = index, start
        else:
            stack.clear()     # crossed tags: leave them standalone
    return pairs


def natives(pieces: list[Piece]) -> dict[str, tuple[str, str]]:
    """id -> (opening or standalone native, closing native or '')."""
    found: dict[str, tuple[str, str]] = {}
    for piece in pieces:
        if isinstance(piece, Code):
            start, end = found.get(str(piece.id), ("", ""))
            if piece.role == CLOSE:
                found[str(piece.id)] = (start, piece.native)
            else:
                found[str(piece.id)] = (piece.native, end)
    return found


def joined(pieces: list[Piece]) -> str:
    return "".join(p if isinstance(p, str) else p.native for p in pieces)
