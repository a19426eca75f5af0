"""Three-way merge of gettext catalogs, entry by entry: git's merge driver for
`*.po` and `*.pot`, so translators and scheduled runs meet in git without
conflict markers (which no PO editor opens).

    git config merge.traduco.driver "traduco merge-driver %O %A %B %P"
    echo '*.po merge=traduco' >> .gitattributes      # `traduco init-git` does both

Entries are matched by (msgctxt, msgid). Where both sides changed one:

- an approved translation beats a machine draft or a "source changed" draft;
- otherwise the side that changed it wins; if both did, the one a person did
  more for (approved > other drafts > machine draft > nothing);
- two different approved translations become one fuzzy entry: the newer (by
  each side's PO-Revision-Date) as the text, the other as a translator comment,
  with a `traduco: merge conflict` note, so a reviewer chooses; each is reported;
- a translator's comment lines from both sides are kept;
- an entry one side moved to a new msgid ("source changed", `#|` previous
  msgid) takes the other side's newer translation of the old msgid along;
- an entry removed on one side and still translated (and changed) on the other
  stays as obsolete (`#~`), as msgmerge keeps work; untranslated ones go.

The result uses only the inputs (no clock), so the same merge gives the same
bytes, and it is written with the project's catalog formatting (entries that
did not change keep their bytes).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import polib

from traduco import catalogs, files, provenance
from traduco.errors import CatalogError
from traduco.merging import _inherit as inherit, pair_edited

REPORT_ENV = "TRADUCO_MERGE_REPORT"     # where a sync collects what the driver reported
OTHER_PREFIX = provenance.OTHER_APPROVED
_DATE_HEADERS = ("PO-Revision-Date", "POT-Creation-Date")


@dataclass(frozen=True)
class Conflict:
    """Two different approved translations of one entry, merged into one fuzzy entry."""

    path: str
    msgid: str
    shown: str
    other: str

    def line(self) -> str:
        return (f"{self.path}: two approved translations of \"{_short(self.msgid)}\" differ; "
                "both are kept in one fuzzy entry for a reviewer to choose")


# -- the merge ---------------------------------------------------------------

def merge_catalogs(base: polib.POFile | None, ours: polib.POFile, theirs: polib.POFile,
                   path: str = "") -> tuple[polib.POFile, list[Conflict]]:
    """The three-way merge of `ours` and `theirs` from their common `base`."""
    base = base if base is not None else polib.POFile(wrapwidth=catalogs.WRAP_WIDTH)
    b, o, t = _by_key(base), _by_key(ours), _by_key(theirs)
    theirs_newer = _revision(theirs) > _revision(ours)
    merged = polib.POFile(wrapwidth=catalogs.WRAP_WIDTH)
    merged.header = _pick(ours.header, theirs.header, base.header)
    merged.metadata = _merge_metadata(base.metadata, ours.metadata, theirs.metadata)
    merged.metadata_is_fuzzy = _pick(ours.metadata_is_fuzzy, theirs.metadata_is_fuzzy, base.metadata_is_fuzzy)
    conflicts: list[Conflict] = []
    result: dict = {}
    for key in _order(list(b), list(o), list(t)):
        entry = _merge_entry(b.get(key), o.get(key), t.get(key), theirs_newer, path, conflicts)
        if entry is not None:
            result[key] = entry
    _carry_to_new_msgids(result, b, o, t)
    _pair_edited_paragraphs(result, b, max(_revision(ours), _revision(theirs)))
    for entry in sorted(result.values(), key=lambda e: e.obsolete):   # stable: obsolete last
        merged.append(entry)
    return merged, conflicts


def _merge_entry(b, o, t, theirs_newer: bool, path: str, conflicts: list) -> polib.POEntry | None:
    if o is None or t is None:
        return _one_side(b, o if t is None else t)
    same = _translation(o) == _translation(t)
    if same:
        winner, loser = o, t
    else:
        winner, loser = _winner(b, o, t, theirs_newer)
        if winner is None:
            return _conflict(b, o, t, theirs_newer, path, conflicts)
    entry = copy.deepcopy(winner)
    entry.tcomment = _merge_comments(b, winner, loser)
    entry.occurrences = _pick(o.occurrences, t.occurrences, b.occurrences if b else None)
    if same:     # otherwise the check notes (#.) are about the winner's text
        entry.comment = _pick(o.comment, t.comment, b.comment if b else None)
    entry.obsolete = _obsolete(b, o, t)
    return _settled(entry)


def _winner(b, o, t, theirs_newer: bool):
    """(winner, loser) of two different translations, or (None, None) for two approved ones."""
    ro, rt = _rank(o), _rank(t)
    if {ro, rt} & {_APPROVED} and min(ro, rt) in (_MACHINE, _SOURCE_CHANGED):
        return (o, t) if ro > rt else (t, o)
    if b is not None and _translation(o) == _translation(b):
        return t, o
    if b is not None and _translation(t) == _translation(b):
        return o, t
    if ro != rt:
        return (o, t) if ro > rt else (t, o)
    if ro == _APPROVED:
        return None, None
    return (t, o) if theirs_newer else (o, t)


def _conflict(b, o, t, theirs_newer: bool, path: str, conflicts: list) -> polib.POEntry:
    """One fuzzy entry: the newer approved text, the other as a comment, for a reviewer."""
    newer, older = (t, o) if theirs_newer else (o, t)
    entry = copy.deepcopy(newer)
    entry.tcomment = _merge_comments(b, newer, older)
    catalogs.mark_draft(entry, newer.msgstr, provenance.Provenance(provenance.CONFLICT))
    lines = [line for line in entry.tcomment.splitlines() if not line.startswith(OTHER_PREFIX)]
    entry.tcomment = "\n".join([*lines, f"{OTHER_PREFIX}: {_one_line(older.msgstr)}"])
    entry.previous_msgid = entry.previous_msgctxt = None
    entry.occurrences = _pick(o.occurrences, t.occurrences, b.occurrences if b else None)
    entry.obsolete = _obsolete(b, o, t)
    conflicts.append(Conflict(path, entry.msgid, newer.msgstr, older.msgstr))
    return entry


def _one_side(b, present) -> polib.POEntry | None:
    """An entry only one side has: added there (keep it), or removed on the other.
    A removal wins unless the keeping side changed the translation since; then,
    as msgmerge keeps translations that left the template, it stays obsolete."""
    if present is None:
        return None
    if b is None:
        return copy.deepcopy(present)
    if _translation(present) == _translation(b):
        return None
    entry = copy.deepcopy(present)
    entry.obsolete = True
    return _settled(entry)


def _carry_to_new_msgids(result: dict, b: dict, o: dict, t: dict) -> None:
    """An entry whose source changed on one side (`#|` previous msgid, the old
    translation carried over) takes the newer translation the other side made of
    the old msgid meanwhile; the old entry, now represented, goes."""
    for entry in [e for e in result.values() if not e.obsolete and e.previous_msgid]:
        old_key = (entry.previous_msgctxt, entry.previous_msgid)
        before = b.get(old_key)
        if before is None or entry.msgstr != before.msgstr:
            continue
        for side in (o.get(old_key), t.get(old_key)):
            if side is not None and side.msgstr and _translation(side) != _translation(before):
                entry.msgstr = side.msgstr
                entry.tcomment = _merge_comments(before, entry, side)
                result.pop(old_key, None)
                break


def _pair_edited_paragraphs(result: dict, b: dict, moment: dt.datetime) -> None:
    """What a run does for an edited paragraph (traduco.merging), across the
    merge: one side gave a new msgid a machine draft (or none) and retired the
    old one, while the other side did human work on the old one. The new entry
    takes that work as a "source changed" draft (`#|` the old msgid) when enough
    of it still fits (REUSE_THRESHOLD), as the run would have had it seen it."""
    fresh = [e for e in result.values() if not e.obsolete and e.msgctxt is None
             and _rank(e) <= _MACHINE and (e.msgctxt, e.msgid) not in b]
    retired = [e for e in result.values() if e.obsolete and e.msgctxt is None and _rank(e) > _MACHINE
               and (e.msgctxt, e.msgid) in b and _translation(e) != _translation(b[(e.msgctxt, e.msgid)])]
    for new, old in pair_edited(fresh, retired):
        inherit(new, old, moment)
        result.pop((old.msgctxt, old.msgid))


def _settled(entry: polib.POEntry) -> polib.POEntry | None:
    """Obsolete entries keep translations only, without previous msgids (as msgmerge)."""
    if entry.obsolete:
        if not entry.msgstr and not any(entry.msgstr_plural.values()):
            return None
        entry.previous_msgid = entry.previous_msgctxt = None
    return entry


# -- ranks, comments, order, headers ------------------------------------------

_NOTHING, _MACHINE, _SOURCE_CHANGED, _OTHER_DRAFT, _APPROVED = range(5)


def _rank(entry: polib.POEntry) -> int:
    if catalogs.state(entry) == catalogs.APPROVED:
        return _APPROVED
    reason = catalogs.fuzzy_reason(entry)
    return {None: _NOTHING, provenance.MACHINE: _MACHINE,
            provenance.SOURCE_CHANGED: _SOURCE_CHANGED}.get(reason, _OTHER_DRAFT)


def _translation(entry: polib.POEntry | None) -> tuple:
    if entry is None:
        return ("", (), False)
    return (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())), "fuzzy" in entry.flags)


def _merge_comments(b, winner: polib.POEntry, loser: polib.POEntry) -> str:
    """The winner's traduco note; every translator line either side has, except
    lines one side deleted since the base."""
    def lines(entry):
        return provenance.own_lines(entry.tcomment) if entry is not None else []
    base_lines = set(lines(b))
    kept = list(dict.fromkeys(lines(winner) + lines(loser)))
    removed = {line for line in base_lines if line not in lines(winner) or line not in lines(loser)}
    return provenance.comment([line for line in kept if line not in removed], provenance.note(winner))


def _obsolete(b, o, t) -> bool:
    """Three-way on the obsolete bit; an entry active on either side with no
    common base stays active (the template, which both follow, has it)."""
    if o.obsolete == t.obsolete:
        return o.obsolete
    if b is None:
        return False
    return t.obsolete if o.obsolete == b.obsolete else o.obsolete


def _pick(ours, theirs, base):
    """Three-way pick of one value: the side that changed it (ours if both did)."""
    return theirs if ours == base else ours


def _order(base: list, ours: list, theirs: list) -> list:
    """The order of the side that reordered (ours if both did), with the other
    side's new keys after the key they follow there."""
    primary, secondary = (theirs, ours) if ours == [k for k in base if k in set(ours)] else (ours, theirs)
    order = list(primary)
    placed = set(order)
    for index, key in enumerate(secondary):
        if key in placed:
            continue
        after = next((secondary[i] for i in range(index - 1, -1, -1) if secondary[i] in placed), None)
        order.insert(order.index(after) + 1 if after is not None else 0, key)
        placed.add(key)
    return order


