"""The project glossary: approved translations of names and terms.

A CSV file with a header `it,en,zh_CN,note` (one column per locale). A term
whose translation equals the source is do-not-translate (`visituscany`).

    glossary = Glossary.load(Path("glossary.csv"))
    [(t.source, t.target("zh_CN")) for t in glossary.find("la Regione Toscana e Wechat")]
    # [('Regione Toscana', '托斯卡纳大区'), ('Wechat', '微信')]

Matching follows Italian usage: the first letter as written (capitalised
names stay names: "Toscana" the region, not "toscana" the adjective), the
rest in any case (Wechat, WeChat, WECHAT), any spacing, whole words only,
longest term first ("Regione Toscana" before "Toscana").
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from traduco.errors import ConfigError
from traduco.project.loading import Project


@dataclass(frozen=True)
class Term:
    source: str
    targets: tuple[tuple[str, str], ...]   # (locale, translation)
    note: str = ""

    def target(self, locale: str) -> str | None:
        return dict(self.targets).get(locale) or None

    def keep(self, locale: str) -> bool:
        """Do-not-translate in this locale."""
        return self.target(locale) == self.source

    @cached_property
    def pattern(self) -> re.Pattern:
        first, rest = self.source[0], self.source[1:]
        body = r"\s+".join(re.escape(word) for word in rest.split(" "))
        return re.compile(rf"(?<!\w){re.escape(first)}(?i:{body})(?!\w)")


@dataclass
class Glossary:
    terms: list[Term] = field(default_factory=list)
    path: Path | None = None
    _masks: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> "Glossary":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read the glossary ({exc})", path=path,
                              hint="It must be a UTF-8 CSV file with columns it,en,zh_CN,note") from None
        rows = list(csv.reader(text.splitlines()))
        if not rows or not rows[0]:
            return cls([], path)
        header = [h.strip() for h in rows[0]]
        source = header[0]
        terms = []
        for line, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise ConfigError(f"{len(row)} columns where the header has {len(header)}", path=path,
                                  line=line, hint="Quote terms that contain commas")
            cells = dict(zip(header, (cell.strip() for cell in row)))
            if not cells.get(source):
                raise ConfigError(f"the {source} term is empty", path=path, line=line,
                                  hint="Fill it in or delete the line")
            targets = tuple((h, cells[h]) for h in header[1:] if h != "note" and cells.get(h))
            terms.append(Term(cells[source], targets, cells.get("note", "")))
        return cls(sorted(terms, key=lambda t: len(t.source), reverse=True), path)

    def find(self, text: str) -> list[Term]:
        """Terms used in `text`, longest first, a span counted once."""
        found, taken = [], []
        for term in self.terms:
            for match in term.pattern.finditer(text):
                if any(match.start() < end and start < match.end() for start, end in taken):
                    continue
                taken.append(match.span())
                if term not in found:
                    found.append(term)
        return found

    def mask_terms(self, locale: str) -> list[tuple[re.Pattern, str]]:
        """(pattern, approved translation) pairs for masking before MT, longest first."""
        if locale not in self._masks:
            self._masks[locale] = [(t.pattern, t.target(locale)) for t in self.terms if t.target(locale)]
        return self._masks[locale]

    def terms_hash(self, locale: str) -> str:
        """Changes whenever the locale's terms change: MT answers made with an
        older glossary are not reused."""
        data = "\n".join(f"{t.source}\t{t.target(locale)}" for t in self.terms if t.target(locale))
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:12] if data else ""

    def __len__(self) -> int:
        return len(self.terms)


def load_glossary(project: Project) -> Glossary | None:
    return Glossary.load(project.glossary_path) if project.glossary_path else None
