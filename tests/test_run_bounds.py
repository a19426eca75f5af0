"""What one input may cost a run (issue 24) and what the run's pipeline must
not change (issue 28): a huge paragraph is refused with one line, and catalogs
checked while the next texts are still in flight are the bytes a plain
sequential run writes."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import SAMPLE
from helpers import msgfmt_check, run_once
from traduco.project import files

TRADUCO = str(Path(sys.executable).parent / "traduco")


def traduco_run(project: Path, url: str) -> subprocess.CompletedProcess:
    # The timeout only guards against a hang (pysbd took more than 11 minutes on
    # this input); the assertions are on what the run says and writes.
    return subprocess.run([TRADUCO, "run", "--project", str(project), "--provider", "libre",
                           "--provider-url", url], capture_output=True, text=True, timeout=900,
                          env={**os.environ, "COLUMNS": "200"})


def test_a_megabyte_paragraph_is_refused_with_one_line_naming_its_file(project, standin):
    sentence = "La Regione Toscana ha stanziato 1.250.000 euro per il turismo il 21.09.2026. "
    paragraph = (sentence * (990_000 // len(sentence))).strip()
    (project / "sources" / "enorme.txt").write_text(paragraph + "\n", encoding="utf-8")

    run = traduco_run(project, standin.url)

    said = [line for line in (run.stdout + run.stderr).splitlines() if "enorme.txt" in line]
    assert run.returncode == 1, run.stderr[-2000:]
    assert len(said) == 1 and f"{len(paragraph):,} characters" in said[0] and "enorme.txt:1" in said[0]
    assert all(len(text) < 5_000 for text in standin.received)        # none of it went to MT
    for locale in ("zh_CN", "en"):                                     # the other document was drafted
        msgfmt_check(project / "locales" / locale / "LC_MESSAGES" / f"{SAMPLE.stem}.po")
    assert not list(project.glob("locales/*/LC_MESSAGES/enorme.po"))


def test_catalogs_written_as_their_texts_arrive_are_the_bytes_of_a_sequential_run(tmp_path, standin, monkeypatch):
    """The overlapped run (every text of the batch in flight at once, each
    catalog checked and written as soon as its own texts are in, in whatever
    order they arrive) writes exactly what a run of one document at a time does."""
    moment = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.timezone.utc)
    monkeypatch.setattr(files, "now", lambda: moment)
    standin.latency = 0.02
    written = {}
    for name, batch_size in (("one-at-a-time", 1), ("overlapped", 100)):
        folder = tmp_path / name
        (folder / "sources").mkdir(parents=True)
        (folder / "pyproject.toml").write_text(
            f'[tool.traduco]\nproject = "Test office"\nlocales = ["zh_CN", "en"]\nbatch_size = {batch_size}\n',
            encoding="utf-8")
        shutil.copy(SAMPLE, folder / "sources" / SAMPLE.name)
        for d in range(8):    # shared paragraphs too: one text, several catalogs
            (folder / "sources" / f"comunicato-{d}.txt").write_text("\n\n".join(
                [f"Comunicato {d}: la Regione ha stanziato {d}.250.000 euro il 21.09.2026.",
                 "Il dott. Rossi presenta le iniziative in Cina. Informazioni al n. 5 di via Roma.",
                 *(f"Paragrafo {p} del comunicato {d}, con il 3,5% in più." for p in range(d % 4))]) + "\n",
                encoding="utf-8")
        reports = run_once(folder, standin.url)
        assert all(r.error is None and r.failed == 0 for r in reports)
        written[name] = {str(p.relative_to(folder)): p.read_bytes()
                         for p in sorted(folder.glob("locales/*/LC_MESSAGES/*.po"))}
    assert len(written["overlapped"]) == 18
    assert written["overlapped"] == written["one-at-a-time"]
