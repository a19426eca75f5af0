"""A document as an LLM sees it: title, date and every unit in order, each
with its id; approved units carry their translation (context, never bought).

    document = Document("toscana", "La Toscana in Cina", "2021-05", units)
    for window in document.windows(todo, size=40, max_chars=6000, overlap=2):
        window.asked      # the units to draft in this request, in document order
        window.context    # the units around them the model reads (approved or not)

A short document is one window whose context is the whole document. A long one
goes in windows of consecutive units to draft, each with `overlap` units of
context on either side (and the title always), so every unit is drafted
knowing its neighbours. An edited paragraph in a published release is one
window asking for that unit alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

CONTEXT_CHARS = 12_000   # a document up to this size travels whole as context
OVERLAP = 2              # units of context either side of a window of a long document


@dataclass(frozen=True)
class Unit:
    id: str
    text: str
    approved: str | None = None          # a reviewer's translation: context only


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str = ""
    date: str = ""
    units: tuple[Unit, ...] = ()
    examples: tuple[tuple[str, str], ...] = ()   # similar approved units from memory: (Italian, translation)

    @classmethod
    def loose(cls, texts: list[str]) -> "Document":
        """Texts that came without their document (a second opinion, a library
        caller): drafted together, as units of no document."""
        return cls("", units=tuple(Unit(f"u{n}", text) for n, text in enumerate(texts, 1)))

    def windows(self, todo: Iterable[str], size: int, max_chars: int,
                overlap: int = OVERLAP, sizes: dict[str, int] | None = None,
                whole: bool = True) -> list["Window"]:
        """The requests that draft `todo` (texts of this document), in order:
        at most `size` units and `max_chars` characters (of `sizes`, the masked
        lengths) each. With `whole`, a short document is all context; without
        (units asked for again: the request may have been too long for the
        model), only the neighbours are."""
        wanted = set(todo)
        positions = [i for i, unit in enumerate(self.units) if unit.text in wanted and unit.approved is None]
        seen: set[str] = set()
        positions = [i for i in positions if not (self.units[i].text in seen or seen.add(self.units[i].text))]
        groups: list[list[int]] = []
        chars = 0
        for i in positions:
            length = (sizes or {}).get(self.units[i].text, len(self.units[i].text))
            if groups and len(groups[-1]) < size and chars + length <= max_chars:
                groups[-1].append(i)
                chars += length
            else:
                groups.append([i])
                chars = length
        whole = whole and sum(len(unit.text) for unit in self.units) <= CONTEXT_CHARS
        windows = []
        for group in groups:
            start, end = (0, len(self.units)) if whole else \
                (max(0, group[0] - overlap), min(len(self.units), group[-1] + overlap + 1))
            windows.append(Window(self, tuple(self.units[i] for i in group), self.units[start:end]))
        return windows


@dataclass(frozen=True)
class Window:
    document: Document
    asked: tuple[Unit, ...]
    context: tuple[Unit, ...] = field(default=())
