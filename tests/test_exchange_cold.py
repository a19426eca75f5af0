"""An agency's XLIFF as a careless or hostile sender returns it (issue 29, tried
cold): stale units, files without their namespace, odd language tags, tricks in
TMX and TBX. Real files, real catalogs, `msgfmt -c` on what is written."""

from __future__ import annotations

import shutil

import polib
import pytest

from conftest import DOC, FIXTURES
from helpers import msgfmt_check, run_cli
from traduco.language.glossary import Glossary
from test_exchange_xliff import cat_tool, catalog, drafted, entries, export, snapshot  # noqa: F401 (fixture)


def test_a_unit_the_agency_left_as_exported_does_not_undo_a_translators_draft(drafted, capsys):
    written = export(capsys, drafted, "--locale", "zh_CN", "--doc", DOC)
    cat = polib.pofile(str(catalog(drafted)), wrapwidth=0)
    cat[1].msgstr = "译者还在修改的草稿。"          # saved in Poedit, still "needs work"
    cat.save()
    cat_tool(written, {0: ("托斯卡纳继续在中国推广。", "final")})      # the agency touched only unit 0
    code, out, err = run_cli(capsys, "import-xliff", str(written), "-p", str(drafted))
    assert code == 0, err
    assert "1 approved, 0 needs-work draft(s)" in out
    new = entries(catalog(drafted))
    assert (new[1].msgstr, "fuzzy" in new[1].flags) == ("译者还在修改的草稿。", True)
    assert "was approved by a reviewer" not in out
    msgfmt_check(catalog(drafted))


def test_an_output_path_of_the_wrong_kind_is_a_usage_message_not_a_crash(project, capsys, tmp_path):
    shutil.copy(FIXTURES / "glossary.csv", project / "glossary.csv")
    a_file, a_folder = tmp_path / "notes.txt", tmp_path / "to-agency"
    a_file.write_text("keep me\n", encoding="utf-8")
    a_folder.mkdir()
    for command, output, expected in (("export-tmx", a_file, "is a file, not a folder"),
                                      ("export-xliff", a_file, "is a file, not a folder"),
                                      ("export-tbx", a_folder, "is a folder")):
        code, out, err = run_cli(capsys, command, "-p", str(project), "-o", str(output))
        assert code == 2 and str(output) in err and expected in err, (command, err)
        assert "unexpected error" not in err and len(err.strip().splitlines()) == 1
    assert a_file.read_text(encoding="utf-8") == "keep me\n" and list(a_folder.iterdir()) == []
    code, out, err = run_cli(capsys, "export-tbx", "-p", str(project), "-o", "/proc/traduco-cannot/glossary.tbx")
    assert code == 1 and "/proc/traduco-cannot/glossary.tbx: cannot be written" in err, err


def test_a_file_whose_tool_dropped_the_xliff_namespace_is_read_by_its_version(drafted, capsys):
    written = export(capsys, drafted, "--locale", "zh_CN", "--doc", DOC, "--xliff-version", "1.2")
    text = written.read_text(encoding="utf-8").replace(' xmlns="urn:oasis:names:tc:xliff:document:1.2"', "")
    first = text.index('state="needs-review-translation"')
    written.write_text(text[:first] + 'state="final"' + text[first + len('state="needs-review-translation"'):],
                       encoding="utf-8")
    code, out, err = run_cli(capsys, "import-xliff", str(written), "-p", str(drafted))
    assert code == 0, err
    assert "(XLIFF 1.2, zh_CN): 8 unit(s): 1 approved" in out
    assert "fuzzy" not in entries(catalog(drafted))[0].flags
    msgfmt_check(catalog(drafted))


@pytest.mark.parametrize("tag, locale", [("en-US", "en"), ("en-GB", "en"), ("zh-Hans-CN", "zh_CN"),
                                         ("zh-Hans", "zh_CN"), ("zh-Hant-TW", None), ("zh-Hant", None)])
