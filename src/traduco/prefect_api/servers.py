"""Prefect servers for traduco: the one scheduled runs live on, and the one a
single command records its flow run on.

    with local_server(project) as api_url:   # unless PREFECT_API_URL names a server
        deployments.serve(project, translate, publish)   # the flows; blocks until Ctrl-C or SIGTERM

    with api_for_command(project):            # `traduco run`, `traduco publish`
        translate(...)

Prefect's ephemeral mode cannot run schedules and has no UI, so without a
configured server `traduco serve` starts Prefect's server (SQLite, its home in
the git-ignored `.traduco/prefect/`) behind the roles of `traduco.prefect_api.roles`, as a
child process, waits until it is healthy, records its address for the other
commands, and stops it on exit.

A single command uses, in this order: a configured server (PREFECT_API_URL,
a Prefect profile or prefect.toml), the server `traduco serve` runs for this
project, or else an API of its own. That last one is what Prefect's ephemeral
mode would start (same database, in PREFECT_HOME), but started the moment the
command begins, so its ~3 s start overlaps the command's own start instead of
following it, and without the server code loaded into the command's process.

Both servers traduco starts require a password (Prefect's basic auth,
PREFECT_SERVER_API_AUTH_STRING): the operator's, one per project, made on
first use, in `.traduco/prefect/auth` (0600), which every traduco command of
the project uses. Other local users can reach 127.0.0.1 too: without it they
could read Secret blocks, start runs or approve a publication. Serve's server
also takes the reviewers' password (`reviewer-auth`: read and decide only). And the password goes
only to a server on this machine that runs as this user (`listeners`): a
port that serve left behind may be another user's by now.
"""

from __future__ import annotations

import atexit
import ipaddress
import os
import secrets
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from traduco.errors import ConfigError
from traduco.prefect_api.listeners import run_by_this_user
from traduco.prefect_api.processes import LOOPBACK, ForeignListener, free_port, stop, wait_until_healthy  # noqa: F401
from traduco.prefect_api.processes import answers as _answers, child as _child, port_free as _port_free
from traduco.prefect_api.roles import REVIEWER_ENV, password, refusal
from traduco.project.loading import Project
from traduco.project.private import private_dir, private_file, private_state, write_private
from traduco.project.settings import SettingsError

RECORD = "api-url"     # in .traduco/prefect/: where `traduco serve`'s server answers
AUTH = "auth"          # in .traduco/prefect/: the operator's password of the servers traduco starts
REVIEWER_AUTH = "reviewer-auth"   # in .traduco/prefect/: the reviewers' password of serve's server
ANY_ADDRESS = ("0.0.0.0", "::")


@contextmanager
def local_server(project: Project, port: int = 0, host: str = LOOPBACK):
    """Run a Prefect server for this project while the block runs, on `port`
    (0: any free one; see `serve_port`), listening on `host` (127.0.0.1 unless
    reviewers on other computers need it), with the roles of `traduco.prefect_api.roles`;
    yields the API URL this machine reaches it at."""
    home = private_dir(private_state(project.state_dir) / "prefect")
    port = port or free_port()
    log = open(private_file(home / "server.log"), "ab")
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_SERVER_API_AUTH_STRING": auth_string(project), REVIEWER_ENV: reviewer_auth_string(project),
           # The UI's login sends the password to this address: serve's own, never Prefect's default port.
           "PREFECT_UI_API_URL": f"{public_url(host, port) if host != LOOPBACK else f'http://{LOOPBACK}:{port}'}/api"}
    env.pop("PREFECT_API_URL", None)
    server = _child(["traduco.prefect_api.roles", "--host", host, "--port", str(port)], env, log)
    url = f"http://{LOOPBACK if host in ANY_ADDRESS else _bracketed(host)}:{port}/api"
    try:
        wait_until_healthy(url, server, home / "server.log")
        yield url
    finally:
        stop(server)
        log.close()


DEFAULT_PORT = 4200     # Prefect's; PREFECT_SERVER_API_PORT changes it, as for `prefect server start`


def serve_port(requested: int | None, host: str = LOOPBACK) -> tuple[int, str | None]:
    """The port serve's server takes, and a line to say if it is not the one
    expected: an explicit port that is taken is a mistake (PortTaken); the
    default port, if taken, is replaced by a free one, and the line names both."""
    if requested == 0:
        return free_port(), None
    if requested is not None:
        if not _port_free(requested, host):
            raise PortTaken(f"port {requested} is taken (another program listens there)",
                            hint="Give `traduco serve --port` a free port, or leave --port out")
        return requested, None
    default = int(os.environ.get("PREFECT_SERVER_API_PORT") or DEFAULT_PORT)
    if _port_free(default, host):
        return default, None
    port = free_port()
    return port, f"Port {default} is taken (another program listens there): serving on port {port} instead."


