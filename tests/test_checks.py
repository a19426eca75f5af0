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
from traduco.language.glossary import Glossary
from traduco.language.masking import PROTECTED, protect
from traduco.language.numbers import chinese_numeral, quantities

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
    assert "#. check error [numbers]: “177 mila” in the Italian is missing or different in the translation: " \
        "write it as 177,000\n" \
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
    assert "1 check error (numbers)" in out

    catalog = polib.pofile(str(path), wrapwidth=0)
    next(e for e in catalog if "177 mila" in e.msgid).tcomment = "ignore-check: numbers"
    catalog.save()
    code, out, _ = run_cli(capsys, "publish", "--project", str(project))
    assert "约18万" in (project / "public" / "zh_CN" / f"{DOC}.html").read_text(encoding="utf-8")


# -- press prose is not a format string (issue 11, item 1) ---------------------

PERCENTAGES = {
    "it": ["Nel 2023 il 40% del turismo in Toscana è arrivato dall’estero e il 70% di edifici storici "
           "è stato restaurato.",
           "I prezzi crescono del 5% e poi si fermano, con un aumento del 12,5% rispetto al 2022 e il "
           "30% in più di visitatori.",
           "Sconto del 20% sui biglietti per i musei civici."],
    "en": ["In 2023, 40% of tourism in Tuscany came from abroad and 70% of historic buildings were restored.",
           "Prices rise by 5% and then level off, an increase of 12.5% compared with 2022 and "
           "30% more visitors.",
           "A 20% discount on tickets for the civic museums."],
    "zh_CN": ["2023年，托斯卡纳40%的旅游业来自国外，70%的历史建筑得到了修复。",
              "价格先上涨5%，然后趋于稳定，与2022年相比上涨了12.5%，游客增加了30%。",
              "市立博物馆门票优惠20%。"],
}


def test_italian_percentages_reach_the_provider_word_for_word(project, standin):
    (project / "sources" / f"{DOC}.txt").unlink()
    (project / "sources" / "percentuali.txt").write_text("\n\n".join(PERCENTAGES["it"]) + "\n", encoding="utf-8")

    run_once(project, standin.url)

    assert sorted(standin.received) == sorted(PERCENTAGES["it"] * 2)     # zh_CN and en, untouched


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_correct_translations_of_percentages_have_no_findings(locale):
    for source, target in zip(PERCENTAGES["it"], PERCENTAGES[locale]):
        assert check(source, target, locale, GLOSSARY) == []


def test_a_format_string_keeps_its_placeholders_masked_and_checked():
    masked = protect("%(count)d visitatori, il 5%% in più, su {total}", flags=["python-format"])
    assert masked.text == "[T0] visitatori, il 5[T1] in più, su {total}"   # %% is a format's percent
    assert protect("{count} visitatori", flags=["python-brace-format"]).text == "[T0] visitatori"
    assert protect("%(count)d visitatori su {total}").text == "%(count)d visitatori su {total}"   # prose

    source = "%(count)d visitatori nel %(year)s"
    assert [f.message for f in check(source, "visitors in %(year)s", "en", flags=["python-format", "fuzzy"])] \
        == ["‘%(count)d’ is missing or changed: copy it exactly as the Italian has it"]
    assert check(source, "%(count)d visitors in %(year)s", "en", flags=["python-format"]) == []
    found = check(source, "%(count)d visitors in %(year)s %s", "en", flags=["python-format"])
    assert [f.message for f in found] == ["‘%s’ is not in the Italian: remove it"]


def test_a_format_string_unit_is_masked_on_its_way_to_mt(tmp_path, standin):
    from traduco.project.loading import MTSettings, ProviderSettings
    from traduco.drafting.drafts import draft
    from traduco.mt import Engine
    from traduco.mt.cache import TranslationCache
    catalog = polib.POFile()
    catalog.extend([polib.POEntry(msgid="%(count)d visitatori, il 5%% in più", flags=["python-format"]),
                    polib.POEntry(msgid="Il 5% in più di visitatori")])
    mt = MTSettings(chain=("libre",), providers=(ProviderSettings("libre", standin.url),))
    with Engine(mt, "it", TranslationCache(tmp_path / "cache.sqlite")) as engine:
        draft(catalog, "en", engine)

    assert sorted(standin.received) == ["Il 5% in più di visitatori", "[T0] visitatori, il 5[T1] in più"]
    assert catalog[0].msgstr == "[en] %(count)d visitatori, il 5%% in più"      # put back


def test_format_flags_of_a_catalog_entry_reach_the_tokens_check():
    entry = polib.POEntry(msgid="%(count)d visitatori", msgstr="visitors", flags=["python-format"])
    assert [f.check for f in checks.check_entry(entry, "en")] == ["tokens"]
    entry.flags = []
    assert checks.check_entry(entry, "en") == []


# -- false errors that blocked correct translations (issue 11, item 2) --------

@pytest.mark.parametrize("source, target, locale", [
    ("Seguite #ToscanaWine su Weibo.", "请关注#ToscanaWine。", "zh_CN"),
    ("Seguite #ToscanaWine su Weibo.", "#ToscanaWine请关注。", "zh_CN"),
    ("Scrivete a @toscanapromozione su Wechat.", "请在微信上给@toscanapromozione留言。", "zh_CN"),
])
def test_a_hashtag_or_handle_next_to_chinese_is_found(source, target, locale):
    assert errors(source, target, locale) == []
    assert [f.check for f in errors(source, target.replace("Wine", "Wein").replace("promo", "proom"), locale)] \
        == ["tokens"]


