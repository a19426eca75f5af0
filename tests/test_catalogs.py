"""Catalogs: merging keeps reviewers' work; writing is atomic and idempotent."""

from __future__ import annotations


import polib
import pytest

from traduco import catalogs
from traduco.errors import CatalogError
from traduco.merging import merge
from traduco.sources import read_document
from traduco.units import extract, template_for

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
    old.append(polib.POEntry(msgid="Mai tradotto.", msgstr=""))

    merged = merge(template, old, "zh_CN")

    assert [e.msgid for e in catalogs.active_entries(merged)] == [e.msgid for e in template]
    assert merged[0].msgstr == "已批准" and catalogs.state(merged[0]) == catalogs.APPROVED
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
    assert catalogs.write(catalog, path) is True
    first = path.read_bytes()

    again = merge(sample_template(), catalogs.read(path, locale="zh_CN"), "zh_CN")

    assert catalogs.write(again, path) is False
    assert path.read_bytes() == first
    again[0].msgstr = "草稿"
    assert catalogs.write(again, path) is True
    assert "草稿" in path.read_text(encoding="utf-8")
    assert list(tmp_path.glob(".*.tmp")) == []
    msgfmt_check(path)


def test_new_catalog_headers(tmp_path):
    path = tmp_path / "doc.po"
    catalogs.write(merge(sample_template(), None, "zh_CN"), path)
    meta = catalogs.read(path).metadata

    assert meta["Language"] == "zh_CN"
    assert meta["Plural-Forms"] == "nplurals=1; plural=0;"
    assert meta["Content-Type"] == "text/plain; charset=UTF-8"
    assert meta["X-Generator"].startswith("traduco ")
    assert meta["PO-Revision-Date"] and meta["Project-Id-Version"].endswith("toscana-smart-china")
    assert meta["X-Source-Date"] == "2021-05"


def test_messages_are_never_wrapped(tmp_path):
    path = tmp_path / "doc.po"
    catalogs.write(merge(sample_template(), None, "en"), path)
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
        catalogs.read(path, locale="zh_CN")

    assert expected in caught.value.message
    assert caught.value.where == f"{path}:{line}"


def test_provenance_sits_beside_the_translators_own_comment():
    entry = polib.POEntry(msgid="Ciao", tcomment="Check with the press office")
    catalogs.mark_draft(entry, "Hello", "machine draft by google on 2026-01-01 10:00 UTC")
    catalogs.mark_draft(entry, "Hi", "machine draft by libre on 2026-01-02 10:00 UTC")

    assert entry.tcomment.splitlines() == ["Check with the press office",
                                           "traduco: machine draft by libre on 2026-01-02 10:00 UTC"]
    assert entry.flags == ["fuzzy"] and catalogs.state(entry) == catalogs.DRAFT
