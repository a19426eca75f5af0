"""Catalogs: merging keeps reviewers' work; writing is atomic and idempotent."""

from __future__ import annotations

import os
import shutil
import subprocess

import polib
import pytest

from traduco.catalogs import pofile
from traduco.catalogs.extraction import extract, template_for
from traduco.catalogs.provenance import Provenance
from traduco.catalogs.update import merge
from traduco.errors import CatalogError
from traduco.project import files
from traduco.sources.documents import read_document

from conftest import REPO, SAMPLE
from helpers import msgfmt_check


def sample_template() -> polib.POFile:
    doc = read_document(SAMPLE)
    return template_for(doc, extract(doc, REPO), REPO, "Test")


def test_merge_keeps_approved_entries_and_obsoletes_removed_ones():
    template = sample_template()
    old = merge(template, None, "zh_CN")
    old[0].msgstr = "已批准"
    old.append(polib.POEntry(msgid="Paragrafo rimosso.", msgstr="已删除的段落"))
    # An empty unit traduco extracted once (it has its #: reference) holds nobody's work.
    old.append(polib.POEntry(msgid="Mai tradotto.", msgstr="", occurrences=[("sources/x.txt", "9")],
                             tcomment="traduco: no draft yet: provider down"))

    merged = merge(template, old, "zh_CN")

    assert [e.msgid for e in pofile.active_entries(merged)] == [e.msgid for e in template]
    assert merged[0].msgstr == "已批准" and pofile.state(merged[0]) == pofile.APPROVED
    gone = [e for e in merged if e.obsolete]
    assert [(e.msgid, e.msgstr) for e in gone] == [("Paragrafo rimosso.", "已删除的段落")]


def test_obsolete_translation_comes_back_when_the_paragraph_returns():
    template = sample_template()
    old = merge(template, None, "en")
    old[1].msgstr = "Approved"
    shorter = polib.POFile()
    shorter.metadata = template.metadata
    for entry in template:
        if entry.msgid != template[1].msgid:
            shorter.append(entry)

    removed = merge(shorter, old, "en")
    back = merge(template, removed, "en")

    assert back[1].msgstr == "Approved" and not back[1].obsolete


def test_write_is_idempotent_and_only_dates_real_changes(tmp_path):
    path = tmp_path / "doc.po"
    catalog = merge(sample_template(), None, "zh_CN")
    assert pofile.write(catalog, path) is True
    first = path.read_bytes()

    again = merge(sample_template(), pofile.read(path, locale="zh_CN"), "zh_CN")

    assert pofile.write(again, path) is False
    assert path.read_bytes() == first
    again[0].msgstr = "草稿"
    assert pofile.write(again, path) is True
    assert "草稿" in path.read_text(encoding="utf-8")
    assert list(tmp_path.glob(".*.tmp")) == []
    msgfmt_check(path)


def test_new_catalog_headers(tmp_path):
    path = tmp_path / "doc.po"
    pofile.write(merge(sample_template(), None, "zh_CN"), path)
    meta = pofile.read(path).metadata

    assert meta["Language"] == "zh_CN"
    assert meta["Plural-Forms"] == "nplurals=1; plural=0;"
    assert meta["Content-Type"] == "text/plain; charset=UTF-8"
    assert meta["X-Generator"].startswith("traduco ")
    assert meta["PO-Revision-Date"] and meta["Project-Id-Version"].endswith("toscana-smart-china")
    assert meta["X-Source-Date"] == "2021-05"


def test_messages_are_never_wrapped(tmp_path):
    path = tmp_path / "doc.po"
    pofile.write(merge(sample_template(), None, "en"), path)
    msgid_lines = [l for l in path.read_text(encoding="utf-8").splitlines() if l.startswith('msgid "La Toscana')]
    assert len(msgid_lines) == 1 and msgid_lines[0].endswith('settore."')


@pytest.mark.parametrize("content, line, expected", [
    ('msgid ""\nmsgstr ""\n"Language: zh_CN\\n"\n\nmsgid "a"\nmsgstr "b"\nthis is not po\n', 7, "syntax error"),
    ('msgid ""\nmsgstr ""\n"Language: en\\n"\n', 3, "Language: en, but this is the zh_CN catalog"),
    ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ISO-8859-1\\n"\n', 3, "traduco catalogs are UTF-8"),
    ('msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 7, "the same msgid appears twice"),
])
def test_bad_catalogs_name_file_and_line(tmp_path, content, line, expected):
    path = tmp_path / "bad.po"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CatalogError) as caught:
        pofile.read(path, locale="zh_CN")

    assert expected in caught.value.message
    assert caught.value.where == f"{path}:{line}"


def test_provenance_sits_beside_the_translators_own_comment():
    entry = polib.POEntry(msgid="Ciao", tcomment="Check with the press office")
    pofile.mark_draft(entry, "Hello", Provenance.parse("machine draft by google on 2026-01-01 10:00 UTC"))
    pofile.mark_draft(entry, "Hi", Provenance.parse("machine draft by libre on 2026-01-02 10:00 UTC"))

    assert entry.tcomment.splitlines() == ["Check with the press office",
                                           "traduco: machine draft by libre on 2026-01-02 10:00 UTC"]
    assert entry.flags == ["fuzzy"] and pofile.state(entry) == pofile.DRAFT


