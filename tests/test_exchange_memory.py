"""Translation memory in TMX and the glossary in TBX-Basic, out and in, over real
files (TMX as Trados Studio and memoQ export it: see fixtures/exchange/README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from lxml import etree

from conftest import DOC, FIXTURES
from helpers import approve_all, msgfmt_check, run_cli, run_once
from traduco.drafting.memory import TranslationMemory
from traduco.language.glossary import Glossary
from traduco.project.loading import load_project

EXCHANGE = FIXTURES / "exchange"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def test_export_tmx_writes_the_approved_pairs_with_dates_and_reviewer(project, standin, capsys):
    run_once(project, standin.url)
    path = project / "locales" / "zh_CN" / "LC_MESSAGES" / f"{DOC}.po"
    approved = approve_all(path)
    cat = polib.pofile(str(path), wrapwidth=0)
    cat.metadata["Last-Translator"] = "Li Wei <li.wei@example.org>"
    cat[0].flags.append("fuzzy")             # one left as a draft: not in the memory
    cat.save()
    code, out, err = run_cli(capsys, "export-tmx", "-p", str(project), "--locale", "zh_CN", "-o", str(project / "tm"))
    assert code == 0, err
    root = etree.parse(str(next((project / "tm").glob("*.zh_CN.tmx")))).getroot()
    units = root.findall("body/tu")
    assert len(units) == len(approved) - 1 and f"{len(units)} approved pair(s)" in out
    first = units[0]
    assert first.get("changeid") == "Li Wei" and first.get("creationdate").endswith("Z")
    assert len(first.get("changedate")) == 16 and first.find("prop[@type='x-document']").text == DOC
    pairs = {tuple(t.get(XML_LANG) for t in tu.findall("tuv")) for tu in units}
    assert pairs == {("it", "zh-CN")}
    assert root.find("header").get("srclang") == "it"
    texts = {tu.findall("tuv/seg")[0].text: tu.findall("tuv/seg")[1].text for tu in units}
    assert cat[0].msgid not in texts and texts[cat[1].msgid] == cat[1].msgstr


@pytest.mark.parametrize("fixture", ["trados-studio.tmx", "memoq.tmx"])
def test_import_tmx_seeds_the_memory_used_as_its_own(project, capsys, fixture):
    code, out, err = run_cli(capsys, "import-tmx", str(EXCHANGE / fixture), "-p", str(project))
    assert code == 0, err
    memory = TranslationMemory.for_locale(load_project(project), "zh_CN")
    seeded = project / "locales" / "memory" / "zh_CN" / f"{Path(fixture).stem}.po"
    msgfmt_check(seeded)
    if fixture == "memoq.tmx":
        exact = memory.find("Il progetto Vetrina Toscana coinvolge oltre 1.200 ristoranti e botteghe.")
        assert exact.msgstr == "托斯卡纳橱窗项目涵盖1,200多家餐厅和商店。" and not exact.fuzzy   # memoQ's {} dropped
        fuzzy = memory.find("Il progetto Vetrina Toscana coinvolge oltre 1.300 ristoranti e botteghe.")
        assert fuzzy.fuzzy and fuzzy.score >= 95 and fuzzy.doc_id == "memoq"
        linked = memory.find('Seguite la campagna su <a href="https://www.visittuscany.com">visittuscany.com</a> '
                             "e su Wechat.")
        assert linked.msgstr.startswith('请在<a href="https://www.visittuscany.com">visittuscany.com</a>和微信')
        english = TranslationMemory.for_locale(load_project(project), "en")
        assert english.find("Il progetto Vetrina Toscana coinvolge oltre 1.200 ristoranti e botteghe.").msgstr \
            .startswith("The Vetrina Toscana project")                 # several languages in one <tu>
    else:
        exact = memory.find("Per informazioni scrivere a stampa@regione.toscana.it entro il 30 aprile.")
        assert exact.msgstr == "如需了解详情，请于4月30日前致函stampa@regione.toscana.it。"
        assert "2 pair(s)" in out and "en: 1 pair(s)" in out
    before = seeded.read_bytes()
    run_cli(capsys, "import-tmx", str(EXCHANGE / fixture), "-p", str(project))
    assert seeded.read_bytes() == before                               # the same file again: nothing moves


def test_a_seeded_memory_drafts_a_run_before_mt(project, standin, capsys, tmp_path):
    sample = (project / "sources" / f"{DOC}.txt").read_text(encoding="utf-8")
    paragraph = sample.split("\n\n")[1].strip()
    tmx = tmp_path / "agenzia.tmx"
    tmx.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<tmx version="1.4"><header creationtool="OmegaT" creationtoolversion="6.0.1" segtype="paragraph" o-tmf="OmegaT TMX"
 adminlang="EN-US" srclang="IT" datatype="plaintext"></header><body>
<tu><tuv lang="IT"><seg>{paragraph}</seg></tuv><tuv lang="ZH-CN"><seg>代理机构的译文。</seg></tuv></tu>
</body></tmx>""", encoding="utf-8")
    assert run_cli(capsys, "import-tmx", str(tmx), "-p", str(project))[0] == 0
    run_once(project, standin.url)
    entry = next(e for e in polib.pofile(str(project / "locales" / "zh_CN" / "LC_MESSAGES" / f"{DOC}.po"))
                 if e.msgid == paragraph)
    assert entry.msgstr == "代理机构的译文。" and "reused from memory: approved in agenzia" in entry.tcomment
    assert all(paragraph != request["q"] for request in standin.requests if request.get("target") == "zh")


