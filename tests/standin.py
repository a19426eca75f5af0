"""A stand-in LibreTranslate server for tests and benchmarks, on 127.0.0.1.

It speaks enough of LibreTranslate's API for deep-translator's
`LibreTranslator(custom_url=...)` to run unchanged over real HTTP: POST
/translate with q, source, target (query string, form or JSON). It answers from
the human reference translations in `fixtures/`, makes up a marked translation
for any other text, and records every request so tests can count them.

    with StandIn() as server:
        server.url         # "http://127.0.0.1:PORT/"
        server.requests    # [{"q": ..., "source": ..., "target": ...}, ...]
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

REFERENCES = Path(__file__).parent / "fixtures" / "toscana-smart-china.references.json"
CHINESE = {"zh", "zh-CN", "zh-Hans", "zh_CN"}


def load_references(path: Path = REFERENCES) -> dict[str, dict[str, str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {p["it"]: {"en": p["en"], "zh_CN": p["zh_CN"]} for p in data["paragraphs"]}


def made_up(text: str, target: str) -> str:
    """What the stand-in answers for text it has no reference for."""
    return f"[{target}] {text}"


class StandIn:
    def __init__(self, references: dict[str, dict[str, str]] | None = None, latency: float = 0.0):
        self.references = load_references() if references is None else references
        self.latency = latency
        self.requests: list[dict[str, str]] = []
        self.faults: list[int] = []        # HTTP statuses to answer next, one per request
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def translate(self, text: str, target: str) -> str:
        locale = "zh_CN" if target in CHINESE else target
        known = self.references.get(text, {})
        return known.get(locale) or made_up(text, target)

    def __enter__(self) -> "StandIn":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                if urlparse(self.path).path.rstrip("/") == "/languages":
                    self._send(200, [{"code": c, "name": c} for c in ("it", "en", "zh")])
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self):
                url = urlparse(self.path)
                if url.path.rstrip("/") != "/translate":
                    return self._send(404, {"error": "not found"})
                params = self._params(url.query)
                with standin._lock:
                    standin.requests.append(params)
                    fault = standin.faults.pop(0) if standin.faults else None
                if standin.latency:
                    time.sleep(standin.latency)
                if fault:
                    return self._send(fault, {"error": f"injected {fault}"})
                if not params.get("q"):
                    return self._send(400, {"error": "Invalid request: missing q parameter"})
                self._send(200, {"translatedText": standin.translate(params["q"], params.get("target", ""))})

            def _params(self, query: str) -> dict[str, str]:
                params = {k: v[0] for k, v in parse_qs(query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                if body:
                    if self.headers.get("Content-Type", "").startswith("application/json"):
                        params.update(json.loads(body))
                    else:
                        params.update({k: v[0] for k, v in parse_qs(body).items()})
                return params

            def _send(self, status: int, payload) -> None:
                body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