# -- strict syntax: what msgfmt refuses, traduco refuses (polib alone reads most of these) ---------

HEADER = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: zh_CN\\n"\n'
          '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n')
GOOD = 'msgid "Ciao"\nmsgstr "你好"\n\n'

BROKEN = {   # name: (entries after the header, the line the error is on)
    "missing quote": ('msgid "Ciao"\nmsgstr "你好\n', 8),
    "missing quote, more entries follow": ('msgid "Ciao"\nmsgstr "你好\n\nmsgid "a"\nmsgstr "b"\n', 8),
    "file cut inside a string": (GOOD + 'msgid "Arrivederci"\nmsgstr "再', 11),
    "file cut after msgid": (GOOD + 'msgid "Arrivederci"\n', 10),
    "msgid without msgstr": ('msgid "Ciao"\n\nmsgid "a"\nmsgstr "b"\n', 7),
    "msgstr without msgid": (GOOD + 'msgstr "孤儿"\n', 10),
    "stray text after the last entry": (GOOD + "this is not po\n", 10),
    "stray text after a string": ('msgid "Ciao"\nmsgstr "你好" junk\n', 8),
    "bad escape": ('msgid "Ciao"\nmsgstr "你\\q好"\n', 8),
    "duplicate header": (GOOD + 'msgid ""\nmsgstr "Language: en\\n"\n', 10),
    "msgstr[0] without msgid_plural": ('msgid "file"\nmsgstr[0] "文件"\n', 8),
    "plural form with the wrong index": ('msgid "file"\nmsgid_plural "files"\nmsgstr[1] "文件"\n', 9),
    "msgid_plural with a plain msgstr": ('msgid "file"\nmsgid_plural "files"\nmsgstr "文件"\n', 9),
    "comment inside an entry": ('msgid "Ciao"\n# note\nmsgstr "你好"\n', 7),
    "entry partly obsolete": ('msgid "Ciao"\n#~ msgstr "你好"\n', 7),
    "msgctxt alone at the end": (GOOD + 'msgctxt "title"\n', 10),
}


@pytest.mark.parametrize("name", BROKEN)
def test_every_syntax_error_msgfmt_refuses_is_refused_with_file_and_line(tmp_path, name):
    body, line = BROKEN[name]
    path = tmp_path / "broken.po"
    path.write_text(HEADER + body, encoding="utf-8")
    before = path.read_bytes()

    with pytest.raises(CatalogError) as caught:
        pofile.read(path, locale="zh_CN")

    assert caught.value.where == f"{path}:{line}", caught.value.message
    assert "Traceback" not in caught.value.message and caught.value.hint
    assert path.read_bytes() == before
    if shutil.which("msgfmt"):
        assert subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)],
                              capture_output=True).returncode != 0, "msgfmt accepts it: not a syntax error"


VALID = {
    "wrapped like Poedit": 'msgid ""\n"Ciao "\n"mondo"\nmsgstr ""\n"你好"\n"世界"\n',
    "plural": '# translator\nmsgid "file"\nmsgid_plural "files"\nmsgstr[0] "%d 个文件"\n',
    "context, previous, flags": ('#, fuzzy\n#| msgid "Ciao!"\nmsgctxt "title"\nmsgid "Ciao"\n'
                                 'msgstr "你好"\n'),
    "obsolete with previous": '# note\n#~| msgid "old"\n#~ msgid "Ciao"\n#~ msgstr "你\\"好\\""\n',
    "escapes polib reads": 'msgid "a\\tb\\n"\nmsgstr "A\\\\B\\n"\n',
    "trailing comment": GOOD + "# the end\n",
    "CRLF line ends": GOOD.replace("\n", "\r\n"),
}


@pytest.mark.parametrize("name", VALID)
def test_valid_catalogs_pass_the_strict_check_as_they_pass_msgfmt(tmp_path, name):
    path = tmp_path / "valid.po"
    path.write_bytes((HEADER + VALID[name]).encode("utf-8"))

    pofile.read(path, locale="zh_CN")

    if shutil.which("msgfmt"):
        result = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


def test_a_missing_quote_is_not_read_as_a_shorter_translation(tmp_path):
    """polib reads `msgstr "你好` as `你`; traduco must not trust that reading."""
    path = tmp_path / "doc.po"
    path.write_text(HEADER + 'msgid "Ciao"\nmsgstr "你好\n', encoding="utf-8")
    assert polib.pofile(str(path))[0].msgstr == "你"      # the lenient reading this guards against

    with pytest.raises(CatalogError, match="not closed"):
        pofile.read(path)


