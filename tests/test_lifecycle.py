"""Catalog lifecycle: source edits, reviewer edits, crashes and concurrent runs lose nothing."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from traduco.catalogs import pofile, provenance
from traduco.project.loading import load_project
from traduco.review.queue import queue_row

from conftest import DOC
from helpers import approve_all, approved_pairs, entries, msgfmt_check, run_cli, run_once

SOURCE = f"sources/{DOC}.txt"


def po(project: Path, locale: str, doc: str = DOC) -> Path:
    return project / "locales" / locale / "LC_MESSAGES" / f"{doc}.po"


def edit_source(project: Path, old: str, new: str) -> None:
    path = project / SOURCE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def paragraphs(project: Path) -> list[str]:
    return (project / SOURCE).read_text(encoding="utf-8").split("\n\n")


def write_paragraphs(project: Path, parts: list[str]) -> None:
    (project / SOURCE).write_text("\n\n".join(parts), encoding="utf-8")


def targets(standin) -> list[str]:
    return [r["target"] for r in standin.requests]


def test_edited_sentence_keeps_the_reviewers_translation_as_fuzzy_with_previous(project, standin, capsys):
    run_once(project, standin.url)
    reviewed = approve_all(po(project, "zh_CN"))
    old_msgid = next(m for m in reviewed if "177 mila" in m)
    before = entries(po(project, "zh_CN"))
    standin.requests.clear()

    edit_source(project, "in 177 mila hanno seguito", "in 180 mila hanno seguito")
    run_once(project, standin.url)

    after = entries(po(project, "zh_CN"))
    new_msgid = old_msgid.replace("177 mila", "180 mila")
    changed = after[new_msgid]
    assert changed.previous_msgid == old_msgid
    assert changed.msgstr == reviewed[old_msgid]
    assert "fuzzy" in changed.flags
    assert pofile.fuzzy_reason(changed) == pofile.SOURCE_CHANGED
    for msgid, entry in before.items():
        if msgid != old_msgid:
            assert (after[msgid].msgstr, after[msgid].flags) == (entry.msgstr, entry.flags)
    assert targets(standin).count("zh") <= 1 and targets(standin).count("en") <= 1
    assert [e.msgid for e in polib.pofile(str(po(project, "zh_CN"))) if e.obsolete] == []
    assert "#| msgid" in po(project, "zh_CN").read_text(encoding="utf-8")
    row = queue_row(load_project(project), DOC, "zh_CN")
    assert (row.source_changed, row.approved, row.drafts) == (1, 7, 1)
    code, out, _ = run_cli(capsys, "status", "--project", str(project))
    assert "1 source changed" in out
    msgfmt_check(po(project, "zh_CN"))


def test_rewritten_paragraph_gets_a_fresh_draft_and_the_old_translation_stays_obsolete(project, standin):
    run_once(project, standin.url)
    reviewed = approve_all(po(project, "zh_CN"))
    parts = paragraphs(project)
    old = parts[4].strip()
    parts[4] = "Un paragrafo nuovo, scritto da capo, che non somiglia affatto a quello di prima."
    write_paragraphs(project, parts)

    run_once(project, standin.url)

    catalog = polib.pofile(str(po(project, "zh_CN")))
    fresh = next(e for e in catalog if e.msgid == parts[4])
    assert pofile.fuzzy_reason(fresh) == pofile.MACHINE and fresh.previous_msgid is None
    assert [(e.msgid, e.msgstr) for e in catalog if e.obsolete] == [(old, reviewed[old])]


def test_deleted_added_and_reordered_paragraphs(project, standin):
    run_once(project, standin.url)
    reviewed = approve_all(po(project, "en"))
    parts = [p.strip() for p in paragraphs(project)]
    removed = parts.pop(2)
    parts[3], parts[4] = parts[4], parts[3]
    added = "Nuovo paragrafo aggiunto in cima."
    write_paragraphs(project, [parts[0], added, *parts[1:]])

    run_once(project, standin.url)

    catalog = polib.pofile(str(po(project, "en")))
    active = [e for e in catalog if not e.obsolete]
    source_order = [p.removeprefix("date 2021-05 ") for p in [parts[0], added, *parts[1:]]]
    assert [e.msgid for e in active] == source_order
    assert [(e.msgid, e.msgstr) for e in catalog if e.obsolete] == [(removed, reviewed[removed])]
    new = next(e for e in active if e.msgid == added)
    assert pofile.fuzzy_reason(new) == pofile.MACHINE
    lines = [int(e.occurrences[0][1]) for e in active]
    assert lines == sorted(lines)
    msgfmt_check(po(project, "en"))


def test_removed_paragraph_that_returns_gets_its_approved_translation_back(project, standin):
    run_once(project, standin.url)
    reviewed = approve_all(po(project, "en"))
    parts = paragraphs(project)
    write_paragraphs(project, parts[:-1])
    run_once(project, standin.url)
    standin.requests.clear()
    write_paragraphs(project, parts)

    run_once(project, standin.url)

    assert approved_pairs(po(project, "en")) == set(reviewed.items())
    assert standin.requests == []


def test_translation_memory_is_used_before_mt(project, standin):
    run_once(project, standin.url)
    reviewed = approve_all(po(project, "zh_CN"))
    source_line = "Fonte: Regione Toscana - Ufficio stampa"
    (project / "sources" / "nuovo.txt").write_text(f"Un testo nuovo.\n\n{source_line}\n", encoding="utf-8")
    standin.requests.clear()

    reports = run_once(project, standin.url)

    reused = next(e for e in polib.pofile(str(po(project, "zh_CN", "nuovo"))) if e.msgid == source_line)
    assert reused.msgstr == reviewed[source_line] and "fuzzy" in reused.flags
    assert provenance.note(reused).startswith(f"reused from memory: approved in {DOC} (reused on ")
    assert [r["q"] for r in standin.requests if r["target"] == "zh"] == ["Un testo nuovo."]
    assert sum(r.reused for r in reports) == 1
    assert queue_row(load_project(project), "nuovo", "zh_CN").from_memory == 1


def test_poedit_style_rewrapping_survives_and_diffs_show_only_real_changes(project, standin):
    if shutil.which("msgcat") is None:
        pytest.skip("GNU gettext (msgcat) is not installed")
    run_once(project, standin.url)
    path = po(project, "en")
    subprocess.run(["msgcat", "--width=79", "-o", str(path), str(path)], check=True)
    wrapped = path.read_text(encoding="utf-8")

    run_once(project, standin.url)
    assert path.read_text(encoding="utf-8") == wrapped        # nothing new: not rewritten

    (project / SOURCE).write_text((project / SOURCE).read_text(encoding="utf-8") + "\n\nUltima riga.\n",
                                  encoding="utf-8")
    run_once(project, standin.url)

    old_lines, new_lines = wrapped.splitlines(), path.read_text(encoding="utf-8").splitlines()
    removed = [line for line in old_lines if line not in new_lines]
    added = [line for line in new_lines if line not in old_lines]
    assert all(line.startswith('"PO-Revision-Date') or line.startswith('"POT-Creation-Date')
               for line in removed), removed
    assert any("Ultima riga." in line for line in added)
    assert len(added) <= 6, added   # the date headers and the new entry, nothing else
    msgfmt_check(path)


def test_translator_save_during_a_run_is_preserved(project, standin):
    run_once(project, standin.url)
    path = po(project, "zh_CN")
    (project / SOURCE).write_text((project / SOURCE).read_text(encoding="utf-8") + "\n\nUn'aggiunta.\n",
                                  encoding="utf-8")
    saved = []

    def translator_saves(text, result):
        # A Chinese answer (the stand-in makes up "[zh] ..." for texts it has no
        # reference for): the run is drafting the zh_CN catalog, the very file it
        # is about to write, and has read it already.
        chinese = re.search("[\u4e00-\u9fff]", result.text or "") or (result.text or "").startswith("[zh]")
        if chinese and not saved:
            catalog = polib.pofile(str(path), wrapwidth=0)
            catalog[0].msgstr = "译者刚刚保存的译文"
            catalog[0].flags.remove("fuzzy")
            catalog.save()
            saved.append(catalog[0].msgid)

    run_once(project, standin.url, on_result=translator_saves)

    after = entries(path)
    assert saved and after[saved[0]].msgstr == "译者刚刚保存的译文" and not after[saved[0]].flags
    assert after["Un'aggiunta."].msgstr and "fuzzy" in after["Un'aggiunta."].flags
    assert [r["target"] for r in standin.requests].count("zh") == 9   # 8 + 1, no repeat
    msgfmt_check(path)


def test_a_save_landing_while_the_run_flushes_its_write_is_merged_not_overwritten(project, standin, monkeypatch):
    """The last window: the save lands after the run compared the file with what
    it read, while its new file is being flushed, just before the rename."""
    run_once(project, standin.url)
    path = po(project, "zh_CN")
    edit_source(project, "in 177 mila hanno seguito", "in 180 mila hanno seguito")
    real_fsync, saved = os.fsync, []

    def translator_saves_meanwhile(fd):
        real_fsync(fd)
        if not saved and os.readlink(f"/proc/self/fd/{fd}").startswith(str(path.parent / f".{path.name}.")):
            catalog = polib.pofile(str(path), wrapwidth=0)
            entry = next(e for e in catalog if "fuzzy" in e.flags)
            entry.msgstr, entry.flags = "译者在写入时保存", []
            catalog.save()
            saved.append(entry.msgid)
    monkeypatch.setattr(os, "fsync", translator_saves_meanwhile)

    reports = run_once(project, standin.url)

    after = entries(path)
    assert saved and after[saved[0]].msgstr == "译者在写入时保存" and not after[saved[0]].flags
    assert any("180 mila" in msgid for msgid in after)           # and the run's own work is there too
    assert all(r.error is None for r in reports)
    msgfmt_check(path)


def test_work_a_translator_added_by_hand_survives_the_paragraph_leaving(project, standin):
    """A plural entry, an untranslated entry with a comment, an obsolete twin of
    an approved entry and other tools' headers, all written by hand or by Poedit."""
    run_once(project, standin.url)
    path = po(project, "zh_CN")
    reviewed = approve_all(path)
    leaving = paragraphs(project)[-1].strip()
    text = path.read_text(encoding="utf-8").replace(
        '"Language: zh_CN\\n"\n',
        '"Language: zh_CN\\n"\n"X-Poedit-Basepath: ..\\n"\n"Last-Translator: Li Wei <li@example.org>\\n"\n'
        '"Language-Team: Chinese <zh@example.org>\\n"\n"X-Reviewed-By: Anna\\n"\n', 1)
    text = text.replace('"Last-Translator: \\n"\n', "").replace('"Language-Team: \\n"\n', "")
    path.write_text(text + (
        '\n# counted as the press office does\nmsgid "%d visitor"\nmsgid_plural "%d visitors"\n'
        'msgstr[0] "%d 位游客"\n\n'
        '# ask the press office first\nmsgid "Nota per la redazione."\nmsgstr ""\n\n'
        f'#~ msgid "{leaving}"\n#~ msgstr "一个更早的译文"\n'), encoding="utf-8")
    write_paragraphs(project, paragraphs(project)[:-1])

    run_once(project, standin.url)
    run_once(project, standin.url)

    catalog = pofile.read(path, locale="zh_CN")
    kept = {e.msgid: e for e in catalog if e.obsolete}
    assert kept["%d visitor"].msgstr_plural == {0: "%d 位游客"}
    assert kept["%d visitor"].tcomment == "counted as the press office does"
    assert kept["Nota per la redazione."].tcomment == "ask the press office first"
    assert kept[leaving].msgstr == reviewed[leaving] and "一个更早的译文" in kept[leaving].tcomment
    assert catalog.metadata["X-Poedit-Basepath"] == ".." and catalog.metadata["X-Reviewed-By"] == "Anna"
    assert catalog.metadata["Last-Translator"] == "Li Wei <li@example.org>"
    assert catalog.metadata["Language-Team"] == "Chinese <zh@example.org>"
    msgfmt_check(path)


