"""Reviewers and the editor hear about waiting work: messages to a local webhook receiver over real HTTP."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import polib

from traduco.notify import channels, messages, sending
from traduco.project.loading import load_project
from traduco.project.tables import NotifyTable
from traduco.review.queue import most_urgent

from conftest import DOC
from helpers import run_once

TOKEN = "SEK-RET-hook-token-4711"


class Receiver:
    """A chat server's incoming webhook on 127.0.0.1: records each JSON message and its path."""

    def __init__(self):
        received, agents = self.received, self.agents = [], []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                received.append((self.path, json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
                agents.append(self.headers.get("User-Agent", ""))    # who sent it: traduco or Prefect
                self.send_response(200 if TOKEN in self.path else 404)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/{TOKEN}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def with_webhook(project: Path, url: str, extra: str = "") -> None:
    with open(project / "pyproject.toml", "a", encoding="utf-8") as handle:
        # The receiver is on this machine: a webhook goes to a private address only if it is allowed.
        handle.write(f'[tool.traduco.web]\nallow_hosts = ["127.0.0.1"]\n'
                     f'[tool.traduco.notify]\nwebhook = "{url}"\n{extra}')


def backdate_drafts(path: Path, days: int) -> None:
    """The drafts were made `days` ago (their provenance note says when)."""
    then = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)).strftime("%Y-%m-%d %H:%M")
    catalog = polib.pofile(str(path), wrapwidth=0)
    for entry in catalog:
        entry.tcomment = re.sub(r"on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", f"on {then} UTC", entry.tcomment)
    catalog.save()


def test_drafts_waiting_too_long_are_told_once_per_locale(project, standin):
    with Receiver() as receiver:
        with_webhook(project, receiver.url, "drafts_waiting_hours = 24\n")
        run_once(project, standin.url)
        backdate_drafts(project / "locales" / "zh_CN" / "LC_MESSAGES" / f"{DOC}.po", days=2)
        proj = load_project(project)

        first = sending.send_all(proj, messages.new_drafts_waiting(proj, most_urgent(proj).rows))
        again = sending.send_all(proj, messages.new_drafts_waiting(proj, most_urgent(proj).rows))

    assert first == again == []
    assert len(receiver.received) == 1                     # zh_CN only (en's drafts are new), and only once
    path, body = receiver.received[0]
    assert body["event"] == "drafts" and body["locale"] == "zh_CN"
    assert body["text"].startswith("zh_CN: 1 document(s) wait for review longer than 24 h: 8 units, ")
    assert f"the oldest, {DOC}, for 48 h" in body["text"]
    assert f"locales/zh_CN/LC_MESSAGES/{DOC}.po" in body["text"]


def test_a_failed_run_is_told_and_a_failing_webhook_is_one_line_without_its_address(project, standin):
    from flows.translate import translate

    with Receiver() as receiver:
        with_webhook(project, receiver.url)
        (project / "sources" / "rotto.txt").write_bytes(b"\xff\xfe non UTF-8 \xff\n")   # a file a person must fix
        state = translate(project_dir=str(project), provider="libre", provider_url=standin.url,
                          sync=False, return_state=True)
        wrong = sending.send(load_project(project), channels.Message(channels.FAILURE, "x"))
        # The hook's address is the secret: a wrong one is told by kind and status only.
        broken = load_project(project)
        object.__setattr__(broken, "notify", NotifyTable(webhook=receiver.url.replace(TOKEN, "wrong")))
        refused = sending.send(broken, channels.Message(channels.FAILURE, "x"))

    assert state.is_failed()
    failures = [body for _, body in receiver.received if body["event"] == "failure" and body["text"] != "x"]
    assert len(failures) == 1 and failures[0]["text"].startswith("The translate run failed: ")
    assert "rotto.txt" in failures[0]["text"]
    assert wrong == [] and refused == ["notification by webhook failed: HTTP 404"]


def test_a_webhook_whose_address_is_private_is_refused_when_sent(project, monkeypatch):
    """Only its address tells where a webhook from the environment (or a host name)
    goes: it is checked on the address connected to, as the feeds' are."""
    with Receiver() as receiver:
        monkeypatch.setenv("TRADUCO_NOTIFY_WEBHOOK", receiver.url)
        refused = sending.send(load_project(project), channels.Message(channels.FAILURE, "x"))
        assert receiver.received == []

    assert refused == ["notification by webhook failed: refused: a loopback address (this machine); notifications "
                       "go only to public addresses (or hosts in [tool.traduco.web] allow_hosts)"]


def test_a_run_whose_provider_is_down_completes_and_its_waiting_work_is_told(project):
    import socket

    from flows.translate import translate

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    with Receiver() as receiver:
        with_webhook(project, receiver.url)
        state = translate(project_dir=str(project), provider="libre", provider_url=down, sync=False,
                          return_state=True)

    assert state.is_completed() and state.message.startswith("work waiting: ")
    told = [body for _, body in receiver.received if body["event"] == "waiting"]
    assert len(told) == 1 and "libre cannot be reached" in told[0]["text"], receiver.received
    assert not [body for _, body in receiver.received if body["event"] == "failure"]