def test_a_tools_regional_or_script_language_tag_finds_the_projects_locale(drafted, capsys, tag, locale):
    """Trados writes English as en-US or en-GB, never bare en; Chinese may come as zh-Hans-CN."""
    code, _, err = run_cli(capsys, "export-xliff", "-p", str(drafted), "--locale", "en", "--doc", DOC,
                           "-o", str(drafted / "out"))
    written = next((drafted / "out").glob("*.en.xlf"))
    written.write_text(written.read_text(encoding="utf-8").replace('trgLang="en"', f'trgLang="{tag}"'),
                       encoding="utf-8")
    before = snapshot(drafted)
    code, out, err = run_cli(capsys, "import-xliff", str(written), "-p", str(drafted))
    if locale:
        assert code == 0 and f"(XLIFF 2.1, {locale}): 8 unit(s)" in out, err
    else:
        assert code == 1 and f"its target language {tag} is not one of the project's locales" in err
    assert snapshot(drafted) == before


@pytest.mark.parametrize("target", ['<target>\n          托斯卡纳继续在中国推广。\n        </target>',
                                    '<target xml:space="preserve">\n托斯卡纳继续在中国推广。 </target>'])
def test_whitespace_a_tool_puts_around_a_target_does_not_break_the_catalog(drafted, capsys, target):
    written = export(capsys, drafted, "--locale", "zh_CN", "--doc", DOC)
    cat_tool(written, {0: ("PLACEHOLDER", "final")})
    text = written.read_text(encoding="utf-8")
    start = text.index("<target")
    written.write_text(text[:start] + target + text[text.index("</target>", start) + len("</target>"):],
                       encoding="utf-8")
    code, out, err = run_cli(capsys, "import-xliff", str(written), "-p", str(drafted))
    assert code == 0 and "1 approved" in out, err
    assert entries(catalog(drafted))[0].msgstr == "托斯卡纳继续在中国推广。"
    msgfmt_check(catalog(drafted))


def test_units_filed_under_another_document_go_to_the_document_their_ids_name(drafted, capsys):
    written = export(capsys, drafted, "--locale", "zh_CN", "--doc", "evento")
    text = written.read_text(encoding="utf-8").replace('original="evento"', f'original="{DOC}"')
    written.write_text(text.replace('state="initial"', 'state="final"'), encoding="utf-8")
    before = snapshot(drafted)
    code, out, err = run_cli(capsys, "import-xliff", str(written), "-p", str(drafted))
    assert code == 0 and "2 approved" in out and "no longer in the project" not in out, (out, err)
    assert [p.name for p in before if snapshot(drafted)[p] != before[p]] == ["evento.po"]
    assert all("fuzzy" not in e.flags for e in entries(catalog(drafted, doc="evento")))
    msgfmt_check(catalog(drafted, doc="evento"))


def test_a_file_none_of_whose_units_is_in_the_project_is_refused(drafted, capsys):
    written = export(capsys, drafted, "--locale", "zh_CN", "--doc", "evento")
    cat_tool(written, {0: ("佛罗伦萨活动", "final")})
    (drafted / "sources" / "evento.md").unlink()
    for po in (drafted / "locales").rglob("evento.po*"):
        po.unlink()
    before = snapshot(drafted)
    code, out, err = run_cli(capsys, "import-xliff", str(written), "-p", str(drafted))
    assert code == 1 and out == "" and "none of its units is in this project's zh_CN catalogs" in err, err
    assert str(written) in err and len(err.strip().splitlines()) == 1
    assert snapshot(drafted) == before


_HEAD = ('<?xml version="1.0"?><xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" '
         'srcLang="it" trgLang="zh-CN"><file id="f1"><unit id="u1"><segment><source>')


