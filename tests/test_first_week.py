"""What a press office hits in its first week (issue 25): Italian on the Chinese
page, findings that quote the translation as it is, notes that stay true,
schedule settings checked at load, the terminal at 80 columns, pages and first
steps."""

from __future__ import annotations

import os
import subprocess
import sys

import polib
import pytest

from traduco.checks import ERROR, WARNING, check, risk

from conftest import DOC
from helpers import approve_all, run_cli, run_once
from test_approval_mistakes import waiting  # noqa: F401  (a publish run waiting for the editor)


def findings(source: str, target: str, locale: str, check_id: str | None = None):
    return [f for f in check(source, target, locale) if check_id in (None, f.check)]


# -- Italian on the Chinese page ---------------------------------------------------

@pytest.mark.parametrize("source", ["Gli investimenti", "Orari di apertura", "Il programma"])
def test_a_chinese_entry_left_in_italian_is_an_error_whatever_the_words(source):
    assert any(f.severity == ERROR for f in findings(source, source, "zh_CN")), source
    assert any(f.severity == ERROR for f in findings(source, f"[zh] {source}", "zh_CN")), source


def test_a_chinese_translation_without_han_characters_is_an_error_unless_the_italian_is_names_and_figures():
    [finding] = findings("Gli investimenti della Regione", "Gli investimenti Regione", "zh_CN", "untranslated")
    assert finding.severity == ERROR
    for source in ("Palazzo Vecchio", "ANCI Toscana", "2024", "www.regione.toscana.it"):
        assert [f for f in findings(source, source, "zh_CN") if f.severity == ERROR] == [], source
    assert findings("Gli investimenti", "投资", "zh_CN") == []


def test_an_english_copy_of_ordinary_italian_is_an_error_and_names_and_titles_still_pass():
    assert [f.severity for f in findings("Gli investimenti", "Gli investimenti", "en", "identical")] == [ERROR]
    for name in ("Palazzo Vecchio", "Toscana Promozione Turistica", "“Lucca legge”", "Vinitaly"):
        assert [f.severity for f in findings(name, name, "en")] in ([], [WARNING]), name


def test_the_stand_ins_chinese_echo_is_not_low_risk():
    entry = polib.POEntry(msgid="Gli investimenti", msgstr="[zh] Gli investimenti", flags=["fuzzy"],
                          tcomment="traduco: machine draft by libre on 2026-01-01T00:00:00Z")
    assert risk.assess(entry, "zh_CN", findings(entry.msgid, entry.msgstr, "zh_CN")).level == risk.HIGH
    entry = polib.POEntry(msgid="Gli investimenti", msgstr="Gli investimenti")
    assert risk.assess(entry, "zh_CN", findings(entry.msgid, entry.msgstr, "zh_CN")).level != risk.LOW


# -- the most-missed fault: a dropped final sentence -----------------------------------------

def _corpus_pairs():
    import json
    from conftest import FIXTURES
    units = json.loads((FIXTURES / "qa-corpus" / "corpus.json").read_text(encoding="utf-8"))
    return [(u["it"], u[locale], locale) for u in units for locale in ("en", "zh_CN") if u.get(locale)]


def test_a_dropped_final_sentence_is_an_error_and_the_corpus_translations_stay_clean():
    from traduco.checks.text import sentences
    pairs = _corpus_pairs()
    assert all(not [f for f in check(*pair) if f.severity == ERROR] for pair in pairs)
    missed = []
    for source, target, locale in pairs:
        spans = sentences(target, locale.split("_")[0])
        if len(spans) > 1:
            cut = target[:spans[-1][0]].strip()      # the last sentence left out, nothing else changed
            if not {f.check for f in check(source, cut, locale) if f.severity == ERROR} & {"sentences", "length"}:
                missed.append((locale, source[:50]))
    assert len(missed) <= 25, missed       # 29 of 89 on main: found then by the figures they held, if at all


