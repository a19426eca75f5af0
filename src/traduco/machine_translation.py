"""Machine translation through deep-translator, with the guard rails it lacks.

deep-translator sets no request timeout, lets `requests` connection errors
escape, checks a 5,000-character limit per text and sends one request per text.
The `Engine` here owns those problems: every request has a deadline, identical
texts go out once, every answer is kept in a persistent cache (the same text is
never paid for twice), and a provider that cannot be reached is not asked
again in the same run.

    engine = Engine.for_project(project)
    results = engine.translate(["Ciao"], "zh_CN")   # {"Ciao": Result(text="你好", ...)}
"""

from __future__ import annotations

import contextvars
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from traduco.config import Project, ProviderSettings
from traduco.errors import ConfigError

REQUEST_DEADLINE_SECONDS = 30.0
MAX_TEXT_CHARS = 4999          # deep-translator refuses 5,000 and more
FAILURES_BEFORE_GIVING_UP = 3  # consecutive failures that end a provider's run

# Provider codes for our gettext locales: every provider spells Chinese its own way.
LANGUAGE_CODES: dict[str, dict[str, str]] = {
    "google": {"it": "it", "zh_CN": "zh-CN", "zh_TW": "zh-TW", "en": "en"},
    "libre": {"it": "it", "zh_CN": "zh", "en": "en"},
    "mymemory": {"it": "it-IT", "zh_CN": "zh-CN", "en": "en-GB"},
    "microsoft": {"it": "it", "zh_CN": "zh-Hans", "en": "en"},
}
API_KEY_VARIABLES = {
    "libre": "LIBRE_API_KEY",
    "microsoft": "MICROSOFT_API_KEY",
}
# deep-translator's LibreTranslator refuses to start without a key, even for
# self-hosted servers that need none; this stands in when none is configured.
_NO_KEY = "no-key"


def language_code(provider: str, locale: str) -> str:
    """The provider's code for a gettext locale (zh_CN -> zh-CN for Google, zh for Libre)."""
    table = LANGUAGE_CODES.get(provider, {})
    if locale in table:
        return table[locale]
    return locale.split("_")[0].lower()


def api_key_for(provider: str) -> str | None:
    """Keys come from the environment only, never from files in the repository."""
    variable = API_KEY_VARIABLES.get(provider)
    return os.environ.get(f"TRADUCO_{provider.upper()}_API_KEY") or (
        os.environ.get(variable) if variable else None)


@dataclass(frozen=True)
class Result:
    text: str | None              # the translation, or None if it failed
    error: str | None = None      # why it failed, for the review queue
    cached: bool = False


@dataclass
class Usage:
    """What one run cost, per provider and locale."""
    requests: int = 0
    characters: int = 0
    cache_hits: int = 0
    failures: int = 0


@dataclass
class Engine:
    provider: ProviderSettings
    source_language: str
    cache: "TranslationCache"
    deadline: float = REQUEST_DEADLINE_SECONDS
    usage: dict[tuple[str, str], Usage] = field(default_factory=dict)
    outage: str | None = None       # set when the provider is given up for this run
    _consecutive_failures: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def for_project(cls, project: Project) -> "Engine":
        check_provider(project.provider)
        return cls(provider=project.provider, source_language=project.source_language,
                   cache=TranslationCache(project.state_dir / "mt-cache.sqlite"))

    @property
    def name(self) -> str:
        return self.provider.name

    def translate(self, texts: Iterable[str], locale: str,
                  on_result: Callable[[str, Result], None] | None = None) -> dict[str, Result]:
        """Translate each distinct text once: from the cache if it was ever paid for,
        else from the provider. Failures come back as Results with an error."""
        target = language_code(self.name, locale)
        source = language_code(self.name, self.source_language)
        usage = self.usage.setdefault((self.name, locale), Usage())
        results: dict[str, Result] = {}
        for text in dict.fromkeys(texts):
            result = self._one(text, source, target, usage)
            results[text] = result
            if on_result:
                on_result(text, result)
        return results

    def _one(self, text: str, source: str, target: str, usage: Usage) -> Result:
        cached = self.cache.get(self.name, source, target, text)
        if cached is not None:
            usage.cache_hits += 1
            return Result(cached, cached=True)
        if self.outage:
            usage.failures += 1
            return Result(None, self.outage)
        if len(text) > MAX_TEXT_CHARS:
            usage.failures += 1
            return Result(None, f"text of {len(text):,} characters is over the "
                                f"{MAX_TEXT_CHARS:,}-character limit of {self.name}")
        usage.requests += 1
        usage.characters += len(text)
        try:
            translation = self._request(text, source, target)
        except ProviderUnreachable as exc:
            usage.failures += 1
            self.outage = str(exc)
            return Result(None, self.outage)
        except ProviderFailed as exc:
            usage.failures += 1
            self._consecutive_failures += 1
            if self._consecutive_failures >= FAILURES_BEFORE_GIVING_UP:
                self.outage = f"{self.name} failed {self._consecutive_failures} times in a row ({exc})"
            return Result(None, str(exc))
        self._consecutive_failures = 0
        self.cache.put(self.name, source, target, text, translation)
        return Result(translation)

    def _request(self, text: str, source: str, target: str) -> str:
        secret = api_key_for(self.name)
        token = _deadline.set(self.deadline)
        try:
            translator = _translator(self.provider, source, target, secret)
            translation = translator.translate(text)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ProviderUnreachable(
                f"{self.name} cannot be reached ({_reason(exc, secret)})") from None
        except Exception as exc:  # deep-translator raises many unrelated types
            raise ProviderFailed(f"{self.name} refused the text: {_reason(exc, secret)}") from None
        finally:
            _deadline.reset(token)
        if not isinstance(translation, str) or not translation.strip():
            raise ProviderFailed(f"{self.name} returned an empty translation")
        return translation

    def summary(self) -> list[dict]:
        return [{"provider": provider, "locale": locale, **vars(usage)}
                for (provider, locale), usage in sorted(self.usage.items())]


