"""Scheduled runs: the translate and publish flows served as Prefect deployments.

    with local_server(project) as api_url:   # unless PREFECT_API_URL names a server
        serve(project)                         # blocks; Ctrl-C or SIGTERM stops cleanly

Prefect's ephemeral mode cannot run schedules and has no UI, so without a
configured server traduco starts `prefect server start` (SQLite, its home in
the git-ignored `.traduco/prefect/`) as a child process, waits until it is
healthy, and stops it on exit.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from traduco.config import Project
from traduco.errors import ConfigError

SERVER_START_SECONDS = 120


@dataclass(frozen=True)
class Schedules:
    translate: str = "0 * * * *"     # drafts every hour
    publish: str = "0 7 * * *"       # publish every morning
    timezone: str = "Europe/Rome"


def schedules(project: Project) -> Schedules:
    table = project.schedule or {}
    unknown = set(table) - {"translate", "publish", "timezone"}
    if unknown:
        raise ConfigError(f"unknown setting {sorted(unknown)[0]!r} in [tool.traduco.schedule]",
                          hint="Known: translate, publish (cron expressions), timezone")
    return Schedules(**table)


@contextmanager
def local_server(project: Project, port: int | None = None):
    """Run a Prefect server for this project while the block runs; yields its API URL."""
    home = project.state_dir / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log = open(home / "server.log", "ab")
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    try:
        wait_until_healthy(url, server, home / "server.log")
        yield url
    finally:
        stop(server)
        log.close()


def wait_until_healthy(url: str, server: subprocess.Popen | None = None, log: Path | None = None,
                       seconds: float = SERVER_START_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise ConfigError(f"the Prefect server stopped at start (exit {server.returncode})",
                              path=log, hint="Read its log for the reason")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise ConfigError(f"the Prefect server at {url} did not become healthy in {seconds:g} s", path=log,
                      hint="Read its log; a busy port or a locked database are the usual causes")


def stop(process: subprocess.Popen, grace: float = 15.0) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left after `grace` seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except (ProcessLookupError, PermissionError):
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def deployments(project: Project):
    """The translate and publish flows as deployments, one run at a time each."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron

    from flows.publish import publish
    from flows.translate import translate

    plan = schedules(project)
    one_at_a_time = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)
    parameters = {"project_dir": str(project.root)}
    return [
        translate.to_deployment(name="traduco-translate", schedules=[Cron(plan.translate, timezone=plan.timezone)],
                                parameters=parameters, concurrency_limit=one_at_a_time,
                                description="Pull, extract, draft by MT, review queue"),
        publish.to_deployment(name="traduco-publish", schedules=[Cron(plan.publish, timezone=plan.timezone)],
                              parameters=parameters, concurrency_limit=one_at_a_time,
                              description="Publish what is approved and check-clean"),
    ]


def serve(project: Project) -> None:
    """Serve both deployments until Ctrl-C or SIGTERM."""
    from prefect import serve as prefect_serve

    def stop_serving(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop_serving)
    try:
        prefect_serve(*deployments(project), print_starting_message=False)
    except KeyboardInterrupt:
        pass
