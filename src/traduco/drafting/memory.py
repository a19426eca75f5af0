"""Translation memory: reuse what reviewers already approved before paying MT.

An exact match of the same Italian text, approved in any catalog of the same
locale (obsolete entries and retired documents included: removed paragraphs
and withdrawn releases stay available; so are memories imported from TMX,
in `locales/memory/<locale>/`), is offered as a draft naming where it
came from. Failing that, the most similar approved Italian (at least
`fuzzy_threshold` %, rapidfuzz's `fuzz.ratio`) is offered as a fuzzy match:
press releases repeat themselves with small changes.

    memory = TranslationMemory.for_locale(project, "zh_CN")
    memory.find("Fonte: Regione Toscana - Ufficio stampa", exclude="toscana")
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from traduco.catalogs.catalog import each
from traduco.catalogs.retirement import retired_catalogs
from traduco.language.numbers import ITALIAN_MONTHS, ITALIAN_SCALE, quantities
from traduco.project.loading import Project

DEFAULT_THRESHOLD = 75.0
IMPORTED = "memory"       # locales/memory/<locale>/*.po: pairs imported from TMX files
BANDS = ((95, "95–99"), (85, "85–94"))   # below 85: "<threshold>–84"


@dataclass(frozen=True)
class Match:
    msgstr: str
    doc_id: str
    score: int = 100                  # similarity in whole per cent, floored: 100 only when exact
    source: str | None = None         # the matched Italian, for a fuzzy match

    @property
    def fuzzy(self) -> bool:
        return self.source is not None


def band(score: int, threshold: float = DEFAULT_THRESHOLD) -> str:
    """'75–84', '85–94' or '95–99': how much a reviewer should expect to edit."""
    for floor, name in BANDS:
        if score >= floor:
            return name
    return f"{int(threshold)}–84"


@dataclass
class TranslationMemory:
    entries: dict[str, list[Match]] = field(default_factory=dict)
    source: tuple[Project, str] | None = None    # where to load from, on first use
    threshold: float = DEFAULT_THRESHOLD          # per cent; 100: exact matches only
    _index: "SimilarTexts | None" = None

    @classmethod
    def for_locale(cls, project: Project, locale: str) -> "TranslationMemory":
        """The locale's memory, read from its catalogs the first time it is asked:
        a run with nothing to translate never pays for reading them all."""
        return cls(source=(project, locale), threshold=project.fuzzy_threshold)

    def _load(self) -> None:
        if self.source is None:
            return
        project, locale = self.source
        self.source = None
        # imported memories (TMX, `traduco import-tmx`) are approved work like any other
        folders = (project.catalogs_dir / locale / "LC_MESSAGES", retired_catalogs(project, locale),
                   project.catalogs_dir / IMPORTED / locale)
        for catalog in each(project, [locale], folders=folders):
            if catalog.verdict:
                continue   # reported by the run that updates it
            for entry in catalog.entries:
                if entry.msgctxt is None and entry.msgstr and "fuzzy" not in entry.flags:
                    self.add(entry.msgid, Match(entry.msgstr, catalog.doc_id))

    def add(self, msgid: str, match: Match) -> None:
        matches = self.entries.setdefault(msgid, [])
        if match not in matches:
            matches.append(match)
            self._index = None

    def lookup(self, msgid: str, exclude: str | None = None) -> Match | None:
        """The approved translation of exactly `msgid` from another document, if any."""
        self._load()
        for match in self.entries.get(msgid, ()):
            if match.doc_id != exclude:
                return match
        return None

    def find(self, msgid: str, exclude: str | None = None) -> Match | None:
        """The exact match, else the best fuzzy match from another document at
        or above the threshold, else None (the unit goes to MT)."""
        exact = self.lookup(msgid, exclude)
        if exact or self.threshold >= 100 or not self.entries:
            return exact
        if self._index is None:
            self._index = SimilarTexts(list(self.entries))
        for text, score in self._index.similar(msgid, self.threshold):
            for match in self.entries[text]:
                if match.doc_id != exclude and text != msgid:
                    return Match(match.msgstr, match.doc_id, min(int(score), 99), source=text)
        return None

    def examples(self, texts: list[str], exclude: str | None, limit: int,
                 threshold: float) -> list[tuple[str, str]]:
        """Approved (Italian, translation) pairs from other documents most like
        `texts`: an LLM's examples of the office's wording. At most `limit`."""
        self._load()
        if not self.entries:
            return []
        if self._index is None:
            self._index = SimilarTexts(list(self.entries))
        found: dict[str, tuple[float, str]] = {}
        for text in texts:
            for similar, score in self._index.similar(text, threshold, limit=2):
                match = next((m for m in self.entries[similar] if m.doc_id != exclude), None)
                if match and similar != text and score > found.get(similar, (0.0, ""))[0]:
                    found[similar] = (score, match.msgstr)
        best = sorted(found.items(), key=lambda item: -item[1][0])[:limit]
        return [(source, translation) for source, (_, translation) in best]

    def __len__(self) -> int:
        self._load()
        return len(self.entries)


_WORD = re.compile(r"\w+")
CANDIDATES = 128  # texts per lookup that rapidfuzz scores, the best by shared words


class SimilarTexts:
    """Texts indexed by their words, so finding the ones similar to a new text
    scores a few dozen candidates instead of the whole archive.

    Candidates are the texts of plausible length that share the most
    characters' worth of the query's words; a text at least 75 % similar shares
    most of them. The most common words (in half the archive, say "di", "la")
    are left out of the count when the rarer ones carry enough of the query.
    bench/memory_lookup.py measures speed and recall against a full scan.
    """

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.lengths = np.fromiter((len(t) for t in texts), dtype=np.int32, count=len(texts))
        postings: dict[str, list[int]] = {}
        for number, text in enumerate(texts):
            for word in set(_WORD.findall(text.lower())):
                postings.setdefault(word, []).append(number)
        self.postings = {w: np.asarray(ids, dtype=np.int32) for w, ids in postings.items()}

    def similar(self, query: str, threshold: float, limit: int = 5) -> list[tuple[str, float]]:
        """Up to `limit` (text, score) pairs scoring at least `threshold`, best first."""
        words = [w for w in set(_WORD.findall(query.lower())) if w in self.postings]
        if not words:
            return []
        counted = self._counted_words(words)
        ids = np.concatenate([self.postings[w] for w in counted])
        weights = np.concatenate([np.full(len(self.postings[w]), len(w) + 1, dtype=np.float32)
                                  for w in counted])
        texts, where = np.unique(ids, return_inverse=True)
        shared = np.bincount(where, weights=weights)
        # fuzz.ratio >= t needs the shorter text at least t / (200 - t) of the longer
        ratio, size = threshold / (200 - threshold), len(query)
        lengths = self.lengths[texts]
        shared[(lengths < size * ratio) | (lengths * ratio > size)] = 0
        # among texts sharing as much (a boilerplate line's thousand variants), the closest in length
        shared = shared * 4096 - np.minimum(np.abs(lengths - size), 4095)
        found = np.flatnonzero(shared > 0)
        if len(found) > CANDIDATES:
            found = found[np.argpartition(shared[found], -CANDIDATES)[-CANDIDATES:]]
        found = texts[found]
        choices = {int(i): self.texts[i] for i in found}
        return [(text, score) for text, score, _ in
                process.extract(query, choices, scorer=fuzz.ratio, score_cutoff=threshold, limit=limit)]

    def _counted_words(self, words: list[str]) -> list[str]:
        """The query's words, rarest first, without the common ones once the
        rarer ones make up most of the query's characters."""
        words.sort(key=lambda w: (len(self.postings[w]), w))
        common = len(self.texts) // 200
        total = sum(len(w) + 1 for w in words)
        kept, covered = [], 0
        for word in words:
            if len(self.postings[word]) > common and covered >= total * 0.5:
                break
            kept.append(word)
            covered += len(word) + 1
        return kept


