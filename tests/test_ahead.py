"""Asking ahead (`traduco.drafting.ahead`): the first batch's texts asked for
while Prefect starts, then handed to the run, which buys none of them twice and
writes the catalogs a run without it writes; never where the first batch cannot
be foreseen, never before the settings are accepted on this machine."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import time
from pathlib import Path

import pytest

from traduco.drafting import ahead as asking
from traduco.drafting.runs import EXIT_OK, translate_project
from traduco.project import files
from traduco.project.loading import load_project

from helpers import msgfmt_check, run_cli, run_once
from standin import StandIn
from test_interrupts import catalogs_of, corpus, start_run, wait_for_requests

DOCUMENTS, PARAGRAPHS = 6, 10


@pytest.fixture(autouse=True)
def key_in_environment(monkeypatch):
    """Asked ahead only with the keys the run uses: those in the environment."""
    monkeypatch.setenv("LIBRE_API_KEY", "libre-key-0123")


def _project(folder: Path, url: str) -> Path:
    (folder / "sources").mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        '[tool.traduco]\nproject = "Press office"\nlocales = ["zh_CN", "en"]\n'
        f'[tool.traduco.mt]\nchain = ["libre"]\n[tool.traduco.mt.providers.libre]\nurl = "{url}"\n'
        'requests_per_second = 1000\nconnections = 4\n', encoding="utf-8")
    for d in range(DOCUMENTS):
        paragraphs = [f"Comunicato {d}, paragrafo {p}: il 12 marzo {2020 + p} il museo apre alle 10.30 "
                      f"con {100 + d * 7 + p} posti." for p in range(PARAGRAPHS)]
        (folder / "sources" / f"comunicato-{d}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return folder


def _catalogs(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted((folder / "locales").rglob("*.po*"))}


def test_texts_asked_ahead_are_bought_once_and_the_run_writes_what_a_run_without_writes(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "now", lambda: dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.timezone.utc))
    with StandIn(latency=0.1) as plain_server, StandIn(latency=0.1) as ahead_server:
        plain = _project(tmp_path / "plain", plain_server.url)
        summary = translate_project(load_project(plain))
        ahead = _project(tmp_path / "ahead", ahead_server.url)
        with asking.asking_ahead(load_project(ahead), alone=True) as started:
            while len(ahead_server.requests) < 8:      # the run begins while the first answers arrive
                time.sleep(0.01)
            taken_over = translate_project(load_project(ahead))

    texts = 2 * DOCUMENTS * PARAGRAPHS
    assert started is not None and started.problem is None
    assert 0 < started.asked < texts      # the run took over half-way
    assert summary.exit_code == taken_over.exit_code == EXIT_OK
    assert taken_over.drafted == summary.drafted == texts
    asked = [(r["q"], r["target"]) for r in ahead_server.requests]
    assert {r["api_key"] for r in ahead_server.requests} == {"libre-key-0123"}
    assert len(asked) == len(set(asked)) == len(plain_server.requests) == texts    # none twice
    usage = taken_over.usage
    assert sum(row["requests"] for row in usage) == texts and sum(row["cache_hits"] for row in usage) == 0
    assert _catalogs(ahead) == _catalogs(plain) and len(_catalogs(ahead)) == 3 * DOCUMENTS


def test_nothing_is_asked_ahead_with_a_key_the_run_may_find_elsewhere(tmp_path, standin, monkeypatch):
    monkeypatch.delenv("LIBRE_API_KEY")      # optional, and perhaps in a Prefect Secret block
    with asking.asking_ahead(load_project(_project(tmp_path / "p", standin.url)), alone=True) as started:
        assert started is None
    assert standin.requests == []


def test_a_run_for_other_settings_does_not_take_what_was_asked_ahead(tmp_path, standin):
    project = _project(tmp_path / "p", standin.url)
    with asking.asking_ahead(load_project(project), alone=True) as started:
        assert asking.taken(load_project(project, locales=["en"])) is None
    assert started.engine.stopping and asking.taken(load_project(project)) is None


def test_nothing_is_asked_ahead_where_the_first_batch_cannot_be_foreseen(tmp_path, standin):
    def worth(extra: str = "", prepare=None) -> bool:
        folder = tmp_path / f"p{len(list(tmp_path.iterdir()))}"
        _project(folder, standin.url)
        with open(folder / "pyproject.toml", "a", encoding="utf-8") as settings:
            settings.write(extra)
        if prepare:
            prepare(folder)
        return asking.worth_asking(load_project(folder))

    def retired(folder: Path) -> None:      # a removed source's catalogs, which a renamed one may take back
        run_once(folder, standin.url)
        (folder / "sources" / "comunicato-0.txt").rename(folder / "comunicato-0.txt")
        run_once(folder, standin.url)
        (folder / "comunicato-0.txt").rename(folder / "sources" / "comunicato-renamed.txt")

    def vanished(folder: Path) -> None:
        run_once(folder, standin.url)
        (folder / "sources" / "comunicato-0.txt").unlink()

    def held(folder: Path) -> None:
        lock = files.exclusive(load_project(folder).run_lock_path, "the project", wait=0)
        lock.__enter__()
        held.lock = lock

    assert worth()
    assert not worth('[tool.traduco.git]\nremote = "origin"\n')
    assert not worth('[tool.traduco.web]\nfeeds = ["http://127.0.0.1:9/feed"]\n')
    assert not worth(prepare=retired)
    assert not worth(prepare=vanished)
    assert not worth(prepare=held)
    held.lock.__exit__(None, None, None)
    assert not worth(prepare=lambda folder: (folder / "pyproject.toml").write_text(
        (folder / "pyproject.toml").read_text(encoding="utf-8").replace('chain = ["libre"]', 'chain = ["openai"]')
        .replace("[tool.traduco.mt.providers.libre]", "[tool.traduco.mt.providers.openai]\nmodel = \"qwen-plus\""),
        encoding="utf-8"))
    assert not worth(prepare=lambda folder: (folder / "pyproject.toml").write_text(
        (folder / "pyproject.toml").read_text(encoding="utf-8").replace(
            'locales = ["zh_CN", "en"]\n', 'locales = ["zh_CN", "en"]\ntask_runner = "dask"\n'), encoding="utf-8"))


def test_nothing_is_asked_ahead_of_settings_accepted_on_this_machine(tmp_path, capsys):
    with StandIn() as accepted, StandIn() as pushed:
        project = _project(tmp_path / "p", accepted.url)
        code, _, err = run_cli(capsys, "run", "--project", str(project))
        assert code == 0, err
        settings = project / "pyproject.toml"
        settings.write_text(settings.read_text(encoding="utf-8").replace(accepted.url, pushed.url), encoding="utf-8")
        (project / "sources" / "comunicato-new.txt").write_text("Un comunicato nuovo.\n", encoding="utf-8")
        code, _, err = run_cli(capsys, "run", "--project", str(project))

    assert code == 2 and "traduco trust-settings" in err
    assert pushed.requests == []


@pytest.mark.slow
def test_ctrl_c_while_asking_ahead_writes_what_is_in_and_the_next_run_buys_nothing_twice(tmp_path, standin):
    # Prefect's API takes seconds to start: the first answers arrive long before it is up.
    standin.latency = 1.0
    project = english_corpus(tmp_path / "p", 4, paragraphs=8)
    run = start_run(project, standin.url)
    wait_for_requests(standin, 8, run)         # the first document's texts (4 connections, 1 s each)
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=120)
    first = [r["q"] for r in standin.requests]

    assert run.returncode == 130, err
    assert "Stopping: nothing more is sent" in err and "Interrupted:" in err
    # Every catalog whose texts were all answered (those in flight within the grace) is written.
    answered = {f"comunicato-{d}" for d in range(4) if all(text in first for text in _paragraphs(project, d))}
    assert "comunicato-0" in answered and answered == {path.stem for path in catalogs_of(project)}
    for path in catalogs_of(project):
        msgfmt_check(path)
    standin.latency = 0.0
    again = subprocess.run(start_run(project, standin.url).args, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    second = [r["q"] for r in standin.requests[len(first):]]
    assert len(first) == len(set(first)) and not set(second) & set(first)   # nothing bought twice
    assert len(second) == len(set(second)) == 4 * 8 - len(first)


def english_corpus(project: Path, documents: int, paragraphs: int) -> Path:
    """A project translated into English alone, its settings from the command line (`start_run`)."""
    (project / "sources").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[tool.traduco]\nlocales = ["en"]\n', encoding="utf-8")
    corpus(project, documents, paragraphs=paragraphs)
    return project


def _paragraphs(project: Path, d: int) -> list[str]:
    return (project / "sources" / f"comunicato-{d}.txt").read_text(encoding="utf-8").strip().split("\n\n")
