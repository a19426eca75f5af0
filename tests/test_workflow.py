"""End to end on the sample press release: run → review → publish, over real HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import polib
import pytest

from conftest import DOC
from helpers import approve_all, latest_artifact, msgfmt_check, parse_html, run_cli
from standin import StandIn, load_references

LOCALES = ("zh_CN", "en")


def catalog_path(project: Path, locale: str) -> Path:
    return project / "locales" / locale / "LC_MESSAGES" / f"{DOC}.po"


def run(capsys, project: Path, url: str) -> tuple[int, str, str]:
    return run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                   "--provider-url", url)


def test_run_drafts_every_unit_as_fuzzy_with_provenance(capsys, project, standin):
    code, out, err = run(capsys, project, standin.url)

    assert code == 0, err
    assert (project / "locales" / "templates" / f"{DOC}.pot").is_file()
    references = load_references()
    for locale in LOCALES:
        path = catalog_path(project, locale)
        catalog = polib.pofile(str(path))
        entries = [e for e in catalog if not e.obsolete]
        assert len(entries) == 8
        assert catalog.metadata["Language"] == locale
        assert "nplurals=" in catalog.metadata["Plural-Forms"]
        for entry in entries:
            assert "fuzzy" in entry.flags
            assert entry.msgstr == references[entry.msgid][locale]
            assert "machine draft by libre on " in entry.tcomment
            assert entry.occurrences[0][0] == f"sources/{DOC}.txt"
        msgfmt_check(path)
    assert [e.occurrences[0][1] for e in polib.pofile(str(catalog_path(project, "en")))] == \
        ["1", "3", "5", "7", "9", "11", "13", "15"]
    assert len(standin.requests) == 16
    assert "Review queue" in out
    artifact = latest_artifact("review-queue")
    assert {(row["locale"], row["drafts"]) for row in json.loads(artifact.data)} == {("zh_CN", 8), ("en", 8)}


def test_status_shows_the_queue_without_prefect(capsys, project, standin):
    run(capsys, project, standin.url)
    approve_all(catalog_path(project, "zh_CN"))

    code, out, _ = run_cli(capsys, "status", "--project", str(project), "--json")

    assert code == 0
    rows = {row["locale"]: row for row in json.loads(out)["queue"]}
    assert rows["zh_CN"]["approved"] == 8 and rows["zh_CN"]["drafts"] == 0
    assert rows["en"]["drafts"] == 8 and rows["en"]["approved"] == 0
    assert json.loads(out)["totals"]["en"]["units"] == 8


def test_only_approved_catalogs_are_published(capsys, project, standin):
    run(capsys, project, standin.url)
    approved = approve_all(catalog_path(project, "zh_CN"))

    code, out, _ = run_cli(capsys, "publish", "--project", str(project))

    assert code == 0
    page = (project / "public" / "zh_CN" / f"{DOC}.html").read_text(encoding="utf-8")
    for translation in approved.values():
        assert translation in page
    assert '<html lang="zh-CN">' in page
    assert not (project / "public" / "en" / f"{DOC}.html").exists()
    assert not (project / "public" / "en" / "index.html").exists()      # no empty index before a first page
    assert f'href="{DOC}.html"' in (project / "public" / "zh_CN" / "index.html").read_text(encoding="utf-8")
    assert (catalog_path(project, "zh_CN").with_suffix(".mo")).is_file()
    assert not catalog_path(project, "en").with_suffix(".mo").exists()
    assert "waiting" in out and "8 drafts waiting for review" in out
    parse_html(page)


def test_rerun_with_no_change_sends_nothing_and_rewrites_nothing(capsys, project, standin):
    run(capsys, project, standin.url)
    approve_all(catalog_path(project, "zh_CN"))
    files = sorted((project / "locales").rglob("*.po*"))
    before = {path: path.read_bytes() for path in files}
    standin.requests.clear()

    code, _, err = run(capsys, project, standin.url)

    assert code == 0, err
    assert standin.requests == []
    assert {path: path.read_bytes() for path in files} == before


def test_offline_run_writes_valid_catalogs_and_says_what_failed(capsys, project):
    closed = _closed_port_url()

    code, out, err = run(capsys, project, closed)

    assert code == 3
    assert "libre cannot be reached (connection refused)" in err
    assert "next run retries" in err
    assert "Traceback" not in out + err
    for locale in LOCALES:
        catalog = polib.pofile(str(catalog_path(project, locale)))
        assert len(catalog) == 8 and all(e.msgstr == "" for e in catalog)
        msgfmt_check(catalog_path(project, locale))


def test_the_real_command_offline_prints_one_line_and_no_traceback(project):
    """The installed `traduco` executable, as a user runs it, with no MT reachable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_LOGGING")}
    result = subprocess.run(
        [sys.executable, "-c", "from traduco.cli import entry; entry()", "run",
         "--provider", "libre", "--provider-url", _closed_port_url()],
        cwd=project, capture_output=True, text=True, env=env, timeout=300)

    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "ERROR" not in result.stdout + result.stderr
    problem_lines = [line for line in result.stderr.splitlines() if line.startswith("✗")]
    assert len(problem_lines) == 1 and "libre cannot be reached" in problem_lines[0]
    assert catalog_path(project, "zh_CN").is_file()


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_one_edited_paragraph_costs_exactly_one_request_per_locale(capsys, project, standin):
    run(capsys, project, standin.url)
    source = project / "sources" / f"{DOC}.txt"
    source.write_text(source.read_text(encoding="utf-8").replace("177 mila", "180 mila"), encoding="utf-8")
    standin.requests.clear()

    code, _, err = run(capsys, project, standin.url)

    assert code == 0, err
    assert sorted(r["target"] for r in standin.requests) == ["en", "zh"]


