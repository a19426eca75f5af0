"""An entry's translation as a merge weighs it: its text in every plural
form, how much of a person's work it holds, and the comment lines that keep
the other side's text visible.

    rank(entry, base)          # Rank.NOTHING < MACHINE < SOURCE_CHANGED < PERSONS_DRAFT < APPROVED
    forms(entry)               # (msgstr, msgstr[0], msgstr[1], ...)
"""

from __future__ import annotations

import copy
from enum import IntEnum

import polib

from traduco.catalogs import provenance

OTHER_PREFIX = provenance.OTHER_APPROVED
OTHER_DRAFT = "other draft translation"



class Rank(IntEnum):
    """How much of a person's work an entry holds; a merge keeps the most."""

    NOTHING = 0
    MACHINE = 1             # a draft a run can make again
    SOURCE_CHANGED = 2      # a run's carry-over of an old translation
    PERSONS_DRAFT = 3       # fuzzy, but a person's (or another tool's) text
    APPROVED = 4


def forms(entry: polib.POEntry) -> tuple:
    return (entry.msgstr, *(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)))


def has_text(entry: polib.POEntry) -> bool:
    return any(forms(entry))


def fuzzy(entry: polib.POEntry) -> bool:
    return "fuzzy" in entry.flags


def rank(entry: polib.POEntry, base: polib.POEntry | None = None) -> Rank:
    """How much of a person's work the entry holds. A draft whose text changed
    under the base's unchanged machine note was edited by a person, not redrafted."""
    if not has_text(entry):
        return Rank.NOTHING
    if not fuzzy(entry):
        return Rank.APPROVED
    kind = provenance.of(entry).kind
    if base is not None and forms(entry) != forms(base) and provenance.note(entry) == provenance.note(base):
        return Rank.PERSONS_DRAFT
    return {provenance.MACHINE: Rank.MACHINE, provenance.SOURCE_CHANGED: Rank.SOURCE_CHANGED}.get(kind, Rank.PERSONS_DRAFT)


def comments(b, winner: polib.POEntry, loser: polib.POEntry) -> str:
    """Both sides' translator lines less those a side deleted; the winner's traduco note."""
    def lines(entry):
        return provenance.own_lines(entry.tcomment) if entry is not None else []
    kept = lines(winner) + [line for line in lines(loser) if line not in lines(winner)]
    base = lines(b)
    removed = {line for line in base if line not in lines(winner) or line not in lines(loser)}
    return provenance.comment([line for line in kept if line not in removed], provenance.note(winner))


def with_other(entry: polib.POEntry, other: polib.POEntry) -> polib.POEntry:
    """`entry` with `other`'s translation as comment lines (if it differs)."""
    entry = copy.deepcopy(entry)
    if forms(other) != forms(entry):
        label = OTHER_PREFIX if rank(other) == Rank.APPROVED else OTHER_DRAFT
        entry.tcomment = "\n".join([*(entry.tcomment or "").splitlines(), *other_lines(other, label)])
    return entry


def other_lines(entry: polib.POEntry, label: str) -> list[str]:
    """The losing side's text as comment lines, one per plural form."""
    if entry.msgid_plural:
        return [f"{label} [{n}]: {one_line(text)}" for n, text in sorted(entry.msgstr_plural.items())]
    return [f"{label}: {one_line(entry.msgstr)}"]


def one_line(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")
