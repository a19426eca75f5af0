"""On a real Prefect server: `traduco serve` schedules and stops cleanly, and the
translate flow runs on a process work pool from prefect.yaml. Slow (a server,
a worker, a flow-run process), so marked; it runs in .ci/run all the same."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
import urllib.request
import json
import shutil
import tempfile
import urllib.error
from contextlib import contextmanager
from pathlib import Path

import polib
import pytest

from traduco.prefect_api.servers import auth_string, local_server, stop
from traduco.project.loading import load_project

from conftest import DOC, REPO, SAMPLE

pytestmark = pytest.mark.slow


def prefect(args: list[str], env: dict, cwd: Path = REPO) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "prefect", *args], env=env, cwd=cwd,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def api(url: str, path: str, body: dict | None = None, password: str | Path | None = None,
        method: str = "POST") -> object:
    """Call a Prefect API; `password`: its auth string, or the project whose servers it guards."""
    if isinstance(password, Path):
        password = auth_string(load_project(password))
    headers = {"Content-Type": "application/json"}
    if password:
        headers["Authorization"] = "Basic " + base64.b64encode(password.encode()).decode()
    request = urllib.request.Request(f"{url}{path}", data=json.dumps(body or {}).encode()
                                     if method == "POST" or body is not None else None, headers=headers, method=method)
    # Prefect answers 503 when SQLite is busy (a run writing at the same moment) and expects clients to
    # retry, as its own client does; a raw client must too, or a busy CI machine fails the test.
    for attempt in range(5):
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = response.read()
                return json.loads(answer) if answer else None       # 204: PATCH, DELETE
        except urllib.error.HTTPError as error:
            if error.code != 503 or attempt == 4:
                raise
            time.sleep(1 + attempt)


@contextmanager
def process_pool(project: Path, url: str):
    """prefect.yaml deployed for `project` to a process work pool on the server
    at `url`, with a worker running; yields the translate deployment."""
    # The deployment names the project folder (here: a test's); a run may choose only locales.
    deployments = project / "prefect.yaml"
    deployments.write_text((REPO / "prefect.yaml").read_text(encoding="utf-8").replace(
        'project_dir: "."', f'project_dir: "{project}"'), encoding="utf-8")
    env = {**os.environ, "PREFECT_API_URL": url, "TRADUCO_CHECKOUT": str(REPO), "TRADUCO_PROJECT": str(project),
           "PREFECT_API_AUTH_STRING": auth_string(load_project(project)),
           "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_HOME": str(project / ".traduco" / "prefect-client")}
    prefect(["work-pool", "create", "traduco", "--type", "process"], env)
    prefect(["--no-prompt", "deploy", "--all", "--prefect-file", str(deployments)], env)
    worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool", "traduco"],
                              env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        yield next(d for d in api(url, "/deployments/filter", password=project) if d["name"] == "traduco-translate")
    finally:
        stop(worker)


def test_translate_flow_runs_on_a_process_work_pool_deployed_from_prefect_yaml(project, standin):
    (project / "pyproject.toml").write_text(
        f'[tool.traduco]\n[tool.traduco.mt]\nchain = ["libre"]\n[tool.traduco.mt.providers.libre]\n'
        f'url = "{standin.url}"\n', encoding="utf-8")
    with local_server(load_project(project)) as url, process_pool(project, url) as deployment:
        assert deployment["schedules"][0]["schedule"]["cron"] == "0 * * * *"
        run = api(url, f"/deployments/{deployment['id']}/create_flow_run",
                  {"parameters": {"locales": ["zh_CN", "en"]}}, password=project)
        state = _wait_for_final_state(url, run["id"], password=project)["type"]

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
        names = _wait_for_deployments(url, project)
        deployed = api(url, "/deployments/filter", password=project)
        schedules = {d["name"]: d["schedules"][0]["schedule"]["cron"] for d in deployed}
        assert schedules == {"traduco-translate": "*/30 * * * *", "traduco-publish": "0 6 * * *"}
        limits = {d["name"]: d["global_concurrency_limit"]["limit"] for d in deployed}
        assert limits == {"traduco-translate": 1, "traduco-publish": 1} and names

        # A run by hand while serve runs is recorded on serve's server, next to the scheduled ones.
        manual = subprocess.run([sys.executable, "-c", "from traduco.cli import entry; entry()", "run",
                                 "--provider", "libre", "--provider-url", standin.url],
                                cwd=project, env=env, capture_output=True, text=True, timeout=300)
        assert manual.returncode == 0, manual.stderr
        runs = [r for r in api(url, "/flow_runs/filter", password=project) if r["deployment_id"] is None]
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


def _wait_for_deployments(url: str, project: Path, timeout: float = 90.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        names = sorted(d["name"] for d in api(url, "/deployments/filter", password=project))
        if len(names) == 2:
            return names
        time.sleep(0.5)
    raise AssertionError("traduco serve never registered its deployments")


def _wait_for_final_state(url: str, run_id: str, password: Path, timeout: float = 240.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = api(url, f"/flow_runs/{run_id}", password=password, method="GET")["state"]
        if state and state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return state
        time.sleep(0.5)
    raise AssertionError(f"flow run {run_id} did not finish in {timeout:g} s")


# -- security: serve's server is for the project's owner (and whom they give its password) --

@pytest.fixture
def shared_project(tmp_path_factory):
    """A project other local users can reach (pytest's own temporary folders are
    0700, which would hide `.traduco/` from them whatever traduco does)."""
    root = Path(tempfile.mkdtemp(prefix="traduco-shared-", dir="/tmp"))
    os.chmod(root, 0o755)
    (root / "sources").mkdir(mode=0o755)
    (root / "sources" / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    yield root
    shutil.rmtree(root, ignore_errors=True)


def as_another_user(code: str) -> str:
    """Run Python `code` as uid nobody; its stdout."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("running as another user needs root and setpriv (the modes and the refusal "
                    "without a password are checked by the other tests all the same)")
    result = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                             "/usr/bin/python3", "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_serve_wants_its_password_refuses_foreign_parameters_and_keeps_its_files_private(
        shared_project, standin):
    from test_security import private_modes

    root = shared_project
    (root / "pyproject.toml").write_text(
        '[tool.traduco]\nlocales = ["zh_CN", "en"]\n[tool.traduco.mt]\nchain = ["libre"]\n'
        'deadline_seconds = 1\nmax_attempts = 1\nfailures_before_skipping = 1\n'
        f'[tool.traduco.mt.providers.libre]\nurl = "{_closed_port_url()}"\n', encoding="utf-8")
    os.chmod(root / "pyproject.toml", 0o644)
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING")}
    serve = subprocess.Popen([sys.executable, "-c", "from traduco.cli import entry; entry()", "serve",
                              "--port", "0"], cwd=root, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        line = serve.stdout.readline()
        assert "Prefect UI" in line, line + serve.stderr.read()
        url = line.split()[-1] + "/api"
        _wait_for_deployments(url, root)
        password = auth_string(load_project(root))

        # Without the password, or with a wrong one: nothing, not even the list of Secret blocks.
        for wrong in (None, "traduco:guess", password + "x"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                api(url, "/block_documents/filter", {"include_secrets": True}, password=wrong)
            assert refused.value.code == 401
        assert isinstance(api(url, "/block_documents/filter", {"include_secrets": True}, password=password), list)

        # A run of serve's deployments may choose locales, nothing else.
        translate = next(d["id"] for d in api(url, "/deployments/filter", password=password)
                         if d["name"] == "traduco-translate")
        create = f"/deployments/{translate}/create_flow_run"
        for foreign in ({"provider_url": standin.url}, {"provider": "libre", "provider_url": standin.url},
                        {"project_dir": "/"}):
            with pytest.raises(urllib.error.HTTPError) as refused:
                api(url, create, {"parameters": foreign}, password=password)
            assert refused.value.code == 409, foreign
        # ... even when the caller asks the server not to check: the flow refuses them itself.
        sneaky = api(url, create, {"parameters": {"provider_url": standin.url}, "enforce_parameter_schema": False},
                     password=password)
        refused = _wait_for_final_state(url, sneaky["id"], root)
        assert refused["type"] == "FAILED" and "may not set provider_url" in refused["message"], refused
        assert standin.requests == []

        # The provider is down: an expected outcome, a completed run with its work waiting, no traceback.
        run = api(url, create, {"parameters": {"locales": ["zh_CN"]}}, password=password)
        state = _wait_for_final_state(url, run["id"], root)
        assert state["type"] == "COMPLETED" and "work waiting" in state["message"] \
            and "libre cannot be reached" in state["message"], state
        waiting = [a for a in api(url, "/artifacts/filter", password=password) if a["key"] == "work-waiting"
                   and a["flow_run_id"] == run["id"]]
        assert len(waiting) == 1 and "libre cannot be reached" in waiting[0]["data"], waiting
        logs = _flow_run_logs(url, password, run["id"])
        assert not [log.message for log in logs if "Traceback" in log.message or "exception" in log.message], \
            [log.message for log in logs]

        # Everything under .traduco/ is the owner's only, Prefect's database included ...
        assert (root / ".traduco" / "prefect" / "prefect.db").is_file()
        assert private_modes(root / ".traduco") == []
        # ... which another local user finds out: no file to read, no API without the password.
        seen = as_another_user(f"""
import json, urllib.request, urllib.error
for name in ("prefect/prefect.db", "prefect/auth", "mt-cache.sqlite"):
    try:
        open("{root}/.traduco/" + name, "rb").read()
        print("read", name)
    except PermissionError:
        print("denied", name)
print(open("{root}/pyproject.toml").read().startswith("[tool.traduco]"))
request = urllib.request.Request("{url}/block_documents/filter", data=b'{{"include_secrets": true}}',
                                 headers={{"Content-Type": "application/json"}}, method="POST")
try:
    urllib.request.urlopen(request, timeout=10)
    print("api answered")
except urllib.error.HTTPError as refused:
    print("api", refused.code)
""")
        assert seen.split("\n")[:5] == ["denied prefect/prefect.db", "denied prefect/auth",
                                         "denied mt-cache.sqlite", "True", "api 401"], seen
    finally:
        serve.send_signal(signal.SIGTERM)
        code = serve.wait(timeout=60)
    assert code == 0


def _flow_run_logs(url: str, password: str, run_id: str, timeout: float = 60.0) -> list:
    """The flow run's logs, read with Prefect's client, once its last line has arrived."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    deadline = time.monotonic() + timeout
    with temporary_settings(updates={PREFECT_API_URL: url, PREFECT_API_AUTH_STRING: password}), \
            get_client(sync_client=True) as client:
        while True:
            logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
            if any("Finished in state" in log.message for log in logs) or time.monotonic() > deadline:
                return logs
            time.sleep(0.5)


def _closed_port_url() -> str:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


def test_serve_for_reviewers_on_other_computers_wants_the_password_and_says_each_run(project):
    """`--host`: the server listens on that address (here 127.0.0.2, another loopback address, since
    tests listen on loopback only), with the password; serve prints a line per run it starts and ends."""
    (project / "pyproject.toml").write_text(
        '[tool.traduco]\nlocales = ["zh_CN"]\n[tool.traduco.mt]\nchain = ["libre"]\nmax_attempts = 1\n'
        f'[tool.traduco.mt.providers.libre]\nurl = "{_closed_port_url()}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING")}
    serve = subprocess.Popen([sys.executable, "-c", "from traduco.cli import entry; entry()", "serve",
                              "--port", "0", "--host", "127.0.0.2"], cwd=project, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        first, login = serve.stdout.readline(), serve.stdout.readline()
        assert "Prefect UI" in first and "http://127.0.0.2:" in first, first + serve.stderr.read()
        assert f"log in with the password in {project / '.traduco' / 'prefect' / 'reviewer-auth'}" in login
        assert f"{project / '.traduco' / 'prefect' / 'auth'}, may do everything" in login
        assert "clear HTTP" in login
        url = first.split()[-1] + "/api"
        port = int(url.rsplit(":", 1)[1].removesuffix("/api"))
        _wait_for_deployments(url, project)
        with pytest.raises(urllib.error.HTTPError) as refused:
            api(url, "/deployments/filter")
        assert refused.value.code == 401
        with pytest.raises(OSError):                      # nothing on 127.0.0.1 at that port
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
        with urllib.request.urlopen(f"{url.removesuffix('/api')}/ui-settings", timeout=10) as response:
            assert json.loads(response.read())["api_url"] == url    # the browser's UI calls that address

        translate = next(d["id"] for d in api(url, "/deployments/filter", password=project)
                         if d["name"] == "traduco-translate")
        run = api(url, f"/deployments/{translate}/create_flow_run", {"parameters": {}}, password=project)
        lines = []
        while not any("traduco-translate: Completed" in line for line in lines):
            line = serve.stdout.readline()
            assert line, "serve ended: " + "".join(lines)
            lines.append(line)
    finally:
        serve.send_signal(signal.SIGTERM)
        code = serve.wait(timeout=60)
    assert code == 0
    link = f"/runs/flow-run/{run['id']}"
    started = [line for line in lines if "traduco-translate: Running" in line]
    ended = [line for line in lines if "traduco-translate: Completed" in line]
    assert len(started) == 1 and link in started[0], lines
    assert len(ended) == 1 and link in ended[0] and "work waiting" in ended[0], lines