def _merge_metadata(base: dict, ours: dict, theirs: dict) -> dict:
    merged = {}
    for key in [*ours, *(k for k in theirs if k not in ours)]:
        if key in _DATE_HEADERS and key in ours and key in theirs:
            merged[key] = max(ours[key], theirs[key], key=_parse_date)
            continue
        value = _pick(ours.get(key), theirs.get(key), base.get(key))
        if value is not None:
            merged[key] = value
    return merged


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def _parse_date(value: str | None) -> dt.datetime:
    try:
        return dt.datetime.strptime((value or "").strip(), "%Y-%m-%d %H:%M%z")
    except ValueError:
        return _EPOCH


def _revision(catalog: polib.POFile) -> dt.datetime:
    return _parse_date(catalog.metadata.get("PO-Revision-Date"))


def _by_key(catalog: polib.POFile) -> dict:
    """Entries by (msgctxt, msgid); an active entry wins over an obsolete twin."""
    entries: dict = {}
    for entry in catalog:
        key = (entry.msgctxt, entry.msgid)
        if key not in entries or entries[key].obsolete:
            entries[key] = entry
    return entries


def _one_line(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


# -- files and the git driver -------------------------------------------------

def merge_files(base: Path, ours: Path, theirs: Path, name: str | None = None) -> list[Conflict]:
    """Merge into `ours` (git's %A) from `base` (%O) and `theirs` (%B)."""
    name = name or str(ours)
    parsed = [_read(path) for path in (base, ours, theirs)]
    merged, conflicts = merge_catalogs(*parsed, path=name)
    data = [path.read_bytes() for path in (ours, theirs) if path.is_file()]
    files.atomic_write_text(ours, catalogs.render_keeping(merged, *data))
    return conflicts


def _read(path: Path) -> polib.POFile | None:
    if not path.is_file() or path.stat().st_size == 0:
        return None     # no common ancestor: git passes an empty base
    return catalogs.read(path)


def report(conflicts: list[Conflict]) -> None:
    """Tell the person running git, and the sync that ran git (REPORT_ENV), what needs a choice."""
    for conflict in conflicts:
        print(f"traduco merge: {conflict.line()}", file=sys.stderr)
    target = os.environ.get(REPORT_ENV)
    if target and conflicts:
        with open(target, "a", encoding="utf-8") as handle:
            for conflict in conflicts:
                handle.write(json.dumps({"line": conflict.line(), "path": conflict.path,
                                         "msgid": conflict.msgid}, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    """`BASE OURS THEIRS [PATH]` as git passes them (%O %A %B %P); 0 = merged.
    A catalog that cannot be read is named, and git keeps our side as a conflict."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (3, 4):
        print("usage: traduco merge-driver BASE OURS THEIRS [PATH]  (git's %O %A %B %P)", file=sys.stderr)
        return 2
    base, ours, theirs = (Path(a) for a in args[:3])
    try:
        conflicts = merge_files(base, ours, theirs, args[3] if len(args) == 4 else None)
    except CatalogError as exc:
        print(f"traduco merge: {args[3] if len(args) == 4 else ''} {exc.message}".strip(), file=sys.stderr)
        return 1
    report(conflicts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
