"""Asking ahead (`traduco.drafting.ahead`) tried as a demanding user would:
what changes in the seconds while Prefect starts, and what the run then
writes, buys and counts."""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import time
from pathlib import Path

import polib
import pytest

from traduco.drafting import ahead as asking
from traduco.drafting.runs import EXIT_OK, translate_project
from traduco.project import files
from traduco.project.loading import load_project

from helpers import approve_all, msgfmt_check
from standin import StandIn
from test_ahead import _catalogs, _project, english_corpus
from test_interrupts import start_run, wait_for_requests

GLOSSARY = "it,en,zh_CN,note\nmuseo,Gallery of Arts,艺术馆,the house name\n"


@pytest.fixture(autouse=True)
def key_in_environment(monkeypatch):
    monkeypatch.setenv("LIBRE_API_KEY", "libre-key-0123")
    monkeypatch.setattr(files, "now", lambda: dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.timezone.utc))


def _asked_ahead_then_run(folder: Path, server: StandIn, meanwhile) -> object:
    """A run that takes over what was asked ahead, with `meanwhile` done to the
    project in the seconds between (while Prefect starts)."""
    with asking.asking_ahead(load_project(folder), alone=True):
        while len(server.requests) < 8:
            time.sleep(0.01)
        meanwhile(folder)
        return translate_project(load_project(folder))


def test_a_glossary_edited_while_prefect_starts_is_the_one_the_run_drafts_with(tmp_path):
    with StandIn(latency=0.1) as plain_server, StandIn(latency=0.1) as ahead_server:
        plain = _project(tmp_path / "plain", plain_server.url)
        (plain / "glossary.csv").write_text(GLOSSARY, encoding="utf-8")
        summary = translate_project(load_project(plain))
        ahead = _project(tmp_path / "ahead", ahead_server.url)
        taken_over = _asked_ahead_then_run(
            ahead, ahead_server, lambda folder: (folder / "glossary.csv").write_text(GLOSSARY, encoding="utf-8"))

    assert summary.exit_code == taken_over.exit_code == EXIT_OK
    assert "Gallery of Arts" in (plain / "locales" / "en" / "LC_MESSAGES" / "comunicato-0.po").read_text("utf-8")
    assert _catalogs(ahead) == _catalogs(plain)


def _edit(folder: Path) -> None:
    (folder / "sources" / "comunicato-0.txt").write_text("Un comunicato riscritto.\n\nCon due paragrafi.\n",
                                                         encoding="utf-8")


def _delete_one(folder: Path) -> None:
    (folder / "sources" / "comunicato-0.txt").unlink()


def _delete_all(folder: Path) -> None:
    for path in (folder / "sources").iterdir():
        path.unlink()


@pytest.mark.parametrize("meanwhile", [_edit, _delete_one, _delete_all])
def test_sources_changed_while_prefect_starts_give_the_catalogs_and_counts_of_a_run_without(tmp_path, meanwhile):
    # Answers take a while: the run begins with requests asked ahead still in flight.
    with StandIn(latency=0.1) as plain_server, StandIn(latency=0.5) as ahead_server:
        plain = _project(tmp_path / "plain", plain_server.url)
        meanwhile(plain)
        translate_project(load_project(plain))
        ahead = _project(tmp_path / "ahead", ahead_server.url)
        taken_over = _asked_ahead_then_run(ahead, ahead_server, meanwhile)
        time.sleep(1.0)     # anything still in flight from asking ahead has arrived

    assert _catalogs(ahead) == _catalogs(plain)
    asked = [(r["q"], r["target"]) for r in ahead_server.requests]
    assert len(asked) == len(set(asked))
    # Every request made is in the run's usage table, those asked ahead for texts the run no longer has too.
    assert sum(row["requests"] for row in taken_over.usage) == len(asked)


@pytest.mark.parametrize("fault", [500, 429, "garbage"])
def test_a_provider_failing_while_asked_ahead_leaves_what_a_run_without_leaves(tmp_path, fault):
    def down(server: StandIn) -> StandIn:
        server.always, server.retry_after = fault, 0
        return server

    with down(StandIn()) as plain_server, down(StandIn()) as ahead_server:
        plain = _project(tmp_path / "plain", plain_server.url)
        summary = translate_project(load_project(plain))
        ahead = _project(tmp_path / "ahead", ahead_server.url)
        with asking.asking_ahead(load_project(ahead), alone=True) as started:
            started._done.wait(60)
            taken_over = translate_project(load_project(ahead))

    assert summary.exit_code == taken_over.exit_code != EXIT_OK
    assert taken_over.problem_lines() == summary.problem_lines()
    # Which texts meet the provider's breaker first depends on the order answers come
    # in, not on asking ahead: the same catalogs, each whole, every unit waiting.
    assert _catalogs(ahead).keys() == _catalogs(plain).keys()
    for path in (ahead / "locales").rglob("*.po"):
        msgfmt_check(path)
        assert all(not entry.msgstr for entry in polib.pofile(str(path)))
    failures = [sum(row["failures"] for row in run.usage) for run in (summary, taken_over)]
    assert failures[0] == failures[1] == 2 * 6 * 10


