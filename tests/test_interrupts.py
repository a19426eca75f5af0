"""Stopping a run: `traduco run` in a subprocess against the stand-in over real
HTTP, interrupted by SIGINT (once, twice) or killed with SIGKILL and run again."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import polib
import pytest

from helpers import msgfmt_check, run_once

TRADUCO = str(Path(sys.executable).parent / "traduco")
DOCS, PARAGRAPHS = 6, 8


def corpus(project: Path, documents: int = DOCS, paragraphs: int = PARAGRAPHS) -> None:
    for d in range(documents):
        text = [f"Comunicato {d}, paragrafo {p}: la Regione Toscana presenta le sue iniziative in Cina."
                for p in range(paragraphs)]
        (project / "sources" / f"comunicato-{d}.txt").write_text("\n\n".join(text) + "\n", encoding="utf-8")


def start_run(project: Path, url: str) -> subprocess.Popen:
    return subprocess.Popen([TRADUCO, "run", "--project", str(project), "--provider", "libre",
                             "--provider-url", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def wait_for_requests(standin, count: int, run: subprocess.Popen, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while len(standin.requests) < count:
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "the run never sent its requests"
        time.sleep(0.05)


def catalogs_of(project: Path) -> list[Path]:
    return sorted((project / "locales").glob("*/LC_MESSAGES/*.po"))


def saved_drafts(project: Path) -> list[Path]:
    """The catalogs an interrupted run wrote: some, each valid, with fuzzy drafts."""
    written = catalogs_of(project)
    assert written, "the catalogs whose texts were in are written"
    for path in written:
        msgfmt_check(path)
        drafts = [e for e in polib.pofile(str(path), wrapwidth=0) if e.msgstr]
        assert drafts and all("fuzzy" in e.flags for e in drafts)
    return written


@pytest.fixture
def big_project(project):
    corpus(project)
    return project


def test_first_sigint_stops_sending_saves_what_is_in_and_exits_130(big_project, standin):
    standin.latency = 1.0
    run = start_run(big_project, standin.url)
    wait_for_requests(standin, 24, run)       # the first document's texts, in both locales

    run.send_signal(signal.SIGINT)
    signalled = time.time()
    out, err = run.communicate(timeout=60)
    sent_at_signal = sum(1 for t in standin.arrivals if t <= signalled + 0.2)

    assert run.returncode == 130, err
    assert len(standin.requests) == sent_at_signal < 2 * DOCS * PARAGRAPHS   # nothing sent after it
    lines = [line for line in err.splitlines() if line.startswith("Interrupted:")]
    assert len(lines) == 1 and " saved (" in lines[0] and "wait for the next run" in lines[0]
    assert len(saved_drafts(big_project)) < 2 * (DOCS + 1)       # the rest wait


def test_a_second_sigint_exits_at_once_and_every_file_stays_whole(big_project, standin):
    standin.latency = 3.0
    run = start_run(big_project, standin.url)
    wait_for_requests(standin, 6, run)

    run.send_signal(signal.SIGINT)
    time.sleep(0.3)
    run.send_signal(signal.SIGINT)
    second = time.monotonic()
    out, err = run.communicate(timeout=60)

    assert run.returncode == 130
    assert time.monotonic() - second < 10        # no waiting for the 3 s answers, let alone more work
    assert "Stopped at once" in err
    for path in catalogs_of(big_project):
        msgfmt_check(path)


def test_after_sigkill_the_next_run_does_not_stall_nor_buy_a_text_twice(big_project, standin):
    standin.latency = 0.5
    run = start_run(big_project, standin.url)
    wait_for_requests(standin, 20, run)
    run.kill()
    run.wait()
    killed_at = len(standin.requests)
    with sqlite3.connect(big_project / ".traduco" / "mt-cache.sqlite") as db:
        paid = {(text, target) for text, target in db.execute("SELECT text, target FROM translations")}
        claimed = db.execute("SELECT count(*) FROM mt_claims").fetchone()[0]
    assert paid and claimed, "killed while it held claims, after some answers were in"

    standin.latency = 0.0
    started = time.monotonic()
    run_once(big_project, standin.url)
    took = time.monotonic() - started

    again = [(r["q"], r["target"]) for r in standin.requests[killed_at:]]
    assert not set(again) & paid                  # nothing that was answered is bought again
    assert len(again) == len(set(again))
    assert took < 30                              # the dead run's claims would hold it 60 s
    for path in catalogs_of(big_project):
        msgfmt_check(path)
        assert all(e.msgstr for e in polib.pofile(str(path), wrapwidth=0) if not e.obsolete)
