"""A stand-in LibreTranslate server for tests and benchmarks, on 127.0.0.1.

It speaks enough of LibreTranslate's API for deep-translator's
`LibreTranslator(custom_url=...)` to run unchanged over real HTTP: POST
/translate with q, source, target (query string, form or JSON); and enough of
DeepL's (POST /v2/translate with a list of texts) for DeepL's official client.
It answers from the human reference translations in `fixtures/`, makes up a
marked translation for any other text, and records every request (and every
text it was asked to translate, in `received`) so tests can count them.

Like a real MT it keeps placeholders: a sample paragraph whose terms were
masked (`La [T1] da vedere...`) is recognised with the tokens as wildcards,
and answered with the reference translation, each token where its term stands
(the reference translators' terms are the glossary's, `fixtures/glossary.csv`).
Text it does not know comes back as `[target] text`, tokens untouched.

Faults, for resilience tests: `faults` is a queue of what to do with the next
requests (429 with Retry-After, 500, "hang", "garbage"); `always` fails every
request with that fault; `rate_limit` answers 429 past that many requests per
second; `mangle` turns ASCII punctuation full-width in Chinese answers, as
Google does; `latency` delays every answer.

    with StandIn() as server:
        server.url         # "http://127.0.0.1:PORT/"
        server.requests    # [{"q": ..., "source": ..., "target": ...}, ...]
"""

from __future__ import annotations

import csv
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

REFERENCES = Path(__file__).parent / "fixtures" / "toscana-smart-china.references.json"
FIXTURES_REFERENCES = REFERENCES
GLOSSARY = Path(__file__).parent / "fixtures" / "glossary.csv"
TOKEN = re.compile(r"\[T(\d+)\]")     # the placeholders traduco's masking sends
CHINESE = {"zh", "zh-CN", "zh-Hans", "zh_CN"}