def test_malformed_catalog_is_named_left_untouched_and_others_proceed(project, standin, capsys):
    run_once(project, standin.url)
    path = po(project, "zh_CN")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[20] = 'msgstr "unterminated'
    broken = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(broken)
    (project / "sources" / "altro.txt").write_text("Un altro comunicato.\n", encoding="utf-8")

    code, _, err = run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                           "--provider-url", standin.url)

    assert code == 1
    assert f"{path}:21: syntax error in the catalog" in err
    assert path.read_bytes() == broken
    assert entries(po(project, "zh_CN", "altro"))["Un altro comunicato."].msgstr
    assert entries(po(project, "en"))  # the other locale of the same document was updated
    assert "Traceback" not in err


def test_catalogs_round_trip_through_gettext_and_babel_tools(project, standin, tmp_path):
    if shutil.which("msgcat") is None:
        pytest.skip("GNU gettext (msgcat) is not installed")
    run_once(project, standin.url)
    approve_all(po(project, "zh_CN"))
    edit_source(project, "in 177 mila", "in 180 mila")
    write_paragraphs(project, paragraphs(project)[:-1])
    run_once(project, standin.url)
    path = po(project, "zh_CN")
    copy = tmp_path / "msgcat.po"

    subprocess.run(["msgcat", "-o", str(copy), str(path)], check=True)
    compiled = subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile",
                               "-i", str(path), "-o", str(tmp_path / "x.mo"), "-l", "zh_CN"],
                              capture_output=True, text=True)

    def meaning(p: Path):
        return [(e.msgid, e.msgstr, e.flags, e.previous_msgid, e.obsolete, e.occurrences)
                for e in polib.pofile(str(p))]
    assert meaning(copy) == meaning(path)
    assert compiled.returncode == 0, compiled.stderr
    assert (tmp_path / "x.mo").stat().st_size > 0
    msgfmt_check(path)


