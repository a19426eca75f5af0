"""The Prefect server processes traduco starts: children that die with
traduco, wait until they answer (and are this user's), and stop in order.
`traduco.prefect_api.servers` decides which server a command uses."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from traduco.errors import ConfigError
from traduco.prefect_api.listeners import run_by_this_user

SERVER_START_SECONDS = 120
LOOPBACK = "127.0.0.1"


def child(module_and_args: list[str], env: dict, log) -> subprocess.Popen:
    """`python -m <module> <args>` as a child in its own session (a Ctrl-C reaches
    traduco, which then stops it in order), and gone with traduco even if traduco is killed."""
    return subprocess.Popen([sys.executable, "-c", _DIE_WITH_PARENT, str(os.getpid()), *module_and_args],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


# SIGKILL leaves traduco no time to stop its Prefect server: Linux's
# parent-death signal does it, set before Prefect's CLI is exec'd in its place.
# Whatever the server writes (its database, logs) is its owner's only: umask 077.
_DIE_WITH_PARENT = """
import os, signal, sys
os.umask(0o077)
try:
    import ctypes
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)    # PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv[1]):
    sys.exit(0)
os.execv(sys.executable, [sys.executable, "-m", *sys.argv[2:]])
"""


def wait_until_healthy(url: str, server: subprocess.Popen | None = None, log: Path | None = None,
                       seconds: float = SERVER_START_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise ConfigError(f"the Prefect server stopped at start (exit {server.returncode})",
                              path=log, hint="Read its log for the reason")
        if answers(url, timeout=2):
            if not run_by_this_user(url):
                raise ForeignListener(f"another user's program answers at {url}, where traduco's Prefect "
                                      "server should be", path=log,
                                      hint="Run the command again (it picks another port), or give "
                                           "`traduco serve --port` a free one")
            return
        time.sleep(0.3)
    raise ConfigError(f"the Prefect server at {url} did not become healthy in {seconds:g} s", path=log,
                      hint="Read its log; a busy port or a locked database are the usual causes")


class ForeignListener(ConfigError):
    """The port traduco's server was to take is another user's: it must not get the password."""


def answers(url: str, timeout: float) -> bool:
    """Whether a Prefect API answers its health check at `url`."""
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


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


def port_free(port: int, host: str = LOOPBACK) -> bool:
    """Whether a server could listen on `port` at `host` (what binding says, as for Prefect's own check)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
