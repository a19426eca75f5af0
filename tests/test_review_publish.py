"""Review queue, review page, approval gate, publishing and the post-edit scorecard."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest

from traduco.catalogs import pofile, provenance
from traduco.mt.cache import TranslationCache
from traduco.project.loading import load_project
from traduco.review.page import review_page
from traduco.review.scorecard import scorecard

from conftest import DOC
from helpers import approve_all, approved_pairs, entries, parse_html, run_cli, run_once

SOURCE = f"sources/{DOC}.txt"


def po(project: Path, locale: str, doc: str = DOC) -> Path:
    return project / "locales" / locale / "LC_MESSAGES" / f"{doc}.po"


def edit(path: Path, change) -> None:
    catalog = polib.pofile(str(path), wrapwidth=0)
    change(catalog)
    catalog.save()


def test_queue_counts_match_the_catalogs_for_every_state(capsys, project, standin):
    run_once(project, standin.url)
    approve_all(po(project, "zh_CN"))
    source = project / SOURCE
    source.write_text(source.read_text(encoding="utf-8").replace("177 mila", "180 mila"), encoding="utf-8")
    (project / "sources" / "altro.txt").write_text("Fonte: Regione Toscana - Ufficio stampa\n\nAltro.\n",
                                                  encoding="utf-8")
    run_once(project, standin.url)

    def needs_work_and_untranslated(catalog):
        catalog[0].flags = ["fuzzy"]               # approved, then marked "needs work" in Poedit
        catalog[0].tcomment = ""
        catalog[2].msgstr = ""                     # a reviewer emptied it
        catalog[2].flags = []
        catalog[3].msgstr = catalog[3].msgstr.replace("17.7万", "17.1万")   # a check error
    edit(po(project, "zh_CN"), needs_work_and_untranslated)

    code, out, _ = run_cli(capsys, "status", "--project", str(project), "--json")
    rows = {(r["doc_id"], r["locale"]): r for r in json.loads(out)["queue"]}
    for (doc, locale), row in rows.items():
        catalog = [e for e in polib.pofile(str(po(project, locale, doc))) if not e.obsolete]
        notes = [provenance.note(e) or "" for e in catalog if e.msgstr and "fuzzy" in e.flags]
        assert row["units"] == len(catalog)
        assert row["approved"] == sum(1 for e in catalog if e.msgstr and "fuzzy" not in e.flags)
        assert row["untranslated"] == sum(1 for e in catalog if not e.msgstr)
        assert row["drafts"] == len(notes)
        assert row["machine_drafts"] == sum(n.startswith("machine draft") for n in notes)
        assert row["source_changed"] == sum(n.startswith("source changed") for n in notes)
        assert row["from_memory"] == sum(n.startswith("reused from memory") for n in notes)
        assert row["needs_work"] == sum(n == "" for n in notes)
        assert row["words_waiting"] == sum(len(e.msgid.split()) for e in catalog
                                           if not e.msgstr or "fuzzy" in e.flags)
    zh = rows[(DOC, "zh_CN")]
    assert (zh["approved"], zh["source_changed"], zh["needs_work"], zh["untranslated"], zh["errors"]) == (5, 1, 1, 1, 1)
    assert rows[("altro", "zh_CN")]["from_memory"] == 1
    errors = [r["errors"] for r in json.loads(out)["queue"]]
    assert errors == sorted(errors, reverse=True) and errors[0] >= 1   # check errors come first
    code, text, _ = run_cli(capsys, "status", "--project", str(project))
    line = next(l for l in text.splitlines() if l.startswith(DOC) and "zh_CN" in l)
    assert line.split()[2:6] == ["5/8", "2", "1", "1E"]
    assert "1 source changed, 1 needs work" in text


def test_review_page_shows_source_draft_checks_provenance_and_the_edit(project, standin):
    (project / SOURCE).write_text("date 2021-05\n\nIl museo <b>apre</b> il 3 giugno & resta aperto.\n",
                                  encoding="utf-8")
    run_once(project, standin.url)
    approve_all(po(project, "en"))
    (project / SOURCE).write_text("date 2021-05\n\nIl museo <b>apre</b> il 4 giugno & resta aperto.\n",
                                  encoding="utf-8")
    run_once(project, standin.url)

    page = review_page(load_project(project), DOC, "en")

    assert "&lt;b&gt;apre&lt;/b&gt;" in page and "<b>apre</b>" not in page
    assert "<del>3</del> <ins>4</ins>" in page
    assert "source changed" in page and "error [dates]" in page
    assert '<td lang="en">' in page
    parse_html(page)


def test_a_published_page_stays_until_its_update_is_approved(capsys, project, standin):
    run_once(project, standin.url)
    approve_all(po(project, "zh_CN"))
    run_cli(capsys, "publish", "--project", str(project))
    page = project / "public" / "zh_CN" / f"{DOC}.html"
    published = page.read_text(encoding="utf-8")
    assert "17.7万" in published

    source = project / SOURCE
    source.write_text(source.read_text(encoding="utf-8").replace("in 177 mila", "in 180 mila"), encoding="utf-8")
    run_once(project, standin.url)
    code, out, _ = run_cli(capsys, "publish", "--project", str(project), "--dry-run")
    assert "waiting" in out and page.read_text(encoding="utf-8") == published
    run_cli(capsys, "publish", "--project", str(project))
    assert page.read_text(encoding="utf-8") == published        # never half-updated

    edit(po(project, "zh_CN"), lambda c: [setattr(e, "msgstr", e.msgstr.replace("17.7万", "18万"))
                                          or e.flags.clear() for e in c if "180 mila" in e.msgid])
    code, out, _ = run_cli(capsys, "publish", "--project", str(project), "--dry-run")
    assert "would publish" in out and page.read_text(encoding="utf-8") == published
    run_cli(capsys, "publish", "--project", str(project))
    assert "18万" in page.read_text(encoding="utf-8")


def test_published_html_is_escaped_and_index_and_feed_list_exactly_the_published(capsys, project, standin):
    (project / "sources" / "mostra.md").write_text(
        "---\ntitle: Mostra <script>alert(1)</script>\ndate: 2024-03-01\n"
        "source_url: https://www.regione.toscana.it/-/mostra?a=1&b=2\n---\n\n"
        "Ingresso libero <script>alert('x')</script> &amp; visite guidate.\n", encoding="utf-8")
    # Translated drafts (the stand-in's made-up "[en] Ingresso libero ..." is
    # Italian, and the untranslated check would rightly hold the page back).
    standin.references["Ingresso libero <script>alert('x')</script> &amp; visite guidate."] = {
        "en": "Free admission <script>alert('x')</script> &amp; guided tours.",
        "zh_CN": "免费入场<script>alert('x')</script> &amp; 导览参观。"}
    standin.references["Mostra <script>alert(1)</script>"] = {     # a title left in Italian is held back too
        "en": "Exhibition <script>alert(1)</script>", "zh_CN": "展览<script>alert(1)</script>"}
    run_once(project, standin.url)
    approve_all(po(project, "en", "mostra"))
    approve_all(po(project, "zh_CN", "mostra"))
    approve_all(po(project, "zh_CN"))

    run_cli(capsys, "publish", "--project", str(project))

    for locale in ("en", "zh_CN"):
        page = (project / "public" / locale / "mostra.html").read_text(encoding="utf-8")
        tree = parse_html(page)
        assert tree.lang == locale.replace("_", "-")
        # The one script is the page's JSON-LD data (not run by browsers), the title inside it \u-escaped.
        assert page.count("<script") == 1 and '<script type="application/ld+json">{' in page
        assert "<script>" not in page and "\\u003cscript\\u003e" in page and tree.tags
        # Markdown reads the source's `&amp;` as an ampersand (CommonMark entity), shown escaped.
        ampersand = {"en": "&amp; guided", "zh_CN": "&amp; 导览"}[locale]
        assert "&lt;script&gt;" in page and ampersand in page and "&amp;amp;" not in page
        assert 'href="https://www.regione.toscana.it/-/mostra?a=1&amp;b=2"' in page
    expected = {"en": ["mostra"], "zh_CN": ["mostra", DOC]}
    for locale, docs in expected.items():
        index = parse_html((project / "public" / locale / "index.html").read_text(encoding="utf-8"))
        assert index.links == [f"{d}.html" for d in docs]          # newest first: 2024 before 2021
        feed = json.loads((project / "public" / locale / "feed.json").read_text(encoding="utf-8"))
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert [item["url"] for item in feed["items"]] == [f"{d}.html" for d in docs]
        assert all(item["content_text"] for item in feed["items"])
    assert (po(project, "en", "mostra").with_suffix(".mo")).is_file()
    assert not po(project, "en").with_suffix(".mo").exists()


def test_scorecard_matches_a_hand_computation(project):
    proj = load_project(project)
    cache = TranslationCache(proj.state_dir / "mt-cache.sqlite")
    drafts = {"uno": ("a b c d", "a b c d"),          # accepted unchanged: TER 0
              "due": ("e f g h", "e f x h"),          # one word of four substituted: TER 25
              "tre": ("i j k l", "i x y l"),          # two of four: TER 50
              "quattro": ("m n o p", "m n o p")}      # unchanged, but still a draft: not counted
    template = polib.POFile()
    catalog = polib.POFile()
    catalog.metadata = {"Language": "en", "Content-Type": "text/plain; charset=UTF-8"}
    for msgid, (machine, approved) in drafts.items():
        cache.put("libre", "it", "en", msgid, machine)
        template.append(polib.POEntry(msgid=msgid, msgstr=""))
        entry = polib.POEntry(msgid=msgid, msgstr=approved,
                              tcomment="traduco: machine draft by libre on 2026-11-01 10:00 UTC")
        if msgid == "quattro":
            entry.flags = ["fuzzy"]
        catalog.append(entry)
    pofile.write(template, proj.template_path("doc"), date_header="POT-Creation-Date")
    pofile.write(catalog, proj.catalog_path("doc", "en"))

    [score] = scorecard(proj)

    assert (score.provider, score.locale, score.entries, score.unchanged) == ("libre", "en", 3, 1)
    assert score.median_ter == 25.0 and sorted(score.ter) == [0.0, 25.0, 50.0]
    assert score.as_dict()["unchanged_share"] == round(1 / 3, 4)


@pytest.mark.parametrize("approve", [True, False])
def test_approval_gate_suspends_then_publishes_or_not(project, standin, approve):
    from prefect.client.orchestration import get_client
    from traduco.serve.approval import decide
    from traduco.serve.waiting import waiting_runs
    from test_approval import run_resumed, suspended_publication

    with open(project / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write("require_approval = true\n")
    run_once(project, standin.url)
    approve_all(po(project, "zh_CN"))
    run_id = suspended_publication(project)
    assert not (project / "public" / "zh_CN" / f"{DOC}.html").exists()
    assert run_id in [run.run_id for run in waiting_runs()]

    decide(run_id, approve=approve, note="ok for WeChat" if approve else "wait for the embargo")
    outcome = run_resumed(run_id).result()

    published = (project / "public" / "zh_CN" / f"{DOC}.html").exists()
    assert published is approve
    assert {r.status for r in outcome if r.locale == "zh_CN"} == ({"published"} if approve else {"rejected"})
    with get_client(sync_client=True) as client:
        notes = [a.data for a in client.read_artifacts() if a.key == "publish-decision"
                 and str(a.flow_run_id) == run_id]
    assert notes and ("ok for WeChat" if approve else "wait for the embargo") in notes[0]


def test_publish_with_approval_and_no_server_says_how_to_get_one(capsys, project, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with open(project / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write("require_approval = true\n")

    code, out, err = run_cli(capsys, "publish", "--project", str(project))

    assert code == 1
    assert "approvals need a Prefect server" in err and "traduco serve" in err
    assert "Traceback" not in out + err
    assert not (project / "public").exists()


def test_approve_finds_the_server_traduco_serve_recorded(project, monkeypatch):
    """`traduco approve` in another terminal needs no PREFECT_API_URL: serve left its address."""
    from traduco.errors import ConfigError
    from traduco.prefect_api.servers import api_for_command, local_server, record_server

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    proj = load_project(project)
    with local_server(proj) as url:
        record_server(proj, url)
        with api_for_command(proj, lasting=True) as used:
            assert used == url
    with pytest.raises(ConfigError, match="approvals need a Prefect server"):
        with api_for_command(proj, lasting=True):
            pass


def thirty_notes(project: Path, standin) -> None:
    """30 more documents: with the sample, 62 rows, more than a terminal screen.
    The stand-in translates them (a made-up "[zh] Nota numero ..." is Italian,
    which the untranslated check holds back)."""
    for number in range(30):
        text = f"Nota numero {number} della Regione Toscana."
        (project / "sources" / f"nota-{number:02d}.txt").write_text(text + "\n", encoding="utf-8")
        standin.references[text] = {"zh_CN": f"托斯卡纳大区第{number}号通知。",
                                    "en": f"Note number {number} from the Tuscany Region."}
    run_once(project, standin.url)


def test_status_shows_the_most_urgent_rows_and_totals_over_all(capsys, project, standin):
    thirty_notes(project, standin)
    approve_all(po(project, "zh_CN", "nota-07"))

    code, out, _ = run_cli(capsys, "status", "--project", str(project))
    _, every, _ = run_cli(capsys, "status", "--project", str(project), "--all")
    _, as_json, _ = run_cli(capsys, "status", "--project", str(project), "--json")

    report = json.loads(as_json)
    assert code == 0 and len(report["queue"]) == 62
    shown = [line for line in out.splitlines() if line.strip().split(" ")[0] in
             {row["doc_id"] for row in report["queue"]} and (" zh_CN " in line or " en " in line)
             and "draft(s)" not in line]
    assert len(shown) == 50 and "… and 12 more rows" in out
    assert "more rows" not in every and "nota-07" in every
    assert report["totals"]["zh_CN"]["approved"] == 1 and report["totals"]["zh_CN"]["units"] == 8 + 30
    assert "zh_CN in all: 1/38 approved" in out


def test_publish_lists_what_changed_first_and_counts_the_rest(capsys, project, standin):
    thirty_notes(project, standin)
    approve_all(po(project, "zh_CN", "nota-29"))

    code, out, _ = run_cli(capsys, "publish", "--project", str(project))

    assert code == 0 and (project / "public" / "zh_CN" / "nota-29.html").exists()
    rows = [line for line in out.splitlines() if line.startswith("│")]
    assert "nota-29" in rows[0] and "published" in rows[0]
    assert len(rows) == 50 and "… and 12 more rows" in out
    assert "1 published, 61 waiting." in out
    _, every, _ = run_cli(capsys, "publish", "--project", str(project), "--dry-run", "--all")
    assert len([line for line in every.splitlines() if line.startswith("│")]) == 62
    assert "1 unchanged, 61 waiting." in every


# -- withdrawing a press release, renaming its source (issue 11, item 4) --

RETRACTED = ("Il concerto di sabato al teatro comunale è annullato.\n\n"
             "I biglietti saranno rimborsati presso la biglietteria.\n")
RETRACTED_TRANSLATIONS = {
    "en": ["Saturday's concert at the municipal theatre is cancelled.",
           "Tickets will be refunded at the box office."],
    "zh_CN": ["周六在市立剧院举行的音乐会取消。", "门票将在售票处退款。"]}


def translate_and_approve(path: Path, translations: list[str]) -> None:
    """A reviewer's own translations, approved."""
    catalog = polib.pofile(str(path), wrapwidth=0)
    for entry, text in zip([e for e in catalog if not e.obsolete], translations):
        entry.msgstr, entry.flags = text, []
    catalog.save()