def test_a_catalog_is_written_while_the_rest_of_its_batch_is_still_being_translated(tmp_path, standin):
    """One document's catalog does not wait for the whole batch's machine translation."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.traduco]\nlocales = ["zh_CN"]\n[tool.traduco.mt.providers.libre]\nconnections = 1\n',
        encoding="utf-8")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a-breve.txt").write_text("Una nota breve.\n", encoding="utf-8")
    (tmp_path / "sources" / "b-lunga.txt").write_text(
        "\n\n".join(f"Paragrafo numero {n} della nota lunga." for n in range(6)) + "\n", encoding="utf-8")
    standin.latency = 0.2

    run_once(tmp_path, standin.url)

    written = (tmp_path / "locales" / "zh_CN" / "LC_MESSAGES" / "a-breve.po").stat().st_mtime
    assert len(standin.arrivals) == 7
    assert written < standin.arrivals[-1]       # before the last request even reached the provider
    assert all(e.msgstr for e in polib.pofile(str(tmp_path / "locales" / "zh_CN" / "LC_MESSAGES" / "b-lunga.po")))


def test_a_missing_closing_quote_is_refused_by_run_check_status_and_publish(project, standin, capsys):
    """polib reads `msgstr "你好` as `你`: trusting that reading would rewrite the
    catalog and publish the translator's text minus its last character."""
    run_once(project, standin.url)
    approve_all(po(project, "zh_CN"))
    approve_all(po(project, "en"))
    path = po(project, "zh_CN")
    text = path.read_text(encoding="utf-8")
    last = [line for line in text.splitlines() if line.startswith('msgstr "') and len(line) > 12][-1]
    text = text.replace(last, last[:-1], 1)           # the closing quote is gone
    path.write_text(text, encoding="utf-8")
    broken = path.read_bytes()
    line = text.splitlines().index(last[:-1]) + 1
    where = f"{path}:{line}: syntax error in the catalog"

    code, _, err = run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                           "--provider-url", standin.url)
    assert code == 1 and where in err and path.read_bytes() == broken

    code, out, _ = run_cli(capsys, "check", "--project", str(project), "--json")
    assert code == 1 and any(where in finding["message"] for finding in json.loads(out)["findings"])
    code, out, err = run_cli(capsys, "status", "--project", str(project), "--json")
    assert code == 1 and any(row["locale"] == "zh_CN" and row["error"] and "syntax error" in row["error"]
                             for row in json.loads(out)["queue"])
    # A script or CI job must not read a broken catalog as success, whichever command meets it.
    code, _, err = run_cli(capsys, "status", "--project", str(project))
    assert code == 1 and "1 catalog(s) cannot be read" in err

    code, out, err = run_cli(capsys, "publish", "--project", str(project))
    assert code == 1 and "cannot be read" in err and where in err + out
    assert not (project / "public" / "zh_CN" / f"{DOC}.html").exists()
    assert (project / "public" / "en" / f"{DOC}.html").exists()       # the other document went on
    assert path.read_bytes() == broken
