"""Quality checks: no false alarms on the human references, every mutation caught,
silencing per entry, results in the catalogs, the CLI and the publish gate."""

from __future__ import annotations

import json
import re
import shutil

import polib
import pytest

from traduco import checks
from traduco.checks import ERROR, check
from traduco.glossary import Glossary
from traduco.mt.masking import protect
from traduco.numbers import chinese_numeral, quantities

from conftest import DOC, FIXTURES
from helpers import approve_all, run_cli, run_once
from standin import load_references

GLOSSARY = Glossary.load(FIXTURES / "glossary.csv")
REFS = json.loads((FIXTURES / "toscana-smart-china.references.json").read_text(encoding="utf-8"))["paragraphs"]


def errors(source: str, target: str, locale: str) -> list[checks.Finding]:
    return [f for f in check(source, target, locale, GLOSSARY) if f.severity == ERROR]


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
@pytest.mark.parametrize("index", range(8))
def test_human_reference_translations_raise_no_alarm(index, locale):
    findings = check(REFS[index]["it"], REFS[index][locale], locale, GLOSSARY)
    assert findings == []


def drop_last_sentence(text: str, locale: str) -> str:
    pattern = r"[^。！？]+[。！？]+[”’）]*" if locale == "zh_CN" else r".+?[.!?][”’]?(?:\s+|$)"
    return "".join(re.findall(pattern, text)[:-1]).strip()


MUTATIONS = [
    # (name, paragraph, locale, mutation, check id that must catch it)
    ("number 17.7万 → 17.1万", 1, "zh_CN", lambda t: t.replace("17.7万", "17.1万"), "numbers"),
    ("number 177,000 → 171,000", 1, "en", lambda t: t.replace("177,000", "171,000"), "numbers"),
    ("number 4亿 → 4万", 2, "zh_CN", lambda t: t.replace("4亿", "4万"), "numbers"),
    ("number 400 million → 40 million", 2, "en", lambda t: t.replace("400 million", "40 million"), "numbers"),
    ("date 5月21日 → 5月12日", 1, "zh_CN", lambda t: t.replace("5月21日", "5月12日"), "dates"),
    ("date 21 May → 22 May", 1, "en", lambda t: t.replace("21 May", "22 May"), "dates"),
    ("glossary 携程 → 去哪儿", 1, "zh_CN", lambda t: t.replace("携程", "去哪儿"), "glossary"),
    ("glossary WeChat → Weixin", 1, "en", lambda t: t.replace("WeChat", "Weixin"), "glossary"),
    ("half-width comma in zh_CN", 0, "zh_CN", lambda t: t.replace("，", ",", 1), "zh-punctuation"),
    ("half-width full stop in zh_CN", 0, "zh_CN", lambda t: t.replace("。", ".", 1), "zh-punctuation"),
    ("Traditional 託斯卡納", 0, "zh_CN", lambda t: t.replace("托斯卡纳", "託斯卡納", 1), "zh-traditional"),
    ("untranslated Italian sentence (en)", 2, "en",
     lambda t: t + " La collaborazione servirà ad integrare le attività di promozione.", "untranslated"),
    ("untranslated Italian sentence (zh_CN)", 2, "zh_CN",
     lambda t: t + "La collaborazione servirà ad integrare le attività di promozione.", "untranslated"),
    ("dropped sentence (en)", 1, "en", lambda t: drop_last_sentence(t, "en"), "sentences"),
    ("dropped sentence (zh_CN)", 1, "zh_CN", lambda t: drop_last_sentence(t, "zh_CN"), "sentences"),
]


