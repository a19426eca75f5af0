"""traduco's reader and merge driver on any folder of real catalogs.

    python bench/real_catalogs.py FOLDER [--no-msgfmt] [--check-results]

1. Reader verdicts against `msgfmt -c`, file by file: traduco's syntax check
   (`syntax.check`, what every catalog passes first) and its catalog reader
   (`pofile.load`: syntax, then traduco's own rules: UTF-8, one header, no
   duplicate msgid). Disagreements are listed by reason.
2. Three-way merges built from each catalog, each judged against what each
   side wrote (the entries it names hold what the scenario says, every other
   entry keeps the base's bytes, nothing else appears):
   different entries; the same entry on both sides (singular, plural);
   approve vs improve; approve-and-edit vs a template update (without `#|`,
   msgmerge's way for a draft; with `#|`); add vs remove; an obsolete entry
   revived; the same new msgid on both sides; identical sides (byte for byte).
   --check-results also runs `msgfmt -c` on each result whose base passes it.
"""

from __future__ import annotations

import collections
import copy
import functools
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polib

from traduco.catalogs import pofile, syntax
from traduco.catalogs.blocks import Block, CatalogText
from traduco.catalogs.merge import merge_texts
from traduco.errors import CatalogError

REVISION = (("Li <li@example.org>", "2031-01-01 10:00+0000"), ("Wang <wang@example.org>", "2031-01-02 10:00+0000"))


# -- editing one entry as a PO editor does -------------------------------------

@functools.lru_cache(maxsize=32)
def parsed(text: str) -> CatalogText:
    """One reading per text (never changed in place: the scenarios share it)."""
    return CatalogText.parse(text)


def blocks_of(text: str) -> dict:
    return {block.key: block for block in parsed(text).blocks}


def changed(text: str, key: tuple, change) -> str:
    blocks = list(parsed(text).blocks)
    index = next(i for i, block in enumerate(blocks) if block.key == key)
    entry = copy.deepcopy(blocks[index].parsed)
    change(entry)
    blocks[index] = Block.spelling(entry, blocks[index])
    return str(CatalogText(blocks))


def appended(text: str, entry: polib.POEntry) -> str:
    return text.rstrip("\n") + "\n\n" + entry.__unicode__(wrapwidth=0)


def revised(text: str, side: int) -> str:
    who, when = REVISION[side]
    lines = text.splitlines(keepends=True)
    for field, value in (("Last-Translator", who), ("PO-Revision-Date", when)):
        for i, line in enumerate(lines[:60]):
            if line.startswith(f'"{field}:'):
                lines[i] = f'"{field}: {value}\\n"\n'
                break
    return "".join(lines)


def retext(entry: polib.POEntry, suffix: str) -> None:
    if entry.msgid_plural:
        entry.msgstr_plural = {n: (form or entry.msgid_plural) + suffix for n, form in entry.msgstr_plural.items()}
    else:
        entry.msgstr = (entry.msgstr or entry.msgid) + suffix


def fuzzy(entry: polib.POEntry, on: bool) -> None:
    entry.flags = [f for f in entry.flags if f != "fuzzy"] + (["fuzzy"] if on else [])
    if on:
        entry.previous_msgid = entry.previous_msgctxt = entry.previous_msgid_plural = None


def texts(entry: polib.POEntry) -> tuple:
    return (entry.msgstr, *(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)))


# -- the scenarios --------------------------------------------------------------

class Scenarios:
    """Each scenario: (base, ours, theirs, judge); judge(result) -> None if right, else why."""

    def __init__(self, text: str):
        self.text = text
        blocks = [b for b in parsed(text).blocks if not b.obsolete and b.msgid and b.has_msgstr]
        singular = [b for b in blocks if b.parsed is not None and not b.parsed.msgid_plural]
        plural = [b for b in blocks if b.parsed is not None and b.parsed.msgid_plural]
        self.a = singular[len(singular) // 3] if len(singular) >= 2 else None
        self.b = singular[2 * len(singular) // 3] if len(singular) >= 2 else None
        self.p = plural[0] if plural else None

    def all(self):
        named = (("different entries", self.different_entries), ("same entry, singular", self.same_entry_singular),
                 ("same entry, plural", self.same_entry_plural), ("approve vs improve", self.approve_vs_improve),
                 ("approve+edit vs template update", self.approve_edit_vs_template_update),
                 ("approve+edit vs template update with #|", self.approve_edit_vs_template_update_with_previous),
                 ("add vs remove", self.add_vs_remove), ("obsolete revived", self.obsolete_revived),
                 ("same new msgid both sides", self.same_new_msgid_both_sides),
                 ("identical sides", self.identical_sides))
        for name, build in named:
            applicable = self.a is not None and (self.p is not None or name != "same entry, plural")
            yield name, build() if applicable else None

    def different_entries(self):
        base = self.text
        ours = revised(changed(base, self.a.key, lambda e: retext(e, " [ours]")), 0)
        theirs = revised(changed(base, self.b.key, lambda e: retext(e, " [theirs]")), 1)
        dated = '"PO-Revision-Date:' in base.split("\n\n", 1)[0] or '"PO-Revision-Date:' in base[:3000]
        return base, ours, theirs, expect(base, {self.a.key: ours, self.b.key: theirs},
                                          header_from=theirs if dated else None)     # else neither is newer

    def same_entry_singular(self):
        return self._both(self.a)

    def same_entry_plural(self):
        return self._both(self.p)

    def _both(self, block):
        base = changed(self.text, block.key, lambda e: fuzzy(e, False))
        ours = revised(changed(base, block.key, lambda e: retext(e, " [ours]")), 0)
        theirs = revised(changed(base, block.key, lambda e: retext(e, " [theirs]")), 1)
        return base, ours, theirs, expect(base, {block.key: conflict_of(ours, theirs, block.key)}, conflicts=1)

    def approve_vs_improve(self):
        base = changed(self.text, self.a.key, lambda e: (retext(e, ""), fuzzy(e, True)))
        ours = changed(base, self.a.key, lambda e: fuzzy(e, False))
        theirs = changed(base, self.a.key, lambda e: retext(e, " [improved]"))
        return base, ours, theirs, expect(base, {self.a.key: lambda e: texts(e) == texts(entry_of(theirs, self.a.key))
                                                 and "fuzzy" in e.flags}, conflicts=1)

    def approve_edit_vs_template_update(self, previous: bool = False):
        key = self.a.key
        base = changed(self.text, key, lambda e: (retext(e, ""), fuzzy(e, not previous)))
        ours = changed(base, key, lambda e: (retext(e, " [edited]"), fuzzy(e, False)))
        new_msgid = self.a.msgid + " (updated)"
        new_key = (key[0], new_msgid, False, 0)

        def update(entry):
            entry.msgid = new_msgid
            fuzzy(entry, True)
            if previous:
                entry.previous_msgid, entry.previous_msgctxt = self.a.msgid, key[0]
        theirs = changed(base, key, update)
        edited = texts(entry_of(ours, key))
        return base, ours, theirs, expect(base, {key: None, new_key: lambda e: texts(e) == edited and "fuzzy" in e.flags})

    def approve_edit_vs_template_update_with_previous(self):
        return self.approve_edit_vs_template_update(previous=True)

    def add_vs_remove(self):
        base = self.text
        added = polib.POEntry(msgid="A sentence only ours has [bench]", msgstr="Una frase [bench]")
        ours = appended(base, added)
        theirs = str(without(base, self.b.key))
        return base, ours, theirs, expect(base, {(None, added.msgid, False, 0): lambda e: e.msgstr == added.msgstr,
                                                 self.b.key: None})

    def obsolete_revived(self):
        key = self.a.key
        base = changed(self.text, key, lambda e: (retext(e, ""), setattr(e, "obsolete", True)))
        ours = changed(base, (key[0], key[1], True, 0), lambda e: setattr(e, "obsolete", False))
        theirs = changed(base, self.b.key, lambda e: retext(e, " [theirs]"))
        revived = texts(entry_of(ours, key))
        return base, ours, theirs, expect(base, {(key[0], key[1], True, 0): None,
                                                 key: lambda e: texts(e) == revived,
                                                 self.b.key: theirs})

    def same_new_msgid_both_sides(self):
        base = self.text
        added = polib.POEntry(msgid="A sentence both sides added [bench]", msgstr="Una frase [bench]")
        ours = appended(changed(base, self.a.key, lambda e: retext(e, " [ours]")), added)
        theirs = appended(base, added)
        return base, ours, theirs, expect(base, {(None, added.msgid, False, 0): lambda e: e.msgstr == added.msgstr,
                                                 self.a.key: ours})

    def identical_sides(self):
        ours = revised(changed(self.text, self.a.key, lambda e: retext(e, " [both]")), 0)
        return self.text, ours, ours, lambda result, conflicts: None if result == ours else "not byte-identical"


def without(text: str, key: tuple) -> CatalogText:
    return CatalogText([b for b in parsed(text).blocks if b.key != key])


def entry_of(text: str, key: tuple) -> polib.POEntry | None:
    block = blocks_of(text).get(key)
    return block.parsed if block is not None else None


def conflict_of(ours: str, theirs: str, key: tuple):
    mine, other = texts(entry_of(ours, key)), texts(entry_of(theirs, key))

    def judge(entry):
        unescaped = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), entry.tcomment)
        kept = " ".join(texts(entry)) + "\n" + unescaped     # comment lines spell \ and newlines escaped
        return "fuzzy" in entry.flags and all(t in kept for t in (*mine, *other) if t)
    return judge


def expect(base: str, wanted: dict, conflicts: int = 0, header_from: str | None = None):
    """A judge: each key in `wanted` holds that side's bytes (a text), passes a
    test (a function of the entry) or is gone (None); every other block is the
    base's, byte for byte; the header is `header_from`'s if given."""
    base_blocks = {key: b.text for key, b in blocks_of(base).items()}

    def judge(result: str, found: int) -> str | None:
        blocks = {b.key: b for b in CatalogText.parse(result).blocks}
        for key, want in wanted.items():
            block = blocks.get(key)
            if want is None:
                if block is not None:
                    return f"{key[1][:40]!r} should be gone"
            elif block is None:
                return f"{key[1][:40]!r} is missing"
            elif isinstance(want, str):
                if block.text != blocks_of(want)[key].text:
                    return f"{key[1][:40]!r} is not as that side wrote it"
            elif block.parsed is None or not want(block.parsed):
                return f"{key[1][:40]!r} does not hold what it should"
        for key, text in base_blocks.items():
            if key in wanted or (key[1] == "" and key[0] is None):
                continue
            if key not in blocks or blocks[key].text != text:
                return f"{key[1][:40]!r} changed though neither side changed it"
        extra = set(blocks) - set(base_blocks) - set(wanted)
        if extra:
            return f"{len(extra)} entries appeared that no side wrote"
        if header_from is not None:
            header = next((b.text for b in parsed(header_from).blocks if b.is_header), None)
            if header is not None and blocks.get((None, "", False, 0)) and blocks[(None, "", False, 0)].text != header:
                return "the header is not the newer side's"
        if (found > 0) != (conflicts > 0):
            return f"{found} conflicts reported, {conflicts} expected"
        return None
    return judge


# -- the run --------------------------------------------------------------------

def msgfmt_ok(path: Path) -> bool:
    return msgfmt_says(path) is None


def msgfmt_says(path: Path) -> str | None:
    """None if `msgfmt -c` compiles the file, else its first complaint (without file:line)."""
    done = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True,
                          errors="replace")
    if done.returncode == 0:
        return None
    lines = [re.sub(r"^.*?:\d+: ", "", line) for line in done.stderr.splitlines()
             if "warning" not in line and not line.startswith("msgfmt: found")]
    return " ".join(lines[:2]) or "(no message)"


def reader_verdicts(files: list[Path]) -> None:
    with ThreadPoolExecutor(2) as pool:
        complaints = list(pool.map(msgfmt_says, files))
    strict = [c is None for c in complaints]
    table = collections.Counter()
    reasons = collections.Counter()
    for path, gnu, complaint in zip(files, strict, complaints):
        data = path.read_bytes()
        try:
            syntax.check(data.decode("utf-8-sig"), path)
            checked = True
        except (CatalogError, UnicodeDecodeError):
            checked = False
        try:
            pofile.load(data, path)
            loaded, why = True, ""
        except CatalogError as exc:
            loaded, why = False, re.sub(r"^\S+:\d+: ", "", str(exc.message))
        table["syntax.check agrees" if checked == gnu else "syntax.check differs"] += 1
        table["catalogs.load agrees" if loaded == gnu else "catalogs.load differs"] += 1
        if checked != gnu:
            reasons[f"syntax.check {'refuses' if gnu else 'passes'}: msgfmt -c says "
                    f"{re.sub(r'[0-9]+', 'N', complaint or 'ok')[:60]}"] += 1
        if loaded != gnu and checked == gnu:
            reasons[f"catalogs.load {'refuses' if gnu else 'passes'}: "
                    f"{re.sub(r'[0-9]+', 'N', why or complaint or '')[:70]}"] += 1
    print(f"reader vs msgfmt -c on {len(files)} files ({sum(strict)} pass msgfmt -c):")
    for name in ("syntax.check agrees", "syntax.check differs", "catalogs.load agrees", "catalogs.load differs"):
        print(f"  {name:<24} {table[name]}")
    for reason, count in reasons.most_common(12):
        print(f"    {count:>5}  {reason}")


def merges(files: list[Path], check_results: bool) -> None:
    counts = collections.defaultdict(collections.Counter)
    wrong: dict[str, list[str]] = collections.defaultdict(list)
    started = time.perf_counter()
    for path in files:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        valid = check_results and msgfmt_ok(path)
        for name, scenario in Scenarios(text).all():
            if scenario is None:
                counts[name]["not applicable"] += 1
                continue
            base, ours, theirs, judge = scenario
            merged = merge_texts(base, ours, theirs, path=str(path))
            why = judge(merged.text, len(merged.conflicts))
            if why is None and valid:
                result = Path("/tmp") / f"traduco-bench-{path.stem}.po"
                result.write_bytes(merged.text.encode("utf-8", "surrogateescape"))
                why = None if msgfmt_ok(result) else "msgfmt -c refuses the result"
                result.unlink()
            counts[name]["correct" if why is None else "incorrect"] += 1
            if why is not None:
                wrong[name].append(f"{path}: {why}")
    print(f"\nmerge scenarios on {len(files)} files ({time.perf_counter() - started:.0f} s):")
    print(f"  {'scenario':<42} correct  incorrect  n/a")
    for name, tally in counts.items():
        print(f"  {name:<42} {tally['correct']:>7}  {tally['incorrect']:>9}  {tally['not applicable']:>3}")
    for name, lines in wrong.items():
        for line in lines[:3]:
            print(f"    {name}: {line}")


def main(args: list[str]) -> int:
    folders = [Path(a) for a in args if not a.startswith("--")]
    if len(folders) != 1 or not folders[0].is_dir():
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    files = sorted(p for p in folders[0].rglob("*") if p.suffix in (".po", ".pot") and p.is_file())
    if "--no-msgfmt" not in args:
        reader_verdicts(files)
    merges(files, "--check-results" in args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
