"""`.traduco/results/` holds each publish run's plan (docs/editors.md: The approval gate); a
publish run's end deletes the plans no run will read again, never the plan of a
run that still waits for the editor. On Prefect's ephemeral server, the runner's
part played in this process (as in test_approval's second test)."""

from __future__ import annotations

import os
import time
import uuid

from conftest import DOC
from helpers import approve_all, run_once
from test_approval import po, run_resumed, suspended_publication


def test_a_publish_run_prunes_ended_and_expired_plans_and_keeps_the_waiting_ones(project, standin):
    from traduco.serve.approval import PLANS_KEPT_SECONDS, decide

    with open(project / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write("require_approval = true\n")
    run_once(project, standin.url)
    approve_all(po(project, "en"))
    results = project / ".traduco" / "results"
    waiting = suspended_publication(project)         # the editor has not decided yet
    approve_all(po(project, "zh_CN"))                # a new plan (the same one would not be asked twice)
    rejected = suspended_publication(project)
    assert sorted(p.name for p in results.iterdir()) == sorted([waiting, rejected])

    decide(rejected, approve=False, note="not today")
    assert run_resumed(rejected).is_completed()
    assert [p.name for p in results.iterdir()] == [waiting]      # its own plan goes as it ends

    # What a crash would leave: the plan of a run that has ended; a plan older than any
    # wait; and a recent one of a run this server does not know (another server's): kept.
    (results / rejected).write_text("{}", encoding="utf-8")
    expired = results / str(uuid.uuid4())
    expired.write_text("{}", encoding="utf-8")
    long_ago = time.time() - PLANS_KEPT_SECONDS - 3600
    os.utime(expired, (long_ago, long_ago))
    unknown = results / str(uuid.uuid4())
    unknown.write_text("{}", encoding="utf-8")

    decide(waiting, approve=True, note="ok")
    state = run_resumed(waiting)

    assert state.is_completed(), state               # its plan was there to be read back
    assert (project / "public" / "en" / f"{DOC}.html").is_file()
    assert [p.name for p in results.iterdir()] == [unknown.name]