RANGES = [
    ("La fiera si tiene dal 12 al 14 novembre 2024 a Firenze.", "en",
     "The fair runs from 12 to 14 November 2024 in Florence."),
    ("La fiera si tiene dal 12 al 14 novembre 2024 a Firenze.", "en", "The fair runs November 12-14, 2024 in Florence."),
    ("La fiera si tiene dal 12 al 14 novembre 2024 a Firenze.", "en", "The fair runs 12–14 November 2024 in Florence."),
    ("La fiera si tiene dal 12 al 14 novembre 2024 a Firenze.", "zh_CN", "展会于2024年11月12日至14日在佛罗伦萨举行。"),
    ("La fiera si tiene il 12-14 novembre a Firenze.", "zh_CN", "展会于11月12日至14日在佛罗伦萨举行。"),
    ("La fiera si tiene il 12–14 novembre 2024 a Firenze.", "en", "The fair runs November 12-14, 2024 in Florence."),
]


@pytest.mark.parametrize("source, locale, target", RANGES)
def test_date_ranges_are_read_as_dates(source, locale, target):
    assert errors(source, target, locale) == []
    changed = target.replace("14", "15")
    assert {f.check for f in errors(source, changed, locale)} == {"dates"}


@pytest.mark.parametrize("locale, target, caught", [
    ("en", "[en] Alla tappa 1 di Chengdu", True),
    ("zh_CN", "[zh] Alla tappa 1 di Chengdu", True),
    ("en", "Alla tappa 1 di Chengdu", True),
    ("en", "At stage 1 in Chengdu", False),
    ("zh_CN", "在成都第1站", False),
    ("en", "[en] Alla tappa 1 di Chengdu hanno partecipato 300 operatori del turismo e 40 giornalisti.", True),
])
def test_an_italian_draft_is_untranslated(locale, target, caught):
    source = target.split("] ")[-1] if caught else (
        "Alla tappa 1 di Chengdu")
    found = {f.check for f in errors(source, target, locale)}
    assert ("untranslated" in found) == caught


def test_names_and_loanwords_shared_with_the_italian_are_not_untranslated():
    source = "SmartChina: Marras, Giani e Ferrari in partnership con Ctrip per il live streaming"
    target = "SmartChina: Marras, Giani and Ferrari in partnership with Ctrip for the live streaming"
    assert errors(source, target, "en") == []


# -- hostile answers (issue 13) -------------------------------------------------

def test_markup_the_italian_does_not_have_is_reported():
    source = "Il programma completo è sul sito."
    found = errors(source, "The full <script>alert(1)</script> programme is on the website.", "en")
    assert [f.message for f in found] == ["‘<script>’ is not in the Italian: remove it",
                                          "‘</script>’ is not in the Italian: remove it"]
    assert errors("Il programma <b>completo</b> è sul sito.",
                  "The <b>full</b> programme is on the website.", "en") == []


SHORT = "Il programma della giornata è sul sito web."   # 44 characters
HOSTILE_ANSWERS = {
    "letters": "a" * 120_000,
    "e-mail without a domain": "info" * 30_000 + "@",
    "dots after an address": "x@" + "a." * 60_000,
    "printf-like": "%" + "0" * 120_000,
    "unclosed tags": "<a " * 40_000,
    "spaces after a number": "1" + " " * 120_000 + "x",
    "URL of punctuation": "http://" + "." * 120_000,
    "hashtags and handles": "#a@b." * 24_000,
    "latin in chinese": "中" + "ab-" * 40_000,
    "chinese dates": "1" + " " * 60_000 + "年" + "12月" * 15_000,
    "short sentences": "Ab cd. " * 17_000,
}


@pytest.mark.parametrize("shape", HOSTILE_ANSWERS)
def test_checks_read_a_huge_hostile_answer_once(shape):
    """A 120,000-character answer to a 44-character sentence. Every pattern is
    linear, so each check reads it once (the e-mail pattern alone took 85 s,
    pysbd's sentence spans 54 s for 8,000 sentences; bench/patterns.py prints
    the figures). What this asserts is the verdict: far too long, nothing else."""
    for locale in ("en", "zh_CN"):
        assert {f.check for f in check(SHORT, HOSTILE_ANSWERS[shape], locale)} == {"length"}


def test_long_spans_are_still_found_whole():
    address = "info" * 30_000 + "@regione.toscana.it"
    assert PROTECTED.findall(f"Scrivete a {address}, grazie") == [address]
    assert PROTECTED.findall("#" + "Toscana" * 10_000 + "。") == ["#" + "Toscana" * 10_000]


# -- the stand-in answers as a real MT would (issue 11, item 6) -----------------

@pytest.mark.parametrize("mangle", [False, True], ids=["plain", "full-width tokens"])
def test_the_offline_run_on_the_sample_shows_the_reference_drafts(project, standin, mangle):
    glossary_project(project)
    standin.mangle = mangle      # as Google does in Chinese: ［T0］
    run_once(project, standin.url)

    assert all("[T" in text for text in standin.received)       # masked text, terms never sent
    for locale in ("zh_CN", "en"):
        path = project / "locales" / locale / "LC_MESSAGES" / f"{DOC}.po"
        catalog = polib.pofile(str(path), wrapwidth=0)
        assert {e.msgid: e.msgstr for e in catalog} == {ref["it"]: ref[locale] for ref in REFS}
        assert "dropped" not in path.read_text(encoding="utf-8")     # every token came back
        assert all(found == [] for _, found in checks.catalog_findings(catalog, locale, GLOSSARY))


def test_the_standin_keeps_tokens_of_text_it_does_not_know(standin):
    assert standin.translate("Visita [T0] e [T1] oggi", "zh") == "[zh] Visita [T0] e [T1] oggi"
    assert standin.translate("La [T0] da vedere", "en") == "[en] La [T0] da vedere"   # not a whole paragraph