class PortTaken(SettingsError):
    """`traduco serve --port` names a port another program has (exit 2)."""


def public_url(host: str, port: int) -> str:
    """Where people on other computers open serve's UI (`--host 0.0.0.0`: this machine's name)."""
    return f"http://{this_machine() if host in ANY_ADDRESS else _bracketed(host)}:{port}"


def this_machine() -> str:
    """The name other computers know this one by, or its address on the network:
    never one that means "this computer" to whoever reads it (many machines name
    themselves after 127.0.0.1 in /etc/hosts, so getfqdn() says `localhost`)."""
    for name in (socket.getfqdn(), socket.gethostname()):
        if name and not _loopback(name):
            return name
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))       # TEST-NET: no packet leaves; the route picks our address
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostname()


def _loopback(name: str) -> bool:
    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback
                   for info in socket.getaddrinfo(name, None))
    except (OSError, ValueError):
        return True                               # a name nobody can resolve is no use to a reviewer either


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def record_server(project: Project, url: str):
    """Tell this project's other commands (run, publish, approve) where `traduco serve`'s server is."""
    return write_private(project.state_dir / "prefect" / RECORD, url + "\n")


def auth_string(project: Project) -> str:
    """The operator's password of the Prefect servers traduco starts for this
    project (everything is allowed with it), made on first use and kept
    readable by its owner only."""
    return password(project.state_dir / "prefect" / AUTH, "traduco")


def reviewer_auth_string(project: Project) -> str:
    """The reviewers' password of serve's server (`traduco.prefect_api.roles`: read, and
    decide on waiting publications), made on first use, readable by its owner only."""
    return password(project.state_dir / "prefect" / REVIEWER_AUTH, "reviewer")


def recorded_server(project: Project) -> str | None:
    """The API URL `traduco serve` recorded for this project, if that server answers now."""
    try:
        url = (project.state_dir / "prefect" / RECORD).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    try:
        if not _answers(url, timeout=1):
            return None                                      # a stale record: that serve is gone
    except ValueError:
        return None                                          # not a URL: a damaged record
    if not run_by_this_user(url):
        # That serve died without a word and another user's program took its port: it gets no password.
        print(f"traduco: ignoring {url}, recorded by a `traduco serve` that is gone: the program answering "
              "there now is another user's. Start `traduco serve` again.", file=sys.stderr)
        return None
    return url


def start_early(project: Project) -> bool:
    """Start this process's own API now when the command will need one (no
    server configured, none recorded by serve), so that it starts while the
    command loads the flows; `api_for_command` then finds it running. True
    when the command's run will be recorded there: then no other run shares
    the providers' limits with it (`mt.shared_limits`)."""
    if os.environ.get("PREFECT_API_URL") or (project.state_dir / "prefect" / RECORD).exists():
        return False
    private_state(project.state_dir)
    _command_api(project)
    from prefect.settings import get_current_settings
    return not get_current_settings().api.url        # a Prefect profile or prefect.toml names a server


@contextmanager
def api_for_command(project: Project, lasting: bool = False):
    """Point Prefect at the server this command's flow run is recorded on (see
    the module help). `lasting`: the run must outlive this process (a publish
    run paused for the editor's approval), so only a real server will do."""
    private_state(project.state_dir)
    configured = os.environ.get("PREFECT_API_URL")
    url = configured or recorded_server(project)
    # Started before Prefect is even imported, so that both take their time together;
    # a profile naming a server is only known once it is, and then this one stops.
    own = None if url or lasting else _command_api(project)
    from prefect.settings import (PREFECT_API_AUTH_STRING, PREFECT_API_URL, PREFECT_LOCAL_STORAGE_PATH,
                                  get_current_settings, temporary_settings)

    if not url and get_current_settings().api.url:      # a Prefect profile or prefect.toml
        if own:
            own.stop()
        own, url = None, str(get_current_settings().api.url)
        configured = url
    if configured:
        _require_answer(configured)
    if not url and not own:
        raise ConfigError("approvals need a Prefect server, and none is running for this project",
                          hint="Start one with `traduco serve` (leave it running), or set PREFECT_API_URL "
                               "to your Prefect server, then run this again")
    updates = {PREFECT_API_URL: url or own.ready(), PREFECT_LOCAL_STORAGE_PATH: str(result_storage(project))}
    if not configured:               # serve's server or our own: both want a password
        updates[PREFECT_API_AUTH_STRING] = own.auth if own else auth_string(project)
    if own:
        # Heartbeats let a server's services mark a vanished run as crashed; this
        # API runs no services and ends with the process, so they would only
        # cost the up to 1 s Prefect waits for its heartbeat thread at the end.
        updates["flows.heartbeat_frequency"] = None
    from prefect.exceptions import PrefectHTTPStatusError

    with temporary_settings(updates=updates):
        try:
            yield updates[PREFECT_API_URL]
        except PrefectHTTPStatusError as refused:
            if refused.response.status_code != 403:
                raise
            raise ConfigError(f"the Prefect server at {updates[PREFECT_API_URL]} refused this: "
                              f"{refusal(refused.response)}",
                              hint="Ask whoever runs `traduco serve` (the operator) to do it") from None


