"""Translation memory: reuse what reviewers already approved before paying MT.

An exact match of the same Italian text, approved in any catalog of the same
locale (obsolete entries included: removed paragraphs stay available), is
offered as a fuzzy draft naming where it came from.

    memory = TranslationMemory.for_locale(project, "zh_CN")
    memory.lookup("Fonte: Regione Toscana - Ufficio stampa", exclude="toscana")
"""

from __future__ import annotations

from dataclasses import dataclass, field

from traduco import catalogs
from traduco.config import Project
from traduco.errors import CatalogError


@dataclass(frozen=True)
class Match:
    msgstr: str
    doc_id: str


@dataclass
class TranslationMemory:
    entries: dict[str, list[Match]] = field(default_factory=dict)

    @classmethod
    def for_locale(cls, project: Project, locale: str) -> "TranslationMemory":
        memory = cls()
        folder = project.catalogs_dir / locale / "LC_MESSAGES"
        for path in sorted(folder.glob("*.po")) if folder.is_dir() else []:
            try:
                catalog = catalogs.read(path, locale=locale)
            except CatalogError:
                continue   # reported by the run that updates it
            for entry in catalog:
                if entry.msgctxt is None and entry.msgstr and "fuzzy" not in entry.flags:
                    memory.add(entry.msgid, Match(entry.msgstr, path.stem))
        return memory

    def add(self, msgid: str, match: Match) -> None:
        matches = self.entries.setdefault(msgid, [])
        if match not in matches:
            matches.append(match)

    def lookup(self, msgid: str, exclude: str | None = None) -> Match | None:
        """The approved translation of `msgid` from another document, if any."""
        for match in self.entries.get(msgid, ()):
            if match.doc_id != exclude:
                return match
        return None

    def __len__(self) -> int:
        return len(self.entries)
