"""XLIFF out to an agency's CAT tool and back (traduco.exchange), over real files:
the OASIS schemas judge what traduco writes, `msgfmt -c` what it imports, and
files written the way Trados and memoQ write them come back in."""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from lxml import etree

from conftest import DOC, FIXTURES
from exchange_schemas import assert_valid, xliff_schema
from helpers import msgfmt_check, run_cli, run_once

EXCHANGE = FIXTURES / "exchange"
X2 = {"x": "urn:oasis:names:tc:xliff:document:2.0", "gls": "urn:oasis:names:tc:xliff:glossary:2.0"}
X12 = {"x": "urn:oasis:names:tc:xliff:document:1.2"}


@pytest.fixture
def drafted(project: Path, standin) -> Path:
    """The sample and a Markdown release with markup, drafted by MT, with the glossary."""
    shutil.copy(FIXTURES / "glossary.csv", project / "glossary.csv")
    shutil.copy(EXCHANGE / "evento.md", project / "sources" / "evento.md")
    run_once(project, standin.url)
    return project


def catalog(project: Path, locale: str = "zh_CN", doc: str = DOC) -> Path:
    return project / "locales" / locale / "LC_MESSAGES" / f"{doc}.po"


def snapshot(project: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted((project / "locales").rglob("*.po*"))}


def export(capsys, project: Path, *options: str) -> Path:
    code, out, err = run_cli(capsys, "export-xliff", "-p", str(project), "-o", str(project / "out"), *options)
    assert code == 0, err
    return next((project / "out").glob("*.zh_CN.xlf"))


@pytest.mark.parametrize("version", ["2.1", "2.0", "1.2"])
def test_the_xliff_written_is_valid_against_the_oasis_schemas(drafted, capsys, tmp_path, version):
    written = export(capsys, drafted, "--locale", "zh_CN", "--xliff-version", version)
    assert_valid(xliff_schema(version, tmp_path / "schemas"), written.read_bytes())


def test_units_carry_state_context_findings_terms_and_inline_codes(drafted, capsys):
    written = export(capsys, drafted, "--locale", "zh_CN")
    root = etree.parse(str(written)).getroot()
    assert (root.get("srcLang"), root.get("trgLang"), root.get("version")) == ("it", "zh-CN", "2.1")
    units = root.findall(".//x:unit", X2)
    assert len(units) == len(polib.pofile(str(catalog(drafted)))) + 2     # the sample's units and evento's two
    markup = next(u for u in units if "Presidente" in "".join(u.find(".//x:source", X2).itertext()))
    source = markup.find(".//x:source", X2)
    assert [e.tag.split("}")[1] for e in source] == ["ph", "ph", "pc", "ph", "ph"]
    assert "".join(source.itertext()) == "Il Presidente ha visitato Palazzo Vecchio con Wechat, vedi  o scrivi a ."
    data = {d.get("id"): d.text for d in markup.findall(".//x:data", X2)}
    assert data == {"d1": "**", "d2": "**", "d3": "<b>", "d3e": "</b>", "d4": "www.visittuscany.com",
                    "d5": "info@regione.toscana.it"}
    target = markup.find(".//x:target", X2)
    assert [e.get("id") for e in target] == ["1", "2", "3", "4", "5"]      # the draft's codes are the source's
    notes = {n.get("category"): n.text for n in markup.findall(".//x:note", X2)}
    assert notes["document"] == "evento" and notes["provenance"].startswith("machine draft by libre")
    assert "risk" in notes and any(c.startswith("check-") for c in notes)
    assert markup.find(".//gls:term", X2).text == "Wechat"
    assert markup.find(".//gls:translation", X2).text == "微信"
    assert {s.get("state") for s in root.findall(".//x:segment", X2)} == {"initial"}   # all drafts


def test_the_selection_by_document_waiting_and_risk_band(drafted, capsys):
    cat = polib.pofile(str(catalog(drafted)), wrapwidth=0)
    cat[0].flags.remove("fuzzy")
    cat.save()
    written = export(capsys, drafted, "--locale", "zh_CN", "--doc", DOC, "--waiting")
    units = etree.parse(str(written)).getroot().findall(".//x:unit", X2)
    assert len(units) == len(cat) - 1 and all(u.getparent().get("original") == DOC for u in units)
    code, _, err = run_cli(capsys, "export-xliff", "-p", str(drafted), "--risk", "severe")
    assert code == 2 and "severe" in err
    code, _, err = run_cli(capsys, "export-xliff", "-p", str(drafted), "--doc", "nessuno")
    assert code == 2 and "no document nessuno" in err


