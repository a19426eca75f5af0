"""One chat-completions request to an OpenAI-compatible server (OpenAI, Azure,
Mistral, DeepSeek, Qwen, Moonshot, Ollama, vLLM, LM Studio, llama.cpp), through
the official `openai` client.

    adapter = ChatAdapter(url, "qwen-plus", key, deadline=30, features=Features())
    reply = adapter.exchange(Exchange(messages, units=3, characters=2400, tokens=1500))
    reply.content, reply.finish_reason, reply.prompt_tokens

The answer is asked for with the server's JSON-schema structured output; a
server that refuses `json_schema` (an HTTP 400 naming response_format) is
asked again at once in plain JSON mode, and every later request of the run
goes that way (`Features`). The client's own retries are off (retrying is the
engine's job) and its timeouts are set: a read may take the deadline, a
connection `transport.CONNECT_SECONDS`. Its sockets are handed to the
transport's attempt as they open, so a request given up (late, Ctrl-C) is
shut down at once, even one that trickles. The reply is only read here;
whether it is a translation is `verdicts`' call.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from traduco.mt import transport
from traduco.mt.prompt import SCHEMA

OPENAI_URL = "https://api.openai.com/v1"
DEFAULT_TEMPERATURE = 0.2     # translation wants the likeliest wording, not variety
NO_KEY = "no-key"             # the client insists on one; a server on this machine needs none


@dataclass(frozen=True)
class Exchange:
    """One request: the chat, and what it asks for (for limits and budgets)."""
    messages: list[dict]
    units: int
    characters: int
    tokens: int                  # estimated, prompt and answer: for the pace and the monthly budget
    max_tokens: int = 4096       # the answer's ceiling

    @property
    def volume(self) -> int:     # what the provider's per-minute limit counts
        return self.tokens


@dataclass(frozen=True)
class Reply:
    content: str
    finish_reason: str | None
    refusal: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str = ""


class Features:
    """What the server turned out to support, learnt once per run and shared by every thread."""

    def __init__(self):
        self.json_schema = True
        self._lock = threading.Lock()

    def no_json_schema(self) -> None:
        with self._lock:
            self.json_schema = False


def estimate_tokens(messages: list[dict], answer_characters: int) -> int:
    """Tokens a request will cost, before it is sent: about one per three
    characters of prompt (less for Chinese, more for Italian: it evens out) and
    one per two characters of the Italian it translates."""
    return sum(len(m["content"]) for m in messages) // 3 + answer_characters // 2


def answer_ceiling(answer_characters: int) -> int:
    """max_tokens: room for an answer far longer than a translation usually is, and its JSON."""
    return max(256, answer_characters + 200)


class ChatAdapter:
    def __init__(self, url: str | None, model: str, key: str | None, deadline: float,
                 features: Features, temperature: float | None = None):
        import openai

        self.model, self.features = model, features
        self.temperature = DEFAULT_TEMPERATURE if temperature is None else temperature
        timeout = openai.Timeout(deadline, connect=min(transport.CONNECT_SECONDS, deadline))
        http_client = openai.DefaultHttpxClient(transport=_watched(), timeout=timeout,
                                                event_hooks={"response": [_answered]})
        self._client = openai.OpenAI(base_url=url or OPENAI_URL, api_key=key or NO_KEY, max_retries=0,
                                     timeout=timeout, http_client=http_client)

    def exchange(self, exchange: Exchange) -> Reply:
        import openai
        try:
            completion = self._create(exchange, self.features.json_schema)
        except openai.BadRequestError as refused:
            if not (self.features.json_schema and _about_response_format(refused)):
                raise
            self.features.no_json_schema()
            completion = self._create(exchange, False)
        if not getattr(completion, "choices", None):
            return Reply("", None, model=getattr(completion, "model", "") or "")
        choice, usage = completion.choices[0], getattr(completion, "usage", None)
        message = choice.message
        return Reply(message.content or "", choice.finish_reason, getattr(message, "refusal", None),
                     getattr(usage, "prompt_tokens", 0) or 0, getattr(usage, "completion_tokens", 0) or 0,
                     completion.model or "")

    def _create(self, exchange: Exchange, json_schema: bool):
        response_format = ({"type": "json_schema", "json_schema": {"name": "translations", "strict": True,
                                                                   "schema": SCHEMA}}
                           if json_schema else {"type": "json_object"})
        return self._client.chat.completions.create(
            model=self.model, messages=exchange.messages, temperature=self.temperature,
            response_format=response_format, max_tokens=exchange.max_tokens)

    def close(self) -> None:
        self._client.close()


def _about_response_format(error) -> bool:
    """The server does not do JSON-schema output (DeepSeek, older vLLM, llama.cpp builds say so with a 400)."""
    body = error.body if isinstance(getattr(error, "body", None), dict) else {}
    words = f"{getattr(error, 'message', '')} {body.get('param') or ''} {body.get('message') or ''}".lower()
    return "response_format" in words or "json_schema" in words or "response format" in words


def _watched():
    """An HTTP transport whose sockets the current `transport.Attempt` can shut down."""
    import importlib

    import openai

    # The HTTP library the installed openai client is built on (httpx, or httpx2 from openai 3).
    http = importlib.import_module(openai.DefaultHttpxClient.__mro__[1].__module__.split(".")[0])
    watched = http.HTTPTransport()
    pool = getattr(watched, "_pool", None)
    # httpcore's pools take their network backend as a private attribute: without it a
    # given-up request still ends at the client's read timeout, only later.
    if pool is not None and hasattr(pool, "_network_backend"):
        pool._network_backend = _Backend(pool._network_backend)
    return watched


def _answered(response) -> None:
    """The server answered (its headers are in): the request reached it, and its
    socket (a kept-alive connection's too) is the attempt's to shut while the body trickles."""
    stream = getattr(response, "extensions", {}).get("network_stream")
    transport.opened(stream.get_extra_info("socket") if stream is not None else None)


class _Backend:
    """httpcore's network backend, telling the transport of every socket it opens."""

    def __init__(self, inner):
        self._inner = inner

    def connect_tcp(self, *args, **kwargs):
        stream = self._inner.connect_tcp(*args, **kwargs)
        transport.opened(stream.get_extra_info("socket"))
        return stream

    def __getattr__(self, name):
        return getattr(self._inner, name)