def result_storage(project: Project) -> Path:
    """Where Prefect keeps the results it persists (a task's return value, a failed
    task's exception: texts, plans, paths) for this project's runs: in `.traduco/`,
    not in $PREFECT_HOME/storage, which Prefect fills with the umask's modes."""
    return private_dir(private_state(project.state_dir) / "prefect" / "storage")


def private_results() -> None:
    """The results Prefect wrote during a run made 0600 (it writes them with the umask's
    mode), wherever this run's settings keep them (serve's runs: $PREFECT_HOME/storage)."""
    from prefect.settings import get_current_settings

    folder = Path(get_current_settings().results.local_storage_path)
    for path in folder.rglob("*") if folder.is_dir() else ():
        if path.is_file() and not path.is_symlink():
            private_file(path)


def results_made_private(flow, flow_run, state) -> None:
    """A flow's hook (completed, failed, cancelled, crashed): `private_results`."""
    private_results()


def run_link(state) -> str | None:
    """Where people can open this flow run in the Prefect UI: only on a server
    that outlives the command (serve's or a configured one), not on its own API."""
    return flow_run_link(getattr(state.state_details, "flow_run_id", None))


def flow_run_link(flow_run_id) -> str | None:
    from prefect.settings import PREFECT_UI_URL

    ui = PREFECT_UI_URL.value()
    return None if on_own_api() or not flow_run_id or not ui else f"{ui.rstrip('/')}/runs/flow-run/{flow_run_id}"


def on_own_api() -> bool:
    """Whether Prefect points at this process's own API (no UI, no services, gone with the process)."""
    from prefect.settings import PREFECT_API_URL

    return _command_api_running is not None and PREFECT_API_URL.value() == _command_api_running.url


def _require_answer(url: str) -> None:
    """A configured server that is down gets a clear message, not Prefect's retries and traceback."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    import httpx

    with temporary_settings(updates={PREFECT_API_URL: url}), get_client(sync_client=True) as client:
        problem = client.api_healthcheck()
    # Only "nobody there": a server that answers at all (Prefect Cloud, a proxy) is left to Prefect.
    if isinstance(problem, (httpx.TransportError, OSError)):
        raise ConfigError(f"the Prefect server at {url} does not answer ({type(problem).__name__})",
                          hint="Start it, or unset PREFECT_API_URL (and api.url in your Prefect profile) "
                               "so that traduco starts a Prefect API of its own")


class _CommandApi:
    """A Prefect API (no UI, no services) for this process's commands, stopped when the process ends."""

    def __init__(self, log: Path, auth: str | None = None):
        self.log, self.auth = log, auth or f"traduco:{secrets.token_urlsafe(32)}"
        private_dir(log.parent)
        self._start()
        atexit.register(self.stop)

    def _start(self) -> None:
        self.port, self.healthy = free_port(), False
        self.url = f"http://127.0.0.1:{self.port}/api"
        with open(private_file(self.log), "wb") as handle:
            handle.write(f"traduco: Prefect API for process {os.getpid()} at {self.url}\n".encode())
            handle.flush()
            self.process = _prefect(["server", "start", "--no-ui", "--no-services", "--host", "127.0.0.1",
                                     "--port", str(self.port), "--log-level", "ERROR"],
                                    {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                                     "PREFECT_SERVER_API_AUTH_STRING": self.auth}, handle)

    def ready(self) -> str:
        if not self.healthy:
            try:
                wait_until_healthy(self.url, self.process, self.log)
            except ConfigError as problem:
                # Another program took the free port between our choosing and Prefect binding it.
                taken = "already in use" in self.log.read_text(encoding="utf-8", errors="replace")
                if not (taken or isinstance(problem, ForeignListener)):
                    raise
                stop(self.process, grace=5.0)
                self._start()
                wait_until_healthy(self.url, self.process, self.log)
            self.healthy = True
        return self.url

    def stop(self) -> None:
        stop(self.process, grace=5.0)


_command_api_running: _CommandApi | None = None


def _command_api(project: Project) -> _CommandApi:
    """One per process (tests run many commands in one), started again if it died."""
    global _command_api_running
    if _command_api_running is None or _command_api_running.process.poll() is not None:
        _command_api_running = _CommandApi(project.state_dir / "prefect-api.log", auth_string(project))
    return _command_api_running


def _prefect(args: list[str], env: dict, log) -> subprocess.Popen:
    return _child(["prefect", *args], env, log)