def test_one_long_italian_sentence_translated_as_two_with_one_dropped_is_an_error():
    source = ("Le azioni sono portate avanti in collaborazione con Ctrip, leader del settore viaggi nel grande "
              "paese asiatico, con l’applicazione di messaggistica Wechat popolarissima tra i cinesi e con la tv "
              "di Stato Cctv, che ha dedicato alla regione un lungo servizio nel telegiornale della sera")
    assert [f.severity for f in findings(source, "The actions are carried out together with Ctrip.", "en",
                                         "length")] == [ERROR]


# -- untranslated: whole sentences of the translation, each once -----------------------

FIGURES = ("La Regione Toscana ha stanziato 1.250.000 euro per il turismo. Il 40% dei visitatori "
           "extraeuropei arriva dalla Cina, con il primo volo il 21 settembre 2024.")


@pytest.mark.parametrize("target", [f"[en] {FIGURES}", FIGURES])
def test_untranslated_quotes_each_sentence_of_the_translation_once_as_it_is(target):
    found = findings(FIGURES, target, "en", "untranslated")
    quoted = [f.message.split("“", 1)[1].rsplit("”", 1)[0] for f in found]
    assert quoted and all(q in target for q in quoted), quoted     # the translation as it is
    assert len(quoted) == len(set(quoted)) and not any(a in b for a in quoted for b in quoted if a != b)
    assert " ".join(quoted) == target                             # whole sentences, none left out


# -- settings that passed status and crashed serve -------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ('translate = "every hour"\n', "[tool.traduco.schedule] translate = \"every hour\": not a cron expression"),
    ('publish = "0 7 * * * * * *"\n', "[tool.traduco.schedule] publish"),
    ('timezone = "Europe/Roma"\n', "[tool.traduco.schedule] timezone = \"Europe/Roma\": unknown time zone "
                                   "(did you mean 'Europe/Rome'?)"),
])
@pytest.mark.parametrize("command", ["status", "check"])
def test_a_wrong_schedule_is_one_line_and_exit_2_when_the_project_loads(project, capsys, text, expected, command):
    with (project / "pyproject.toml").open("a", encoding="utf-8") as settings:
        settings.write("\n[tool.traduco.schedule]\n" + text)
    code, out, err = run_cli(capsys, command, "--project", str(project))
    assert code == 2 and err.count("\n") == 1 and expected in err, err


# -- the terminal ---------------------------------------------------------------------------------

def test_version_is_printed(capsys):
    from traduco import __version__
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and out.strip() == f"traduco {__version__}"


