"""Merging a template into a catalog, as msgmerge does, keeping reviewers' work.

    merged = update(template, catalog, "zh_CN")

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

from traduco.catalogs import provenance
from traduco.catalogs.pofile import (APPROVED, WRAP_WIDTH, catalog_header, catalog_metadata, fuzzy_reason,
                              mark_draft, state)
from traduco.project.files import now

# Keep an edited paragraph's old translation when at least this share of the
# reviewer's work survives (bench/similarity_threshold.py has the evidence:
# real edits score 0.61-0.99, rewrites 0.40, unrelated paragraphs at most 0.07).
REUSE_THRESHOLD = 0.6
DELETION_WEIGHT = 0.2   # deleting a word costs a reviewer far less than writing one
COMMON_WORD = 32        # a word in more old texts than this tells them apart too little to index
CANDIDATES = 4          # old texts compared with each new one: those sharing the most words


def update(template: polib.POFile, catalog: polib.POFile | None, locale: str,
          moment: dt.datetime | None = None) -> polib.POFile:
    """The catalog for `template`, keeping every translation `catalog` had.

    Entries follow the template's order. A unit whose msgid is new but close to
    one that left (an edited paragraph) inherits that entry's human translation
    as a fuzzy entry with the old msgid as previous (#|). Entries whose msgid
    left the template become obsolete (#~) with their translation and comments,
    and come back if it returns; so do entries a person added by hand (plural
    ones included). Only an empty entry traduco itself extracted is dropped.
    Two entries with the same msgid (an approved one and an older `#~` twin)
    become one: the newest, carrying the others' translations as comments.
    """
    merged = polib.POFile(wrapwidth=WRAP_WIDTH)
    # `is not None`: a catalog with no entries yet is an empty list, but has headers
    merged.header = catalog.header if catalog is not None and catalog.header else catalog_header(locale)
    merged.metadata = catalog_metadata(template.metadata, locale,
                                       catalog.metadata if catalog is not None else None)
    active, obsolete = _newest_by_key(catalog)
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
        if _worth_keeping(leftover):
            leftover.obsolete = True
            leftover.previous_msgid = leftover.previous_msgctxt = None
            obsolete[_key(leftover)] = leftover   # no twin: _newest_by_key folded them
    for entry in obsolete.values():
        merged.append(entry)
    return merged


def _newest_by_key(catalog: polib.POFile | None) -> tuple[dict, dict]:
    """Active and obsolete entries by msgctxt and msgid, one per key. Where a
    catalog holds twins (an entry and an older `#~` one, or two `#~` ones, which
    msgfmt refuses but hand edits and msgcat produce), the newest one (the
    active one, else the last one in the file, since runs append) stays and the
    others' translations and comments go into its comments."""
    twins: dict[tuple, list[polib.POEntry]] = {}
    for entry in catalog or ():
        twins.setdefault(_key(entry), []).append(entry)
    active, obsolete = {}, {}
    for key, found in twins.items():
        found.sort(key=lambda e: e.obsolete)                 # stable: file order within each
        newest = found[0] if not found[0].obsolete else found[-1]
        (obsolete if newest.obsolete else active)[key] = _fold(newest, [e for e in found if e is not newest])
    return active, obsolete


OLDER = "older translation: "


def _fold(newest: polib.POEntry, older: list[polib.POEntry]) -> polib.POEntry:
    """`newest`, with every translation and comment line of `older` entries it
    does not already hold added to its translator comment (Poedit shows it)."""
    lines = (newest.tcomment or "").splitlines()
    mine = set(_texts(newest))
    for entry in older:
        for text in _texts(entry):
            note = OLDER + text.replace("\\", "\\\\").replace("\n", "\\n")
            if text not in mine and note not in lines:
                lines.append(note)
        lines += [line for line in provenance.own_lines(entry.tcomment) if line not in lines]
    newest.tcomment = "\n".join(lines)
    return newest


def _texts(entry: polib.POEntry) -> list[str]:
    forms = [entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)] if entry.msgid_plural else []
    return [text for text in [entry.msgstr, *forms] if text]


def _worth_keeping(entry: polib.POEntry) -> bool:
    """Whether an entry leaving the template holds anything of a person's: a
    translation, a comment of their own, or the entry itself (no `#:` reference
    to a source: someone added it by hand, plural forms and all)."""
    own_comment = provenance.own_lines(entry.tcomment)
    return bool(_texts(entry) or own_comment or entry.msgid_plural or not entry.occurrences)


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
    fresh = [e for e in entries if not e.msgstr and e.msgctxt is None and not e.msgid_plural]
    return pair_edited(fresh, [e for e in leftovers if e.msgctxt is None and not e.msgid_plural])


def pair_edited(fresh: list[polib.POEntry], old: list[polib.POEntry]):
    """Best-first pairs (new, old), each entry in one pair at most, of texts at
    least REUSE_THRESHOLD alike: the run's merge and git's merge driver pair
    edited paragraphs by the same rule."""
    candidates = sorted(((reuse_similarity(old[j].msgid, fresh[i].msgid), i, j)
                         for i, j in _sharing_words(fresh, old)), reverse=True)
    taken_new, taken_old = set(), set()
    for score, i, j in candidates:
        if score < REUSE_THRESHOLD:
            break
        if i in taken_new or j in taken_old:
            continue
        taken_new.add(i)
        taken_old.add(j)
        yield fresh[i], old[j]


def _sharing_words(fresh: list[polib.POEntry], old: list[polib.POEntry]):
    """The pairs worth comparing: texts that share a word few old texts have
    (a pair sharing no word scores 0), at most CANDIDATES per new text, so that
    hundreds of long paragraphs on both sides cost linear time, not quadratic."""
    index: dict[str, list[int]] = {}
    for j, entry in enumerate(old):
        for word in set(entry.msgid.split()):
            index.setdefault(word, []).append(j)
    common = max(COMMON_WORD, len(old) // 20)
    for i, entry in enumerate(fresh):
        shared: dict[int, int] = {}
        for word in set(entry.msgid.split()):
            postings = index.get(word, ())
            if len(postings) <= common:
                for j in postings:
                    shared[j] = shared.get(j, 0) + 1
        for j in sorted(shared, key=lambda j: (-shared[j], j))[:CANDIDATES]:
            yield i, j


def _inherit(entry: polib.POEntry, previous: polib.POEntry, moment: dt.datetime) -> None:
    entry.previous_msgid = previous.msgid
    entry.tcomment = previous.tcomment
    mark_draft(entry, previous.msgstr, provenance.Provenance(provenance.SOURCE_CHANGED, made=moment))


def _is_human_work(entry: polib.POEntry) -> bool:
    """A translation a person wrote or approved, as opposed to an unreviewed machine draft."""
    if not entry.msgstr:
        return False
    return state(entry) == APPROVED or fuzzy_reason(entry) != provenance.MACHINE


def _entry_for(unit: polib.POEntry, known: polib.POEntry | None) -> polib.POEntry:
    if known is None or known.msgid_plural:
        fresh = polib.POEntry(msgid=unit.msgid, msgctxt=unit.msgctxt, msgstr="",
                              occurrences=list(unit.occurrences), comment=unit.comment)
        # A hand-made plural entry with a unit's msgid cannot translate the unit
        # (which has one form); its translations stay beside it as comments.
        return _fold(fresh, [known]) if known else fresh
    known.obsolete = False
    known.occurrences = list(unit.occurrences)
    known.comment = unit.comment
    if "fuzzy" not in known.flags:   # approved: the previous text is history now
        known.previous_msgid = known.previous_msgctxt = None
    if state(known) == APPROVED:     # and so are the note's instructions for the draft it was
        provenance.settle(known)
    return known


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid
