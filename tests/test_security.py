"""Security: keys never leak in any encoding, `.traduco/` is its owner's only,
and the approval records who decided.

A provider that fails is simulated over real HTTP by `LeakyProvider`: it
answers every request with an error whose body echoes the request line (query
string and all), the headers and the body, as careless servers and proxies do.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import stat
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from traduco.mt.failures import classify
from traduco.redaction import redact

from conftest import DOC
from helpers import run_cli

KEY = "SEK/RET+12345==&x%41"          # every character URLs treat specially: / + = & %


def key_forms(key: str = KEY) -> dict[str, str]:
    """The encodings a key travels in, each of which must never be written anywhere."""
    return {"raw": key, "percent-encoded": quote(key, safe=""), "percent-encoded, / kept": quote(key),
            "form-encoded": quote_plus(key), "base64": base64.b64encode(key.encode()).decode(),
            "base64 url-safe": base64.urlsafe_b64encode(key.encode()).decode().rstrip("="),
            "JSON-escaped": json.dumps(key)[1:-1], "lower-case percent": quote(key, safe="").lower()}


def leaks(text: str) -> list[str]:
    return [name for name, form in key_forms().items() if form in text]


# -- redaction itself -----------------------------------------------------------------------

def test_every_encoding_of_a_key_is_redacted_and_query_strings_dropped():
    basic = base64.b64encode(f"appid:{KEY}".encode()).decode()     # a Basic auth header, key at an offset
    text = (f"HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: "
            f"/translate?q=embargoed+text&api_key={quote_plus(KEY)} | echoed: {json.dumps({'key': KEY})} | "
            f"{quote(KEY)} {quote(KEY, safe='').lower()} {base64.b64encode(KEY.encode()).decode()} "
            f"Authorization: Basic {basic} | https://user:{quote(KEY, safe='')}@example.org/v2?auth_key=x")

    cleaned = redact(text, {"LIBRE_API_KEY": KEY})

    assert leaks(cleaned) == []
    assert base64.b64encode(KEY.encode()).decode()[:12] not in cleaned
    assert "embargoed" not in cleaned and "user:" not in cleaned      # the text sent, the URL's credentials
    assert "https://example.org/v2" in cleaned and "/translate?" in cleaned   # what is useful stays


def test_a_connection_error_with_the_key_in_its_url_becomes_our_own_words():
    import requests
    secrets = {"LIBRE_API_KEY": KEY}
    url = f"/translate?q=Firenze&api_key={quote_plus(KEY)}"
    errors = {
        "[Errno 111] Connection refused": "connection refused",
        "[Errno -2] Name or service not known": "does not resolve",
        "[Errno 113] No route to host": "no route",
        "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)": "TLS handshake",
        "something new and strange": "ConnectionError",
    }
    for error, words in errors.items():
        exc = requests.ConnectionError(f"HTTPConnectionPool(host='h', port=1): Max retries exceeded with "
                                       f"url: {url} (Caused by NewConnectionError('{error}'))")
        reason = classify("libre", exc, None, secrets, 5).reason
        assert words in reason and leaks(reason) == [] and "Firenze" not in reason, reason


def test_an_unexpected_error_is_printed_without_any_key(capsys, monkeypatch, project):
    import traduco.cli.workflow as cli

    monkeypatch.setenv("DEEPL_AUTH_KEY", KEY)

    def broken(*args, **kwargs):
        raise RuntimeError(f"POST https://api.deepl.com/v2/translate?auth_key={quote_plus(KEY)} "
                           f"failed, body {json.dumps({'auth_key': KEY})}")
    monkeypatch.setattr(cli, "load_project", broken)

    code, out, err = run_cli(capsys, "status", "--project", str(project))

    assert code == 1 and "unexpected error: RuntimeError" in err
    assert leaks(out + err) == [], err


# -- every failure path, end to end ---------------------------------------------------------

class LeakyProvider:
    """Answers every request with `status` and the request echoed in the body
    (JSON with a `message`, which DeepL's client puts into its exception)."""

    def __init__(self, status: int):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self._echo()

            def do_POST(self):
                self._echo()

            def _echo(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8", "replace")
                provider.requests += 1
                echo = f"bad request {self.command} {self.path} headers {dict(self.headers)} body {body}"
                payload = json.dumps({"message": echo, "error": echo}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.requests = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"

    def close(self):
        self._server.shutdown()
        self._server.server_close()


class Silent:
    """Accepts connections and never answers: a provider that hangs."""

    def __init__(self):
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}/"

    def close(self):
        self._socket.close()


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


FAILURES = ["refused", "dns", "timeout", "tls", 400, 403, 404, 429, 500, 503]


@pytest.mark.slow
@pytest.mark.parametrize("provider", ["libre", "deepl"])
@pytest.mark.parametrize("failure", FAILURES)
def test_a_failing_provider_never_leaks_the_key_anywhere(capsys, monkeypatch, project, provider, failure):
    if provider == "deepl" and failure == "timeout":
        pytest.skip("DeepL's client sets its own timeouts (tens of seconds): covered with libre")
    variable = "LIBRE_API_KEY" if provider == "libre" else "DEEPL_AUTH_KEY"
    monkeypatch.setenv(variable, KEY)
    server = None
    if failure == "refused":
        url = _closed_port_url()
    elif failure == "dns":
        url = "http://translate.no-such-host.invalid/"
    elif failure == "timeout":
        server = Silent()
        url = server.url
    elif failure == "tls":
        server = LeakyProvider(200)
        url = server.url.replace("http://", "https://")     # TLS spoken to a plain HTTP server
    else:
        server = LeakyProvider(failure)
        url = server.url
    (project / "pyproject.toml").write_text(
        f'[tool.traduco]\nlocales = ["zh_CN", "en"]\n[tool.traduco.mt]\nchain = ["{provider}"]\n'
        'deadline_seconds = 1\nmax_attempts = 2\nbackoff_seconds = 0.01\nfailures_before_skipping = 1\n'
        f'[tool.traduco.mt.providers.{provider}]\nurl = "{url}"\n', encoding="utf-8")
    try:
        code, out, err = run_cli(capsys, "run", "--project", str(project))
    finally:
        if server:
            server.close()

    assert code == 3, out + err                     # units wait for the next run
    assert "✗ " in err and provider in err, err     # a line saying what went wrong
    assert leaks(out + err) == [], out + err
    for path in project.rglob("*"):                 # catalogs, templates, .traduco: logs, caches, databases
        if path.is_file():
            assert leaks(path.read_bytes().decode("utf-8", "replace")) == [], path
    catalog = (project / "locales" / "zh_CN" / "LC_MESSAGES" / f"{DOC}.po").read_text(encoding="utf-8")
    assert "traduco: no draft yet:" in catalog
    records = _prefect_records(project)
    assert records and leaks(records) == [], records[:2000]


def _prefect_records(project: Path) -> str:
    """Every log line and artifact of this project's flow runs, on the API `traduco run` used."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, LogFilter, LogFilterFlowRunId
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    from traduco.prefect_api import servers

    api = servers._command_api_running
    with temporary_settings(updates={PREFECT_API_URL: api.url, PREFECT_API_AUTH_STRING: api.auth}), \
            get_client(sync_client=True) as client:
        runs = [r.id for r in client.read_flow_runs() if r.parameters.get("project_dir") == str(project)]
        assert runs, "the run was not recorded"
        deadline = time.monotonic() + 30
        while True:    # logs reach the API from a background worker
            logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=runs)))
            if logs or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=runs)))
        states = [client.read_flow_run(r).state for r in runs]
    assert any(a.key == "run-summary" for a in artifacts)
    return "\n".join([*(log.message for log in logs), *(json.dumps(a.data) for a in artifacts),
                      *(s.message or "" for s in states if s)])


# -- .traduco/ is private --------------------------------------------------------------------

def private_modes(root: Path) -> list[str]:
    """Everything under `.traduco/` that is not 0700 (folders) or 0600 (files)."""
    wrong = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_symlink():
            continue
        if mode != (0o700 if path.is_dir() else 0o600):
            wrong.append(f"{path.relative_to(root)}: {oct(mode)}")
    return wrong


def test_everything_under_traduco_is_private_after_a_run_and_old_files_are_repaired(capsys, project, standin):
    state = project / ".traduco"
    state.mkdir(mode=0o755)
    os.chmod(state, 0o755)
    (state / "mt-cache.sqlite").touch(mode=0o644)       # left by an older traduco
    os.chmod(state / "mt-cache.sqlite", 0o644)
    (state / "old").mkdir(mode=0o755)
    os.chmod(state / "old", 0o755)
    (state / "old" / "notes.txt").write_text("x")
    os.chmod(state / "old" / "notes.txt", 0o644)

    code, out, err = run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                             "--provider-url", standin.url)
    code_review, _, _ = run_cli(capsys, "review", DOC, "zh_CN", "--project", str(project))

    assert code == 0 and code_review == 0, err
    assert {p.name for p in state.iterdir()} >= {"ledger.sqlite", "mt-cache.sqlite", "locks", "review"}
    assert list(state.glob("locks/**/*.lock"))
    assert private_modes(state) == []
    # The content is for the team: catalogs keep their ordinary modes.
    catalog = project / "locales" / "zh_CN" / "LC_MESSAGES" / f"{DOC}.po"
    assert stat.S_IMODE(catalog.stat().st_mode) == 0o644



def test_results_prefect_persists_are_kept_private_in_the_project(capsys, project, standin, monkeypatch):
    """Persisted results (a batch's drafts, a failed task's exception) were written 0644 in
    $PREFECT_HOME/storage: they stay in .traduco/, each file 0600."""
    monkeypatch.setenv("PREFECT_RESULTS_PERSIST_BY_DEFAULT", "true")     # as a suspended publish run does
    (project / "sources" / "rotto.txt").write_bytes(b"\xff\xfe non UTF-8 \xff\n")   # the run fails
    shared = Path(os.environ["PREFECT_HOME"]) / "storage"
    before = {p for p in shared.rglob("*")} if shared.exists() else set()

    code, out, err = run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                             "--provider-url", standin.url)

    assert code == 1, out + err
    kept = [p for p in (project / ".traduco" / "prefect" / "storage").rglob("*") if p.is_file()]
    assert kept and private_modes(project / ".traduco") == []
    assert ({p for p in shared.rglob("*")} if shared.exists() else set()) == before


def test_the_prefect_api_a_command_starts_for_itself_wants_its_password(capsys, project, standin):
    import urllib.error
    import urllib.request

    from traduco.prefect_api import servers

    code, _, err = run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                           "--provider-url", standin.url)
    api = servers._command_api_running

    assert code == 0 and api is not None and api.process.poll() is None, err
    request = urllib.request.Request(f"{api.url}/block_documents/filter", data=b'{"include_secrets": true}',
                                     headers={"Content-Type": "application/json"}, method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
    request.add_header("Authorization", "Basic " + base64.b64encode(api.auth.encode()).decode())
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


def test_the_prefect_password_is_made_once_per_project_and_private(project):
    from traduco.project.loading import load_project
    from traduco.prefect_api.servers import auth_string

    first = auth_string(load_project(project))
    again = auth_string(load_project(project))
    path = project / ".traduco" / "prefect" / "auth"

    assert first == again and len(first) > 30
    assert path.read_text().strip() == first and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


class _PrefectLookalike(ThreadingHTTPServer):
    """What another local user can start on the port a dead `traduco serve` left:
    it answers Prefect's health check and keeps every Authorization header."""

    def __init__(self):
        self.headers_seen: list[str] = []
        seen = self.headers_seen

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                if self.headers.get("Authorization"):
                    seen.append(self.headers["Authorization"])
                body = b"true"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = _answer

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/api"
        threading.Thread(target=self.serve_forever, daemon=True).start()


def test_the_password_never_goes_to_another_users_program_on_a_port_serve_left(capsys, monkeypatch, project):
    """serve was killed (-9, out of memory): its address stays recorded, and another
    user starts a look-alike on that port. Nothing of the project's is sent to it."""
    from traduco.prefect_api import listeners
    from traduco.prefect_api import servers

    lookalike = _PrefectLookalike()
    try:
        port = lookalike.server_address[1]
        assert listeners.owners(port) == {os.getuid()}         # Linux says who listens
        assert listeners.run_by_this_user(lookalike.url)
        (project / ".traduco" / "prefect").mkdir(parents=True, exist_ok=True)
        (project / ".traduco" / "prefect" / "api-url").write_text(lookalike.url + "\n")
        monkeypatch.setattr(listeners, "this_user", lambda: os.getuid() + 1)   # the look-alike is another's

        code, out, err = run_cli(capsys, "approve", "--project", str(project))
        assert code == 1 and "another user's" in err and "Start `traduco serve` again" in err, out + err
        with pytest.raises(servers.ForeignListener, match="another user's program answers"):
            servers.wait_until_healthy(lookalike.url, seconds=5)
        assert lookalike.headers_seen == []
    finally:
        lookalike.shutdown()
        lookalike.server_close()


def test_serve_on_every_address_gives_reviewers_an_address_that_is_not_their_own_computer(monkeypatch):
    """Many machines name themselves after 127.0.0.1 in /etc/hosts: getfqdn() says
    `localhost`, and a reviewer's browser would open its own computer."""
    import ipaddress
    from urllib.parse import urlsplit

    from traduco.prefect_api import servers

    monkeypatch.setattr(socket, "getfqdn", lambda *a: "localhost")
    host = urlsplit(servers.public_url("0.0.0.0", 4200)).hostname
    addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    assert addresses and not any(ipaddress.ip_address(a).is_loopback for a in addresses), (host, addresses)


# -- approvals say who approved ------------------------------------------------------------

def test_an_approval_records_who_decided(project, standin):
    import getpass

    from prefect.client.orchestration import get_client
    from traduco.serve.approval import decide

    from helpers import approve_all, run_once
    from test_approval import run_resumed, suspended_publication

    with open(project / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write("require_approval = true\n")
    run_once(project, standin.url)
    approve_all(project / "locales" / "zh_CN" / "LC_MESSAGES" / f"{DOC}.po")
    run_id = suspended_publication(project)
    decide(run_id, approve=True, note="ok for WeChat")      # from a terminal: the OS user
    run_resumed(run_id)

    with get_client(sync_client=True) as client:
        notes = [a.data for a in client.read_artifacts() if a.key == "publish-decision"
                 and str(a.flow_run_id) == run_id]
    assert notes == [f"**approved** by {getpass.getuser()}: ok for WeChat"]


def test_an_approval_without_a_name_is_refused():
    from pydantic import ValidationError

    from traduco.serve.approval import Approval

    with pytest.raises(ValidationError):
        Approval(approve=True, note="", approver="")