def traduco(*args: str, columns: int | None = None, cwd=None) -> subprocess.CompletedProcess:
    """The command as a person runs it, in its own process."""
    env = {**os.environ, **({"COLUMNS": str(columns)} if columns else {})}
    return subprocess.run([sys.executable, "-c", "from traduco.cli import entry; entry()", *args],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_check_reads_at_80_columns(project, standin):
    run_once(project, standin.url)
    path = project / "locales" / "zh_CN" / "LC_MESSAGES" / f"{DOC}.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    entry = next(e for e in catalog if e.msgstr and len(e.msgid) > 100)
    entry.msgstr = entry.msgid          # Italian left on the Chinese page
    catalog.save()
    done = traduco("check", "--project", str(project), columns=80)
    lines = done.stdout.splitlines()
    assert done.returncode == 1 and all(len(line) <= 80 for line in lines), done.stdout
    message = next(i for i, line in enumerate(lines) if "Italian left untranslated" in line
                   or "unchanged" in line)
    assert f"{DOC}.txt:" in lines[message - 1]                   # file:line above it
    words = [len(line.split()) for line in lines[message:message + 2]]
    assert min(words) >= 5, lines[message:message + 2]          # a line of prose, not a word per line


# -- notes in the file stay true ------------------------------------------------------------

def _po(project, locale: str):
    return project / "locales" / locale / "LC_MESSAGES" / f"{DOC}.po"


@pytest.mark.parametrize("command", ["check", "status", "publish"])
def test_once_a_translator_fixes_every_entry_the_notes_say_so_and_nothing_else_changes(project, capsys, command):
    from standin import StandIn
    with StandIn(references={}) as echo:       # every draft comes back as "[zh] Italian": an error each
        run_once(project, echo.url)
    path = _po(project, "zh_CN")
    assert "#. check error [untranslated]" in path.read_text(encoding="utf-8")
    catalog = polib.pofile(str(path), wrapwidth=0)
    for entry in catalog:        # the translator fixes each one in Poedit, which keeps the notes
        if entry.msgstr:
            entry.msgstr = "这是译文。"
    catalog.save()
    approve_all(path)
    fixed = path.read_bytes()

    code, out, err = run_cli(capsys, command, "--project", str(project))

    after = path.read_bytes()
    assert b"[untranslated]" not in after and b"Italian left untranslated" not in after, command
    assert after != fixed
    assert _without_notes(after) == _without_notes(fixed)          # every other byte as it was
    assert polib.pofile(after.decode()).percent_translated() == 100


def _without_notes(data: bytes) -> list[bytes]:
    return [line for line in data.split(b"\n") if not line.startswith((b"#. check ", b"#. risk: "))]


# -- pages and first steps -----------------------------------------------------------------

def test_first_pages_the_index_is_the_projects_and_no_empty_chinese_index(project, standin):
    from traduco.project.loading import load_project
    from traduco.publishing.plan import publish
    run_once(project, standin.url)
    approve_all(_po(project, "en"))

    results = publish(load_project(project))

    assert {(r.locale, r.status) for r in results} == {("en", "published"), ("zh_CN", "waiting")}
    index = (project / "public" / "en" / "index.html").read_text(encoding="utf-8")
    assert "<title>Test office</title>" in index and "<h1>Test office</h1>" in index
    assert not (project / "public" / "zh_CN" / "index.html").exists()
    assert not (project / "public" / "zh_CN" / "feed.json").exists()
    page = (project / "public" / "en" / f"{DOC}.html").read_text(encoding="utf-8")
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert page.split("<article>", 1)[1].count(title) == 1          # the first sentence once, not twice


def test_a_text_whose_first_paragraph_is_a_title_line_shows_it_once_as_the_heading():
    from traduco.publishing.pages import page_from_catalog, render_page
    catalog = polib.POFile()
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for line, (italian, english) in enumerate([("Gli investimenti della Regione", "Investments of the Region"),
                                               ("La Regione investe. Molto.", "The Region invests. A lot.")]):
        catalog.append(polib.POEntry(msgid=italian, msgstr=english, occurrences=[("a.txt", str(1 + 2 * line))]))
    page = page_from_catalog("a", catalog)
    html = render_page(page, "en")
    assert page.title == "Investments of the Region" and page.paragraphs == ("The Region invests. A lot.",)
    assert html.count("Investments of the Region") >= 2 and "<h1>Investments of the Region</h1>" in html
    assert html.split("<article>", 1)[1].count("Investments of the Region") == 1


def test_without_a_sources_folder_status_and_run_say_the_same_and_exit_alike(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text("[tool.traduco]\n", encoding="utf-8")
    status = run_cli(capsys, "status", "--project", str(tmp_path))
    run = run_cli(capsys, "run", "--project", str(tmp_path), "--no-sync", "--provider", "libre",
                  "--provider-url", "http://127.0.0.1:9/")
    said = "sources: the sources folder does not exist"
    assert status[0] == run[0] == 1 and said in status[2] and said in run[2]


def test_the_words_column_counts_the_italian_of_units_whose_catalog_is_not_made_yet(project, standin):
    from traduco.project.loading import load_project
    from traduco.review.queue import queue_row
    run_once(project, standin.url)
    _po(project, "zh_CN").unlink()                      # a new locale, or a catalog not written yet
    row = queue_row(load_project(project), DOC, "zh_CN")
    assert row.untranslated == row.units > 0 and row.words_waiting > row.units


def test_the_readmes_offline_demo_pastes_as_written(project):
    """The README's demo block, run verbatim by a shell in a copy of this repository's project."""
    import re
    import shutil
    from conftest import REPO
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    [demo] = [block for block in re.findall(r"```sh\n(.*?)```", readme, re.S) if "tests/standin.py" in block]
    shutil.copytree(REPO / "tests", project / "tests", ignore=shutil.ignore_patterns("__pycache__", "test_*"))
    shutil.copy(REPO / "pyproject.toml", project / "pyproject.toml")
    shutil.copy(REPO / "glossary.csv", project / "glossary.csv")
    bin_dir = os.path.dirname(sys.executable)        # where `python` and `traduco` are, as after `activate`
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}

    done = subprocess.run(["bash", "-e", "-c", demo], cwd=project, env=env, capture_output=True, text=True,
                          timeout=600)

    assert done.returncode == 0, done.stdout + done.stderr
    catalog = polib.pofile(str(_po(project, "zh_CN")), wrapwidth=0)
    assert catalog.percent_translated() == 0 and all(e.msgstr and "[zh]" not in e.msgstr for e in catalog)
    assert "0 failed" in done.stdout


# -- Ctrl-C ------------------------------------------------------------------------------------

def test_progress_never_counts_a_text_that_was_not_drafted(project, standin):
    from traduco.drafting.progress import Listener, listening
    standin.always = 400             # every request refused: nothing is drafted
    counted = {"more": 0, "advance": 0}

    def progress(locale, more=0, advance=0):
        counted["more"] += more
        counted["advance"] += advance
    with listening(Listener(progress=progress)):
        run_once(project, standin.url)
    assert counted["more"] > 0 and counted["advance"] == 0


def test_a_ctrl_c_while_the_command_loads_says_nothing_was_saved():
    """Ctrl-C during the first seconds, while typer, rich and the library load."""
    code = ("import sys\n"
            "class Stop:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'traduco.cli':\n"
            "            raise KeyboardInterrupt\n"
            "sys.meta_path.insert(0, Stop())\n"
            "from traduco.__main__ import entry\n"
            "entry()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 130 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "Stopped while starting: nothing was done, nothing was saved."


# -- the approve prompt -------------------------------------------------------------------------

def test_the_plan_shows_the_silencing_hint_whole_and_no_web_form_instructions():
    import io

    from rich.console import Console
    from rich.markdown import Markdown

    from traduco.serve.approval import plan_markdown
    from traduco.publishing.plan import PublishResult, Status
    plan = [PublishResult(DOC, "en", Status.PUBLISH, "new", catalog_sha256="0" * 64),
            PublishResult(DOC, "zh_CN", Status.WAITING, "1 check error: numbers (a.txt:3); fix them, or silence "
                                                         "one with a comment 'ignore-check: <id>' on that entry")]
    terminal = Console(file=io.StringIO(), width=200, record=True)
    terminal.print(Markdown(plan_markdown(plan)))
    shown = terminal.export_text()
    assert "'ignore-check: <id>'" in shown and "Set approve" not in shown and DOC in shown


def test_approve_says_when_nothing_would_be_published_and_asks_nothing(waiting, capsys):
    project, run_id = waiting
    for locale in ("zh_CN", "en"):        # translators save both catalogs again while the run waits
        catalog = polib.pofile(str(_po(project, locale)), wrapwidth=0)
        catalog[1].msgstr += " (rev.)"
        catalog.save()

    code, out, err = run_cli(capsys, "approve", run_id, "--project", str(project))

    assert code == 1 and "nothing to publish" in err, out + err
    assert "Publish exactly this?" not in out and "Decide: traduco approve" not in out and "Set approve" not in out
