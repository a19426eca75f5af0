"""Under random edits, crashes and concurrent runs, no reviewer's work is lost
and every catalog on disk stays valid gettext."""

from __future__ import annotations

import errno
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from traduco.catalogs import pofile

from conftest import DOC
from helpers import (add_hand_made_work, approved_pairs, assert_hand_made_work_kept, msgfmt_check,
                     run_cli, run_once)
from standin import load_references

PARAGRAPHS = list(load_references())
EXTRA = ["Il museo resterà aperto fino alle 22.", "La mostra chiude il 3 giugno 2024.",
         "Per informazioni scrivere all'ufficio stampa."]
LOCALES = ("zh_CN", "en")
TESTS = Path(__file__).parent
OLDER = "older translation: "    # how a folded twin's translation reads (docs/translators.md: Working in Poedit)


def write_source(project: Path, paragraphs: list[str]) -> None:
    (project / "sources" / f"{DOC}.txt").write_text(
        "date 2021-05\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def po(project: Path, locale: str) -> Path:
    return project / "locales" / locale / "LC_MESSAGES" / f"{DOC}.po"


def review_some(path: Path, rng: random.Random) -> None:
    """A reviewer approves about half of the drafts, editing some of them."""
    catalog = polib.pofile(str(path), wrapwidth=0)
    for entry in catalog:
        if entry.msgstr and "fuzzy" in entry.flags and rng.random() < 0.5:
            entry.flags.remove("fuzzy")
            if rng.random() < 0.5:
                entry.msgstr += " (rev.)"
    catalog.save()


operations = st.lists(st.tuples(st.sampled_from(["edit", "delete", "insert", "swap", "review"]),
                                st.integers(0, 30), st.integers(0, 30)),
                      min_size=20, max_size=20)


def human_work(path: Path) -> set[tuple[str, str]]:
    """Every translation a person wrote or approved: approved entries, active or
    obsolete, and translations inherited by an edited paragraph (fuzzy, source changed)."""
    return {(e.msgid, e.msgstr) for e in polib.pofile(str(path), wrapwidth=0)
            if e.msgstr and ("fuzzy" not in e.flags or pofile.fuzzy_reason(e) == pofile.SOURCE_CHANGED)}


def kept_somewhere(path: Path, msgid: str, msgstr: str) -> bool:
    """The translation is still in the catalog: under its msgid (active or #~),
    inherited by the edited paragraph (#| msgid), or as an older translation."""
    catalog = polib.pofile(str(path), wrapwidth=0)
    return any(e.msgstr == msgstr and msgid in (e.msgid, e.previous_msgid) for e in catalog) or any(
        OLDER + msgstr in (e.tcomment or "") for e in catalog)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations, st.integers(0, 2**32 - 1))
def test_approved_work_survives_twenty_runs_of_random_edits(tmp_path_factory, standin, ops, seed):
    project = tmp_path_factory.mktemp("property")
    (project / "pyproject.toml").write_text('[tool.traduco]\nlocales = ["zh_CN", "en"]\n')
    (project / "sources").mkdir()
    paragraphs = PARAGRAPHS[:4]
    write_source(project, paragraphs)
    run_once(project, standin.url)
    rng = random.Random(seed)     # each example reviews its own way

    for op, i, j in ops:
        if op == "edit":
            k = i % len(paragraphs)
            words = paragraphs[k].split()
            words[j % len(words)] = "aggiornato"
            paragraphs[k] = " ".join(words)
        elif op == "delete" and len(paragraphs) > 1:
            paragraphs.pop(i % len(paragraphs))
        elif op == "insert":
            paragraphs.insert(i % (len(paragraphs) + 1), (PARAGRAPHS + EXTRA)[j % 11])
        elif op == "swap":
            a, b = i % len(paragraphs), j % len(paragraphs)
            paragraphs[a], paragraphs[b] = paragraphs[b], paragraphs[a]
        elif op == "review":
            for locale in LOCALES:
                review_some(po(project, locale), rng)
        before = {locale: human_work(po(project, locale)) for locale in LOCALES}
        write_source(project, paragraphs)

        run_once(project, standin.url)

        for locale in LOCALES:
            still_there = {(m, s) for m, s in before[locale] if m in paragraphs}
            assert still_there <= approved_pairs(po(project, locale)) | human_work(po(project, locale)), (op, locale)
            lost = [(m, s) for m, s in before[locale] if not kept_somewhere(po(project, locale), m, s)]
            assert lost == [], (op, locale)
    for locale in LOCALES:
        msgfmt_check(po(project, locale))


