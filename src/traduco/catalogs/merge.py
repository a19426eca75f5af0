"""Three-way merge of gettext catalogs, entry by entry: git's merge driver for
`*.po` and `*.pot`, so translators and scheduled runs meet in git without
conflict markers (which no PO editor opens).

    git config merge.traduco.driver "python -m traduco.catalogs.merge %O %A %B %P"
    echo '*.po merge=traduco' >> .gitattributes      # `traduco init-git` does both

The rule: a merge changes only what one side changed. Entries are matched by
(msgctxt, msgid, obsolete or not, which twin) and kept as their file spells
them (traduco.catalogs.blocks): identical sides give their bytes back, an entry
only one side changed comes from that side byte for byte, order and wrapping
stay. Where both sides changed one entry:

- an approved translation, or a person's draft, beats a machine draft or a
  "source changed" draft (a run can make those again);
- two different translations of people's (approved or a draft a person made,
  singular or plural, or an approval against an improvement) become one fuzzy
  entry: the newer text (the improved one; else by each side's
  PO-Revision-Date), the other as a comment line, a `traduco: merge conflict`
  note; each is reported and the driver exits 1 so git says so;
- comment lines of both sides are kept, less those a side deleted;
- an entry one side removed and the other changed stays as obsolete (`#~`),
  unless it moved: a new entry on the removing side with it as `#|` previous
  msgid, or holding its old translation (msgmerge's fuzzy match), or, for a
  new machine draft, a text close enough (traduco.catalogs.update), takes the other
  side's translation as a draft.

The header merges field by field; Last-Translator and PO-Revision-Date come
together from one side. The result uses only the inputs (no clock).
"""

from __future__ import annotations

import copy
import json
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polib

from traduco.catalogs import provenance
from traduco.project import files
from traduco.catalogs.entries import (OTHER_DRAFT, OTHER_PREFIX, Rank, comments, forms, fuzzy, has_text, other_lines,
                                     rank, with_other)
from traduco.catalogs.blocks import (HEADER_KEY, Block, CatalogText, Header, encoding_of, join, lines_of,
                                  merge_headers, merge_order, not_text, obsolete_last, revision)

REPORT_ENV = "TRADUCO_MERGE_REPORT"     # where a sync collects what the driver reported
DEADLINE_SECONDS = 60     # git waits for the driver: past this, our side stays and git shows a conflict


@dataclass(frozen=True)
class Conflict:
    """Two people's translations of one entry, merged into one fuzzy entry."""

    path: str
    msgid: str
    shown: str
    other: str
    approved: bool = True       # both sides had approved it
    readable: bool = True       # False: an entry polib cannot read, changed on both sides

    def line(self) -> str:
        if not self.readable:
            return (f"{self.path}: \"{_short(self.msgid)}\" changed on both sides and cannot be read on one; "
                    "our side is kept: compare it with theirs")
        what = "approved translations" if self.approved else "people's translations"
        return (f"{self.path}: two {what} of \"{_short(self.msgid)}\" differ; "
                "both are kept in one fuzzy entry for a reviewer to choose")


@dataclass
class _Kept:
    """An entry removed on one side and changed on the other, kept as `#~` at `place`."""

    key: tuple
    remover: int        # 1 ours, 2 theirs
    place: tuple
    folded: bool = False     # into the `#~` entry at `place`, as comment lines

    def release(self, result: dict) -> None:
        """It moved to a new msgid: the `#~` it was kept as goes."""
        if not self.folded:
            result.pop(self.place, None)


@dataclass
class Merged:
    text: str
    conflicts: list[Conflict] = field(default_factory=list)


def merge_texts(base: str | None, ours: str, theirs: str, path: str = "") -> Merged:
    """The three-way merge of two catalog texts from their common `base`."""
    if ours == theirs or base == theirs:
        return Merged(ours)
    if base == ours:
        return Merged(theirs)
    return _Merge(*(CatalogText.parse(text or "") for text in (base, ours, theirs)), path).run()


def merge_catalogs(base: polib.POFile | None, ours: polib.POFile, theirs: polib.POFile,
                   path: str = "") -> tuple[polib.POFile, list[Conflict]]:
    """`merge_texts` for catalogs in memory, as traduco writes them."""
    texts = [catalog.__unicode__() if catalog is not None else None for catalog in (base, ours, theirs)]
    merged = merge_texts(*texts, path=path)
    return polib.pofile(merged.text, wrapwidth=0), merged.conflicts


def _spelled(entry: polib.POEntry) -> str:
    return entry.__unicode__(wrapwidth=0)


def _pick(ours, theirs, base):
    return theirs if ours == base else ours


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