def test_a_risk_band_exports_only_the_drafts_at_that_risk(drafted, capsys):
    written = export(capsys, drafted, "--locale", "zh_CN", "--risk", "high")
    units = etree.parse(str(written)).getroot().findall(".//x:unit", X2)
    risks = [next(n.text for n in u.findall(".//x:note", X2) if n.get("category") == "risk") for u in units]
    assert units and all(r.startswith("high") for r in risks)
    everything = export(capsys, drafted, "--locale", "zh_CN")       # the same file, every unit this time
    assert len(etree.parse(str(everything)).getroot().findall(".//x:unit", X2)) > len(units)


def test_a_unit_the_tool_split_into_segments_comes_back_whole(drafted, capsys):
    """XLIFF 2 lets a tool resegment a unit (canResegment): its segments are joined back."""
    written = export(capsys, drafted, "--locale", "zh_CN", "--doc", DOC)
    tree = etree.parse(str(written))
    unit = tree.getroot().find(".//x:unit", X2)
    segment = unit.find("x:segment", X2)
    italian = segment.find("x:source", X2).text
    cut = italian.index(". ") + 2
    segment.find("x:source", X2).text = italian[:cut]
    segment.find("x:target", X2).text = "第一句。"
    segment.set("state", "final")
    second = etree.SubElement(unit, f"{{{X2['x']}}}segment", state="final")
    etree.SubElement(second, f"{{{X2['x']}}}source").text = italian[cut:]
    etree.SubElement(second, f"{{{X2['x']}}}target").text = "第二句。"
    tree.write(str(written), xml_declaration=True, encoding="UTF-8")
    code, out, err = run_cli(capsys, "import-xliff", str(written), "-p", str(drafted))
    assert code == 0, err
    first = entries(catalog(drafted))[0]
    assert (first.msgid, first.msgstr, "fuzzy" in first.flags) == (italian, "第一句。第二句。", False)


def cat_tool(written: Path, edits: dict[int, tuple[str, str]]) -> None:
    """What a CAT tool does to an XLIFF 2 file: new targets, new states."""
    tree = etree.parse(str(written))
    segments = tree.getroot().findall(".//x:segment", X2)
    for index, (text, state) in edits.items():
        target = segments[index].find("x:target", X2)
        for child in list(target):
            target.remove(child)
        target.text = text
        segments[index].set("state", state)
    tree.write(str(written), xml_declaration=True, encoding="UTF-8")


def entries(path: Path) -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(path), wrapwidth=0) if not e.obsolete]


def test_round_trip_changes_exactly_the_units_the_agency_changed(drafted, capsys):
    written = export(capsys, drafted, "--locale", "zh_CN", "--doc", DOC)
    before = snapshot(drafted)
    cat_tool(written, {0: ("托斯卡纳继续在中国推广。", "final"), 2: ("代理机构的草稿。", "translated")})
    code, out, err = run_cli(capsys, "import-xliff", str(written), "-p", str(drafted))
    assert code == 0, err
    assert "1 approved, 1 needs-work draft(s)" in out
    after = snapshot(drafted)
    assert [p for p in after if after[p] != before[p]] == [catalog(drafted)]     # nothing else moves
    new = entries(catalog(drafted))
    first, third = new[0], new[2]
    assert (first.msgstr, "fuzzy" in first.flags) == ("托斯卡纳继续在中国推广。", False)
    assert "approved by the agency" in first.tcomment
    assert (third.msgstr, "fuzzy" in third.flags) == ("代理机构的草稿。", True)
    assert "the agency's translation, not confirmed" in third.tcomment
    assert "check error" in (first.comment or "")           # the checks ran: figures and terms are gone
    previous = polib.pofile(before[catalog(drafted)].decode(), wrapwidth=0)
    untouched = [i for i in range(len(new)) if i not in (0, 2)]
    assert all(new[i].msgstr == previous[i].msgstr and new[i].flags == previous[i].flags for i in untouched)
    blocks_before = before[catalog(drafted)].decode().split("\n\n")
    blocks_after = catalog(drafted).read_bytes().decode().split("\n\n")
    assert len(blocks_before) == len(blocks_after)
    assert [i for i, (a, b) in enumerate(zip(blocks_before, blocks_after)) if a != b and i] == [1, 3]   # 0: header
    msgfmt_check(catalog(drafted))
    again = snapshot(drafted)
    code, out, _ = run_cli(capsys, "import-xliff", str(written), "-p", str(drafted))
    assert code == 0 and snapshot(drafted) == again and "0 catalog(s) written" in out      # same file: same bytes


