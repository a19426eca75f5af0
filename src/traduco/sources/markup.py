"""Markdown sources: each block is a unit, and the page is rebuilt from translated units.

A `.md` body is parsed as CommonMark (markdown-it-py; raw HTML is not
recognised, so it stays text). Each heading, paragraph and list item becomes a
unit holding only its inline text (`## Il programma` -> `Il programma`), so
translators never see or break block syntax; inline markup (emphasis, code,
links) stays in the text and is protected from MT as tokens.

Where each unit sits is recorded by line in the template's `X-Source-Layout`
header (copied to every catalog): `1=h2 5=ul5/li5/t`, the containers from the
outside in (`ul`/`ol` list opened on line N, `li` item, `bq` block quote) and the
block itself (`p` paragraph, `t` paragraph of a tight list item, `h1`..`h6`,
`x` text rendered without Markdown). Plain paragraphs are not listed. The page
renders each translated unit's inline Markdown on its own (everything escaped,
unsafe link targets refused) inside the recorded structure, so a translation
can never change the page's structure.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt

FORMAT_HEADER = "X-Source-Format"
LAYOUT_HEADER = "X-Source-Layout"
MARKDOWN = "markdown"
PARAGRAPH = "p"
_CONTAINER = re.compile(r"(ul|bq|li)(\d{1,7})|ol(\d{1,7})\.(\d{1,9})")
_LEAF = re.compile(r"p|t|x|h[1-6]")
_CODE = {"fence", "code_block"}


@dataclass(frozen=True)
class Block:
    text: str   # inline Markdown, whitespace collapsed
    line: int   # 1-based line in the source file
    path: str   # where it sits: 'h2', 'ul5/li5/t', 'p'

    @property
    def is_heading(self) -> bool:
        return self.path.split("/")[-1].startswith("h")

    @property
    def in_list(self) -> bool:
        return any(part.startswith("li") for part in self.path.split("/")[:-1])


def blocks(body: str, first_line: int = 1) -> list[Block]:
    """The units of a Markdown body, in source order."""
    found: list[Block] = []
    containers: list[str] = []
    leaf = PARAGRAPH
    for token in parser().parse(body):
        line = first_line + token.map[0] if token.map else first_line
        if token.type in ("bullet_list_open", "blockquote_open", "list_item_open"):
            containers.append({"bullet_list_open": "ul", "blockquote_open": "bq",
                               "list_item_open": "li"}[token.type] + str(line))
        elif token.type == "ordered_list_open":
            containers.append(f"ol{line}.{_start(token)}")
        elif token.type.endswith("_close") and token.type[:-6] in ("bullet_list", "ordered_list",
                                                                     "blockquote", "list_item"):
            containers.pop()
        elif token.type == "heading_open":
            leaf = token.tag
        elif token.type == "paragraph_open":
            leaf = "t" if token.hidden else PARAGRAPH
        elif token.type in _CODE or token.type == "inline":
            # Code in a press release is nearly always a paragraph indented by
            # accident: it is translated and shown as plain text.
            text = " ".join(token.content.split())
            if text:
                found.append(Block(text, line, "/".join([*containers, "x" if token.type in _CODE else leaf])))
            leaf = PARAGRAPH
    return found


def encode(found: list[Block]) -> str:
    """The X-Source-Layout value: every block that is not a plain paragraph."""
    return " ".join(f"{block.line}={block.path}" for block in found if block.path != PARAGRAPH)


def decode(value: str | None) -> dict[int, str]:
    """Line -> path; anything a hand edit made unreadable is a plain paragraph."""
    layout: dict[int, str] = {}
    for item in (value or "").split():
        line, _, path = item.partition("=")
        parts = path.split("/")
        if line.isdigit() and _LEAF.fullmatch(parts[-1]) and all(_CONTAINER.fullmatch(p) for p in parts[:-1]):
            layout[int(line)] = path
    return layout


def render_body(placed: list[tuple[int, str]], layout: dict[int, str]) -> str:
    """HTML for translated units (line, text) in source order, in the recorded structure."""
    out: list[str] = []
    open_: list[str] = []
    for line, text in placed:
        *containers, leaf = layout.get(line, PARAGRAPH).split("/")
        keep = 0
        while keep < min(len(open_), len(containers)) and open_[keep] == containers[keep]:
            keep += 1
        # A new item of the same list closes the previous item, not the list.
        for container in reversed(open_[keep:]):
            out.append(_close(container))
        for container in containers[keep:]:
            out.append(_open(container))
        open_ = containers
        out.append(_leaf(leaf, text))
    out.extend(_close(container) for container in reversed(open_))
    return "\n".join(out)


def render_inline(text: str) -> str:
    return parser().renderInline(text)


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    # CommonMark without raw HTML (shown as text) and without images (a source
    # or feed must not make readers' browsers fetch from anywhere).
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def _start(token) -> int:
    start = token.attrGet("start")
    return int(start) if start is not None else 1


def _open(container: str) -> str:
    if container.startswith("ol"):
        start = int(container.split(".")[1])
        return f'<ol start="{start}">' if start != 1 else "<ol>"
    return {"ul": "<ul>", "bq": "<blockquote>", "li": "<li>"}[container[:2]]


def _close(container: str) -> str:
    return {"ul": "</ul>", "ol": "</ol>", "bq": "</blockquote>", "li": "</li>"}[container[:2]]


def _leaf(leaf: str, text: str) -> str:
    if leaf == "x":
        return f"<p>{html.escape(text)}</p>"
    inline = render_inline(text)
    if leaf == "t":
        return inline
    return f"<{leaf}>{inline}</{leaf}>"