class _Merge:
    def __init__(self, base: CatalogText, ours: CatalogText, theirs: CatalogText, path: str):
        self.sides = base, ours, theirs
        self.maps = [{block.key: block for block in side.blocks} for side in self.sides]
        self.path = path
        self.conflicts: list[Conflict] = []
        self.kept: list[_Kept] = []
        dates = [revision(side) for side in self.sides]
        self.theirs_newer = dates[2] > dates[1]
        self.moment = max(dates[1], dates[2])

    def run(self) -> Merged:
        base, ours, theirs = self.maps
        result: dict[tuple, Block] = {}
        for key in merge_order(*(list(m) for m in self.maps)):
            blocks = base.get(key), ours.get(key), theirs.get(key)
            block = self._header(*blocks) if key == HEADER_KEY else self._entry(key, *blocks)
            if block is not None:
                result[key] = block
        self._follow_moves(result)
        blocks = list(result.values())
        if all(obsolete_last(side) for side in self.sides[1:]):   # as both sides keep them
            blocks.sort(key=lambda block: block.obsolete)
        last = (self.sides[1].blocks or self.sides[2].blocks or [Block([])])[-1].gap
        return Merged(join(blocks, last), self.conflicts)

    # one entry
    def _entry(self, key, b: Block | None, o: Block | None, t: Block | None) -> Block | None:
        text = [x.text if x is not None else None for x in (b, o, t)]
        if text[1] == text[2] or text[0] == text[2]:
            return o
        if text[0] == text[1]:
            return t
        parsed = [x.parsed if x is not None else None for x in (b, o, t)]
        if any(x is not None and p is None for x, p in zip((o, t), parsed[1:])):
            return self._unreadable(o, t)
        spelled = [_spelled(p) if p is not None else None for p in parsed]
        if spelled[1] == spelled[2] or spelled[0] == spelled[2]:
            return o
        if spelled[0] == spelled[1]:
            return t
        if o is None or t is None:
            return self._removed_and_changed(key, b, o, t, parsed)
        return Block.spelling(self._both_changed(*parsed), o)

    def _unreadable(self, o: Block | None, t: Block | None) -> Block | None:
        """An entry polib cannot read on a side that changed it: ours stays, git is told."""
        keep = o or t
        self.conflicts.append(Conflict(self.path, keep.msgid or "", keep.text, (t or o).text, readable=False))
        return keep

    def _removed_and_changed(self, key, b, o, t, parsed) -> Block | None:
        present, entry = (o, parsed[1]) if t is None else (t, parsed[2])
        if not has_text(entry):
            return None
        self.kept.append(_Kept(key, 2 if t is None else 1, key))
        if entry.obsolete:
            return present
        entry = copy.deepcopy(entry)
        entry.obsolete = True
        entry.previous_msgid = entry.previous_msgctxt = entry.previous_msgid_plural = None
        return Block.spelling(entry, present)

    def _both_changed(self, b, o: polib.POEntry, t: polib.POEntry) -> polib.POEntry:
        ro, rt = rank(o, b), rank(t, b)

        def win(winner, loser):
            return self._combined(b, winner, loser, winner)
        if forms(o) == forms(t):          # the same text: the approval, if one side approved it
            return win(o, t) if ro >= rt else win(t, o)
        for mine, other, r_mine, r_other in ((o, t, ro, rt), (t, o, rt, ro)):
            if b is None or forms(mine) != forms(b):
                continue
            if r_mine == Rank.APPROVED and fuzzy(b) and r_other > Rank.SOURCE_CHANGED:
                return self._conflict(b, o, t)      # approved as it was vs improved: both count
            if r_mine == Rank.APPROVED and fuzzy(b):
                return win(mine, other)             # approved vs a machine's new draft
            return win(other, mine)                 # only the other side changed the text
        if min(ro, rt) <= Rank.SOURCE_CHANGED:          # a draft a run can make again
            if ro == rt:
                return win(t, o) if self.theirs_newer else win(o, t)
            return win(o, t) if ro > rt else win(t, o)
        if {ro, rt} == {Rank.APPROVED, Rank.PERSONS_DRAFT}:   # a new approval vs someone's unfinished draft
            approved, draft = (o, t) if ro == Rank.APPROVED else (t, o)
            entry = win(approved, draft)
            entry.tcomment = "\n".join([*entry.tcomment.splitlines(), *other_lines(draft, OTHER_DRAFT)])
            return entry
        return self._conflict(b, o, t)

    def _combined(self, b, winner: polib.POEntry, loser: polib.POEntry, text_from: polib.POEntry):
        entry = copy.deepcopy(winner)
        entry.msgstr, entry.msgstr_plural = text_from.msgstr, dict(text_from.msgstr_plural)
        entry.tcomment = comments(b, winner, loser)
        base = b if b is not None else polib.POEntry()
        o, t = (winner, loser)
        for name in ("occurrences", "comment"):
            setattr(entry, name, _pick(getattr(o, name), getattr(t, name), getattr(base, name)))
        return entry

    def _conflict(self, b, o: polib.POEntry, t: polib.POEntry) -> polib.POEntry:
        """One fuzzy entry: the improved (else the newer) text, the other as a comment line."""
        if b is not None and forms(o) == forms(b):
            shown, other = t, o
        elif b is not None and forms(t) == forms(b):
            shown, other = o, t
        else:
            shown, other = (t, o) if self.theirs_newer else (o, t)
        entry = self._combined(b, shown, other, shown)
        label = OTHER_PREFIX if rank(other) == Rank.APPROVED else OTHER_DRAFT
        lines = [line for line in provenance.own_lines(entry.tcomment)
                 if not line.startswith((OTHER_PREFIX, OTHER_DRAFT))]
        lines += other_lines(other, label)
        entry.tcomment = "\n".join(lines)
        if not fuzzy(entry):
            entry.flags.insert(0, "fuzzy")
        provenance.record(entry, provenance.Provenance(provenance.CONFLICT))
        entry.previous_msgid = entry.previous_msgctxt = entry.previous_msgid_plural = None
        self.conflicts.append(Conflict(self.path, entry.msgid, " | ".join(filter(None, forms(shown))),
                                       " | ".join(filter(None, forms(other))),
                                       rank(shown) == rank(other) == Rank.APPROVED))
        return entry

    # the header
    def _header(self, b: Block | None, o: Block | None, t: Block | None) -> Block | None:
        text = [x.text if x is not None else None for x in (b, o, t)]
        if text[1] == text[2] or text[0] == text[2] or o is None or t is None:
            return o if o is not None or text[0] == text[2] else t
        if text[0] == text[1]:
            return t
        merged = merge_headers(Header.parse(b) if b is not None else None, Header.parse(o), Header.parse(t),
                               self.theirs_newer)
        return Block(lines_of(merged.text()), o.gap, None, "", False, 0, True)

    # entries that moved to a new msgid on the side that removed them
    def _follow_moves(self, result: dict[tuple, Block]) -> None:
        """An entry kept as `#~` (removed on one side, changed on the other) that
        the removing side moved to a new msgid goes there, as a draft."""
        if not self.kept:
            return
        base = self.maps[0]
        fresh = {key: side for key in result if not key[2] and key[1] and key not in base
                 for side in (1, 2) if key in self.maps[side] and key not in self.maps[3 - side]}
        self._drop_obsoleted_copies(result)
        by_previous, by_text = {}, {}
        for key, side in fresh.items():
            entry = result[key].parsed
            if entry is None:
                continue
            if entry.previous_msgid is not None:
                by_previous.setdefault((entry.previous_msgctxt, entry.previous_msgid, side), key)
            if fuzzy(entry) and has_text(entry):
                by_text.setdefault((forms(entry), side), key)
        left = []
        for item in self.kept:
            key, remover = item.key, item.remover
            old, kept = base[key].parsed, self.maps[3 - remover][key].parsed
            if old is None:        # a base entry polib cannot read: it stays as `#~`
                continue
            target = by_previous.get((key[0], key[1], remover)) or by_text.get((forms(old), remover))
            new = result[target].parsed if target in result else None
            if new is None or forms(new) not in (forms(old), forms(polib.POEntry())) or not has_text(old):
                left.append((item, kept))
                continue
            moved = copy.deepcopy(new)
            moved.msgstr, moved.msgstr_plural = kept.msgstr, dict(kept.msgstr_plural)
            if not fuzzy(moved):
                moved.flags.insert(0, "fuzzy")
            moved.tcomment = comments(old, moved, kept)
            result[target] = Block.spelling(moved, result[target])
            item.release(result)
        self._pair_edited(result, fresh, left)

    def _drop_obsoleted_copies(self, result: dict[tuple, Block]) -> None:
        """An active entry kept as `#~` takes the place of the `#~` copy the
        removing side made of it (msgmerge's), else goes where msgmerge puts
        obsolete entries: last."""
        for item in self.kept:
            key, remover = item.key, item.remover
            if key[2] or key not in result:
                continue
            old = self.maps[0][key].parsed
            if old is None:
                continue
            block = result.pop(key)
            obsolete = [k for k in ((key[0], key[1], True, twin) for twin in range(4)) if k in result]
            for copy_key in obsolete:
                copied = self.maps[remover].get(copy_key)
                if (copied is not None and copy_key not in self.maps[0]
                        and copied.parsed is not None and forms(copied.parsed) == forms(old)):
                    item.place = copy_key
                    result[copy_key] = block
                    break
            else:
                if obsolete and result[obsolete[0]].parsed is not None:   # no `#~` twins: msgfmt refuses them
                    item.place, item.folded = obsolete[0], True
                    result[obsolete[0]] = Block.spelling(with_other(result[obsolete[0]].parsed, block.parsed),
                                                         result[obsolete[0]])
                else:
                    result[key] = block

    def _pair_edited(self, result: dict[tuple, Block], fresh: dict, left: list) -> None:
        """What a run does for an edited paragraph (traduco.catalogs.update), across the
        merge: a new machine draft (or none) takes a person's work on the old
        text as a "source changed" draft when enough of it still fits."""
        human = {id(kept): item for item, kept in left if kept is not None and kept.msgctxt is None
                 and not kept.msgid_plural and rank(kept) > Rank.MACHINE}
        drafts = [result[key].parsed for key in fresh if key in result and key[0] is None]
        drafts = [entry for entry in drafts if entry is not None and not entry.msgid_plural
                  and rank(entry) <= Rank.MACHINE]
        olds = [kept for _, kept in left if id(kept) in human]
        if not drafts or not olds:
            return
        from traduco.catalogs.update import _inherit as inherit, pair_edited    # here: difflib, babel for few merges
        for new, old in pair_edited(drafts, olds):
            key = (None, new.msgid, False, 0)
            entry = copy.deepcopy(new)
            inherit(entry, old, self.moment)
            result[key] = Block.spelling(entry, result[key])
            human[id(old)].release(result)