@pytest.mark.parametrize("case, expected", [
    ("truncated", "is cut short"),
    ("wrong-source", "its source language is en-US"),
    ("entities", "declares XML entities"),
])
def test_bad_tmx_is_one_message_and_seeds_nothing(project, capsys, tmp_path, case, expected):
    text = (EXCHANGE / "memoq.tmx").read_text(encoding="utf-8")
    bad = {"truncated": text[:900], "wrong-source": text.replace('srclang="it-it"', 'srclang="en-US"'),
           "entities": text.replace('<!DOCTYPE tmx SYSTEM "tmx14.dtd">',
                                    '<!DOCTYPE tmx [<!ENTITY x SYSTEM "file:///etc/passwd">]>')}[case]
    path = tmp_path / "bad.tmx"
    path.write_text(bad, encoding="utf-8")
    code, out, err = run_cli(capsys, "import-tmx", str(path), "-p", str(project))
    assert code == 1 and expected in err and str(path) in err and len(err.strip().splitlines()) == 1
    assert not (project / "locales" / "memory").exists()


def test_glossary_round_trip_through_tbx_basic(project, capsys, tmp_path):
    shutil.copy(FIXTURES / "glossary.csv", project / "glossary.csv")
    original = (project / "glossary.csv").read_bytes()
    tbx = tmp_path / "glossary.tbx"
    code, out, err = run_cli(capsys, "export-tbx", "-p", str(project), "-o", str(tbx))
    assert code == 0, err
    root = etree.parse(str(tbx)).getroot()
    assert (root.get("type"), root.get("style")) == ("TBX-Basic", "dca")
    entries = root.findall("{*}text/{*}body/{*}conceptEntry")
    assert len(entries) == len(Glossary.load(project / "glossary.csv"))
    assert run_cli(capsys, "import-tbx", str(tbx), "-p", str(project))[0] == 0
    assert (project / "glossary.csv").read_bytes() == original               # nothing new: the same bytes
    (project / "glossary.csv").unlink()
    assert run_cli(capsys, "import-tbx", str(tbx), "-p", str(project))[0] == 0
    rebuilt = Glossary.load(project / "glossary.csv")
    assert {(t.source, frozenset(t.targets), t.note) for t in rebuilt.terms} == \
        {(t.source, frozenset(t.targets), t.note) for t in Glossary.load(FIXTURES / "glossary.csv").terms}
    shutil.copy(FIXTURES / "glossary.csv", project / "glossary.csv")
    tbx.write_text(tbx.read_text(encoding="utf-8").replace("微信", "WeChat微信"), encoding="utf-8")
    code, out, _ = run_cli(capsys, "import-tbx", str(tbx), "-p", str(project))
    assert "0 term(s) added, 1 updated" in out
    changed = [(a, b) for a, b in zip(original.decode().splitlines(),
                                      (project / "glossary.csv").read_text(encoding="utf-8").splitlines()) if a != b]
    assert changed == [("Wechat,WeChat,微信,", "Wechat,WeChat,WeChat微信,")]


def test_tbx_v2_martif_as_terminology_tools_export_it(project, capsys, tmp_path):
    tbx = tmp_path / "termbase.tbx"
    tbx.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">
<martif type="TBX-Basic-V1" xml:lang="en">
  <martifHeader><fileDesc><sourceDesc><p>memoQ term base export</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry id="t1">
      <descrip type="definition">Florence's town hall</descrip>
      <langSet xml:lang="it"><tig><term>Palazzo Vecchio</term><termNote type="partOfSpeech">noun</termNote></tig></langSet>
      <langSet xml:lang="zh-CN"><tig><term>维琪奥宫</term></tig></langSet>
      <langSet xml:lang="en-GB"><tig><term>Palazzo Vecchio</term></tig></langSet>
    </termEntry>
  </body></text>
</martif>""", encoding="utf-8")
    code, out, err = run_cli(capsys, "import-tbx", str(tbx), "-p", str(project))
    assert code == 0, err and "1 term(s) added" in out
    term = Glossary.load(project / "glossary.csv").terms[0]
    assert (term.source, term.target("zh_CN"), term.target("en"), term.note) == \
        ("Palazzo Vecchio", "维琪奥宫", "Palazzo Vecchio", "Florence's town hall")
