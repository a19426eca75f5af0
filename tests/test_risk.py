"""Risk: every draft scored from its signals, the queue, the review page and the
run's artifact ordered by it, and bulk approval of low-risk drafts by a named reviewer."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import polib
import pytest
from markupsafe import escape

from traduco.catalogs import provenance
from traduco.checks import check_entry, risk
from traduco.project.loading import load_project
from traduco.review.low_risk import approve, low_risk_drafts
from traduco.review.page import review_page

from conftest import DOC, SAMPLE
from helpers import approve_all, entries, latest_artifact, msgfmt_check, parse_html, run_cli, run_once
from standin import StandIn, load_references

SECOND_DOC = "bis"
CHANGED_ZH = "相关活动与中国旅游行业龙头携程"   # the start of the zh_CN draft of the second paragraph


def po(project: Path, locale: str, doc: str = DOC) -> Path:
    return project / "locales" / locale / "LC_MESSAGES" / f"{doc}.po"


def edit(path: Path, change) -> None:
    catalog = polib.pofile(str(path), wrapwidth=0)
    for entry in catalog:
        if not entry.obsolete:
            change(entry)
    catalog.save()


def blocks(path: Path) -> dict[str, str]:
    """Each entry's exact text in the file, by its msgid line."""
    text = path.read_text(encoding="utf-8")
    return {next(l for l in b.splitlines() if l.startswith("msgid")): b for b in text.split("\n\n")[1:]}


def draft(msgid: str, msgstr: str, note: str, previous: str | None = None) -> polib.POEntry:
    entry = polib.POEntry(msgid=msgid, msgstr=msgstr, flags=["fuzzy"], previous_msgid=previous)
    provenance.write_note(entry, note)
    return entry


def assessed(entry: polib.POEntry, locale: str, priors=None) -> risk.Risk:
    return risk.assess(entry, locale, check_entry(entry, locale), priors)


# -- the score ------------------------------------------------------------------

ITALIAN = "Nel 2023 i visitatori sono stati 177 mila, il doppio dell'anno precedente."
ENGLISH = "In 2023 there were 177 thousand visitors, twice as many as the year before."


def test_a_lost_negation_is_weighed_once_from_the_negation_check():
    """Risk reads the negation check's finding; it has no cruder counter of its
    own that would count one lost "non" twice (or flag idioms the check knows)."""
    lost = draft("Il museo non apre il lunedì.", "The museum opens on Mondays.",
                 "machine draft by libre on 2026-11-26 06:12 UTC")
    findings = check_entry(lost, "en")
    assert [f.check for f in findings if f.check == "negation"] == ["negation"]
    assert "negation lost?" in risk.assess(lost, "en", findings).reasons
    assert "negation lost?" not in risk.assess(lost, "en", []).reasons
    idiom = draft("Non appena arrivati, i visitatori ricevono una mappa.",
                  "As soon as they arrive, visitors receive a map.", "machine draft by libre on 2026-11-26 06:12 UTC")
    assert "negation lost?" not in assessed(idiom, "en").reasons


def test_each_signal_raises_the_risk_and_names_itself():
    machine = "machine draft by libre on 2026-11-26 06:12 UTC"
    clean = assessed(draft(ITALIAN, ENGLISH, machine), "en")
    assert clean.level == risk.LOW and clean.score < 0.3

    cases = {
        "numbers differ": draft(ITALIAN, ENGLISH.replace("177", "171"), machine),
        "tokens lost and restored": draft(ITALIAN, ENGLISH, machine + "; check: the machine dropped https://x.it"),
        "providers disagree": draft(ITALIAN, ENGLISH, machine + "; second opinion by deepl: 35 % similar"),
        "providers disagree on figures": draft(ITALIAN, ENGLISH, machine + "; " + risk.second_opinion_note(
            "deepl", ENGLISH, ENGLISH.replace("177", "171"), "en")),
        "providers disagree on a negation": draft(ITALIAN, ENGLISH, machine + "; " + risk.second_opinion_note(
            "deepl", ENGLISH, ENGLISH.replace("there were", "there were not"), "en")),
        "negation lost?": draft("Il museo non apre il lunedì, neanche a Pasqua.", "The museum opens on Mondays, even at Easter.", machine),
        "numbers differ from the memory match": draft(
            ITALIAN, ENGLISH, "reused from memory: fuzzy match 88 % from altro (reused on 2026-11-26 06:12 UTC); "
            "check: numbers differ from the match: 180 mila -> 177 mila", previous=ITALIAN.replace("177", "180")),
        "Italian changed": draft(ITALIAN, ENGLISH, "source changed on 2026-11-27: the Italian was edited"),
        "marked needs work": draft(ITALIAN, ENGLISH, ""),
        "unusual length": draft(ITALIAN, ENGLISH + " " + ENGLISH + " " + ENGLISH, machine),
    }
    for reason, entry in cases.items():
        found = assessed(entry, "en")
        assert reason in found.reasons and found.score > clean.score, (reason, found)
        assert found.level != risk.LOW, (reason, found)
    both = assessed(draft(ITALIAN, ENGLISH.replace("177", "171"),
                          machine + "; second opinion by deepl: 35 % similar"), "en")
    assert both.label().startswith("high — numbers differ") and "providers disagree" in both.label()
    assert both.score > assessed(cases["numbers differ"], "en").score    # signals add up