# -- files and the git driver -------------------------------------------------

class NotACatalog(ValueError):
    """A side git handed is binary or UTF-16: no entry-by-entry merge can be trusted."""


def merge_files(base: Path, ours: Path, theirs: Path, name: str | None = None) -> list[Conflict]:
    """Merge into `ours` (git's %A) from `base` (%O) and `theirs` (%B), in ours' encoding."""
    data = [path.read_bytes() if path.is_file() else b"" for path in (base, ours, theirs)]
    if data[2] != data[0] and data[1] != data[0]:     # both changed it: both must be catalogs
        for label, raw in (("ours", data[1]), ("theirs", data[2]), ("the common ancestor", data[0])):
            if why := not_text(raw):
                raise NotACatalog(f"{label} is not a text catalog: {why}")
    texts = [raw.decode(encoding_of(raw), "surrogateescape") if raw else None for raw in data]
    merged = merge_texts(texts[0], texts[1] or "", texts[2] or "", path=name or str(ours))
    try:        # in the charset the merged header names
        result = merged.text.encode(encoding_of(merged.text[:4000].encode("ascii", "replace")), "surrogateescape")
    except UnicodeEncodeError:
        result = merged.text.encode("utf-8", "surrogateescape")
    if result != data[1]:
        files.atomic_write_bytes(ours, result)
    return merged.conflicts


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