def retracted_and_published(project: Path, url: str):
    """The sample and a second release, both approved in both locales and published."""
    from traduco.publishing.plan import publish
    (project / "sources" / "concerto.txt").write_text(RETRACTED, encoding="utf-8")
    run_once(project, url)
    for locale in ("zh_CN", "en"):
        approve_all(po(project, locale))
        translate_and_approve(po(project, locale, "concerto"), RETRACTED_TRANSLATIONS[locale])
    publish(load_project(project))
    assert (project / "public" / "en" / "concerto.html").exists()


def test_a_removed_source_is_retired_and_its_pages_withdrawn(capsys, project, standin):
    from traduco.drafting.memory import TranslationMemory
    from traduco.publishing.plan import publish
    retracted_and_published(project, standin.url)
    approved = approve_all(po(project, "en", "concerto"))
    published_text = (project / "public" / "en" / "concerto.html").read_text(encoding="utf-8")

    (project / "sources" / "concerto.txt").unlink()
    run_once(project, standin.url)

    assert not po(project, "en", "concerto").exists()
    retired = project / "locales" / "retired" / "en" / "LC_MESSAGES" / "concerto.po"
    assert {e.msgid: e.msgstr for e in polib.pofile(str(retired)) if not e.obsolete} == approved
    _, out, _ = run_cli(capsys, "status", "--project", str(project), "--json")
    assert "concerto" not in {row["doc_id"] for row in json.loads(out)["queue"]}
    proj = load_project(project)
    paragraph = "I biglietti saranno rimborsati presso la biglietteria."
    assert TranslationMemory.for_locale(proj, "en").lookup(paragraph).msgstr == approved[paragraph]

    results = {(r.doc_id, r.locale): r.status for r in publish(proj)}

    assert results[("concerto", "en")] == results[("concerto", "zh_CN")] == "withdrawn"
    for locale in ("en", "zh_CN"):
        index = parse_html((project / "public" / locale / "index.html").read_text(encoding="utf-8"))
        assert index.links == [f"{DOC}.html"]
        feed = json.loads((project / "public" / locale / "feed.json").read_text(encoding="utf-8"))
        assert [item["id"] for item in feed["items"]] == [f"{locale}/{DOC}"]
        assert not po(project, locale, "concerto").with_suffix(".mo").exists()
    notice = (project / "public" / "en" / "concerto.html").read_text(encoding="utf-8")
    parse_html(notice)
    assert "withdrawn" in notice and approved[paragraph] in published_text and approved[paragraph] not in notice
    assert "已撤回" in (project / "public" / "zh_CN" / "concerto.html").read_text(encoding="utf-8")
    before = {str(f): f.stat().st_ino for f in (project / "public").rglob("*") if f.is_file()}
    again = {(r.doc_id, r.locale): r.status for r in publish(proj)}
    assert ("concerto", "en") not in again                       # withdrawn once, then left alone
    assert {str(f): f.stat().st_ino for f in (project / "public").rglob("*") if f.is_file()} == before

    requests = len(standin.requests)                              # the same text in a new release: no MT
    (project / ".traduco" / "mt-cache.sqlite").unlink()           # even with the MT cache gone
    (project / "sources" / "rimborsi.txt").write_text(paragraph + "\n", encoding="utf-8")
    run_once(project, standin.url)
    assert len(standin.requests) == requests
    assert "reused from memory" in (provenance.note(polib.pofile(str(po(project, "en", "rimborsi")))[0]) or "")


