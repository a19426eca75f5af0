"""Translation memory: reuse what reviewers already approved before paying MT.

An exact match of the same Italian text, approved in any catalog of the same
locale (obsolete entries and retired documents included: removed paragraphs
and withdrawn releases stay available), is offered as a fuzzy draft naming where it came from.

    memory = TranslationMemory.for_locale(project, "zh_CN")
    memory.lookup("Fonte: Regione Toscana - Ufficio stampa", exclude="toscana")
"""

from __future__ import annotations

from dataclasses import dataclass, field

from traduco import catalogs
from traduco.config import Project
from traduco.errors import CatalogError
from traduco.retirement import retired_catalogs


@dataclass(frozen=True)
class Match:
    msgstr: str
    doc_id: str


@dataclass
class TranslationMemory:
    entries: dict[str, list[Match]] = field(default_factory=dict)
    source: tuple[Project, str] | None = None    # where to load from, on first use

    @classmethod
    def for_locale(cls, project: Project, locale: str) -> "TranslationMemory":
        """The locale's memory, read from its catalogs the first time it is asked:
        a run with nothing to translate never pays for reading them all."""
        return cls(source=(project, locale))

    def _load(self) -> None:
        if self.source is None:
            return
        project, locale = self.source
        self.source = None
        folders = (project.catalogs_dir / locale / "LC_MESSAGES", retired_catalogs(project, locale))
        for path in [p for folder in folders if folder.is_dir() for p in sorted(folder.glob("*.po"))]:
            try:
                catalog = catalogs.read(path, locale=locale)
            except CatalogError:
                continue   # reported by the run that updates it
            for entry in catalog:
                if entry.msgctxt is None and entry.msgstr and "fuzzy" not in entry.flags:
                    self.add(entry.msgid, Match(entry.msgstr, path.stem))

    def add(self, msgid: str, match: Match) -> None:
        matches = self.entries.setdefault(msgid, [])
        if match not in matches:
            matches.append(match)

    def lookup(self, msgid: str, exclude: str | None = None) -> Match | None:
        """The approved translation of `msgid` from another document, if any."""
        self._load()
        for match in self.entries.get(msgid, ()):
            if match.doc_id != exclude:
                return match
        return None

    def __len__(self) -> int:
        self._load()
        return len(self.entries)