def _chained(folder: Path, chain: list[str], libre: StandIn, deepl: StandIn) -> Path:
    _project(folder, libre.url)
    settings = folder / "pyproject.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('chain = ["libre"]', f"chain = {chain}".replace("'", '"'))
                        + f'[tool.traduco.mt.providers.deepl]\nurl = "{deepl.url.rstrip("/")}"\n', encoding="utf-8")
    return folder


@pytest.mark.parametrize("chain", [["deepl"], ["libre", "deepl"]])
def test_a_provider_taking_lists_is_asked_ahead_as_the_run_would_ask_it(tmp_path, monkeypatch, chain):
    """Full requests of up to 50 texts, 4 at a time, not one request of 8 texts after
    another (slower than the run, and more requests); also where DeepL stands in
    for a provider that is down."""
    monkeypatch.setenv("DEEPL_AUTH_KEY", "deepl-key-4567:fx")
    with StandIn() as libre_plain, StandIn(latency=0.1) as deepl_plain, \
            StandIn() as libre_ahead, StandIn(latency=0.1) as deepl_ahead:
        libre_plain.always = libre_ahead.always = 500
        plain = _chained(tmp_path / "plain", chain, libre_plain, deepl_plain)
        summary = translate_project(load_project(plain))
        ahead = _chained(tmp_path / "ahead", chain, libre_ahead, deepl_ahead)
        with asking.asking_ahead(load_project(ahead), alone=True) as started:
            started._done.wait(60)
            taken_over = translate_project(load_project(ahead))

    assert summary.exit_code == taken_over.exit_code
    assert _catalogs(ahead) == _catalogs(plain)
    assert sorted(deepl_ahead.received) == sorted(deepl_plain.received) and len(deepl_plain.received) == 2 * 6 * 10
    deepl = [[row for row in run.usage if row["provider"] == "deepl"] for run in (summary, taken_over)]
    if chain == ["deepl"]:
        assert deepl[1] == deepl[0] and sum(row["requests"] for row in deepl[0]) == 4     # 60 texts a locale
    else:       # the texts libre failed come to DeepL as libre's requests did: counted as made
        assert [row["translated"] for row in deepl[1]] == [row["translated"] for row in deepl[0]] == [60, 60]


def test_translation_memory_and_translators_work_are_what_a_run_without_finds(tmp_path):
    """A second run: approved units are reused from memory (nothing bought for
    them), a translator's own work is kept, and only new texts are asked."""
    with StandIn() as first:
        base = _project(tmp_path / "base", first.url)
        translate_project(load_project(base))
        approved = approve_all(base / "locales" / "zh_CN" / "LC_MESSAGES" / "comunicato-0.po")
        again = (base / "sources" / "comunicato-0.txt").read_text(encoding="utf-8")
        (base / "sources" / "comunicato-new.txt").write_text(again + "\nUn paragrafo nuovo.\n", encoding="utf-8")
    with StandIn(latency=0.1) as plain_server, StandIn(latency=0.1) as ahead_server:
        runs = {}
        for name, server in (("plain", plain_server), ("ahead", ahead_server)):
            folder = shutil.copytree(base, tmp_path / name, symlinks=True)
            settings = folder / "pyproject.toml"
            settings.write_text(settings.read_text(encoding="utf-8").replace(first.url, server.url), encoding="utf-8")
        runs["plain"] = translate_project(load_project(tmp_path / "plain"))
        with asking.asking_ahead(load_project(tmp_path / "ahead"), alone=True) as started:
            started._done.wait(60)
            runs["ahead"] = translate_project(load_project(tmp_path / "ahead"))

    assert started.asked > 0
    assert _catalogs(tmp_path / "ahead") == _catalogs(tmp_path / "plain")
    assert sorted(ahead_server.received) == sorted(plain_server.received)
    assert runs["ahead"].usage == runs["plain"].usage
    kept = polib.pofile(str(tmp_path / "ahead" / "locales" / "zh_CN" / "LC_MESSAGES" / "comunicato-0.po"))
    assert {e.msgid: e.msgstr for e in kept if e.msgstr and "fuzzy" not in e.flags} == approved


def test_a_rerun_after_a_run_that_asked_ahead_takes_the_fast_path(tmp_path):
    from traduco.drafting.unchanged import nothing_to_do

    with StandIn(latency=0.1) as server:
        folder = _project(tmp_path / "p", server.url)
        (folder / "glossary.csv").write_text(GLOSSARY, encoding="utf-8")
        summary = _asked_ahead_then_run(folder, server, lambda folder: None)
    assert summary.exit_code == EXIT_OK and nothing_to_do(load_project(folder))


@pytest.mark.slow
def test_ctrl_c_while_asking_ahead_stops_a_run_that_would_wait_for_another(tmp_path, standin):
    """Two runs started at once: the other took the project while this one asked
    ahead. Ctrl-C stops this one (the other drafts those texts, from the cache),
    as it did before asking ahead, instead of waiting up to an hour for the lock."""
    standin.latency = 1.0
    project = english_corpus(tmp_path / "p", 2, paragraphs=4)
    run = start_run(project, standin.url)
    try:
        wait_for_requests(standin, 1, run)
        with files.exclusive(load_project(project).run_lock_path, "the project", wait=0):    # the other run
            time.sleep(0.5)
            run.send_signal(signal.SIGINT)
            out, err = run.communicate(timeout=90)
    finally:
        run.kill()
    assert run.returncode == 130, err
    assert "Traceback" not in err and "Stopping: nothing more is sent" in err