def test_agreeing_providers_and_the_scorecard_prior_weigh_as_they_should():
    machine = "machine draft by libre on 2026-11-26 06:12 UTC"
    assert risk.second_opinion_note("deepl", ENGLISH, ENGLISH.replace("twice", "double"), "en") == \
        "second opinion by deepl: 94 % similar"
    agree = assessed(draft(ITALIAN, ENGLISH, machine + "; second opinion by deepl: 96 % similar"), "en")
    assert "providers disagree" not in agree.reasons and agree.level == risk.LOW
    often_corrected = assessed(draft(ITALIAN, ENGLISH, machine), "en", priors={"libre": 0.5})
    rarely = assessed(draft(ITALIAN, ENGLISH, machine), "en", priors={"libre": 0.02})
    assert often_corrected.score > rarely.score and "provider often corrected" in often_corrected.reasons
    # An approved entry: what its text shows counts, where its draft came from no longer does.
    approved = polib.POEntry(msgid=ITALIAN, msgstr=ENGLISH)
    provenance.write_note(approved, "source changed on 2026-11-27: the Italian was edited")
    assert assessed(approved, "en").label() == "low"
    approved.msgstr = ENGLISH.replace("177", "171")
    assert assessed(approved, "en").label() == "high — numbers differ"
    assert assessed(polib.POEntry(msgid=ITALIAN, msgstr=""), "en") == risk.NONE


# -- catalogs, status, review page, artifact --------------------------------------

@pytest.fixture
def two_documents(project: Path) -> Path:
    shutil.copy(SAMPLE, project / "sources" / f"{SECOND_DOC}.txt")
    return project


def test_the_catalog_comment_names_the_risk_and_the_run_keeps_it_current(two_documents, standin):
    project = two_documents
    run_once(project, standin.url)
    assert all(e.comment.endswith("risk: low") for e in entries(po(project, "zh_CN")).values())
    edit(po(project, "zh_CN"), lambda e: setattr(e, "msgstr", e.msgstr.replace("17.7万", "17.1万")))

    run_once(project, standin.url)

    changed = next(e for e in entries(po(project, "zh_CN")).values() if "17.1万" in e.msgstr)
    assert "risk: high — numbers differ" in changed.comment.splitlines()
    assert sum("risk: high" in e.comment for e in entries(po(project, "zh_CN")).values()) == 1
    msgfmt_check(po(project, "zh_CN"))
    before = po(project, "zh_CN").read_bytes()
    run_once(project, standin.url)
    assert po(project, "zh_CN").read_bytes() == before          # no news: not rewritten


def needs_work_in_second_document(project: Path) -> str:
    """Everything approved but the en drafts of the sample, and one en entry of
    the second document that a person marked "needs work" again."""
    for doc in (DOC, SECOND_DOC):
        approve_all(po(project, "zh_CN", doc))
    approve_all(po(project, "en", SECOND_DOC))
    marked = []

    def mark_one(entry):
        if not marked and "177 mila" in entry.msgid:
            entry.flags.append("fuzzy")
            entry.tcomment = ""
            marked.append(entry.msgid)
    edit(po(project, "en", SECOND_DOC), mark_one)
    return marked[0]


