"""The roles on serve's Prefect server: who may do what through its API.

    python -m traduco.prefect_api.roles --host 127.0.0.1 --port 4200    # what `traduco serve` starts

Prefect's server knows one password (basic auth) and lets whoever holds it do
everything: change a deployment, start runs, read every Secret block. So the
server `traduco serve` starts is Prefect's own application wrapped in
`RoleGuard`, in one process: nothing reaches Prefect's API without passing it.

- The operator's credential (`.traduco/prefect/auth`) is Prefect's own
  password: it passes untouched, and may do everything.
- The reviewer's credential (`.traduco/prefect/reviewer-auth`, in the
  environment as TRADUCO_REVIEWER_AUTH) may read runs, plans, logs and the
  queue, and decide on a waiting publish run (resume it with the decision):
  the requests in `REVIEWER_MAY`, nothing else. No block documents (so no
  secrets), no deployment, run, automation, variable or block changes.
  An allowed request goes on with the operator's password; any other is
  refused (403), whatever Prefect would have said. A reviewer's body is at
  most 64 KiB, and the one check the UI asks of the server
  (`/ui/schemas/validate`, its Resume form) takes no regular expression from
  a reviewer: Prefect runs it in its event loop, where a backtracking pattern
  would stall the whole server.
- Anything else goes to Prefect, which refuses it (401). WebSockets (events,
  logs, task workers: runs and workers, never the UI) authenticate in their
  first message, which Prefect checks against its own password: reviewers
  have none.

The UI's pages and `/ui-settings` need no password, as in Prefect.
"""

from __future__ import annotations

import argparse
import base64
import hmac
import json
import os
import re
import secrets
import time
from pathlib import Path

from traduco.errors import ConfigError
from traduco.project.private import private_dir, private_file

REVIEWER_ENV = "TRADUCO_REVIEWER_AUTH"
API = "/api"
_ID = r"[^/]+"

# (method, path under /api): what the reviewer's credential may ask. Reads are
# POSTs too in Prefect (filter, count, paginate, history); none of these writes.
REVIEWER_MAY = [(method, re.compile(f"^{path}$")) for method, path in [
    ("GET", "/(health|ready|hello|version|admin/version|csrf-token)"),
    ("POST", "/flows/(filter|count|paginate)"),
    ("GET", f"/flows/({_ID}|name/{_ID})"),
    ("POST", "/flow_runs/(filter|count|paginate|history|lateness)"),
    ("GET", f"/flow_runs/{_ID}(/graph|/graph-v2|/logs/download)?"),
    ("POST", f"/flow_runs/{_ID}/input/filter"),
    ("GET", f"/flow_runs/{_ID}/input/{_ID}"),
    ("POST", f"/flow_runs/{_ID}/resume"),                  # the decision: approve or reject
    ("GET", f"/(flow_run_states|task_run_states)/({_ID})?"),
    ("POST", "/task_runs/(filter|count|paginate|history)"),
    ("GET", f"/task_runs/{_ID}"),
    ("POST", "/task_workers/filter"),
    ("POST", "/deployments/(filter|count|paginate)"),
    ("GET", f"/deployments/({_ID}|name/{_ID}/{_ID}|{_ID}/schedules|{_ID}/work_queue_check)"),
    ("POST", "/artifacts/(filter|count|latest/filter|latest/count)"),
    ("GET", f"/artifacts/({_ID}|{_ID}/latest)"),
    ("POST", "/logs/filter"),
    ("POST", f"/events/(filter|count-by/{_ID})"),
    ("GET", "/events/filter/next"),
    ("POST", "/automations/(filter|count)"),
    ("GET", f"/automations/({_ID}|related-to/{_ID})"),
    ("POST", "/(work_pools|work_queues|saved_searches)/(filter|count)"),
    ("GET", f"/work_pools/{_ID}(/queues/{_ID})?"),
    ("POST", f"/work_pools/{_ID}/(queues|workers)/filter"),
    ("GET", f"/work_queues/({_ID}|name/{_ID}|{_ID}/status)"),
    ("POST", "/(v2/)?concurrency_limits/filter"),
    ("GET", f"/(v2/)?concurrency_limits/({_ID}|tag/{_ID})"),
    ("GET", f"/saved_searches/{_ID}"),
    ("POST", "/ui/(flow_runs/count-task-runs|flow_runs/history|flows/count-deployments|flows/next-runs"
             "|task_runs/count|task_runs/dashboard/counts|schemas/validate)"),
    ("GET", f"/ui/task_runs/{_ID}"),
]]


def password(path: Path, user: str) -> str:
    """The password kept in `path` (`user:<random>`), made on first use and
    readable by its owner only."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        private_file(path)
        for _ in range(50):          # another process may be writing it this very moment
            if value := path.read_text(encoding="utf-8").strip():
                return value
            time.sleep(0.02)
        raise ConfigError("the Prefect password file is empty", path=path,
                          hint="Delete it (and restart `traduco serve`): the next command makes a new one")
    value = f"{user}:{secrets.token_urlsafe(32)}"
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value


def refusal(response) -> str:
    """What a 403 from the guard (or any server) says, for one line."""
    try:
        return str(response.json()["detail"])
    except (ValueError, KeyError, TypeError):
        return f"{response.request.method} {response.request.url.path} is not allowed with this password"


def reviewer_may(method: str, path: str, query: str = "") -> bool:
    """Whether the reviewer's credential may ask `method path` (path under /api)."""
    if re.search(r"(^|&)include_secrets=", query, re.IGNORECASE):
        return False                  # never, on any path (only block documents know it today)
    method = "GET" if method == "HEAD" else method
    return any(method == allowed and pattern.match(path) for allowed, pattern in REVIEWER_MAY)