DRIVER = """
import os, random, signal, sys, pathlib, tempfile, traceback
sys.path.insert(0, {tests!r})
from helpers import run_once
from traduco import checks
from traduco.drafting import batches, runs
from traduco.project import loading
checks.warm_up()      # the models, loaded once here: each run below is a fork of this process

# Die by SIGKILL at the N-th call of one step of an atomic write: just after the
# temporary file is created, just before its data is flushed, or just after the
# rename, before the folder is flushed.
def die_at_a_write(seed):
    rng = random.Random(seed)
    step, deadline = rng.choice(["mkstemp", "fsync", "replace"]), rng.randint(1, 60)
    calls = [0]
    def dying(original):
        def call(*args, **kwargs):
            result = original(*args, **kwargs) if step != "fsync" else None
            calls[0] += 1
            if calls[0] == deadline:
                os.kill(os.getpid(), signal.SIGKILL)
            return result if step != "fsync" else original(*args, **kwargs)
        return call
    if step == "mkstemp":
        tempfile.mkstemp = dying(tempfile.mkstemp)
    else:
        setattr(os, step, dying(getattr(os, step)))

def run_until_killed(project, url):
    source = project / "sources" / "extra.txt"
    n = 0
    while True:
        n += 1
        source.write_text("\\n\\n".join(f"Paragrafo {{k}} della versione {{n % 3}}." for k in range(30)))
        run_once(project, url)

# One seed a line on stdin: a run in a child process (a fork, so it need not
# import and load everything again) that dies mid-write; its exit code on stdout,
# which nothing else writes to (what the runs print goes nowhere).
project, url = pathlib.Path(sys.argv[1]), sys.argv[2]
report = os.fdopen(os.dup(1), "w")
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
for line in sys.stdin:
    child = os.fork()
    if child == 0:
        try:
            die_at_a_write(int(line))
            run_until_killed(project, url)
        except BaseException:
            traceback.print_exc()
        os._exit(1)
    print(os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]), file=report, flush=True)
"""


def killed_runs(project: Path, url: str, seeds):
    """For each seed, a run that dies by SIGKILL at some step of a write (see
    DRIVER); yields after each, once it is dead."""
    # One thread only (numpy's OpenBLAS would start another), so that forking it is safe.
    driver = subprocess.Popen([sys.executable, "-c", DRIVER.format(tests=str(TESTS)), str(project), url],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "OPENBLAS_NUM_THREADS": "1"}, start_new_session=True)
    try:
        for seed in seeds:
            driver.stdin.write(f"{seed}\n")
            driver.stdin.flush()
            # A guard against a hang, not a timing assertion: a run lasts seconds.
            ready, _, _ = select.select([driver.stdout], [], [], 120)
            assert ready, f"the run of seed {seed} never died"
            code = driver.stdout.readline()
            assert code.strip() == str(-signal.SIGKILL), code + driver.stderr.read()
            yield seed
    finally:
        os.killpg(driver.pid, signal.SIGKILL)
        driver.wait()


def test_killing_the_run_during_catalog_writes_never_leaves_a_broken_catalog(project, standin):
    (project / "sources" / "extra.txt").write_text(
        "\n\n".join(f"Paragrafo {k} della versione 0." for k in range(30)))
    run_once(project, standin.url)
    protected = [po(project, "zh_CN"), *(project / "locales").rglob("extra.po")]
    for path in protected:
        add_hand_made_work(path)
    torn = 0
    for _ in killed_runs(project, standin.url, range(15)):
        torn += bool(list((project / "locales").rglob("*.tmp")))
        for path in (project / "locales").rglob("*.po*"):
            if path.suffix in (".po", ".pot"):     # not a writer's hidden temporary file
                polib.pofile(str(path))
                msgfmt_check(path)
        for path in protected:
            assert_hand_made_work_kept(path)

    reports = run_once(project, standin.url)

    assert torn > 0                        # some kills really did land mid-write
    assert all(r.error is None for r in reports)
    assert list((project / "locales").rglob("*.tmp")) == []
    finished = list((project / "locales").rglob("extra.po"))
    assert len(finished) == 2
    assert all(e.msgstr for p in finished for e in polib.pofile(str(p)) if not e.obsolete)
    for path in protected:
        assert_hand_made_work_kept(path)


