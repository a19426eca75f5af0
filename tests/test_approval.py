"""Approval that survives a weekend, on the real Prefect server `traduco serve` starts:
`traduco publish` suspends its run and exits; the server restarts; `traduco approve`
lists, shows and decides; serve's runner publishes exactly what was approved."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import polib
import pytest

from conftest import DOC
from helpers import approve_all, run_once
from test_prefect_server import _wait_for_deployments, _wait_for_final_state

CLI = [sys.executable, "-c", "from traduco.cli import entry; entry()"]


def po(project: Path, locale: str) -> Path:
    return project / "locales" / locale / "LC_MESSAGES" / f"{DOC}.po"


def traduco(project: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING")}
    return subprocess.run([*CLI, *args], cwd=project, env=env, input=stdin, capture_output=True, text=True,
                          timeout=600)


class Serve:
    """`traduco serve` in its own process (its Prefect server a child of it)."""

    def __init__(self, project: Path):
        env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING")}
        env["PREFECT_RUNNER_POLL_FREQUENCY"] = "2"     # resumed runs are picked up sooner
        self.process = subprocess.Popen([*CLI, "serve", "--port", "0"], cwd=project, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)
        line = self.process.stdout.readline()
        assert "Prefect UI" in line, line + self.process.stderr.read()
        self.url = line.split()[-1] + "/api"
        _wait_for_deployments(self.url, project)

    def line_with(self, *texts: str, seconds: float = 300) -> str:
        """serve's next line holding all `texts` (a guard against a hang, not a timing assertion)."""
        found: list[str] = []

        def read():
            for line in self.process.stdout:
                if all(text in line for text in texts):
                    found.append(line)
                    return
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(seconds)
        assert found, f"serve never said {texts!r}"
        return found[0]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=60) == 0


def decision_notes(url: str, project: Path, run_id: str) -> list[str]:
    return [data for key, data in recorded(url, project, run_id) if key == "publish-decision"]


