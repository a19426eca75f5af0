"""Provenance: traduco's note on where an entry's current msgstr came from.

The note is one translator comment line, which Poedit shows and keeps beside
the translator's own lines:

    #  Check the name with the press office
    #  traduco: machine draft by deepl on 2026-11-26 06:12 UTC

One value, written with `format()` and read back with `parse()`, so the
drafting, the merges, the review queue and the scorecard read the same note:

>>> note = Provenance(MEMORY, made=dt.datetime(2026, 11, 26, 6, 12, tzinfo=dt.timezone.utc),
...                   origin="2021-05-21-comunicato").format()
>>> note
'reused from memory: approved in 2021-05-21-comunicato (reused on 2026-11-26 06:12 UTC)'
>>> Provenance.parse(note).made.isoformat()
'2026-11-26T06:12:00+00:00'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polib

PREFIX = "traduco: "
# What a note starts with: why a draft waits (see `pofile.fuzzy_reason`).
MACHINE, SOURCE_CHANGED, MEMORY = "machine draft", "source changed", "reused from memory"
CONFLICT, NO_DRAFT = "merge conflict", "no draft yet"
OTHER_APPROVED = "other approved translation"   # the losing side of a conflict, a line of its own

_FUZZY_HINT = "the matched Italian is shown as previous: update what differs, then clear fuzzy"
_SOURCE_HINT = "the Italian was edited (old text shown as previous); update the translation, then clear fuzzy"
_SOURCE_SETTLED = "the Italian was edited, and the translation approved since"
_CONFLICT_HINT = (f"two approved translations differ; the newer one is the text, the other follows as "
                  f"'{OTHER_APPROVED}'; keep one, then clear fuzzy")
_MINUTE = "%Y-%m-%d %H:%M"
_WHEN = r"(?P<made>\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?)"
# After what to check: notes that later steps add (a second opinion, a bulk approval).
_CHECK = r"(?:; check: (?P<check>.*?))?(?:; (?P<extra>(?:second opinion by|approved by) .*))?"
_PATTERNS = {   # kind -> the whole note, as `format` writes it
    MACHINE: re.compile(rf"{MACHINE} by (?P<provider>\S+) on {_WHEN} UTC{_CHECK}"),
    MEMORY: re.compile(rf"{MEMORY}: (?:approved in|fuzzy match (?P<score>\d+) % from) (?P<origin>.+?) "
                       rf"\(reused on {_WHEN} UTC\)(?:; {re.escape(_FUZZY_HINT)})?{_CHECK}"),
    # (older notes have the day only: a draft's age in the queue was off by up to a day)
    SOURCE_CHANGED: re.compile(rf"{SOURCE_CHANGED} on {_WHEN}(?: UTC)?: "
                               rf"(?:{re.escape(_SOURCE_HINT)}|{re.escape(_SOURCE_SETTLED)})"),
    CONFLICT: re.compile(rf"{CONFLICT}: {re.escape(_CONFLICT_HINT)}"),
    NO_DRAFT: re.compile(rf"{NO_DRAFT}: (?P<reason>.*)"),
}


@dataclass(frozen=True)
class Provenance:
    """Where a translation came from. `kind` is one of MACHINE, MEMORY,
    SOURCE_CHANGED, CONFLICT, NO_DRAFT, or "" for a note traduco cannot read."""
    kind: str
    made: dt.datetime | None = None   # when traduco made the draft (UTC)
    provider: str | None = None       # MACHINE: who drafted it
    origin: str | None = None         # MEMORY: the document the translation comes from
    score: int | None = None          # MEMORY: a fuzzy match's score; None for an exact one
    check: str = ""                   # MACHINE, MEMORY: what the reviewer should check
    reason: str = ""                  # NO_DRAFT: why
    extra: str = ""                   # MACHINE, MEMORY: a second opinion, a bulk approval

    def format(self) -> str:
        check = (f"; check: {self.check}" if self.check else "") + (f"; {self.extra}" if self.extra else "")
        if self.kind == MACHINE:
            return f"{MACHINE} by {self.provider} on {self.made:{_MINUTE}} UTC{check}"
        if self.kind == MEMORY and self.score is None:
            return f"{MEMORY}: approved in {self.origin} (reused on {self.made:{_MINUTE}} UTC){check}"
        if self.kind == MEMORY:
            return (f"{MEMORY}: fuzzy match {self.score} % from {self.origin} (reused on "
                    f"{self.made:{_MINUTE}} UTC); {_FUZZY_HINT}{check}")
        if self.kind == SOURCE_CHANGED:
            return f"{SOURCE_CHANGED} on {self.made:{_MINUTE}} UTC: {_SOURCE_HINT}"
        if self.kind == CONFLICT:
            return f"{CONFLICT}: {_CONFLICT_HINT}"
        if self.kind == NO_DRAFT:
            return f"{NO_DRAFT}: {self.reason}"
        raise ValueError(f"no note for provenance kind {self.kind!r}")

    @classmethod
    def parse(cls, note: str) -> "Provenance":
        """The note's fields. A note of another shape (an older traduco, a hand
        edit) keeps only its kind, from how it starts, or "" if none fits."""
        for kind, pattern in _PATTERNS.items():
            found = pattern.fullmatch(note)
            if found:
                return cls(kind, **_fields(found.groupdict()))
        return cls(next((kind for kind in _PATTERNS if note.startswith(kind)), ""))


def _fields(groups: dict[str, str | None]) -> dict:
    fields = {name: value for name, value in groups.items() if value is not None}
    if "made" in fields:
        made = fields["made"] if " " in fields["made"] else fields["made"] + " 00:00"
        fields["made"] = dt.datetime.strptime(made, _MINUTE).replace(tzinfo=dt.timezone.utc)
    if "score" in fields:
        fields["score"] = int(fields["score"])
    return fields


def note(entry: polib.POEntry) -> str | None:
    """traduco's note on the entry as written, if it wrote one."""
    for line in (entry.tcomment or "").splitlines():
        if line.startswith(PREFIX):
            return line[len(PREFIX):]
    return None


def of(entry: polib.POEntry) -> Provenance:
    """The entry's provenance; kind "" if traduco wrote no note it can read."""
    return Provenance.parse(note(entry) or "")


def own_lines(comment: str | None) -> list[str]:
    """The translator's lines of a translator comment: all but traduco's note."""
    return [line for line in (comment or "").splitlines() if not line.startswith(PREFIX)]


def comment(lines: list[str], text: str | None) -> str:
    """A translator comment: `lines`, then the note `text` (if any) last."""
    return "\n".join(lines + ([PREFIX + text] if text is not None else []))


def record(entry: polib.POEntry, provenance: Provenance) -> None:
    """Record where a translation came from; the translator's own comment
    lines stay as they are."""
    write_note(entry, provenance.format())


def settle(entry: polib.POEntry) -> None:
    """An approved entry's note without the instructions for the draft it was
    ("update the translation, then clear fuzzy": done). What it says about where
    the text came from stays (a source change: disclosure reads it as a possible
    machine draft). Only traduco's line changes, where it is."""
    text = note(entry)
    if text is None:
        return
    settled = text.replace(f": {_SOURCE_HINT}", f": {_SOURCE_SETTLED}").replace(f"; {_FUZZY_HINT}", "")
    if settled != text:
        entry.tcomment = "\n".join(PREFIX + settled if line == PREFIX + text else line
                                   for line in entry.tcomment.splitlines())


def write_note(entry: polib.POEntry, text: str) -> None:
    """Set traduco's note as written (a note `record` made, with more added)."""
    entry.tcomment = comment(own_lines(entry.tcomment), text)