def credential(header: str | None) -> str | None:
    """The password a `Basic` Authorization header carries (as Prefect reads it)."""
    try:
        scheme, encoded = (header or "").split()
        return base64.b64decode(encoded).decode("utf-8") if scheme == "Basic" else None
    except (ValueError, UnicodeDecodeError):
        return None


class RoleGuard:
    """ASGI middleware before Prefect's application: the reviewer's requests
    are checked against `REVIEWER_MAY` and go on with the operator's password."""

    def __init__(self, app, operator: str, reviewer: str):
        self.app, self.operator, self.reviewer = app, operator, reviewer
        self._operator_header = b"Basic " + base64.b64encode(operator.encode())

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(API + "/"):
            return await self.app(scope, receive, send)
        headers = [(name, value) for name, value in scope["headers"] if name != b"authorization"]
        given = credential(next((value.decode("latin-1") for name, value in scope["headers"]
                                 if name == b"authorization"), None))
        if given is None or not hmac.compare_digest(given.encode(), self.reviewer.encode()):
            return await self.app(scope, receive, send)      # Prefect checks the operator's password
        path, query = scope["path"][len(API):], scope.get("query_string", b"").decode("latin-1")
        if not reviewer_may(scope["method"], path, query):
            return await _refuse(send, f"reviewers may read runs and decide on waiting publications; "
                                       f"{scope['method']} {API}{path} needs the operator's credential")
        if scope["method"] == "POST":    # filters and decisions are small: no body fills the server's memory
            body = await _body(receive, REVIEWER_MAX_BYTES)
            if body is None or (path == VALIDATE and not _harmless_schema(body)):
                return await _refuse(send, f"reviewers may send at most {REVIEWER_MAX_BYTES:,} bytes, and check a "
                                           "run's input only against a schema without regular expressions")
            receive = _replay(body, receive)
        scope = {**scope, "headers": [*headers, (b"authorization", self._operator_header)]}
        return await self.app(scope, receive, send)


# The UI checks the Resume form here before it resumes a run. Prefect validates
# in its event loop, so one pattern that backtracks (`^(a+)+$` against "aaa…!")
# would stop the whole server, its schedules and every run's API calls with it.
VALIDATE, REVIEWER_MAX_BYTES = "/ui/schemas/validate", 64 * 1024


def _harmless_schema(body: bytes) -> bool:
    """No regular expression (`pattern`, `patternProperties`) anywhere in the request."""
    try:
        request = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return True                   # Prefect answers 422, in no time
    found, pending = False, [request]
    while pending and not found:
        item = pending.pop()
        if isinstance(item, dict):
            found = bool({"pattern", "patternProperties"} & item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return not found


async def _body(receive, limit: int) -> bytes | None:
    """The request's whole body, or None past `limit` bytes."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return None               # the client went away
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > limit:
            return None
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive):
    """`receive` with the body already read handed out again (then the client's own messages)."""
    sent = False

    async def replayed():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()
    return replayed


async def _refuse(send, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app():
    """Prefect's server application (API, UI, services) behind the guard. The
    operator's password is Prefect's own (PREFECT_SERVER_API_AUTH_STRING)."""
    from prefect.server.api.server import create_app as prefect_app
    from prefect.settings import PREFECT_SERVER_API_AUTH_STRING

    operator, reviewer = PREFECT_SERVER_API_AUTH_STRING.value(), os.environ.get(REVIEWER_ENV)
    if not operator or not reviewer or operator == reviewer:
        raise SystemExit("traduco.prefect_api.roles: the operator's and the reviewer's credentials are both needed "
                         f"(PREFECT_SERVER_API_AUTH_STRING, {REVIEWER_ENV}) and must differ")
    return RoleGuard(prefect_app(final=True), operator, reviewer)


def main(argv: list[str] | None = None) -> None:
    """Serve it as `prefect server start` serves Prefect's (uvicorn, one process, services on)."""
    import uvicorn
    from prefect.settings import (PREFECT_SERVER_API_KEEPALIVE_TIMEOUT, PREFECT_SERVER_API_WEBSOCKET_PING_INTERVAL,
                                  PREFECT_SERVER_API_WEBSOCKET_PING_TIMEOUT, PREFECT_SERVER_LOGGING_LEVEL)

    parser = argparse.ArgumentParser(prog="python -m traduco.prefect_api.roles")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", required=True, type=int)
    options = parser.parse_args(argv)
    uvicorn.run(create_app(), host=options.host, port=options.port,
                timeout_keep_alive=PREFECT_SERVER_API_KEEPALIVE_TIMEOUT.value(),
                ws_ping_interval=PREFECT_SERVER_API_WEBSOCKET_PING_INTERVAL.value(),
                ws_ping_timeout=PREFECT_SERVER_API_WEBSOCKET_PING_TIMEOUT.value(),
                log_level=PREFECT_SERVER_LOGGING_LEVEL.value().lower())


if __name__ == "__main__":
    main()