_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+|[^\w\s]")   # 1.500 and 3,5 stay whole; punctuation apart
_UNITS = {*ITALIAN_SCALE, *ITALIAN_MONTHS, "%", "euro", "per", "cento"}
_FIGURE = re.compile(rf"\d|\b(?:{'|'.join(ITALIAN_MONTHS)})\b", re.I)


def differing_figures(matched: str, new: str) -> list[str]:
    """'177 mila -> 180 mila' for each number or date that the new Italian
    states differently from the matched one; empty when they agree."""
    old_q, new_q = quantities(matched, "it"), quantities(new, "it")
    if Counter(old_q.numbers) == Counter(new_q.numbers) and Counter(old_q.dates) == Counter(new_q.dates):
        return []
    old_words, new_words = _TOKEN.findall(matched), _TOKEN.findall(new)
    changes = []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        while i2 < len(old_words) and j2 < len(new_words) and old_words[i2] == new_words[j2] \
                and old_words[i2].lower() in _UNITS:   # "177 -> 180" reads "177 mila -> 180 mila"
            i2, j2 = i2 + 1, j2 + 1
        before, after = " ".join(old_words[i1:i2]), " ".join(new_words[j1:j2])
        if tag != "equal" and (_FIGURE.search(before) or _FIGURE.search(after)):
            changes.append(f"{before or '(nothing)'} -> {after or '(nothing)'}")
    return changes or [f"{_values(old_q)} -> {_values(new_q)}"]


def _values(found) -> str:
    return ", ".join([*(f"{n:g}" for n in found.numbers), *(str(d) for d in found.dates)]) or "(none)"
