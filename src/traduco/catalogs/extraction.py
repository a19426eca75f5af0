"""Extract: a document becomes translation units, written as a gettext template.

One unit per paragraph (in Markdown: per heading, paragraph and list item, see
traduco.sources.markup), in source order; a text repeated in the same document is one
unit with several `#:` references, as xgettext does. A title from front matter
is a unit of its own, with msgctxt "title"; a Markdown heading has msgctxt
"heading" and holds only its text (no `##`). File names with spaces are
isolated in references with U+2068/U+2069, as xgettext does.

    template = write_template(project, document)   # locales/templates/<doc>.pot
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polib

from traduco.catalogs import pofile
from traduco.project import files
from traduco.project.loading import Project
from traduco.sources import markup
from traduco.sources.documents import Document

TITLE_CONTEXT = "title"
HEADING_CONTEXT = "heading"
HEADING_NOTE = "Heading: translate the text only; the page shows it as a heading"
LIST_ITEM_NOTE = "List item: translate the text only; the page shows it in its list"
MARKDOWN_NOTE = "Keep the Markdown marks (**, *, `, [text](link)) around the words they mark"


@dataclass(frozen=True)
class Unit:
    msgid: str
    references: tuple[tuple[str, int], ...]
    context: str | None = None
    note: str | None = None   # shown to translators as an extracted comment (#.)


def extract(document: Document, root: Path) -> list[Unit]:
    source = _reference(_relative(document.path, root))
    units: dict[tuple[str | None, str], Unit] = {}
    if document.title:
        units[(TITLE_CONTEXT, "")] = Unit(document.title, ((source, 1),), TITLE_CONTEXT,
                                          "Title of the document")
    for paragraph in document.paragraphs:
        block = markup.Block(paragraph.text, paragraph.line, paragraph.block)
        context = HEADING_CONTEXT if block.is_heading else None
        key = (context, paragraph.text)
        known = units.get(key)
        reference = (source, paragraph.line)
        if known:
            units[key] = Unit(known.msgid, known.references + (reference,), known.context, known.note)
        else:
            units[key] = Unit(paragraph.text, (reference,), context, _note(block, document.markdown))
    return list(units.values())


def _note(block: markup.Block, markdown: bool) -> str | None:
    notes = [HEADING_NOTE if block.is_heading else LIST_ITEM_NOTE if block.in_list else None,
             MARKDOWN_NOTE if markdown and _has_markup(block.text) else None]
    return "\n".join(note for note in notes if note) or None


def _has_markup(text: str) -> bool:
    return any(mark in text for mark in ("*", "`", "](", "_"))


def template_for(document: Document, units: list[Unit], root: Path, project_name: str) -> polib.POFile:
    template = polib.POFile(wrapwidth=pofile.WRAP_WIDTH)
    template.header = (f"Translation template for {document.id}, extracted by traduco from "
                       f"{_relative(document.path, root)}.\nDo not edit: edit the source and run traduco.")
    template.metadata = pofile.template_metadata(
        project_name, document.id, source=_relative(document.path, root),
        date=document.date, source_url=document.source_url)
    if document.markdown:
        template.metadata[markup.FORMAT_HEADER] = markup.MARKDOWN
        placed = markup.encode([markup.Block(p.text, p.line, p.block) for p in document.paragraphs])
        if placed:
            template.metadata[markup.LAYOUT_HEADER] = placed
    for unit in units:
        template.append(polib.POEntry(
            msgid=unit.msgid, msgstr="", msgctxt=unit.context,
            occurrences=[(path, str(line)) for path, line in unit.references],
            comment=unit.note or ""))
    return template


def write_template(project: Project, document: Document) -> polib.POFile:
    """Extract the document and write its template (only if its units changed)."""
    template = template_for(document, extract(document, project.root), project.root, project.name)
    path = project.template_path(document.id)
    with files.locked(path, project.lock_path(path)):
        pofile.write(template, path, date_header="POT-Creation-Date")
    return template


def _relative(path: Path, root: Path) -> str:
    """The source's path from the project root; never an absolute path (the
    folder, not the file, is resolved: sources are never links)."""
    try:
        return (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def _reference(source: str) -> str:
    # `#:` references are separated by spaces: a name holding one is isolated
    # with FIRST STRONG ISOLATE / POP DIRECTIONAL ISOLATE, as xgettext 0.20+ does.
    return f"\u2068{source}\u2069" if any(char.isspace() for char in source) else source