def test_xliff_12_round_trip_with_inline_codes(drafted, capsys):
    written = export(capsys, drafted, "--locale", "zh_CN", "--doc", "evento", "--xliff-version", "1.2")
    tree = etree.parse(str(written))
    unit = [u for u in tree.getroot().findall(".//x:trans-unit", X12) if u.get("resname") != "title"][0]
    target = unit.find("x:target", X12)
    codes = list(target)
    for child in codes:
        target.remove(child)
    target.text = "大区主席"
    ph1, ph2, g3, ph4, ph5 = codes
    for code, tail in ((ph1, ""), (ph2, "参观了"), (g3, "，详见"), (ph4, "，或致函"), (ph5, "。")):
        code.tail = tail
        target.append(code)
    g3.text = "维琪奥宫"
    for child in list(g3):
        g3.remove(child)
    target.set("state", "signed-off")
    tree.write(str(written), xml_declaration=True, encoding="UTF-8")
    code, out, err = run_cli(capsys, "import-xliff", str(written), "-p", str(drafted))
    assert code == 0, err
    entry = next(e for e in entries(catalog(drafted, doc="evento")) if e.msgctxt is None)
    assert entry.msgstr == ("大区主席****参观了<b>维琪奥宫</b>，详见www.visittuscany.com，"
                            "或致函info@regione.toscana.it。")
    assert "fuzzy" not in entry.flags
    msgfmt_check(catalog(drafted, doc="evento"))


def test_a_file_as_trados_returns_it(drafted, capsys):
    """sdlxliff: sdl: namespace, GUID unit ids, <seg-source>/<target> segmented
    by <mrk mtype="seg">, each segment's sdl:seg conf (see fixtures/exchange/README.md)."""
    before = snapshot(drafted)
    code, out, err = run_cli(capsys, "import-xliff", str(EXCHANGE / "trados-returned.sdlxliff"), "-p", str(drafted))
    assert code == 0, err
    assert "(Trados, zh_CN): 3 unit(s): 1 approved, 1 needs-work draft(s)" in out
    assert "no longer in the project" in out and "Paragrafo che il comunicato" in out
    new = entries(catalog(drafted))
    assert new[0].msgstr.startswith("值得一看、值得体验、值得驻留的托斯卡纳正在中国继续推广。托斯卡纳旅游推广局")
    assert "fuzzy" not in new[0].flags                      # Translated + ApprovedSignOff: confirmed
    assert "fuzzy" in new[2].flags and new[2].msgstr.startswith("5月21日活动的主角")   # one segment a Draft
    changed = [p for p in snapshot(drafted) if snapshot(drafted)[p] != before[p]]
    assert changed == [catalog(drafted)]
    msgfmt_check(catalog(drafted))


def test_a_file_as_memoq_returns_it(drafted, capsys):
    """mqxliff: mq: namespace, memoQ's own unit ids, mq:status, our codes wrapped in its own."""
    code, out, err = run_cli(capsys, "import-xliff", str(EXCHANGE / "memoq-returned.mqxliff"), "-p", str(drafted))
    assert code == 0, err
    assert "(memoQ, zh_CN): 2 unit(s): 1 approved, 1 needs-work draft(s)" in out
    title, text = sorted(entries(catalog(drafted, doc="evento")), key=lambda e: e.msgctxt is None)
    assert (title.msgstr, "fuzzy" in title.flags) == ("佛罗伦萨活动", False)      # ManuallyConfirmed
    assert text.msgstr == ("**大区主席**参观了<b>维琪奥宫</b>，详见微信、www.visittuscany.com，"
                           "或致函info@regione.toscana.it。")
    assert "fuzzy" in text.flags                                                # PartiallyEdited
    msgfmt_check(catalog(drafted, doc="evento"))


