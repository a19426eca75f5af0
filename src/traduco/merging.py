"""Merging a template into a catalog, as msgmerge does, keeping reviewers' work.

    merged = merge(template, catalog, "zh_CN")

Entries follow the template's order. An edited paragraph keeps the reviewer's
translation, becomes fuzzy and shows the old Italian as `#| msgid`, when the
old translation is still worth editing (`reuse_similarity` at least
REUSE_THRESHOLD); otherwise the paragraph gets a fresh draft and the old entry
stays in the file as obsolete (`#~`), so no reviewer's work vanishes. Obsolete
entries come back when their paragraph returns.
"""

from __future__ import annotations

import datetime as dt
import difflib

import polib

from traduco.catalogs import (APPROVED, MACHINE, SOURCE_CHANGED, WRAP_WIDTH, catalog_header,
                              catalog_metadata, fuzzy_reason, mark_draft, now, state)

# Keep an edited paragraph's old translation when at least this share of the
# reviewer's work survives (bench/similarity_threshold.py has the evidence:
# real edits score 0.61-0.99, rewrites 0.40, unrelated paragraphs at most 0.07).
REUSE_THRESHOLD = 0.6
DELETION_WEIGHT = 0.2   # deleting a word costs a reviewer far less than writing one


def merge(template: polib.POFile, catalog: polib.POFile | None, locale: str,
          moment: dt.datetime | None = None) -> polib.POFile:
    """The catalog for `template`, keeping every translation `catalog` had.

    Entries follow the template's order. A unit whose msgid is new but close to
    one that left (an edited paragraph) inherits that entry's human translation
    as a fuzzy entry with the old msgid as previous (#|). Entries whose msgid
    left the template become obsolete (#~) with their translation, and come
    back if it returns.
    """
    merged = polib.POFile(wrapwidth=WRAP_WIDTH)
    merged.header = catalog.header if catalog and catalog.header else catalog_header(locale)
    merged.metadata = catalog_metadata(template.metadata, locale,
                                       catalog.metadata if catalog else None)
    active = {_key(e): e for e in catalog if not e.obsolete} if catalog else {}
    obsolete = {_key(e): e for e in catalog.obsolete_entries()} if catalog else {}
    entries = []
    for unit in template:
        known = active.pop(_key(unit), None) or obsolete.pop(_key(unit), None)
        entries.append(_entry_for(unit, known))
    leftovers = [e for e in active.values() if _is_human_work(e)]
    for entry, previous in _pair_edited(entries, leftovers):
        _inherit(entry, previous, moment or now())
        active.pop(_key(previous))
    for entry in entries:
        merged.append(entry)
    for leftover in active.values():
        if leftover.msgstr:
            leftover.obsolete = True
            leftover.previous_msgid = leftover.previous_msgctxt = None
            obsolete.setdefault(_key(leftover), leftover)
    for entry in obsolete.values():
        merged.append(entry)
    return merged


def reuse_similarity(old: str, new: str) -> float:
    """How much of a translation of `old` is still right for `new`, from 0 to 1.

    1 minus the reviewer's edit cost per word of the new text: words to write
    count fully, words to delete count DELETION_WEIGHT. Unlike a plain
    similarity ratio this keeps the translation when a sentence was only
    deleted, and drops it when a short text merely appears inside a long one.
    """
    old_words, new_words = old.split(), new.split()
    if not new_words:
        return 0.0
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    cost = (len(new_words) - same + DELETION_WEIGHT * (len(old_words) - same)) / len(new_words)
    return max(0.0, 1.0 - cost)


def _pair_edited(entries: list[polib.POEntry], leftovers: list[polib.POEntry]):
    """Best-first pairs of (new untranslated entry, old translated entry) whose
    texts are close enough for the old translation to be worth editing."""
    fresh = [e for e in entries if not e.msgstr and e.msgctxt is None]
    candidates = sorted(
        ((reuse_similarity(old.msgid, new.msgid), i, j)
         for i, new in enumerate(fresh) for j, old in enumerate(leftovers)
         if old.msgctxt is None),
        reverse=True)
    taken_new, taken_old = set(), set()
    for score, i, j in candidates:
        if score < REUSE_THRESHOLD:
            break
        if i in taken_new or j in taken_old:
            continue
        taken_new.add(i)
        taken_old.add(j)
        yield fresh[i], leftovers[j]


def _inherit(entry: polib.POEntry, previous: polib.POEntry, moment: dt.datetime) -> None:
    entry.previous_msgid = previous.msgid
    entry.tcomment = previous.tcomment
    mark_draft(entry, previous.msgstr,
               f"{SOURCE_CHANGED} on {moment:%Y-%m-%d}: the Italian was edited (old text "
               "shown as previous); update the translation, then clear fuzzy")


def _is_human_work(entry: polib.POEntry) -> bool:
    """A translation a person wrote or approved, as opposed to an unreviewed machine draft."""
    if not entry.msgstr:
        return False
    return state(entry) == APPROVED or fuzzy_reason(entry) != MACHINE


def _entry_for(unit: polib.POEntry, known: polib.POEntry | None) -> polib.POEntry:
    if known is None:
        return polib.POEntry(msgid=unit.msgid, msgctxt=unit.msgctxt, msgstr="",
                             occurrences=list(unit.occurrences), comment=unit.comment)
    known.obsolete = False
    known.occurrences = list(unit.occurrences)
    known.comment = unit.comment
    if "fuzzy" not in known.flags:   # approved: the previous text is history now
        known.previous_msgid = known.previous_msgctxt = None
    return known


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid
