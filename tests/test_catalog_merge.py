"""The merge driver for catalogs: entry by entry, byte-stable, valid gettext,
never conflict markers, no reviewer's work lost."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from traduco.catalogs import pofile, provenance
from traduco.catalogs.merge import merge_catalogs

from conftest import DOC
from helpers import approve_all, msgfmt_check, run_cli, run_once

HEADER = ('msgid ""\nmsgstr ""\n"Project-Id-Version: t\\n"\n"PO-Revision-Date: {date}\\n"\n'
          '"Language: zh_CN\\n"\n"MIME-Version: 1.0\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Content-Transfer-Encoding: 8bit\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n')
DRAFT = "# traduco: machine draft by libre on 2026-01-01 10:00 UTC\n#, fuzzy\n"


def catalog(body: str, date: str = "2026-01-01 10:00+0000") -> polib.POFile:
    return polib.pofile(HEADER.format(date=date) + body, wrapwidth=0)


def by_id(merged: polib.POFile) -> dict[str, polib.POEntry]:
    return {e.msgid: e for e in merged}


def test_approved_beats_a_machine_draft_and_keeps_both_sides_comments():
    base = catalog(f'{DRAFT}msgid "Uno"\nmsgstr "one"\n')
    ours = catalog(f'# ignore-check: numbers\n{DRAFT.replace("10:00", "11:00")}msgid "Uno"\n'
                   'msgstr "one, drafted again"\n')
    theirs = catalog('# ask the press office\nmsgid "Uno"\nmsgstr "One, reviewed"\n')

    for left, right in ((ours, theirs), (theirs, ours)):
        merged, conflicts = merge_catalogs(base, left, right)
        entry = by_id(merged)["Uno"]
        assert (entry.msgstr, entry.flags, conflicts) == ("One, reviewed", [], [])
        assert {"ignore-check: numbers", "ask the press office"} <= set(entry.tcomment.splitlines())


def test_two_approved_translations_become_one_fuzzy_entry_newest_first():
    base = catalog(f'{DRAFT}msgid "Uno"\nmsgstr "one"\n')
    ours = catalog('msgid "Uno"\nmsgstr "One (editor)"\n', date="2026-03-01 09:00+0100")
    theirs = catalog('msgid "Uno"\nmsgstr "One (translator)\\nsecond line"\n', date="2026-03-01 09:30+0100")

    merged, conflicts = merge_catalogs(base, ours, theirs, path="zh.po")

    entry = by_id(merged)["Uno"]
    assert entry.msgstr == "One (translator)\nsecond line" and "fuzzy" in entry.flags
    assert "other approved translation: One (editor)" in entry.tcomment.splitlines()
    assert provenance.note(entry).startswith("merge conflict")
    assert [c.line() for c in conflicts] == [
        'zh.po: two approved translations of "Uno" differ; both are kept in one fuzzy entry for a '
        "reviewer to choose"]
    assert merged.metadata["PO-Revision-Date"] == "2026-03-01 09:30+0100"


def test_one_side_changed_wins_and_an_entry_removed_on_one_side_follows_msgmerge():
    base = catalog('msgid "Uno"\nmsgstr "one"\n\n' f'{DRAFT}msgid "Due"\nmsgstr "two"\n\n'
                   'msgid "Tre"\nmsgstr ""\n\n#~ msgid "Vecchio"\n#~ msgstr "old"\n')
    # ours: "Due" left the source (obsolete), "Tre" was dropped untranslated, "Quattro" added
    ours = catalog('msgid "Uno"\nmsgstr "one"\n\nmsgid "Quattro"\nmsgstr ""\n\n'
                   f'{DRAFT}#~ msgid "Due"\n#~ msgstr "two"\n\n#~ msgid "Vecchio"\n#~ msgstr "old"\n')
    # theirs: a reviewer approved "Due" and translated "Tre"; "Vecchio" came back
    theirs = catalog('msgid "Uno"\nmsgstr "one"\n\nmsgid "Due"\nmsgstr "Two"\n\nmsgid "Tre"\nmsgstr "Three"\n\n'
                     'msgid "Vecchio"\nmsgstr "old"\n')

    merged, conflicts = merge_catalogs(base, ours, theirs)

    state = {e.msgid: (e.msgstr, bool(e.obsolete), "fuzzy" in e.flags) for e in merged}
    assert state == {"Uno": ("one", False, False), "Quattro": ("", False, False),
                     "Due": ("Two", True, False),       # the reviewer's work stays, obsolete
                     "Tre": ("Three", True, False),
                     "Vecchio": ("old", False, False)}  # back in the source: active again
    assert [e.obsolete for e in merged] == sorted(e.obsolete for e in merged)   # obsolete last
    assert conflicts == []


# -- the lifecycle pairs: Poedit-rewrapped, reordered, obsolete entries -------

SOURCE = f"sources/{DOC}.txt"


def driver(base: Path, ours: Path, theirs: Path, tmp: Path, name: str) -> bytes:
    """Run the driver as git does, on a copy of `ours` (git's %A), and return the result."""
    result = tmp / name
    shutil.copy(ours, result)
    done = subprocess.run([sys.executable, "-m", "traduco.catalogs.merge", str(base), str(result), str(theirs),
                           f"locales/zh_CN/LC_MESSAGES/{DOC}.po"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return result.read_bytes()


@pytest.fixture
def lifecycle(project: Path, standin, tmp_path: Path):
    """(base, ours, theirs): a run's catalog; the translator's save of it (approved,
    Poedit-wrapped); a later run's (paragraphs reordered, one removed, one edited, one added)."""
    if shutil.which("msgcat") is None:
        pytest.fail("GNU gettext (msgcat) is needed: it wraps like Poedit")
    path = project / "locales" / "zh_CN" / "LC_MESSAGES" / f"{DOC}.po"
    run_once(project, standin.url)
    base = tmp_path / "base.po"
    shutil.copy(path, base)
    ours = tmp_path / "ours.po"
    shutil.copy(path, ours)
    approve_all(ours)
    subprocess.run(["msgcat", "--width=79", "-o", str(ours), str(ours)], check=True)
    parts = (project / SOURCE).read_text(encoding="utf-8").split("\n\n")
    removed = parts.pop(3)
    parts[4], parts[5] = parts[5], parts[4]
    parts[1] = parts[1].replace("177 mila", "180 mila")
    parts.append("Un paragrafo nuovo.")
    (project / SOURCE).write_text("\n\n".join(parts), encoding="utf-8")
    run_once(project, standin.url)
    theirs = tmp_path / "theirs.po"
    shutil.copy(path, theirs)
    return base, ours, theirs, removed.strip()


def test_the_driver_is_byte_stable_and_keeps_every_approved_entry(lifecycle, tmp_path, capsys):
    base, ours, theirs, removed = lifecycle

    first = driver(base, ours, theirs, tmp_path, "first.po")
    second = driver(base, ours, theirs, tmp_path, "second.po")
    shutil.copy(ours, tmp_path / "cli.po")
    code, _, err = run_cli(capsys, "merge-driver", str(base), str(tmp_path / "cli.po"), str(theirs))

    assert first == second == (tmp_path / "cli.po").read_bytes() and code == 0, err
    text = first.decode("utf-8")
    assert "<<<<<<<" not in text and "=======" not in text
    msgfmt_check(tmp_path / "first.po")
    merged = polib.pofile(text, wrapwidth=0)
    approved = {e.msgid: e.msgstr for e in polib.pofile(str(ours)) if not e.obsolete}
    active = {e.msgid: e for e in merged if not e.obsolete}
    assert [e.msgid for e in merged if not e.obsolete] == [e.msgid for e in polib.pofile(str(theirs))
                                                           if not e.obsolete]      # the new order
    assert [(e.msgid, e.msgstr) for e in merged if e.obsolete] == [(removed, approved[removed])]
    edited = next(e for m, e in active.items() if "180 mila" in m)
    # The later run made a fresh machine draft (the old one was only a draft then); the
    # translator's approval of the old text comes along as a "source changed" draft.
    assert edited.previous_msgid == edited.msgid.replace("180 mila", "177 mila")
    assert edited.msgstr == approved[edited.previous_msgid] and "fuzzy" in edited.flags
    for msgid, msgstr in approved.items():
        if msgid in active and msgid != edited.previous_msgid:
            assert (active[msgid].msgstr, active[msgid].flags) == (msgstr, [])
    assert pofile.fuzzy_reason(active["Un paragrafo nuovo."]) == pofile.MACHINE
    # Entries the translator's side has unchanged keep its Poedit wrapping.
    body = text.split("\n\n", 1)[1]
    assert 'msgid ""\n"' in body and 'msgid ""\n"' in ours.read_text(encoding="utf-8").split("\n\n", 1)[1]


def test_merging_again_changes_nothing(lifecycle, tmp_path):
    base, ours, theirs, _ = lifecycle
    merged = tmp_path / "merged.po"
    merged.write_bytes(driver(base, ours, theirs, tmp_path, "once.po"))

    assert driver(theirs, merged, theirs, tmp_path, "twice.po") == merged.read_bytes()
    assert driver(base, merged, merged, tmp_path, "same.po") == merged.read_bytes()