def recorded(url: str, project: Path, run_id: str) -> list[tuple[str, str]]:
    """The run's artifacts (key, data) and log lines ("log", message), as the Prefect UI shows them."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    from traduco.project.loading import load_project
    from traduco.prefect_api.servers import auth_string

    with temporary_settings(updates={PREFECT_API_URL: url,
                                     PREFECT_API_AUTH_STRING: auth_string(load_project(project))}), \
            get_client(sync_client=True) as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
        return [(a.key, str(a.data)) for a in client.read_artifacts() if str(a.flow_run_id) == run_id] \
            + [("log", log.message) for log in logs]


def waiting_run_id(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if "waits for approval" in line)
    return line.split()[2]


@pytest.mark.slow
def test_a_suspended_publication_survives_a_server_restart_and_publishes_exactly_what_was_approved(
        project, standin):
    from test_notify import TOKEN, Receiver, with_webhook

    with open(project / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write("require_approval = true\n")
    receiver = Receiver()
    with_webhook(project, receiver.url)
    run_once(project, standin.url)
    approve_all(po(project, "zh_CN"))
    approve_all(po(project, "en"))
    page = {locale: project / "public" / locale / f"{DOC}.html" for locale in ("zh_CN", "en")}

    serve = Serve(project)
    try:
        waiting = traduco(project, "publish")           # returns: its run waits on the server, not in it
        run_id = waiting_run_id(waiting)
        told = {body["locale"]: body["text"] for _, body in receiver.received if body["event"] == "approval"}
        assert set(told) == {"zh_CN", "en"} and f"traduco approve {run_id}" in told["zh_CN"], told
        assert f"publish {DOC}" in told["en"] and f"/runs/flow-run/{run_id}" in told["en"]
        assert not [item for item in recorded(serve.url, project, run_id) if TOKEN in item[1]]
        assert TOKEN not in waiting.stdout + waiting.stderr
        assert f"traduco approve {run_id}" in waiting.stdout
        assert f"/runs/flow-run/{run_id}" in waiting.stdout                     # its link in the UI
        assert "Publish these translations?" in waiting.stdout and f"{DOC}** (zh_CN)" not in waiting.stdout
        assert f"{DOC} (zh_CN): new" in waiting.stdout and f"{DOC} (en): new" in waiting.stdout
        assert not page["zh_CN"].exists() and not page["en"].exists()
    finally:
        serve.stop()

    # Over the weekend: the server goes down and comes back; a translator edits the zh_CN catalog.
    catalog = polib.pofile(str(po(project, "zh_CN")), wrapwidth=0)
    catalog[1].msgstr += "（修订）"
    catalog.save()
    serve = Serve(project)
    try:
        listed = traduco(project, "approve")
        assert listed.returncode == 0 and run_id in listed.stdout and "1 publish run(s) wait" in listed.stdout

        answered = traduco(project, "approve", run_id, "--note", "ok for WeChat", "--by", "Giulia Rossi",
                           stdin="y\n")
        assert answered.returncode == 0, answered.stdout + answered.stderr
        assert "Publish exactly this?" in answered.stdout
        assert f"{DOC} (zh_CN) changed after the plan was made" in answered.stdout   # named to the editor
        assert page["en"].exists() and not page["zh_CN"].exists()
        assert decision_notes(serve.url, project, run_id) == ["**approved** by Giulia Rossi: ok for WeChat"]

        # The changed catalog is in the next plan; this one the editor rejects.
        again = traduco(project, "publish")
        second = waiting_run_id(again)
        assert f"{DOC} (zh_CN): new" in again.stdout and f"{DOC} (en)" not in again.stdout
        refused = traduco(project, "approve", second, "--reject", "--note", "wait for the embargo")
        assert refused.returncode == 0, refused.stdout + refused.stderr
        assert _wait_for_final_state(serve.url, second, project)["type"] == "COMPLETED"
        assert not page["zh_CN"].exists()
        assert decision_notes(serve.url, project, second) == [
            f"**rejected** by {os.environ.get('USER') or __import__('getpass').getuser()}: wait for the embargo"]
        assert "0 publish run(s) wait" in traduco(project, "approve").stdout

        # A run serve's runner starts (a schedule, the UI's "Run") suspends the same way; serve says so.
        from test_prefect_server import api
        deployment = next(d["id"] for d in api(serve.url, "/deployments/filter", password=project)
                          if d["name"] == "traduco-publish")
        scheduled = api(serve.url, f"/deployments/{deployment}/create_flow_run", {"parameters": {}},
                        password=project)["id"]
        serve.line_with("traduco-publish: Suspended (waiting for approval: traduco approve)",
                        f"/runs/flow-run/{scheduled}")
        assert scheduled in traduco(project, "approve").stdout
    finally:
        serve.stop()
        receiver.__exit__()


# -- the same suspension on Prefect's ephemeral server, the runner's part played in this process --

def suspended_publication(project: Path) -> str:
    """What `traduco publish` does: a run of the project's publish deployment, run here until it suspends."""
    from flows.publish import publish
    from flows.translate import translate
    from traduco.serve.approval import start_publication
    from traduco.project.loading import load_project
    from traduco.serve.deployments import deployments

    next(d for d in deployments(load_project(project), translate, publish) if d.name == "traduco-publish").apply()
    run_id, state = start_publication(load_project(project), publish)
    assert state is None, state
    return run_id


def en_approved_and_suspended(project: Path, standin) -> str:
    """A project that requires approval, its en catalog reviewed, its publish run suspended: the run's id."""
    with open(project / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write("require_approval = true\n")
    run_once(project, standin.url)
    approve_all(po(project, "en"))
    return suspended_publication(project)


def run_resumed(run_id: str):
    """What serve's runner does once the editor has decided: run the flow run again (here, in this process)."""
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow

    from flows.publish import publish
    from traduco.serve.deployments import serving_project

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(run_id)
    assert run.state.is_scheduled(), run.state
    with serving_project(run.parameters["project_dir"]):      # serve's runner serves the run's project
        return run_flow(publish, flow_run=run, return_type="state")


def test_a_decision_without_its_persisted_plan_publishes_nothing(project, standin):
    """The editor approved the plan they saw; if that plan cannot be read back, a new one is not published."""
    import shutil

    from traduco.serve.approval import decide

    run_id = en_approved_and_suspended(project, standin)
    assert list((project / ".traduco" / "results").iterdir())
    shutil.rmtree(project / ".traduco" / "results")

    decide(run_id, approve=True, note="ok")
    state = run_resumed(run_id)

    assert state.is_failed() and "the plan this run's decision is about is gone" in state.message
    assert not (project / "public" / "en" / f"{DOC}.html").exists()