def test_two_runs_started_at_once_both_finish_without_lost_or_repeated_work(project, standin):
    run_once(project, standin.url)
    for locale in LOCALES:
        add_hand_made_work(po(project, locale))
    source = project / "sources" / f"{DOC}.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\n\nUn paragrafo in più.\n", encoding="utf-8")
    env = dict(os.environ)
    command = [sys.executable, "-c", "from traduco.cli import entry; entry()", "run",
               "--provider", "libre", "--provider-url", standin.url]
    runs = [subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    assert len(standin.requests) == 16 + 2                # each unit drafted once, not twice
    for locale in LOCALES:
        catalog = polib.pofile(str(po(project, locale)))
        active = [e for e in catalog if not e.obsolete]
        assert len(active) == 9 and all(e.msgstr for e in active)
        assert_hand_made_work_kept(po(project, locale))
        msgfmt_check(po(project, locale))


def test_threads_opening_a_new_state_database_together_never_see_it_locked(tmp_path):
    """The first run opens the MT cache from one thread per locale at once; switching
    a new SQLite file to WAL made one of them fail with "database is locked"."""
    import threading

    from traduco.project.private import Store

    failures = []
    for attempt in range(150):
        store = Store(tmp_path / f"state-{attempt}.sqlite", "CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY)")
        def open_and_read():
            try:
                store.db().execute("SELECT count(*) FROM t").fetchone()
            except Exception as exc:   # noqa: BLE001 - the failure under test
                failures.append(exc)
        threads = [threading.Thread(target=open_and_read) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []


# -- one bad document never stops the others ------------------------------------------------------

@contextmanager
def unwritable(folder: Path):
    """A folder traduco may not write in: read-only for a normal user; immutable
    (chattr +i) for root, whom permissions do not stop."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
    assert made.returncode == 0, f"cannot make {folder} immutable as root: {made.stderr}"
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def add_paragraph(project: Path) -> None:
    source = project / "sources" / f"{DOC}.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\n\nUn paragrafo in più.\n", encoding="utf-8")


def test_a_catalog_folder_that_cannot_be_written_is_reported_and_the_rest_goes_on(project, standin, capsys):
    run_once(project, standin.url)
    add_paragraph(project)
    folder = po(project, "zh_CN").parent
    before = po(project, "zh_CN").read_bytes()

    with unwritable(folder):
        code, _, err = run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                               "--provider-url", standin.url)

    assert code == 1
    assert f"{folder}: {DOC}.po cannot be written here" in err and "Nothing was lost" in err
    assert "unexpected error" not in err and "Traceback" not in err
    assert po(project, "zh_CN").read_bytes() == before
    assert "Un paragrafo in più." in po(project, "en").read_text(encoding="utf-8")   # the rest went on


@pytest.mark.parametrize("full_at", ["catalog", "template"])
def test_a_full_disk_while_writing_says_so_and_loses_nothing(project, standin, capsys, monkeypatch, full_at):
    run_once(project, standin.url)
    add_paragraph(project)
    path = po(project, "zh_CN") if full_at == "catalog" else project / "locales" / "templates" / f"{DOC}.pot"
    before = {p: p.read_bytes() for p in (path, po(project, "zh_CN"), po(project, "en"))}
    real_fsync = os.fsync

    def disk_full_there(fd):     # where a full disk shows: flushing the new file's blocks
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(path.parent / f".{path.name}.")):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)
    monkeypatch.setattr(os, "fsync", disk_full_there)

    code, _, err = run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                           "--provider-url", standin.url)

    assert code == 1
    assert f"{path.parent}: the disk is full" in err and "Nothing was lost" in err
    assert "unexpected error" not in err
    assert path.read_bytes() == before[path] and list(path.parent.glob(".*.tmp")) == []
    if full_at == "catalog":
        assert "Un paragrafo in più." in po(project, "en").read_text(encoding="utf-8")
    else:   # without its template the document waits, catalogs and all
        assert all(p.read_bytes() == data for p, data in before.items())


def test_a_full_disk_under_traduco_state_says_so_not_unexpected_error(project, standin, capsys, monkeypatch):
    from traduco.checks.ledger import Ledger

    run_once(project, standin.url)
    add_paragraph(project)

    def full(self, key, value):   # what SQLite raises when the disk is full
        raise sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(Ledger, "put", full)

    code, _, err = run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                           "--provider-url", standin.url)

    assert code == 1
    assert f"the disk holding {project / '.traduco'} is full" in err and "Nothing was lost" in err
    assert "unexpected error" not in err
    for locale in LOCALES:
        msgfmt_check(po(project, locale))