def test_status_review_page_and_artifact_put_the_riskiest_first(capsys, two_documents, standin):
    project = two_documents
    run_once(project, standin.url)
    marked = needs_work_in_second_document(project)

    code, out, _ = run_cli(capsys, "status", "--project", str(project), "--json")
    rows = json.loads(out)["queue"]
    # By age and words the sample's 8 drafts would come first; by risk the one marked "needs work" does.
    assert [(r["doc_id"], r["locale"]) for r in rows[:2]] == [(SECOND_DOC, "en"), (DOC, "en")]
    assert rows[0]["risk_level"] == "high" and rows[0]["high_risk"] == 1
    assert rows[1]["risk_level"] == "low" and rows[1]["low_risk"] == 8
    assert json.loads(out)["totals"]["en"]["low_risk"] == 8
    code, text, _ = run_cli(capsys, "status", "--project", str(project))
    lines = [l for l in text.splitlines() if l.startswith((DOC, SECOND_DOC))]
    assert lines[0].startswith(f"{SECOND_DOC} ")
    assert f"  {SECOND_DOC} en: 1 draft(s) to review: 1 needs work; risk up to high (1 high, 0 low)" in text

    page = review_page(load_project(project), SECOND_DOC, "en")
    parse_html(page)
    assert "risk: high — marked needs work" in page
    italian = [str(escape(e.msgid)) for e in entries(po(project, "en", SECOND_DOC)).values()]
    assert page.index(str(escape(marked))) == min(page.index(text) for text in italian)   # the first row

    from flows.translate import record_review_queue
    record_review_queue(load_project(project))
    table = json.loads(latest_artifact("review-queue").data)
    assert [(r["doc_id"], r["locale"], r["risk_level"]) for r in table[:2]] == \
        [(SECOND_DOC, "en", "high"), (DOC, "en", "low")]


def test_hostile_text_on_the_review_page_is_shown_as_text(project, standin):
    hostile = 'Il museo <script>alert("x")</script> apre & <img src=x onerror=alert(1)> resta aperto.'
    (project / "sources" / f"{DOC}.txt").write_text(f"date 2021-05\n\n{hostile}\n", encoding="utf-8")
    run_once(project, standin.url)
    edit(po(project, "en"), lambda e: setattr(e, "tcomment", e.tcomment + "\n</td><script>evil()</script>"))

    page = review_page(load_project(project), DOC, "en")

    parse_html(page)
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page and "&lt;img src=x" in page


# -- approve-low-risk ----------------------------------------------------------------

def one_risky_zh_draft(project: Path) -> None:
    edit(po(project, "zh_CN"), lambda e: setattr(e, "msgstr", e.msgstr.replace("17.7万", "17.1万")))


def test_approve_low_risk_approves_only_below_the_bar_in_the_reviewers_name(capsys, project, standin):
    run_once(project, standin.url)
    one_risky_zh_draft(project)
    run_once(project, standin.url)                  # the translator's save gets its notes
    risky_before = {k: v for k, v in blocks(po(project, "zh_CN")).items() if "17.1万" in v}

    code, out, err = run_cli(capsys, "approve-low-risk", "--below", "0.3", "--reviewer", "Anna Rossi",
                             "--yes", "--project", str(project))

    assert code == 0, err
    assert "15 draft(s) approved by Anna Rossi" in out
    zh, en = entries(po(project, "zh_CN")), entries(po(project, "en"))
    assert all("fuzzy" not in e.flags for e in en.values())
    assert [e.msgstr for e in zh.values() if "fuzzy" in e.flags] == \
        [e.msgstr for e in zh.values() if "17.1万" in e.msgstr]
    for entry in [*en.values(), *(e for e in zh.values() if "fuzzy" not in e.flags)]:
        note = provenance.note(entry)
        assert note.startswith("machine draft by libre on ") and "; approved by Anna Rossi on " in note
        assert "in bulk (risk 0." in note and "below 0.3)" in note and entry.comment.endswith("risk: low")
    after = blocks(po(project, "zh_CN"))
    assert {k: after[k] for k in risky_before} == risky_before        # the risky entry keeps its bytes
    for locale in ("zh_CN", "en"):
        msgfmt_check(po(project, locale))
    approved = {locale: po(project, locale).read_bytes() for locale in ("zh_CN", "en")}
    run_once(project, standin.url)                  # the next run has nothing to add
    assert {locale: po(project, locale).read_bytes() for locale in ("zh_CN", "en")} == approved
    # The reviewer's approvals still count for the provider in the scorecard.
    code, out, _ = run_cli(capsys, "report", "--project", str(project), "--json")
    assert {(s["locale"], s["entries"]) for s in json.loads(out)["scorecard"]} == {("zh_CN", 7), ("en", 8)}


