"""On a real Prefect server: `traduco serve` schedules and stops cleanly, and the
translate flow runs on a process work pool from prefect.yaml. Slow (a server,
a worker, a flow-run process), so marked; it runs in .ci/run all the same."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
import json
from pathlib import Path

import polib
import pytest

from traduco.config import load_project
from traduco.serving import local_server, stop

from conftest import DOC, REPO

pytestmark = pytest.mark.slow


def prefect(args: list[str], env: dict, cwd: Path = REPO) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "prefect", *args], env=env, cwd=cwd,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def api(url: str, path: str, body: dict | None = None) -> object:
    request = urllib.request.Request(f"{url}{path}", data=json.dumps(body or {}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_translate_flow_runs_on_a_process_work_pool_deployed_from_prefect_yaml(project, standin):
    with local_server(load_project(project)) as url:
        env = {**os.environ, "PREFECT_API_URL": url, "TRADUCO_CHECKOUT": str(REPO),
               "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        env.pop("PREFECT_HOME", None)
        env["PREFECT_HOME"] = str(project / ".traduco" / "prefect-client")
        prefect(["work-pool", "create", "traduco", "--type", "process"], env)
        prefect(["--no-prompt", "deploy", "--all"], env)
        worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool", "traduco"],
                                  env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        try:
            deployment = next(d for d in api(url, "/deployments/filter") if d["name"] == "traduco-translate")
            assert deployment["schedules"][0]["schedule"]["cron"] == "0 * * * *"
            run = api(url, f"/deployments/{deployment['id']}/create_flow_run", {"parameters": {
                "project_dir": str(project), "provider": "libre", "provider_url": standin.url}})
            state = _wait_for_final_state(url, run["id"])
        finally:
            stop(worker)

    assert state == "COMPLETED"
    for locale in ("zh_CN", "en"):
        catalog = polib.pofile(str(project / "locales" / locale / "LC_MESSAGES" / f"{DOC}.po"))
        assert len(catalog) == 8 and all(e.msgstr and "fuzzy" in e.flags for e in catalog)
    assert len(standin.requests) == 16


def test_serve_schedules_both_flows_and_stops_cleanly_on_sigterm(project, standin):
    (project / "pyproject.toml").write_text('[tool.traduco]\n[tool.traduco.schedule]\n'
                                           'translate = "*/30 * * * *"\npublish = "0 6 * * *"\n')
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    serve = subprocess.Popen([sys.executable, "-c", "from traduco.cli import entry; entry()", "serve",
                              "--port", "0"], cwd=project, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        line = serve.stdout.readline()
        assert "Prefect UI" in line, line + serve.stderr.read()
        url = line.split()[-1] + "/api"
        names = _wait_for_deployments(url)
        schedules = {d["name"]: d["schedules"][0]["schedule"]["cron"] for d in api(url, "/deployments/filter")}
        assert schedules == {"traduco-translate": "*/30 * * * *", "traduco-publish": "0 6 * * *"}
        limits = {d["name"]: d["global_concurrency_limit"]["limit"] for d in api(url, "/deployments/filter")}
        assert limits == {"traduco-translate": 1, "traduco-publish": 1} and names

        # A run by hand while serve runs is recorded on serve's server, next to the scheduled ones.
        manual = subprocess.run([sys.executable, "-c", "from traduco.cli import entry; entry()", "run",
                                 "--provider", "libre", "--provider-url", standin.url],
                                cwd=project, env=env, capture_output=True, text=True, timeout=300)
        assert manual.returncode == 0, manual.stderr
        runs = [r for r in api(url, "/flow_runs/filter") if r["deployment_id"] is None]
        assert [(r["parameters"]["project_dir"], r["state"]["type"]) for r in runs] == [(str(project), "COMPLETED")]
        assert f"This run in the Prefect UI: {url.removesuffix('/api')}/runs/flow-run/{runs[0]['id']}" \
            in manual.stdout
        assert not (project / ".traduco" / "prefect-api.log").exists()    # no API of its own
    finally:
        serve.send_signal(signal.SIGTERM)
        code = serve.wait(timeout=60)
    assert code == 0
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/health", timeout=2)     # the local server went with it
    assert not (project / ".traduco" / "prefect" / "api-url").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_killed_serve_takes_its_prefect_server_with_it(project):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    serve = subprocess.Popen([sys.executable, "-c", "from traduco.cli import entry; entry()", "serve",
                              "--port", "0"], cwd=project, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    line = serve.stdout.readline()
    assert "Prefect UI" in line, line + serve.stderr.read()
    url = line.split()[-1] + "/api"

    serve.kill()
    serve.wait(timeout=10)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/health", timeout=2)
            time.sleep(0.3)
        except OSError:
            break
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/health", timeout=2)


def _wait_for_deployments(url: str, timeout: float = 90.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        names = sorted(d["name"] for d in api(url, "/deployments/filter"))
        if len(names) == 2:
            return names
        time.sleep(0.5)
    raise AssertionError("traduco serve never registered its deployments")


def _wait_for_final_state(url: str, run_id: str, timeout: float = 240.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{url}/flow_runs/{run_id}", timeout=10) as response:
            state = json.loads(response.read())["state"]
        if state and state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return state["type"]
        time.sleep(1)
    raise AssertionError(f"flow run {run_id} did not finish in {timeout:g} s")
