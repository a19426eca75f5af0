"""Extract: a document becomes translation units, written as a gettext template.

One unit per paragraph, in source order; a paragraph repeated in the same
document is one unit with several `#:` references, as xgettext does. A title
from front matter is a unit of its own, with msgctxt "title".

    template = write_template(project, document)   # locales/templates/<doc>.pot
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polib

from traduco import catalogs
from traduco.config import Project
from traduco.sources import Document

TITLE_CONTEXT = "title"


@dataclass(frozen=True)
class Unit:
    msgid: str
    references: tuple[tuple[str, int], ...]
    context: str | None = None
    note: str | None = None   # shown to translators as an extracted comment (#.)


def extract(document: Document, root: Path) -> list[Unit]:
    source = _relative(document.path, root)
    units: dict[str, Unit] = {}
    if document.title:
        units["title"] = Unit(document.title, ((source, 1),), TITLE_CONTEXT,
                              "Title of the document")
    for paragraph in document.paragraphs:
        known = units.get(paragraph.text)
        reference = (source, paragraph.line)
        if known:
            units[paragraph.text] = Unit(known.msgid, known.references + (reference,))
        else:
            units[paragraph.text] = Unit(paragraph.text, (reference,))
    return list(units.values())


def template_for(document: Document, units: list[Unit], root: Path, project_name: str) -> polib.POFile:
    template = polib.POFile(wrapwidth=catalogs.WRAP_WIDTH)
    template.header = (f"Translation template for {document.id}, extracted by traduco from "
                       f"{_relative(document.path, root)}.\nDo not edit: edit the source and run traduco.")
    template.metadata = catalogs.template_metadata(
        project_name, document.id, source=_relative(document.path, root),
        date=document.date, source_url=document.source_url)
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
    with catalogs.locked(path, project.lock_path(path)):
        catalogs.write(template, path, date_header="POT-Creation-Date")
    return template


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