def test_withdrawals_go_through_the_editors_approval(project, standin):
    from traduco.serve.approval import plan_markdown
    from traduco.publishing.plan import plan_publication, publish
    retracted_and_published(project, standin.url)
    (project / "sources" / "concerto.txt").unlink()
    run_once(project, standin.url)
    proj = load_project(project)

    plan = plan_publication(proj)
    assert {(r.doc_id, r.locale) for r in plan if r.status == "withdraw"} == {("concerto", "en"), ("concerto", "zh_CN")}
    assert "Withdraw" in plan_markdown(plan) and "concerto" in plan_markdown(plan)

    without = [r for r in plan if r.status != "withdraw"]
    skipped = {(r.doc_id, r.locale): r.status for r in publish(proj, without)}
    assert skipped[("concerto", "en")] == "skipped"
    assert "concerto.html" in parse_html((project / "public" / "en" / "index.html").read_text(encoding="utf-8")).links

    done = {(r.doc_id, r.locale): r.status for r in publish(proj, plan)}
    assert done[("concerto", "en")] == "withdrawn"
    assert "concerto.html" not in parse_html((project / "public" / "en" / "index.html").read_text(encoding="utf-8")).links


def test_a_renamed_source_keeps_its_catalogs(project, standin):
    from traduco.publishing.plan import publish
    run_once(project, standin.url)
    approved = {locale: approved_pairs(po(project, locale)) for locale in ("zh_CN", "en")}
    approve_all(po(project, "en"))
    approved["en"] = approved_pairs(po(project, "en"))
    assert approved["en"] and approved["zh_CN"] == set()          # zh_CN: drafts only, they stay drafts
    drafts = {e.msgid: e.msgstr for e in entries(po(project, "zh_CN")).values()}
    publish(load_project(project))
    requests = len(standin.requests)
    (project / ".traduco" / "mt-cache.sqlite").unlink()           # MT is not paid again, cache or no cache

    (project / "sources" / f"{DOC}.txt").rename(project / "sources" / "comunicato-smart-china.txt")
    run_once(project, standin.url)

    assert len(standin.requests) == requests                      # no MT paid again
    assert approved_pairs(po(project, "en", "comunicato-smart-china")) == approved["en"]
    assert {e.msgid: e.msgstr for e in entries(po(project, "zh_CN", "comunicato-smart-china")).values()} == drafts
    assert not po(project, "en").exists()
    assert not (project / "locales" / "retired" / "en" / "LC_MESSAGES" / f"{DOC}.po").exists()
    results = {(r.doc_id, r.locale): (r.status, r.reason) for r in publish(load_project(project))}
    assert results[("comunicato-smart-china", "en")] == ("published", "new")
    assert results[(DOC, "en")][0] == "withdrawn"


def test_a_withdrawal_alone_waits_for_the_editor(project, standin):
    """Through the real flow: a plan whose only change is a withdrawal suspends like a publication."""
    from traduco.serve.approval import decide
    from test_approval import run_resumed, suspended_publication
    retracted_and_published(project, standin.url)
    with open(project / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write("require_approval = true\n")
    (project / "sources" / "concerto.txt").unlink()
    run_once(project, standin.url)
    run_id = suspended_publication(project)
    assert "concerto.html" in parse_html((project / "public" / "en" / "index.html").read_text(encoding="utf-8")).links

    decide(run_id, approve=True, note="retracted by the press office")
    outcome = {(r.doc_id, r.locale): r.status for r in run_resumed(run_id).result()}

    assert outcome[("concerto", "en")] == outcome[("concerto", "zh_CN")] == "withdrawn"
    assert "concerto.html" not in parse_html((project / "public" / "en" / "index.html").read_text(encoding="utf-8")).links


def test_a_name_clash_is_not_a_withdrawal(project, standin):
    """A second file claiming a published document's id makes the run skip both (a problem to
    fix): the document is neither retired nor withdrawn."""
    from traduco.publishing.plan import publish
    retracted_and_published(project, standin.url)
    (project / "sources" / "Concerto.md").write_text("Un altro testo.\n", encoding="utf-8")
    run_once(project, standin.url)

    assert po(project, "en", "concerto").exists()
    results = {(r.doc_id, r.locale): r.status for r in publish(load_project(project))}
    assert results[("concerto", "en")] == "unchanged"