def load_references(path: Path = REFERENCES) -> dict[str, dict[str, str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {p["it"]: {"en": p["en"], "zh_CN": p["zh_CN"]} for p in data["paragraphs"]}


def load_terms(path: Path = GLOSSARY) -> dict[str, dict[str, str]]:
    """Italian term (case-folded) -> its translation per locale."""
    with path.open(encoding="utf-8", newline="") as file:
        return {row["it"].casefold(): {k: v for k, v in row.items() if k not in ("it", "note") and v}
                for row in csv.DictReader(file)}


def with_tokens(translation: str, spans: list[tuple[str, str]], locale: str,
                terms: dict[str, dict[str, str]]) -> str:
    """The translation with token `[Tn]` where the words its Italian span
    (`spans`: (n, Italian) in the order they stand) became: the term's approved
    translation, or the span itself (a URL, a name). Longest first, so a term
    inside a longer one ("Toscana" in "Toscana Promozione Turistica") is not
    taken twice. A token with no place left is dropped, as real MT sometimes does."""
    renderings = [(n, terms.get(italian.casefold(), {}).get(locale) or italian) for n, italian in spans]
    answer = translation
    for n, rendering in sorted(renderings, key=lambda item: -len(item[1])):
        answer = re.sub(re.escape(rendering), f"[T{n}]", answer, count=1, flags=re.I)
    return answer


def reference(text: str, locale: str, references: dict[str, dict[str, str]],
              terms: dict[str, dict[str, str]]) -> str | None:
    """The reference translation of `text`, a masked text matched with its tokens as wildcards."""
    known = references.get(text, {}).get(locale)
    if known or not TOKEN.search(text):
        return known
    parts = TOKEN.split(text)                # literal, n, literal, n, ..., literal
    wildcards = re.compile("(.+?)".join(re.escape(literal) for literal in parts[0::2]), re.S)
    for italian, translations in references.items():
        match = wildcards.fullmatch(italian)
        if match and translations.get(locale):
            return with_tokens(translations[locale], list(zip(parts[1::2], match.groups())), locale, terms)
    return None


def made_up(text: str, target: str) -> str:
    """What the stand-in answers for text it has no reference for."""
    return f"[{target}] {text}"


class _Server(ThreadingHTTPServer):
    request_queue_size = 256    # a benchmark opens many connections at once
    daemon_threads = True

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return      # the client gave up on a slow answer: what its deadline is for
        super().handle_error(request, client_address)


FULL_WIDTH = str.maketrans("%()[]:;,!?", "％（）［］：；，！？")


class Served:
    """A stand-in's server thread, started and stopped as a context manager
    (`_server` and `_thread` are the subclass's)."""

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


class StandIn(Served):
    def __init__(self, references: dict[str, dict[str, str]] | None = None, latency: float = 0.0,
                 rate_limit: float | None = None, mangle: bool = False, port: int = 0):
        self.references = load_references() if references is None else references
        self.latency = latency
        self.rate_limit = rate_limit
        self.mangle = mangle
        self.terms = load_terms()
        self.requests: list[dict[str, str]] = []
        self.received: list[str] = []        # every text asked for, as it arrived
        self.arrivals: list[float] = []      # time.time() of each translate request
        self.faults: list[int | str] = []   # what to do with the next requests, one each
        self.always: int | str | None = None
        self.retry_after = 1
        self.hang_seconds = 5.0
        self.answered: dict[str, int] = {}   # outcome -> count ("200", "429", "hang", ...)
        self.in_flight = 0
        self.max_in_flight = 0               # most requests being served at once
        self._tokens = 0.0
        self._refilled = time.monotonic()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def translate(self, text: str, target: str) -> str:
        target = target.lower()
        locale = "zh_CN" if target in {c.lower() for c in CHINESE} else target.split("-")[0]
        with self._lock:
            self.received.append(text)
        answer = self._reference(text, locale) or made_up(text, target)
        return answer.translate(FULL_WIDTH) if self.mangle and locale == "zh_CN" else answer

    def _reference(self, text: str, locale: str) -> str | None:
        return reference(text, locale, self.references, self.terms)

    def _next_fault(self) -> int | str | None:
        with self._lock:
            if self.rate_limit:
                now = time.monotonic()
                self._tokens = min(self.rate_limit / 10 + 1,
                                   self._tokens + (now - self._refilled) * self.rate_limit)
                self._refilled = now
                if self._tokens < 1:
                    return 429
                self._tokens -= 1
            if self.faults:
                return self.faults.pop(0)
            return self.always

    def _count(self, outcome) -> None:
        with self._lock:
            self.answered[str(outcome)] = self.answered.get(str(outcome), 0) + 1

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                path = urlparse(self.path).path.rstrip("/")
                if path == "/languages":
                    self._send(200, [{"code": c, "name": c} for c in ("it", "en", "zh")])
                elif path == "/stats":   # for benchmarks running the stand-in in another process
                    with standin._lock:
                        self._send(200, {"requests": len(standin.requests), "answered": standin.answered,
                                         "max_in_flight": standin.max_in_flight})
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self):
                path = urlparse(self.path).path.rstrip("/")
                if path not in ("/translate", "/v2/translate"):
                    return self._send(404, {"error": "not found"})
                params = self._params(urlparse(self.path).query)
                with standin._lock:
                    standin.requests.append(params)
                    standin.arrivals.append(time.time())
                    standin.in_flight += 1
                    standin.max_in_flight = max(standin.max_in_flight, standin.in_flight)
                try:
                    self._answer(path, params)
                finally:
                    with standin._lock:
                        standin.in_flight -= 1

            def _answer(self, path: str, params: dict) -> None:
                fault = standin._next_fault()
                # a number for every answer, or a function of the text (one slow answer among fast ones)
                delay = standin.latency(params.get("q", "")) if callable(standin.latency) else standin.latency
                if delay:
                    time.sleep(delay)
                if fault is not None and self._fault(fault):
                    return
                if fault is None:   # a hang's late answer is counted as the hang
                    standin._count(200)
                if path == "/v2/translate":
                    texts = params.get("text") or []
                    texts = [texts] if isinstance(texts, str) else texts
                    return self._send(200, {"translations": [
                        {"detected_source_language": "IT", "billed_characters": len(t),
                         "text": standin.translate(t, params.get("target_lang", ""))} for t in texts]})
                if not params.get("q"):
                    return self._send(400, {"error": "Invalid request: missing q parameter"})
                self._send(200, {"translatedText": standin.translate(params["q"], params.get("target", ""))})

            def _fault(self, fault) -> bool:
                standin._count(fault)
                if fault == "hang":
                    time.sleep(standin.hang_seconds)
                    return False     # then answer normally, long after any sane deadline
                if fault == "garbage":
                    body = b"<html>502 Bad Gateway</html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return True
                headers = {"Retry-After": str(standin.retry_after)} if fault == 429 else {}
                self._send(int(fault), {"error": f"injected {fault}"}, headers)
                return True

            def _params(self, query: str) -> dict[str, str]:
                params = {k: v[0] for k, v in parse_qs(query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                if body:
                    if self.headers.get("Content-Type", "").startswith("application/json"):
                        params.update(json.loads(body))
                    else:
                        params.update({k: v if len(v) > 1 else v[0] for k, v in parse_qs(body).items()})
                return params

            def _send(self, status: int, payload, headers: dict | None = None) -> None:
                body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def main() -> None:
    """Serve from the command line (the README's offline demo, benchmarks):
    prints the URL, runs until killed.

        python tests/standin.py --port 5000
        python tests/standin.py --latency 0.05 --rate-limit 200
    """
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--rate-limit", type=float, default=None)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    args = parser.parse_args()
    with StandIn(latency=args.latency, rate_limit=args.rate_limit, port=args.port) as server:
        print(server.url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
