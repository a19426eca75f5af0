"""What one input may cost a run (issue 24) and what the run's pipeline must
not change (issue 28): a huge paragraph is refused with one line, and catalogs
checked while the next texts are still in flight are the bytes a plain
sequential run writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import SAMPLE
from helpers import msgfmt_check

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