def test_fallback_chain_and_keys_from_the_environment_never_leak(capsys, project, caplog, monkeypatch):
    libre_key, deepl_key = "libre-SECRET-4f9a1c", "deepl-SECRET-77b2e0:fx"
    monkeypatch.setenv("LIBRE_API_KEY", libre_key)
    monkeypatch.setenv("DEEPL_AUTH_KEY", deepl_key)
    with StandIn() as refusing, StandIn() as deepl:
        refusing.always = 403
        (project / "pyproject.toml").write_text(f"""[tool.traduco]
locales = ["zh_CN", "en"]
[tool.traduco.mt]
chain = ["libre", "deepl"]
[tool.traduco.mt.providers.libre]
url = "{refusing.url}"
[tool.traduco.mt.providers.deepl]
url = "{deepl.url.rstrip('/')}"
""", encoding="utf-8")

        code, out, err = run_cli(capsys, "run", "--project", str(project))

    assert code == 0, err
    assert refusing.requests and refusing.requests[0]["api_key"] == libre_key
    for locale in LOCALES:
        catalog = polib.pofile(str(catalog_path(project, locale)))
        assert all("machine draft by deepl on" in e.tcomment for e in catalog)
    assert "libre refused the key" in err
    prefect_home = Path(os.environ["PREFECT_HOME"])   # Prefect's database: run parameters and logs
    written = [p for p in [*project.rglob("*"), *prefect_home.rglob("*")]
               if p.is_file() and p.name != "pyproject.toml"]
    assert any(p.suffix == ".sqlite" for p in written)
    for path in written:
        data = path.read_bytes()
        assert libre_key.encode() not in data and deepl_key.encode() not in data, path
    for text in (out, err, caplog.text):
        assert libre_key not in text and deepl_key not in text


def _command(project: Path, url: str, **popen) -> subprocess.Popen:
    """The real `traduco run`, as a user starts it: no Prefect server configured."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return subprocess.Popen([sys.executable, "-c", "from traduco.cli import entry; entry()", "run",
                             "--provider", "libre", "--provider-url", url],
                            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **popen)


def _command_api_url(project: Path) -> str:
    first = (project / ".traduco" / "prefect-api.log").read_text(encoding="utf-8").splitlines()[0]
    return first.split(" at ")[-1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2):
            return True
    except OSError:
        return False


def test_run_records_its_flow_run_on_a_prefect_api_it_stops_at_the_end(project, standin):
    command = _command(project, standin.url)
    out, err = command.communicate(timeout=300)

    assert command.returncode == 0, err
    url = _command_api_url(project)
    assert not _answers(url)            # stopped with the command
    assert "Prefect UI" not in out      # no link to a server that is gone
    from prefect.client.orchestration import get_client
    with get_client(sync_client=True) as client:   # same database (PREFECT_HOME), another API
        runs = client.read_flow_runs()
    assert any(r.parameters.get("project_dir") == str(project) and r.state.is_completed() for r in runs)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_killed_run_takes_its_prefect_api_with_it(project, standin):
    standin.latency = 1.0               # keep the run busy drafting while it is killed
    command = _command(project, standin.url)
    deadline = time.monotonic() + 120
    while not standin.requests and time.monotonic() < deadline:
        time.sleep(0.1)
    assert standin.requests, "the run never reached the MT provider"
    url = _command_api_url(project)
    while not _answers(url) and time.monotonic() < deadline:    # asked ahead while the API starts
        time.sleep(0.1)
    assert _answers(url) and command.poll() is None

    command.kill()
    command.wait(timeout=10)

    deadline = time.monotonic() + 20
    while _answers(url) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _answers(url)
    for locale in LOCALES:              # and what the killed run left is valid
        path = catalog_path(project, locale)
        if path.exists():
            msgfmt_check(path)


def test_a_key_kept_in_a_prefect_secret_block_reaches_the_provider_and_no_file(capsys, project, standin):
    from prefect.blocks.system import Secret

    from traduco.project.loading import load_project
    from traduco.prefect_api.servers import api_for_command

    key = "libre-SECRET-block-9d3e"
    with api_for_command(load_project(project)):     # the Prefect API `traduco run` will use
        Secret(value=key).save("libre-api-key", overwrite=True)
    try:
        code, out, err = run(capsys, project, standin.url)
    finally:
        with api_for_command(load_project(project)):
            Secret(value="").save("libre-api-key", overwrite=True)

    assert code == 0, err
    assert standin.requests and {r.get("api_key") for r in standin.requests} == {key}
    for path in project.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path
    assert key not in out + err


def test_a_configured_prefect_server_that_is_down_gets_one_clear_line(capsys, project, standin, monkeypatch):
    down = _closed_port_url() + "api"
    monkeypatch.setenv("PREFECT_API_URL", down)

    code, out, err = run(capsys, project, standin.url)

    assert code == 1
    assert f"the Prefect server at {down} does not answer" in err and "unset PREFECT_API_URL" in err
    assert "Traceback" not in out + err and standin.requests == []


def test_the_commands_prefect_api_moves_to_another_port_when_its_port_is_taken(tmp_path, monkeypatch):
    from traduco.prefect_api import servers

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = iter([taken.getsockname()[1], servers.free_port()])
        monkeypatch.setattr(servers, "free_port", lambda: next(ports))
        api = servers._CommandApi(tmp_path / "prefect-api.log")
        try:
            url = api.ready()
            assert url.endswith(f":{api.port}/api") and api.port != taken.getsockname()[1]
            assert _answers(url)
        finally:
            api.stop()
