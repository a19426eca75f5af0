"""On a real Prefect server: a provider's rate limit shared by two runs at once
(Prefect's global concurrency limits), and a flow run cancelled through the
API (what the UI's Cancel does) stopping as Ctrl-C does. Slow (a server, a
worker, flow-run processes), so marked."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from traduco.mt.shared_limits import SALT, project_salt
from traduco.prefect_api.servers import auth_string, local_server
from traduco.project.loading import load_project
from traduco.project.private import write_private

from test_interrupts import TRADUCO, corpus, saved_drafts
from test_prefect_server import _wait_for_final_state, api, process_pool

pytestmark = pytest.mark.slow
RATE = 3          # requests per second the provider allows, for every run together


def configure(project: Path, url: str, rate: float) -> None:
    (project / "pyproject.toml").write_text(
        f'[tool.traduco]\nlocales = ["zh_CN", "en"]\n[tool.traduco.mt]\nchain = ["libre"]\n'
        f'[tool.traduco.mt.providers.libre]\nurl = "{url}"\nrequests_per_second = {rate}\n', encoding="utf-8")


def a_project(root: Path, name: str, url: str, documents: int) -> Path:
    project = root / name
    (project / "sources").mkdir(parents=True)
    configure(project, url, RATE)
    corpus(project, documents, paragraphs=4)
    return project


def test_two_runs_at_once_keep_together_to_the_providers_rate_limit(tmp_path, standin):
    key = "libre-key-SECRET-0123456789"
    first, second = (a_project(tmp_path, name, standin.url, documents=3) for name in ("first", "second"))
    # Two projects share a key's limits when they hold the same salt (each makes its own otherwise).
    write_private(second / ".traduco" / SALT, project_salt(first / ".traduco"))
    with local_server(load_project(first)) as url:
        env = {**os.environ, "PREFECT_API_URL": url, "PREFECT_API_AUTH_STRING": auth_string(load_project(first)),
               "LIBRE_API_KEY": key}
        runs = [subprocess.Popen([TRADUCO, "run", "--project", str(project)], env=env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE) for project in (first, second)]
        outcomes = [(run.wait(timeout=600), run.stderr.read()) for run in runs]
        limits = api(url, "/v2/concurrency_limits/filter", password=first)

    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert not [err for _, err in outcomes if "not shared" in err], outcomes
    arrivals = sorted(standin.arrivals)
    assert len(arrivals) == 2 * 3 * 4 * 2                   # every text once, in both runs
    # Alone, each run keeps to RATE; together, without a shared limit, they would
    # send 2 x RATE. A request may reach the stand-in a while after its grant (a
    # busy machine): the bounds allow a second of that, no more.
    span = arrivals[-1] - arrivals[0]
    assert len(arrivals) - 1 <= RATE * (span + 1), [round(t - arrivals[0], 2) for t in arrivals]
    window = 4
    busiest = max(sum(1 for t in arrivals if start <= t < start + window) for start in arrivals)
    assert busiest <= RATE * (window + 1) < 2 * RATE * window, [round(t - arrivals[0], 2) for t in arrivals]
    names = sorted(limit["name"] for limit in limits)
    assert len(names) == 2 and all(name.startswith("traduco-mt-libre-") for name in names)
    assert key not in str(limits) and standin.url not in str(limits)


def test_a_flow_run_cancelled_from_the_ui_stops_sending_and_saves_what_is_in(project, standin):
    # Prefect tells the run's process over a WebSocket, or by polling every 10 s
    # when the socket is not up yet (a busy machine): the run is paced so that
    # sending everything would take well over that.
    standin.latency = 1.0
    corpus(project, 6, paragraphs=8)
    configure(project, standin.url, 4)
    with local_server(load_project(project)) as url, process_pool(project, url) as deployment:
        run = api(url, f"/deployments/{deployment['id']}/create_flow_run", {}, password=project)
        deadline = time.monotonic() + 300
        while len(standin.requests) < 24:
            assert time.monotonic() < deadline, "the run never sent its requests"
            time.sleep(0.1)
        cancelled_at = time.time()
        api(url, f"/flow_runs/{run['id']}/set_state", {"state": {"type": "CANCELLING"}, "force": True},
            password=project)
        state = _wait_for_final_state(url, run["id"], password=project)
        sent = len(standin.requests)
        time.sleep(2)

    assert state["type"] == "CANCELLED", state
    late = [round(t - cancelled_at, 2) for t in standin.arrivals if t > cancelled_at]
    assert sent == len(standin.requests) < 2 * 6 * 8, late   # stopped sending; the rest waits
    saved_drafts(project)