def _too_slow(signum, frame):
    raise TimeoutError


def main(argv: list[str] | None = None) -> int:
    """`BASE OURS THEIRS [PATH]` as git passes them (%O %A %B %P). 0 = merged;
    1 = merged with conflicts (each a fuzzy entry), which git then shows as a
    conflict for a person to look at; a traduco run (REPORT_ENV) takes them
    from the report instead and gets 0."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (3, 4):
        print("usage: traduco merge-driver BASE OURS THEIRS [PATH]  (git's %O %A %B %P)", file=sys.stderr)
        return 2
    base, ours, theirs = (Path(a) for a in args[:3])
    name = args[3] if len(args) == 4 else str(ours)
    signal.signal(signal.SIGALRM, _too_slow)
    signal.alarm(DEADLINE_SECONDS)
    try:
        conflicts = merge_files(base, ours, theirs, name)
    except TimeoutError:
        print(f"traduco merge: {name}: not merged within {DEADLINE_SECONDS} s; git keeps our side as a "
              "conflict (merge it by hand, or report the three files)", file=sys.stderr)
        return 1
    except (OSError, LookupError, NotACatalog) as exc:
        print(f"traduco merge: {name}: cannot merge ({exc}); git keeps our side as a conflict", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
    report(conflicts)
    return 1 if conflicts and not os.environ.get(REPORT_ENV) else 0


if __name__ == "__main__":
    sys.exit(main())