def test_approve_low_risk_asks_first_and_a_no_changes_nothing(capsys, monkeypatch, project, standin):
    run_once(project, standin.url)
    before = {locale: po(project, locale).read_bytes() for locale in ("zh_CN", "en")}
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))

    code, out, _ = run_cli(capsys, "approve-low-risk", "--below", "0.3", "--reviewer", "Anna",
                           "--project", str(project))

    assert code == 0 and "Approve these 16 draft(s) as Anna?" in out and "Nothing approved." in out
    assert {locale: po(project, locale).read_bytes() for locale in ("zh_CN", "en")} == before


@pytest.mark.parametrize("args", [["--below", "1.5", "--reviewer", "Anna"], ["--below", "0", "--reviewer", "Anna"],
                                  ["--below", "0.3", "--reviewer", "  "]])
def test_approve_low_risk_refuses_a_bad_bar_or_no_reviewer_with_exit_2(capsys, project, standin, args):
    run_once(project, standin.url)
    before = po(project, "en").read_bytes()
    code, _, err = run_cli(capsys, "approve-low-risk", *args, "--yes", "--project", str(project))
    assert code == 2 and po(project, "en").read_bytes() == before


def test_a_draft_edited_after_it_was_shown_is_left_alone(project, standin):
    run_once(project, standin.url)
    loaded = load_project(project)
    shown = low_risk_drafts(loaded, 0.3)
    first = next(c for c in shown if c.locale == "en")
    edit(po(project, "en"), lambda e: setattr(e, "msgstr", e.msgstr + " (edited)") if e.msgid == first.msgid else None)

    outcome = approve(loaded, shown, 0.3, "Anna")

    assert len(outcome.approved) == 15 and outcome.skipped == 1
    assert "fuzzy" in entries(po(project, "en"))[first.msgid].flags


# -- a second opinion -----------------------------------------------------------------

def test_a_second_opinion_provider_flags_disagreement_and_is_never_paid_twice(monkeypatch, project, standin):
    references = load_references()
    other = {it: dict(t) for it, t in references.items()}
    disputed = next(it for it in references if "177 mila" in it)
    other[disputed]["zh_CN"] = "几天前，一场直播吸引了很多观众。"      # another provider's very different reading
    monkeypatch.setenv("DEEPL_AUTH_KEY", "test-key:fx")
    with StandIn(references=other) as second:
        (project / "pyproject.toml").write_text(f"""[tool.traduco]
locales = ["zh_CN"]
[tool.traduco.mt]
chain = ["libre"]
second_opinion = "deepl"
[tool.traduco.mt.providers.deepl]
url = "{second.url.rstrip('/')}"
""", encoding="utf-8")
        run_once(project, standin.url)
        asked = len(second.received)
        zh = entries(po(project, "zh_CN"))
        notes = {msgid: provenance.note(e) for msgid, e in zh.items()}
        assert "providers disagree" in zh[disputed].comment and "risk: high" in zh[disputed].comment
        assert "second opinion by deepl: " in notes[disputed]
        for msgid, entry in zh.items():
            if msgid != disputed:
                assert "second opinion by deepl: 100 % similar" in notes[msgid]
                assert entry.comment.endswith("risk: low")
        assert asked == len(zh)

        po(project, "zh_CN").unlink()          # drafted again: both answers come from the cache
        run_once(project, standin.url)
        assert len(second.received) == asked and len(standin.received) == len(zh)
        assert "providers disagree" in entries(po(project, "zh_CN"))[disputed].comment


def test_an_unknown_or_misspelt_second_opinion_is_refused_before_any_work(project):
    from traduco.errors import ConfigError
    from traduco.mt import check_settings
    (project / "pyproject.toml").write_text('[tool.traduco]\n[tool.traduco.mt]\nsecond_opinion = "depl"\n',
                                            encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown provider 'depl'"):
        check_settings(load_project(project).mt, keys=False)
    (project / "pyproject.toml").write_text('[tool.traduco]\n[tool.traduco.mt]\nsecond_opinion = 3\n',
                                            encoding="utf-8")
    with pytest.raises(ConfigError, match="second_opinion"):
        load_project(project)
