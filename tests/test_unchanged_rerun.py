"""`nothing_to_do`: whether a run would change nothing, from the ledger alone
(an unchanged rerun can say so without starting Prefect). True only after a
complete run and until anything a run looks at changes."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

from traduco.drafting.runs import EXIT_OK, translate_project
from traduco.drafting.unchanged import nothing_to_do
from traduco.project.loading import load_project

from conftest import DOC


def _run(project, url):
    loaded = load_project(project, provider="libre", provider_url=url)
    summary = translate_project(loaded)
    return loaded, summary


def test_nothing_to_do_only_after_a_complete_run_and_until_something_changes(project, standin):
    loaded = load_project(project, provider="libre", provider_url=standin.url)
    assert not nothing_to_do(loaded)                       # never run: everything to do

    loaded, summary = _run(project, standin.url)
    assert summary.exit_code == EXIT_OK and summary.drafted > 0
    assert nothing_to_do(loaded)
    sent = len(standin.requests)
    _, again = _run(project, standin.url)
    assert (again.drafted, again.written, len(standin.requests)) == (0, 0, sent)   # indeed nothing
    assert nothing_to_do(loaded)

    catalog = project / "locales" / "en" / "LC_MESSAGES" / f"{DOC}.po"
    saved = catalog.read_bytes()
    catalog.write_bytes(saved.replace(b"#, fuzzy\n", b"", 1))        # a reviewer approved one in Poedit
    assert not nothing_to_do(loaded)
    catalog.write_bytes(saved)
    assert nothing_to_do(loaded)

    source = project / "sources" / f"{DOC}.txt"
    text = source.read_text(encoding="utf-8")
    source.write_text(text + "\nUn paragrafo nuovo.\n", encoding="utf-8")
    assert not nothing_to_do(loaded)                       # the source changed
    source.write_text(text, encoding="utf-8")
    assert nothing_to_do(loaded)

    (project / "sources" / "secondo.txt").write_text("Un secondo comunicato.\n", encoding="utf-8")
    assert not nothing_to_do(loaded)                       # a new source
    (project / "sources" / "secondo.txt").unlink()
    assert nothing_to_do(loaded)

    (project / "glossary.csv").write_text("source,zh_CN,en,note\nRegione,大区,Region,\n", encoding="utf-8")
    assert not nothing_to_do(load_project(project, provider="libre", provider_url=standin.url))


def test_work_waiting_for_mt_a_vanished_source_or_a_pull_is_something_to_do(project, standin):
    standin.always = 400             # every request refused: nothing is drafted
    loaded, summary = _run(project, standin.url)
    assert summary.failed_units > 0
    assert not nothing_to_do(loaded)                       # units wait for MT: the next run retries them
    standin.always = None
    loaded, _ = _run(project, standin.url)
    assert nothing_to_do(loaded)

    with_git = load_project(project, provider="libre", provider_url=standin.url)
    assert not nothing_to_do(replace(with_git, git={"remote": "origin"}))   # a pull may bring work
    assert nothing_to_do(with_git, sync=False)

    (project / "sources" / f"{DOC}.txt").unlink()
    assert not nothing_to_do(loaded)                       # its catalogs are to be retired


def test_asking_loads_neither_prefect_nor_a_language_model(project, standin):
    _run(project, standin.url)
    probe = ("import sys\nfrom traduco.project.loading import load_project\n"
             "from traduco.drafting.unchanged import nothing_to_do\n"
             f"print(nothing_to_do(load_project({str(project)!r}, provider='libre', provider_url={standin.url!r})))\n"
             "print(sorted(m for m in ('prefect', 'lingua', 'sentencex', 'opencc', 'deep_translator')"
             " if m in sys.modules))\n")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert shown.split("\n")[:2] == ["True", "[]"]


def test_an_unchanged_rerun_says_so_without_asking_or_starting_prefect(project, standin, capsys):
    from helpers import run_cli

    args = ("run", "--project", str(project), "--provider", "libre", "--provider-url", standin.url, "--no-sync")
    first = run_cli(capsys, *args)
    sent, catalogs = len(standin.requests), {p: p.read_bytes() for p in project.glob("locales/**/*.po")}
    code, out, err = run_cli(capsys, *args)

    assert first[0] == EXIT_OK and code == EXIT_OK, err
    assert "nothing changed since the last run, nothing sent to MT" in out and "Prefect UI" not in out
    assert len(standin.requests) == sent and {p: p.read_bytes() for p in catalogs} == catalogs


def test_while_another_run_holds_the_project_the_rerun_takes_the_full_path(project, standin):
    from traduco.cli.workflow import _nothing_changed
    from traduco.project import files

    loaded, _ = _run(project, standin.url)
    assert nothing_to_do(loaded, sync=False)
    with files.exclusive(loaded.run_lock_path, "the project", wait=0):      # a scheduled run is working
        assert _nothing_changed(loaded, sync=False) is False
    assert _nothing_changed(loaded, sync=False) is True


def test_a_missing_key_is_said_by_the_full_run_even_when_nothing_changed(project, standin, capsys, monkeypatch):
    from helpers import run_cli

    monkeypatch.setenv("DEEPL_AUTH_KEY", "abc:fx")
    loaded = load_project(project, provider="deepl", provider_url=standin.url)
    assert translate_project(loaded).exit_code == EXIT_OK and nothing_to_do(loaded)
    monkeypatch.delenv("DEEPL_AUTH_KEY")
    code, out, err = run_cli(capsys, "run", "--project", str(project), "--provider", "deepl",
                             "--provider-url", standin.url, "--no-sync")
    assert code == 2 and "the deepl provider needs DEEPL_AUTH_KEY" in err and "nothing changed" not in out


def test_drafts_that_became_late_are_told_even_when_nothing_changed(project, standin, capsys):
    """Time passing is something to tell: the rerun takes the full path, which tells reviewers once."""
    import http.server
    import threading
    import time

    from helpers import run_cli

    posts = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            posts.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with (project / "pyproject.toml").open("a", encoding="utf-8") as settings:
            settings.write(f'\n[tool.traduco.web]\nallow_hosts = ["127.0.0.1"]\n\n[tool.traduco.notify]\n'
                           f'webhook = "http://127.0.0.1:{server.server_port}/hook"\ndrafts_waiting_hours = 0.0001\n')
        loaded = load_project(project, provider="libre", provider_url=standin.url)
        assert translate_project(loaded).exit_code == EXIT_OK and nothing_to_do(loaded, sync=False)
        time.sleep(1)                 # the drafts are now older than drafts_waiting_hours (0.36 s)
        args = ("run", "--project", str(project), "--provider", "libre", "--provider-url", standin.url, "--no-sync")
        code, out, err = run_cli(capsys, *args)
        assert code == EXIT_OK and "nothing changed" not in out, err
        assert sum(b'"event": "drafts"' in post for post in posts) == 2          # zh_CN and en, once each
        code, out, _ = run_cli(capsys, *args)                                 # told already: nothing to do
        assert code == EXIT_OK and "nothing changed" in out and len(posts) == 2
    finally:
        server.shutdown()


def test_a_damaged_ledger_is_named_with_what_to_do(project, standin, capsys):
    from helpers import run_cli

    _run(project, standin.url)
    ledger = project / ".traduco" / "ledger.sqlite"
    for part in ledger.parent.glob("ledger.sqlite*"):       # the file, its WAL and shared memory
        part.unlink()
    ledger.write_bytes(b"not a database at all, something else in its place" * 100)
    code, out, err = run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                             "--provider-url", standin.url, "--no-sync")
    assert code == 1 and f"{ledger}: not a database traduco can read" in err and f"mv {ledger}" in err, err
    assert "unexpected error" not in err
