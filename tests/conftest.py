"""Shared fixtures: a throwaway project folder and the stand-in MT server.

Prefect gets its own home in a temporary folder, so tests never touch the
developer's ~/.prefect, and its terminal chatter is off.

The tests run on two worker processes (pytest-xdist, `-n 2` in pyproject.toml;
`pytest -n 0` for one). Each worker imports this file for itself, so each has
its own PREFECT_HOME and its own ephemeral Prefect server (the session fixture
below); everything else a test starts takes a free port (`port 0`,
`serving.free_port()`) and a folder of its own (`tmp_path`). A test must never
assume it is alone on the machine: no fixed ports, no shared folders, no
process-wide state outside its worker.

A test that needs a real Prefect server (`prefect server start`, as `traduco
serve` runs it) starts one for its own project with
`traduco.prefect_api.servers.local_server(load_project(project))` and passes the project as
`password=` to `test_prefect_server.api`. There is deliberately no session-wide
real server: what a run leaves on one (global concurrency limits named from the
provider's URL and key, which a later stand-in may get again as its port is
reused; deployments with cron schedules; work pools) would reach the next test.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

_PREFECT_HOME = tempfile.mkdtemp(prefix="traduco-tests-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
# A loaded 2-core machine can take longer than Prefect's default 20 s to start its server.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.pop("PREFECT_API_URL", None)

sys.path.insert(0, str(Path(__file__).parent))
from standin import StandIn  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
SAMPLE = FIXTURES / "toscana-smart-china.txt"   # not sources/: a user may edit the demo
DOC = "toscana-smart-china"


def pytest_sessionfinish(session, exitstatus):
    # Prefect's own ephemeral server (tests that call flows directly) stops at
    # exit; stop it here too, so an interrupted session leaves nothing running.
    server_module = sys.modules.get("prefect.server.api.server")
    if server_module is not None:
        for server in list(server_module.SubprocessASGIServer._instances.values()):
            server.stop()
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def prefect_ephemeral_server():
    """Prefect's ephemeral server for tests that call flows or its client
    directly, started once here: when several threads first need it at once (a
    flow in a thread, its events worker, a test polling the API) Prefect starts
    one each and stops only one of them at exit."""
    from prefect.server.api.server import SubprocessASGIServer
    server = SubprocessASGIServer()
    server.start()
    yield
    server.stop()


@pytest.fixture
def standin():
    with StandIn() as server:
        yield server


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project like this repository's: pyproject with [tool.traduco] and the sample source."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.traduco]\nproject = "Test office"\nlocales = ["zh_CN", "en"]\n', encoding="utf-8")
    (tmp_path / "sources").mkdir()
    shutil.copy(SAMPLE, tmp_path / "sources" / SAMPLE.name)
    return tmp_path