def test_what_polib_cannot_read_is_refused_too_with_its_line(tmp_path):
    path = tmp_path / "doc.po"
    path.write_text(HEADER + 'msgid\n"Ciao"\nmsgstr "你好"\n', encoding="utf-8")   # msgfmt accepts both

    with pytest.raises(CatalogError, match="same line") as caught:
        pofile.read(path)
    assert caught.value.line == 7
    path.write_text(HEADER + 'msgid "Ciao"\nmsgstr "你\\a好"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="escape") as caught:
        pofile.read(path)
    assert caught.value.line == 8


# -- merging never drops a translator's work --------------------------------------------------------

def catalog_file(tmp_path, body: str, headers: str = "") -> polib.POFile:
    path = tmp_path / "doc.po"
    path.write_text(HEADER.replace('"Language: zh_CN\\n"\n', '"Language: zh_CN\\n"\n' + headers) + body,
                    encoding="utf-8")
    return pofile.read(path, locale="zh_CN")


def written_and_read_back(tmp_path, catalog: polib.POFile) -> polib.POFile:
    path = tmp_path / "merged.po"
    pofile.write(catalog, path)
    msgfmt_check(path)
    return pofile.read(path, locale="zh_CN")


def test_a_hand_made_plural_entry_and_an_untranslated_commented_one_survive_every_merge(tmp_path):
    template = sample_template()
    existing = catalog_file(tmp_path, (
        '# the press office counts files this way\nmsgid "%d file"\nmsgid_plural "%d files"\n'
        'msgstr[0] "%d 个文件"\n\n'
        '# waiting for the press office: do not translate yet\nmsgid "Nota interna."\nmsgstr ""\n'))

    merged = merge(template, existing, "zh_CN")
    again = merge(template, written_and_read_back(tmp_path, merged), "zh_CN")

    for catalog in (merged, again):
        kept = {e.msgid: e for e in catalog if e.obsolete}
        plural = kept["%d file"]
        assert plural.msgid_plural == "%d files" and plural.msgstr_plural == {0: "%d 个文件"}
        assert plural.tcomment == "the press office counts files this way"
        assert kept["Nota interna."].tcomment == "waiting for the press office: do not translate yet"


def test_an_approved_entry_leaving_beats_its_older_obsolete_twin_and_loses_nothing(tmp_path):
    template = sample_template()
    existing = catalog_file(tmp_path, (
        'msgid "Paragrafo tolto."\nmsgstr "最新批准的译文"\n\n'
        '#~ msgid "Paragrafo tolto."\n#~ msgstr "旧译文"\n\n'
        '#~ msgid "Due volte."\n#~ msgstr "第一个"\n\n'
        '# second twin\n#~ msgid "Due volte."\n#~ msgstr "第二个"\n'))

    merged = written_and_read_back(tmp_path, merge(template, existing, "zh_CN"))

    kept = [e for e in merged if e.obsolete]
    assert sorted(e.msgid for e in kept) == ["Due volte.", "Paragrafo tolto."]   # msgfmt: no twins
    removed = next(e for e in kept if e.msgid == "Paragrafo tolto.")
    assert removed.msgstr == "最新批准的译文" and "旧译文" in removed.tcomment
    twice = next(e for e in kept if e.msgid == "Due volte.")
    assert twice.msgstr == "第二个" and "第一个" in twice.tcomment and "second twin" in twice.tcomment


def test_headers_other_tools_write_survive_a_merge(tmp_path):
    headers = ('"Last-Translator: Li Wei <li@example.org>\\n"\n"Language-Team: Chinese <zh@example.org>\\n"\n'
               '"X-Poedit-Basepath: ..\\n"\n"X-Poedit-SearchPath-0: .\\n"\n"X-Team-Reviewer: Anna\\n"\n')
    existing = catalog_file(tmp_path, "", headers)

    meta = written_and_read_back(tmp_path, merge(sample_template(), existing, "zh_CN")).metadata

    assert meta["Last-Translator"] == "Li Wei <li@example.org>"
    assert meta["Language-Team"] == "Chinese <zh@example.org>"
    assert (meta["X-Poedit-Basepath"], meta["X-Poedit-SearchPath-0"], meta["X-Team-Reviewer"]) == ("..", ".", "Anna")
    assert meta["X-Source-Date"] == "2021-05" and meta["Language"] == "zh_CN"


def test_a_save_landing_inside_the_write_is_seen_before_the_rename(tmp_path, monkeypatch):
    """The window the first comparison leaves open: the save lands while the new
    file is being flushed, after the run compared the file with what it read."""
    path = tmp_path / "doc.po"
    pofile.write(merge(sample_template(), None, "zh_CN"), path)
    before = path.read_bytes()
    catalog = merge(sample_template(), pofile.read(path), "zh_CN")
    catalog[0].msgstr = "运行的草稿"
    real_fsync = os.fsync

    def translator_saves_meanwhile(fd):
        real_fsync(fd)
        if path.read_bytes() == before:
            path.write_bytes(before + '\nmsgid "Aggiunta."\nmsgstr "译者的保存"\n'.encode())
    monkeypatch.setattr(os, "fsync", translator_saves_meanwhile)

    with pytest.raises(files.ChangedOnDisk):
        pofile.write(catalog, path, expected=before)

    assert "译者的保存" in path.read_text(encoding="utf-8")
    assert list(tmp_path.glob(".*.tmp")) == []
