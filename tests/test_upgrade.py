"""An upgrade keeps what earlier versions left behind working: a publish run
suspended for the editor before the package was grouped by workflow step
resumes and publishes, and a clone whose merge driver `traduco init-git`
registered under the old module name keeps merging catalogs."""

from __future__ import annotations

import io
import pickle
import subprocess
import sys
from pathlib import Path

import cloudpickle
from prefect.results import ResultRecord

from conftest import DOC
from helpers import msgfmt_check
from test_approval import en_approved_and_suspended, run_resumed

FIXTURES = Path(__file__).parent / "fixtures" / "upgrade"


def references(record: bytes) -> set[str]:
    """The module names the pickle inside a persisted result refers to."""
    import base64
    import json
    import pickletools

    found, stream = set(), io.StringIO()
    pickletools.dis(base64.b64decode(json.loads(record)["result"]), out=stream)
    for line in stream.getvalue().splitlines():
        if "SHORT_BINUNICODE" in line and "'traduco" in line:
            found.add(line.split("'")[1])
    return found


def test_the_plan_an_old_release_persisted_reads_back_as_todays_classes():
    from traduco.publishing.plan import PublishResult, Status

    record = (FIXTURES / "plan-before-restructure.json").read_bytes()
    assert references(record) == {"traduco.publishing"}          # written by the old layout, not rewritten
    plan = ResultRecord.deserialize(record).result

    assert [type(row) for row in plan] == [PublishResult] * 3
    assert [(row.doc_id, row.locale, row.status) for row in plan] == [
        ("comunicato-2026-05-12", "zh_CN", Status.PUBLISH), ("comunicato-2026-05-12", "en", Status.WITHDRAW),
        ("vecchio", "en", Status.WAITING)]
    assert plan[0].pinned() == ("a" * 64, "b" * 64)
    # today's pickle of the same plan is the old release's, byte for byte: either reads the other's
    assert ResultRecord(metadata=ResultRecord.deserialize(record).metadata, result=plan).serialize() == record


def test_a_run_suspended_before_the_upgrade_resumes_and_publishes_what_was_approved(project, standin):
    from traduco.serve.approval import decide

    run_id = en_approved_and_suspended(project, standin)
    persisted = project / ".traduco" / "results" / run_id
    assert references(persisted.read_bytes()) == {"traduco.publishing"}     # as the release before wrote it

    decide(run_id, approve=True, note="published after the upgrade")
    state = run_resumed(run_id)

    assert state.is_completed(), state.message
    page = project / "public" / "en" / f"{DOC}.html"
    assert page.exists()
    assert not (project / "public" / "zh_CN" / f"{DOC}.html").exists()     # not reviewed: not published


def test_a_plan_pickled_today_names_the_package_not_the_module():
    """So the release before this one reads it too (a rollback), and the next one
    whatever module then holds the classes."""
    from traduco.publishing.plan import PublishResult, Status

    plan = [PublishResult("doc", "en", Status.PUBLISH, "reviewed", None, "c" * 64, "d" * 64)]
    data = cloudpickle.dumps(plan)
    assert b"traduco.publishing.plan" not in data and b"traduco.publishing" in data
    assert pickle.loads(data) == plan and pickle.loads(pickle.dumps(plan)) == plan


CATALOG = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: en\\n"\n\n'
           'msgid "Firenze"\nmsgstr "{first}"\n\nmsgid "Siena"\nmsgstr "{second}"\n')


def test_the_merge_driver_registered_under_its_old_name_still_merges(tmp_path):
    """`python -m traduco.catalog_merge %O %A %B %P` is what older `traduco init-git` wrote into .git/config."""
    base, ours, theirs = (tmp_path / name for name in ("base.po", "ours.po", "theirs.po"))
    base.write_text(CATALOG.format(first="", second=""), encoding="utf-8")
    ours.write_text(CATALOG.format(first="Florence", second=""), encoding="utf-8")
    theirs.write_text(CATALOG.format(first="", second="Siena"), encoding="utf-8")

    merged = subprocess.run([sys.executable, "-m", "traduco.catalog_merge", str(base), str(ours), str(theirs),
                             "locales/en/LC_MESSAGES/doc.po"], capture_output=True, text=True, timeout=120)

    assert merged.returncode == 0, merged.stderr
    assert ours.read_text(encoding="utf-8") == CATALOG.format(first="Florence", second="Siena")
    msgfmt_check(ours)


def test_the_events_runs_emit_keep_their_names():
    """Automations `traduco serve` installed, and anyone's filters in the Prefect
    UI, match these names: moving a module never renames an event."""
    from traduco.notify.automations import EVENTS

    assert sorted(EVENTS.values()) == ["traduco.approval.waiting", "traduco.drafts.waiting", "traduco.run.failed",
                                       "traduco.work.waiting"]
    operating = (Path(__file__).parents[1] / "docs" / "operating.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in operating for name in EVENTS.values())