def test_italian_changed_since_export_becomes_fuzzy_with_a_note(drafted, capsys, standin):
    written = export(capsys, drafted, "--locale", "zh_CN", "--doc", DOC)
    source = drafted / "sources" / f"{DOC}.txt"
    first = entries(catalog(drafted))[0].msgid
    source.write_text(source.read_text(encoding="utf-8").replace("continua a promuoversi", "si promuove"),
                      encoding="utf-8")
    run_once(drafted, standin.url)
    cat_tool(written, {0: ("托斯卡纳继续在中国推广。", "final")})
    code, out, err = run_cli(capsys, "import-xliff", str(written), "-p", str(drafted))
    assert code == 0, err and "1 with changed Italian" in out
    entry = next(e for e in entries(catalog(drafted)) if "si promuove" in e.msgid)
    assert entry.msgstr == "托斯卡纳继续在中国推广。" and "fuzzy" in entry.flags
    assert entry.previous_msgid == first and "the Italian changed since it was exported" in entry.tcomment
    msgfmt_check(catalog(drafted))


def test_a_reviewer_approval_in_between_becomes_the_merge_drivers_conflict(drafted, capsys):
    written = export(capsys, drafted, "--locale", "zh_CN", "--doc", DOC)
    cat = polib.pofile(str(catalog(drafted)), wrapwidth=0)
    cat[1].msgstr, _ = "审校者的译文。", cat[1].flags.remove("fuzzy")
    cat[3].msgstr, _ = "审校者的另一译文。", cat[3].flags.remove("fuzzy")
    cat.save()
    cat_tool(written, {1: ("代理机构确认的译文。", "final"), 3: ("代理机构未确认的译文。", "translated")})
    code, out, err = run_cli(capsys, "import-xliff", str(written), "-p", str(drafted))
    assert code == 0, err
    assert "two approved translations of" in out and "both are kept in one fuzzy entry" in out
    assert "approved by a reviewer since the export" in out
    new = entries(catalog(drafted))
    assert new[1].msgstr == "代理机构确认的译文。" and "fuzzy" in new[1].flags
    assert "other approved translation: 审校者的译文。" in new[1].tcomment
    assert "traduco: merge conflict" in new[1].tcomment
    assert (new[3].msgstr, "fuzzy" in new[3].flags) == ("审校者的另一译文。", False)     # kept as approved
    msgfmt_check(catalog(drafted))


def _bad(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case, expected", [
    ("truncated", "is cut short"),
    ("source-language", "its source language is fr-FR"),
    ("target-language", "its target language de-DE is not one of the project's locales"),
    ("id-mismatch", "does not match its Italian"),
    ("foreign-id", "is not one traduco exported"),
    ("unknown-code", "inline code(s) 9 that its Italian does not have"),
    ("xxe", "declares XML entities"),
    ("billion-laughs", "declares XML entities"),
    ("not-xliff", "is not an XLIFF file"),
])
def test_bad_input_is_one_clear_message_and_changes_nothing(drafted, capsys, tmp_path, case, expected):
    written = export(capsys, drafted, "--locale", "zh_CN", "--doc", DOC)
    cat_tool(written, {0: ("托斯卡纳继续在中国推广。", "final")})
    text = written.read_text(encoding="utf-8")
    unit_id = etree.parse(str(written)).getroot().find(".//x:unit", X2).get("id")
    bad = {
        "truncated": text[:len(text) // 2],
        "source-language": text.replace('srcLang="it"', 'srcLang="fr-FR"'),
        "target-language": text.replace('trgLang="zh-CN"', 'trgLang="de-DE"'),
        "id-mismatch": text.replace(unit_id, "u0123456789abcdef", 1),
        "foreign-id": text.replace(unit_id, "tu-1", 1),
        "unknown-code": text.replace("托斯卡纳继续在中国推广。", '托斯卡纳<ph id="9"/>继续在中国推广。', 1),
        "xxe": text.replace("<xliff", '<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<xliff', 1)
                   .replace("托斯卡纳继续在中国推广。", "&xxe;", 1),
        "billion-laughs": text.replace("<xliff", '<!DOCTYPE xliff [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;'
                                       '&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n<xliff', 1)
                                .replace("托斯卡纳继续在中国推广。", "&c;", 1),
        "not-xliff": '<?xml version="1.0"?><html><body>hello</body></html>',
    }[case]
    path = _bad(tmp_path, f"{case}.xlf", bad)
    before = snapshot(drafted)
    code, out, err = run_cli(capsys, "import-xliff", str(path), "-p", str(drafted))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and expected in lines[0], err
    assert snapshot(drafted) == before