@pytest.mark.parametrize("name, index, locale, mutate, check_id", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutated_references_are_caught(name, index, locale, mutate, check_id):
    mutated = mutate(REFS[index][locale])
    assert mutated != REFS[index][locale]

    found = {f.check for f in check(REFS[index]["it"], mutated, locale, GLOSSARY)}

    assert check_id in found


@pytest.mark.parametrize("locale, target", [
    ("en", "Details at https://www.regione.toscana.it/en/news and info@regione.it"),
    ("zh_CN", "详情见https://www.regione.toscana.it/zh/news，邮箱info@regione.it"),
])
def test_a_mangled_url_is_caught(locale, target):
    source = "Dettagli su https://www.regione.toscana.it/it/news e info@regione.it"
    assert [f.check for f in errors(source, target, locale)] == ["tokens"]


def test_numbers_are_compared_by_value_across_formats():
    assert quantities("1.500 visitatori, il 3,5% in più, 177 mila, 400 milioni, nel 2020", "it").numbers \
        == [1500, 3.5, 177000, 4e8, 2020]
    assert quantities("1,500 visitors, 3.5% more, 177,000, 400 million, in 2020", "en").numbers \
        == [1500, 3.5, 177000, 4e8, 2020]
    assert sorted(quantities("1500名游客，增加3.5%，17.7万，4亿，5亿美元，三十周年", "zh").numbers) \
        == [3.5, 30, 1500, 177000, 4e8, 5e8]
    assert chinese_numeral("一百零五") == 105 and chinese_numeral("两万") == 20000
    assert [str(d) for d in quantities("il 23 giugno 1998 e a settembre del 1992", "it").dates] == ["1998-6-23", "1992-9"]
    assert [str(d) for d in quantities("1998年6月23日和1992年九月", "zh").dates] == ["1998-6-23", "1992-9"]


def test_a_check_is_silenced_on_one_entry_only():
    wrong = polib.POEntry(msgid=REFS[1]["it"], msgstr=REFS[1]["en"].replace("177,000", "171,000"))
    assert "numbers" in {f.check for f in checks.check_entry(wrong, "en", GLOSSARY)}

    wrong.tcomment = "Figure confirmed with the press office\nignore-check: numbers"
    assert "numbers" not in {f.check for f in checks.check_entry(wrong, "en", GLOSSARY)}

    wrong.tcomment = "ignore-check: nmbers"
    found = {f.check: f for f in checks.check_entry(wrong, "en", GLOSSARY)}
    assert "numbers" in found and "unknown check id nmbers" in found["ignore-check"].message


def test_glossary_matches_italian_variants_but_not_adjectives():
    found = [t.source for t in GLOSSARY.find("la Regione toscana e l'app WECHAT, località toscane")]
    assert found == ["Regione Toscana", "Wechat"]
    masked = protect("Toscana promozione turistica su Wechat", GLOSSARY.mask_terms("zh_CN"))
    assert masked.replacements == ["托斯卡纳旅游推广局", "微信"]


def glossary_project(project):
    shutil.copy(FIXTURES / "glossary.csv", project / "glossary.csv")
    return project


def test_glossary_is_enforced_inside_machine_translation(project, standin):
    glossary_project(project)
    run_once(project, standin.url)

    sent = " ".join(r["q"] for r in standin.requests)
    assert "Ctrip" not in sent and "[T" in sent              # terms never reach the provider
    zh = polib.pofile(str(project / "locales" / "zh_CN" / "LC_MESSAGES" / f"{DOC}.po"))
    en = polib.pofile(str(project / "locales" / "en" / "LC_MESSAGES" / f"{DOC}.po"))
    second = next(e for e in zh if "Ctrip" in e.msgid)
    assert all(term in second.msgstr for term in ("携程", "微信", "中央电视台", "欧金尼奥·贾尼", "江苏"))
    assert "WeChat" in next(e for e in en if "Ctrip" in e.msgid).msgstr
    assert all("glossary" not in e.comment for e in zh)       # the glossary check is satisfied


def test_findings_are_written_into_the_catalog_and_removed_when_fixed(project, standin):
    glossary_project(project)
    standin.references = load_references()
    run_once(project, standin.url)
    path = project / "locales" / "en" / "LC_MESSAGES" / f"{DOC}.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    entry = next(e for e in catalog if "177 mila" in e.msgid)
    entry.msgstr = REFS[1]["en"].replace("177,000", "171,000")
    catalog.save()

    run_once(project, standin.url)
    assert "#. check error [numbers]: 177,000 is missing or different in the translation\n" \
        "#: sources/toscana-smart-china.txt:3" in path.read_text(encoding="utf-8")

    catalog = polib.pofile(str(path), wrapwidth=0)
    next(e for e in catalog if "177 mila" in e.msgid).msgstr = REFS[1]["en"]
    catalog.save()
    run_once(project, standin.url)
    fixed = next(e for e in polib.pofile(str(path)) if "177 mila" in e.msgid)
    assert "check " not in fixed.comment


def test_check_command_reports_and_gates(capsys, project, standin):
    run_once(project, standin.url)
    approve_all(project / "locales" / "zh_CN" / "LC_MESSAGES" / f"{DOC}.po")
    code, out, _ = run_cli(capsys, "check", "--project", str(project), "--json")
    assert code == 0 and json.loads(out)["errors"] == 0

    path = project / "locales" / "zh_CN" / "LC_MESSAGES" / f"{DOC}.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    next(e for e in catalog if "177 mila" in e.msgid).msgstr = REFS[1]["zh_CN"].replace("17.7万", "17.1万")
    catalog.save()

    code, out, _ = run_cli(capsys, "check", "--project", str(project), "--json")
    report = json.loads(out)
    assert code == 1 and report["errors"] == 1
    assert report["findings"][0]["check"] == "numbers" and report["findings"][0]["where"] == f"sources/{DOC}.txt:3"
    code, out, _ = run_cli(capsys, "check", "--project", str(project))
    assert code == 1 and "numbers" in out and "1 error(s)" in out
    code, out, _ = run_cli(capsys, "status", "--project", str(project), "--json")
    rows = {row["locale"]: row for row in json.loads(out)["queue"]}
    assert rows["zh_CN"]["errors"] == 1 and json.loads(out)["totals"]["zh_CN"]["errors"] == 1


def test_publishing_refuses_a_document_with_an_error_until_it_is_silenced(capsys, project, standin):
    run_once(project, standin.url)
    path = project / "locales" / "zh_CN" / "LC_MESSAGES" / f"{DOC}.po"
    approve_all(path)
    catalog = polib.pofile(str(path), wrapwidth=0)
    entry = next(e for e in catalog if "177 mila" in e.msgid)
    entry.msgstr = REFS[1]["zh_CN"].replace("17.7万", "约18万")
    catalog.save()

    code, out, _ = run_cli(capsys, "publish", "--project", str(project))
    assert not (project / "public" / "zh_CN" / f"{DOC}.html").exists()
    assert "1 check error: numbers" in out

    catalog = polib.pofile(str(path), wrapwidth=0)
    next(e for e in catalog if "177 mila" in e.msgid).tcomment = "ignore-check: numbers"
    catalog.save()
    code, out, _ = run_cli(capsys, "publish", "--project", str(project))
    assert "约18万" in (project / "public" / "zh_CN" / f"{DOC}.html").read_text(encoding="utf-8")
