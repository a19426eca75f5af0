"""What went wrong with a request, in words, and what to do about it.

deep-translator hides HTTP status codes behind its own exceptions (and lets
`requests` connection errors escape), and DeepL's client has its own types;
`classify` looks at the exception and at the last response the transport saw,
and decides: retry (429, 5xx, timeout, garbage), give up on this text (the
provider rejected it), or give up on the provider (unreachable host, refused
key, spent quota). Only the provider libraries' own exceptions are the
provider's failures (`provider_error`): anything else raised during a request
is a bug in traduco and goes up as one, never retried as "the provider
answered with something that is not a translation". Messages are ours, never a provider's error text as it
came: the cause is named in our words, and the little text that is passed on
goes through `redact` (no key in any encoding, no URL query string).
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from functools import lru_cache

import requests
import urllib3

from traduco.project.secrets import environment_keys
from traduco.redaction import redact

# Words of a connection error (requests, urllib3, the OS, DeepL's client) -> what we say, and
# whether the provider is unusable for the rest of the run.
_UNREACHABLE = (
    (("Name or service not known", "Failed to resolve", "Temporary failure in name resolution",
      "nodename nor servname", "getaddrinfo failed", "No address associated"),
     "its host name does not resolve: no network?", True),
    (("CERTIFICATE_VERIFY_FAILED", "certificate verify failed"), "its TLS certificate is not valid", True),
    (("Connection refused",), "connection refused", False),
    (("No route to host", "Network is unreachable"), "no route to its host", False),
    (("SSL", "TLS", "wrong version number"), "the TLS handshake failed", False),
    (("Connection reset", "Connection aborted", "RemoteDisconnected", "Broken pipe", "closed connection"),
     "the connection was closed", False),
)


# The libraries that talk to providers. An exception of theirs is the
# provider's failure; so is a KeyError or TypeError raised inside their code
# while reading an answer (deep-translator reads `response.json()["..."]`
# without looking: a provider answering other JSON raises there).
PROVIDER_LIBRARIES = ("deep_translator", "deepl", "openai", "requests", "urllib3")
_READING = (KeyError, IndexError, TypeError, AttributeError, ValueError)


class NotATranslation(Exception):
    """The provider answered, but not with a translation of the texts (traduco's own verdict)."""


class SecretInAnswer(NotATranslation):
    """The provider's "translation" holds a key or token traduco holds, in some encoding."""


@dataclass(frozen=True)
class Failure:
    reason: str
    retry: bool = False              # worth another attempt after a pause
    fatal: bool = False              # the provider is unusable for this run
    retry_after: float | None = None
    rate_limited: bool = False       # HTTP 429: every other request would meet the same limit


def classify(name: str, exc: BaseException, response, secrets: dict[str, str],
             deadline: float) -> Failure:
    """What the provider's failure `exc` means; any other exception is raised again (a bug)."""
    if not provider_error(exc):
        raise exc
    # DeepL's client uses no requests.Session.request (the transport never sees
    # its responses): its exceptions carry the status instead.
    # The openai client's errors carry their own (httpx) response.
    response = response if response is not None else getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(exc, "http_status_code", None) \
        or getattr(exc, "status_code", None)
    kind = type(exc).__name__
    if isinstance(exc, requests.Timeout) or kind in ("Timeout", "APITimeoutError"):
        return Failure(f"{name} did not answer within {deadline:g} s", retry=True)
    if isinstance(exc, requests.ConnectionError) or kind in ("ConnectionException", "ConnectionError",
                                                             "APIConnectionError"):
        text = f"{exc} {exc.__cause__ or ''}"
        for words, cause, fatal in _UNREACHABLE:
            if any(word in text for word in words):
                return Failure(f"{name} cannot be reached ({cause})", retry=not fatal, fatal=fatal)
        return Failure(f"{name} cannot be reached ({kind})", retry=True)
    if isinstance(exc, SecretInAnswer):
        return Failure(str(exc), fatal=True)
    if status == 429 and "insufficient_quota" in str(getattr(exc, "body", "") or ""):
        return Failure(f"{name} says the quota is used up (HTTP 429, insufficient_quota)", fatal=True)
    if kind in ("TooManyRequests", "TooManyRequestsException") or status == 429:
        return Failure(f"{name} is rate-limiting us (HTTP 429)", retry=True,
                       retry_after=_retry_after(response), rate_limited=True)
    if kind in ("AuthorizationException", "ApiKeyException") or status in (401, 403):
        return Failure(f"{name} refused the key (HTTP {status or 403}): check its key variable",
                       fatal=True)
    if kind == "QuotaExceededException" or status == 456:
        return Failure(f"{name} says the quota is used up", fatal=True)
    if status is not None and status >= 500:
        return Failure(f"{name} had a server error (HTTP {status})", retry=True,
                       retry_after=_retry_after(response))
    if status in (400, 413) and _too_long(exc):
        return Failure(f"{name}: the request is longer than the model's context window (HTTP {status})")
    if (status is not None and 300 <= status < 400) or _in_function(exc, "resolve_redirects"):
        return Failure(f"{name} answered with a redirect that cannot be followed (HTTP {status or '3xx'})")
    if status == 404:
        # A wrong address (an API base without /v1) or a model the server lacks: no
        # request of this run can succeed, so none is sent again.
        said = _clean(_said(exc), secrets)
        return Failure(f"{name} answered HTTP 404 (not found): check its url, the API base (usually ending "
                       f"in /v1), and its model{f' ({said})' if said else ''}", fatal=True)
    if status is not None and 400 <= status < 500:
        return Failure(f"{name} rejected the text (HTTP {status})")
    if isinstance(exc, (NotATranslation, requests.JSONDecodeError, *_READING)) or kind in (
            "TranslationNotFound", "ElementNotFoundInGetRequest", "ServerException", "RequestError",
            "DeepLException"):
        return Failure(f"{name} answered with something that is not a translation", retry=True)
    return Failure(f"{name} failed: {kind}: {_clean(str(exc), secrets)}" if str(exc) else f"{name} failed: {kind}",
                   retry=True)


def provider_error(exc: BaseException) -> bool:
    """An exception of a provider library (or our NotATranslation), or one its
    code raised reading the provider's answer: the provider's, not traduco's."""
    if isinstance(exc, (NotATranslation, *_library_exceptions())):
        return True
    if not isinstance(exc, _READING):
        return False
    # The deepest frame not of the standard library: requests following a redirect
    # raises the ValueError of urllib.parse for a `Location: http://[...`.
    module, frame = "", exc.__traceback__
    while frame is not None:
        name = frame.tb_frame.f_globals.get("__name__", "")
        if name.split(".")[0] not in sys.stdlib_module_names:
            module = name
        frame = frame.tb_next
    return module.split(".")[0] in PROVIDER_LIBRARIES


def _in_function(exc: BaseException, name: str) -> bool:
    """`exc` was raised in (or below) a function of that name: where in a library it went wrong."""
    frame = exc.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_name == name:
            return True
        frame = frame.tb_next
    return False


@lru_cache(maxsize=1)
def _library_exceptions() -> tuple[type[BaseException], ...]:
    """requests', urllib3's, and those of the provider libraries that are installed."""
    found: list[type[BaseException]] = [requests.RequestException, urllib3.exceptions.HTTPError]
    for module_name, names in (("deep_translator.exceptions", None), ("deepl", ("DeepLException",)),
                               ("openai", ("OpenAIError",))):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for value in ([getattr(module, n, None) for n in names] if names else vars(module).values()):
            if isinstance(value, type) and issubclass(value, Exception) \
                    and value.__module__.startswith(module_name.split(".")[0]):
                found.append(value)
    return tuple(found)


def _too_long(exc: BaseException) -> bool:
    """An LLM server's words for a prompt longer than its context (OpenAI, vLLM, Ollama, DeepSeek)."""
    body = getattr(exc, "body", None)
    words = f"{exc} {body if body is not None else ''}".lower()
    return any(w in words for w in ("context_length_exceeded", "context length", "maximum context",
                                    "too many tokens", "context window"))


def _retry_after(response) -> float | None:
    headers = getattr(response, "headers", None) if response is not None else None
    if headers is not None and headers.get("retry-after-ms") and not headers.get("Retry-After"):
        try:
            return max(0.0, float(headers["retry-after-ms"]) / 1000)     # OpenAI's own, in milliseconds
        except ValueError:
            return None
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None   # an HTTP date: fall back to our own backoff


def _said(exc: BaseException) -> str:
    """The server's own words in an OpenAI-shaped error body, if any."""
    body = getattr(exc, "body", None)
    body = body.get("error", body) if isinstance(body, dict) else body
    return str(body.get("message") or "") if isinstance(body, dict) else ""


def _clean(text: str, secrets: dict[str, str]) -> str:
    """One line, no keys (this provider's, and any other's in the environment: an
    error may quote anything) in any encoding, no query strings; cut after redacting,
    so that no key is cut into a piece the redaction would not know."""
    return redact(" ".join(text.split()), [*secrets.values(), *environment_keys()])[:200]