class ProviderUnreachable(Exception):
    """The provider cannot be reached at all; do not ask it again this run."""


class ProviderFailed(Exception):
    """One text failed; others may still work."""


SUPPORTED_PROVIDERS = ("google", "libre", "mymemory", "microsoft")


def check_provider(settings: ProviderSettings) -> None:
    if settings.name not in SUPPORTED_PROVIDERS:
        raise ConfigError(f"unknown provider {settings.name!r}",
                          hint=f"Choose one of: {', '.join(SUPPORTED_PROVIDERS)}")
    if settings.name == "libre" and not settings.url:
        raise ConfigError("the libre provider needs the server's address",
                          hint="Pass --provider-url http://host:port/ or set "
                               "[tool.traduco.provider] url")


def _translator(settings: ProviderSettings, source: str, target: str, secret: str | None):
    # Imported here: deep-translator reads default keys from the environment at
    # import time, and a run that never translates should not pay for the import.
    from deep_translator import GoogleTranslator, LibreTranslator, MicrosoftTranslator, MyMemoryTranslator

    if settings.name == "google":
        return GoogleTranslator(source=source, target=target)
    if settings.name == "libre":
        url = settings.url if settings.url.endswith("/") else settings.url + "/"
        return LibreTranslator(source=source, target=target, custom_url=url,
                               api_key=secret or _NO_KEY)
    if settings.name == "mymemory":
        return MyMemoryTranslator(source=source, target=target)
    return MicrosoftTranslator(source=source, target=target, api_key=secret)


def _reason(exc: BaseException, secret: str | None) -> str:
    """A one-line reason that never contains the key."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if secret:
        text = text.replace(secret, "***")
    if "Name or service not known" in text or "Failed to resolve" in text:
        return "the host name does not resolve: no network?"
    if "Connection refused" in text:
        return "connection refused"
    return text[:200]


# -- deadlines: deep-translator never passes a timeout to requests ------------

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "traduco_request_deadline", default=None)
_original_request = requests.Session.request


def _request_with_deadline(self, method, url, **kwargs):
    deadline = _deadline.get()
    if deadline is not None and kwargs.get("timeout") is None:
        kwargs["timeout"] = deadline
    return _original_request(self, method, url, **kwargs)


# Only requests made inside Engine._request carry a deadline: the context
# variable is unset everywhere else, so other users of requests are unaffected.
requests.Session.request = _request_with_deadline


class TranslationCache:
    """Every translation ever paid for, keyed by provider, languages and text.

    SQLite in the project's git-ignored `.traduco/` folder; safe for several
    processes (WAL) and threads (one connection per thread).
    """

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("""CREATE TABLE IF NOT EXISTS translations (
                provider TEXT, source TEXT, target TEXT, text TEXT, translation TEXT,
                created TEXT DEFAULT CURRENT_TIMESTAMP,
                PRIMARY KEY (provider, source, target, text))""")
            self._local.db = db
        return db

    def get(self, provider: str, source: str, target: str, text: str) -> str | None:
        row = self._db().execute(
            "SELECT translation FROM translations WHERE provider=? AND source=? AND target=? AND text=?",
            (provider, source, target, text)).fetchone()
        return row[0] if row else None

    def put(self, provider: str, source: str, target: str, text: str, translation: str) -> None:
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO translations (provider, source, target, text, translation)"
                       " VALUES (?, ?, ?, ?, ?)", (provider, source, target, text, translation))
