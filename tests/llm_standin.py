"""A stand-in OpenAI-compatible chat-completions server, on 127.0.0.1.

It speaks enough of the API for the official `openai` client to run unchanged
over real HTTP: POST /v1/chat/completions (with `response_format` json_schema
or json_object) and GET /v1/models. Like a translating model it reads the
target language from the system message and the units from the last user
message (`{"translate": [{"id", "text"}]}`), and answers `{"units": [...]}`
with the human reference translations in `fixtures/` (tokens where their
terms stand, as `standin.StandIn` does for LibreTranslate), a made-up
translation for other text, and `usage` counted as servers do (here: a token
per three characters of prompt, per two of answer).

Misbehaviours, as real models and servers show them: `faults` is a queue of
what to do with the next requests, `always` applies to every request,
`chance` (with `mix`) to a random share of them:

    fences  chatter  missing  invented  repeated  swap  italian  wrong_language
    lost_token  translated_token  length  refusal  content_filter  echo_key  no_usage
    429  500  503  context_length  no_json_schema  hang  trickle  garbage

Errors carry the bodies and headers real servers send (OpenAI's
`{"error": {"message", "type", "param", "code"}}`, Retry-After on 429).
`context_tokens` is the model's context: a longer prompt gets the
context-length error. `key`: the Bearer key required (None: none).

    with LLMStandIn() as server:
        server.url          # "http://127.0.0.1:PORT/v1"
        server.requests     # every request body, parsed
        server.asked        # every unit id asked for, in order

From the command line (the README's offline demo, the benchmark):

    python tests/llm_standin.py --port 8089 [--mix 0.15] [--latency 0.05]
"""

from __future__ import annotations

import json
import random
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from standin import Served, _Server, load_references, load_terms, reference  # noqa: E402

UNIT_FAULTS = ("fences", "chatter", "missing", "invented", "repeated", "swap", "italian", "wrong_language",
               "lost_token", "translated_token", "length", "refusal", "content_filter")
MIX = ("fences", "missing", "invented", "repeated", "swap", "italian", "wrong_language", "lost_token",
       "translated_token", "length", "refusal", 429, 503, "chatter")
LOCALE = re.compile(r"\((zh_CN|zh|en(?:_[A-Z]{2})?)\)")
TOKEN = re.compile(r"\[T(\d+)\]")


def error(message: str, kind: str, code: str | None, param: str | None = None) -> dict:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def made_up(text: str, locale: str) -> str:
    """A translation of text the references lack: tokens and figures kept, words rendered."""
    def word(match: re.Match) -> str:
        w = match.group(0)
        if TOKEN.fullmatch(w) or w[0].isdigit():
            return w
        return "译" * max(1, round(len(w) * 0.4)) if locale.startswith("zh") else f"the {w.lower()}-en"
    rendered = re.sub(r"\[T\d+\]|\d[\d.,]*|[^\W\d_]+", word, text)
    return rendered.replace(" ", "") if locale.startswith("zh") else rendered