@pytest.mark.parametrize("body, expected", [
    ("", "is empty"),
    (_HEAD + "<pc id='1'>" * 5000 + "x" + "</pc>" * 5000 + "</source></segment></unit></file></xliff>",
     "goes past the safe parser's limits"),
    (_HEAD + "a" * 11_000_000 + "</source></segment></unit></file></xliff>", "goes past the safe parser's limits"),
])
def test_an_empty_or_hostile_huge_file_is_not_called_cut_short(project, capsys, tmp_path, body, expected):
    path = tmp_path / "returned.xlf"
    path.write_text(body, encoding="utf-8")
    for command in ("import-xliff", "import-tmx", "import-tbx"):
        code, out, err = run_cli(capsys, command, str(path), "-p", str(project))
        assert code == 1 and expected in err and str(path) in err and "cut short" not in err, (command, err)
        assert len(err.strip().splitlines()) == 1


def test_import_tbx_keeps_the_lines_it_does_not_change_as_a_spreadsheet_saved_them(project, capsys, tmp_path):
    kept = ['\ufeffit,en,zh_CN,note', '"Regione Toscana","Tuscany Region","托斯卡纳大区","the regional government"',
            'Firenze,Florence,佛罗伦萨,"a note\non two lines, with ""quotes"""', 'Pisa,Pisa,比萨,']
    (project / "glossary.csv").write_bytes("\r\n".join(kept).encode("utf-8"))     # Excel: BOM, CRLF
    tbx = tmp_path / "agency.tbx"
    tbx.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<tbx xmlns="urn:iso:std:iso:30042:ed-2" type="TBX-Basic" style="dca" xml:lang="en"><text><body>
 <conceptEntry id="c1"><langSec xml:lang="it"><termSec><term>Pisa</term></termSec></langSec>
  <langSec xml:lang="zh-CN"><termSec><term>比萨市</term></termSec></langSec></conceptEntry>
 <conceptEntry id="c2"><note>with "quotes", a comma
and a line break</note><langSec xml:lang="it"><termSec><term>Siena, "la città"</term></termSec></langSec>
  <langSec xml:lang="zh-CN"><termSec><term>锡耶纳，“城市”</term></termSec></langSec></conceptEntry>
</body></text></tbx>""", encoding="utf-8")
    code, out, err = run_cli(capsys, "import-tbx", str(tbx), "-p", str(project))
    assert code == 0 and "1 term(s) added, 1 updated" in out, err
    lines = (project / "glossary.csv").read_bytes().decode("utf-8").split("\r\n")
    assert lines[:3] == kept[:3]                                      # byte for byte, BOM and quotes too
    assert lines[3:] == ["Pisa,,比萨市,", '"Siena, ""la città""",,锡耶纳，“城市”,"with ""quotes"", a comma and a line break"', ""]
    terms = {t.source: t for t in Glossary.load(project / "glossary.csv").terms}
    assert terms["Pisa"].target("zh_CN") == "比萨市" and terms['Siena, "la città"'].target("zh_CN")
    code, out, _ = run_cli(capsys, "import-tbx", str(tbx), "-p", str(project))
    assert "0 term(s) added, 0 updated" in out


def test_a_unit_pasted_twice_with_two_translations_is_refused(drafted, capsys):
    written = export(capsys, drafted, "--locale", "zh_CN", "--doc", DOC)
    cat_tool(written, {2: ("版本甲。", "final")})
    text = written.read_text(encoding="utf-8")
    start = text.rindex("<unit", 0, text.index("版本甲"))
    end = text.index("</unit>", start) + len("</unit>")
    twin = text[start:end].replace("版本甲。", "版本乙。").replace('state="final"', 'state="translated"')
    written.write_text(text[:end] + "\n" + twin + text[end:], encoding="utf-8")
    before = snapshot(drafted)
    code, out, err = run_cli(capsys, "import-xliff", str(written), "-p", str(drafted))
    assert code == 1 and out == "" and "appears twice (also on line" in err and str(written) in err, err
    assert snapshot(drafted) == before