class LLMStandIn(Served):
    def __init__(self, references: dict | None = None, latency: float = 0.0, key: str | None = None,
                 context_tokens: int = 32_000, chance: float = 0.0, seed: int = 7, port: int = 0,
                 json_schema: bool = True, unit_latency: float = 0.0):
        self.references = load_references() if references is None else references
        self.terms = load_terms()
        self.latency, self.key, self.context_tokens = latency, key, context_tokens
        self.unit_latency = unit_latency     # a model writes longer answers for longer: seconds per unit
        self.json_schema = json_schema
        self.faults: list = []
        self.always = None
        self.chance, self.mix = chance, list(MIX)
        self.retry_after = 1
        self.hang_seconds, self.trickle_seconds = 20.0, 0.5
        self.requests: list[dict] = []
        self.asked: list[str] = []
        self.answered: dict[str, int] = {}
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def _next_fault(self):
        with self._lock:
            if self.faults:
                fault = self.faults.pop(0)
            elif self.always is not None:
                fault = self.always
            elif self.chance and self._random.random() < self.chance:
                fault = self._random.choice(self.mix)
            else:
                fault = None
            self.answered[str(fault)] = self.answered.get(str(fault), 0) + 1
            return fault

    # -- what a translating model answers ------------------------------------------

    def translate(self, text: str, locale: str) -> str:
        return reference(text, locale, self.references, self.terms) or made_up(text, locale)

    def units(self, body: dict) -> tuple[str, list[dict]]:
        messages = body.get("messages") or []
        system = next((m.get("content") or "" for m in messages if m.get("role") == "system"), "")
        found = LOCALE.search(system)
        locale = found.group(1) if found else "en"
        try:
            asked = json.loads(messages[-1]["content"])["translate"]
        except (ValueError, KeyError, IndexError, TypeError):
            asked = []
        return locale, [{"id": u.get("id"), "text": self.translate(u.get("text") or "", locale),
                         "source": u.get("text") or ""} for u in asked if isinstance(u, dict)]

    def misbehave(self, fault, units: list[dict], locale: str) -> tuple[str, str, str | None]:
        """(content, finish_reason, refusal) of an answer, spoilt by `fault`."""
        first = units[0] if units else {"id": "u1", "text": "", "source": ""}
        if fault == "missing" and units:
            units = units[1:]
        elif fault == "invented":
            units = units + [{"id": "u999", "text": first["text"]}]
        elif fault == "repeated" and units:
            units = units + [{"id": first["id"], "text": units[-1]["text"] + first["text"]}]
        elif fault == "swap" and len(units) >= 2:
            units = [dict(units[0], text=units[1]["text"]), dict(units[1], text=units[0]["text"]), *units[2:]]
        elif fault == "italian":
            units = [dict(first, text=first["source"]), *units[1:]]
        elif fault == "wrong_language":
            other = "en" if locale.startswith("zh") else "zh_CN"
            units = [dict(first, text=self.translate(first["source"], other)), *units[1:]]
        elif fault == "lost_token":
            units = [dict(first, text=TOKEN.sub("", first["text"], count=1)), *units[1:]]
        elif fault == "translated_token":
            units = [dict(first, text=TOKEN.sub("标记", first["text"], count=1)), *units[1:]]
        elif fault == "refusal":
            return "", "stop", "I'm sorry, but I can't assist with that request."
        elif fault == "content_filter":
            return "", "content_filter", None
        content = json.dumps({"units": [{"id": u["id"], "text": u["text"]} for u in units]}, ensure_ascii=False)
        if fault == "fences":
            return f"```json\n{content}\n```", "stop", None
        if fault == "chatter":
            return f"Sure! Here are the translations you asked for:\n\n{content}\n\nLet me know if you need more.", \
                "stop", None
        if fault == "length":
            return content[:len(content) * 2 // 3], "length", None
        return content, "stop", None

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path.rstrip("/").endswith("/models"):
                    return self._send(200, {"object": "list", "data": [{"id": "qwen-plus", "object": "model",
                                                                        "owned_by": "stand-in"}]})
                self._send(404, error(f"Invalid URL (GET {self.path})", "invalid_request_error", None))

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if self.path.rstrip("/") != "/v1/chat/completions":   # as Ollama, vLLM, OpenAI: a base without /v1 is 404
                    return self._send(404, error(f"Invalid URL (POST {self.path})", "invalid_request_error", None))
                if standin.key and self.headers.get("Authorization") != f"Bearer {standin.key}":
                    return self._send(401, error("Incorrect API key provided. You can find your API key at "
                                                 "https://platform.openai.com/account/api-keys.",
                                                 "invalid_request_error", "invalid_api_key"))
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    return self._send(400, error("We could not parse the JSON body of your request.",
                                                 "invalid_request_error", None))
                with standin._lock:
                    standin.requests.append(body)
                self._answer(body)

            def _answer(self, body: dict) -> None:
                locale, units = standin.units(body)
                with standin._lock:
                    standin.asked.extend(str(u["id"]) for u in units)
                fault = standin._next_fault()
                if standin.latency or standin.unit_latency:
                    time.sleep(standin.latency + standin.unit_latency * len(units))
                prompt = sum(len(m.get("content") or "") for m in body.get("messages") or []) // 3
                kind = (body.get("response_format") or {}).get("type")
                if kind == "json_schema" and (not standin.json_schema or fault == "no_json_schema"):
                    return self._send(400, error("This response_format type is unavailable now",
                                                 "invalid_request_error", "invalid_request_error"))
                if prompt > standin.context_tokens or fault == "context_length":
                    return self._send(400, error(
                        f"This model's maximum context length is {standin.context_tokens} tokens. However, your "
                        f"messages resulted in {prompt} tokens. Please reduce the length of the messages.",
                        "invalid_request_error", "context_length_exceeded", "messages"))
                if fault in (429, 500, 503, "garbage"):
                    return self._error(fault)
                if fault == "hang":
                    time.sleep(standin.hang_seconds)
                if fault == "echo_key":     # a hostile or broken server hands back the key it was sent
                    sent = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                    units = [dict(u, text=f"{u['text']} {sent}") for u in units]
                content, finish, refusal = standin.misbehave(fault, units, locale)
                answer = {"id": f"chatcmpl-{len(standin.requests)}", "object": "chat.completion",
                          "created": int(time.time()), "model": body.get("model") or "qwen-plus",
                          "choices": [{"index": 0, "finish_reason": finish, "logprobs": None,
                                       "message": {"role": "assistant", "content": content or None,
                                                   "refusal": refusal}}],
                          "usage": {"prompt_tokens": prompt, "completion_tokens": len(content) // 2 + 1,
                                    "total_tokens": prompt + len(content) // 2 + 1}}
                if fault == "no_usage":      # llama.cpp builds and some proxies leave it out
                    del answer["usage"]
                self._send(200, answer, trickle=fault == "trickle")

            def _error(self, fault) -> None:
                if fault == 429:
                    return self._send(429, error("Rate limit reached for requests per min (RPM): Limit 3, Used 3, "
                                                 f"Requested 1. Please try again in {standin.retry_after}s.",
                                                 "requests", "rate_limit_exceeded"),
                                      {"Retry-After": str(standin.retry_after),
                                       "x-ratelimit-remaining-requests": "0"})
                if fault == "garbage":     # a proxy in front of the model, with its own error page
                    return self._send(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>")
                self._send(fault, error("The server had an error while processing your request. Sorry about that!"
                                        if fault == 500 else "The engine is currently overloaded, please try again "
                                        "later", "server_error", None))

            def _send(self, status: int, payload, headers: dict | None = None, trickle: bool = False) -> None:
                raw = isinstance(payload, bytes)
                body = payload if raw else json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/html" if raw else "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not trickle:
                    self.wfile.write(body)
                    return
                for i in range(len(body)):       # a byte at a time: no read ever times out
                    self.wfile.write(body[i:i + 1])
                    self.wfile.flush()
                    time.sleep(standin.trickle_seconds)

        return Handler


def main() -> None:
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    parser.add_argument("--unit-latency", type=float, default=0.0, help="and seconds per unit asked for")
    parser.add_argument("--mix", type=float, default=0.0, help="share of answers that misbehave (0 to 1)")
    parser.add_argument("--references", type=Path, default=None, help="a JSON file: {Italian: {locale: text}}")
    parser.add_argument("--no-json-schema", action="store_true", help="refuse json_schema, as DeepSeek does")
    args = parser.parse_args()
    references = json.loads(args.references.read_text(encoding="utf-8")) if args.references else None
    with LLMStandIn(references, latency=args.latency, chance=args.mix, port=args.port,
                    json_schema=not args.no_json_schema, unit_latency=args.unit_latency) as server:
        print(server.url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
