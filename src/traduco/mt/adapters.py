"""Machine-translation providers: their keys, and one adapter each.

What each provider is (codes, keys, limits) is `traduco.project.providers`, which
imports nothing of ours, so settings can name providers without importing MT.
Adapters turn a list of texts into a list of translations with one request
(several texts per request only where the provider's API takes a list: DeepL).

deep-translator covers most providers. DeepL goes through DeepL's official
`deepl` client instead: deep-translator sends the key as a query parameter,
which DeepL no longer accepts (403), and the official client batches and has
native glossaries. Papago is left out: it does not translate from Italian.
"""

from __future__ import annotations

import os
import sys
from traduco.project.loading import MTSettings
from traduco.project.providers import PROVIDERS, Provider
from traduco.project.settings import SettingsError


def provider(name: str) -> Provider:
    try:
        return PROVIDERS[name]
    except KeyError:     # settings refuse unknown names as they load: this is for MTSettings made in code
        raise SettingsError(f"unknown provider {name!r}",
                          hint=f"Choose from: {', '.join(PROVIDERS)}") from None


def secrets_for(name: str) -> dict[str, str]:
    """The provider's keys, from the environment or from Prefect Secret blocks
    named like the variable (lower case, '-' for '_'). Never from files in the
    repository. `TRADUCO_<VARIABLE>` wins over `<VARIABLE>`."""
    found = {}
    for variable in PROVIDERS[name].keys:
        value = environment_secret(variable) or _prefect_secret(variable)
        if value:
            found[variable] = value
    return found


def environment_secret(variable: str) -> str | None:
    return os.environ.get(f"TRADUCO_{variable}") or os.environ.get(variable) or None


def _prefect_secret(variable: str) -> str | None:
    """Looked up only where a Prefect API is in use (a flow run, or a command
    inside `servers.api_for_command`): `traduco status` and plain library use
    never start Prefect just to look."""
    if "prefect" not in sys.modules and not os.environ.get("PREFECT_API_URL"):
        return None
    try:
        from prefect.blocks.system import Secret
        from prefect.context import FlowRunContext, TaskRunContext
        from prefect.settings import get_current_settings
    except ImportError:
        return None
    if not (FlowRunContext.get() or TaskRunContext.get() or get_current_settings().api.url):
        return None
    try:
        return Secret.load(variable.lower().replace("_", "-")).get()
    except Exception:   # no such block: the key is simply not configured
        return None


def check_secrets(name: str, found: dict[str, str] | None = None) -> None:
    """Refuse a provider whose keys are missing; `found`: keys already looked up."""
    spec = PROVIDERS[name]
    required = spec.keys[:1] if name == "microsoft" else spec.keys
    found = secrets_for(name) if found is None else found
    missing = [k for k in required if k not in found]
    if missing and not spec.optional_keys:
        # exit 2 like any setting; only checked when MT is about to be used (status and check need no key)
        raise SettingsError(f"the {name} provider needs {' and '.join(missing)}",
                          hint="Set it in the environment (or a Prefect Secret block named "
                               f"{missing[0].lower().replace('_', '-')}); never in a file in the repository")


def on_this_machine(url: str | None) -> bool:
    """A server at a loopback address (a local Ollama or vLLM), which needs no key."""
    from urllib.parse import urlsplit
    host = (urlsplit(url).hostname or "") if url else ""
    return host in ("localhost", "::1") or host.startswith("127.")


class Adapter:
    """Translate a list of texts with one request. One instance per worker thread:
    deep-translator's GoogleTranslator mutates itself on every call."""

    def __init__(self, name: str, source: str, target: str, url: str | None, secrets: dict[str, str]):
        self.name, self.source, self.target, self.url = name, source, target, url
        self._secrets = secrets
        self._client = self._make()

    def translate(self, texts: list[str]) -> list[str]:
        if self.name == "deepl":
            results = self._client.translate_text(texts, source_lang=self.source, target_lang=self.target)
            return [r.text for r in results]
        return [self._client.translate(text) for text in texts]

    def _make(self):
        s, name = self._secrets, self.name
        if name == "deepl":
            import deepl
            client = deepl.Translator(s.get("DEEPL_AUTH_KEY", ""), server_url=self.url,
                                      send_platform_info=False, skip_language_check=True)
            # Retries are the engine's job. DeepL's only setting for its own
            # (deepl.http_client.max_network_retries) is process-wide: this client alone is told.
            client._client._should_retry = lambda response, exception, retries: False
            return client
        import deep_translator as dt
        if name == "google":
            return dt.GoogleTranslator(source=self.source, target=self.target)
        if name == "libre":
            url = self.url if self.url.endswith("/") else self.url + "/"
            # LibreTranslator refuses to start without a key, even for servers that need none.
            return dt.LibreTranslator(source=self.source, target=self.target, custom_url=url,
                                      api_key=s.get("LIBRE_API_KEY") or "no-key")
        if name == "microsoft":
            return dt.MicrosoftTranslator(source=self.source, target=self.target,
                                          api_key=s.get("MICROSOFT_API_KEY"), region=s.get("MICROSOFT_REGION"))
        if name == "baidu":
            return dt.BaiduTranslator(source=self.source, target=self.target,
                                      appid=s.get("BAIDU_APPID"), appkey=s.get("BAIDU_APPKEY"))
        if name == "mymemory":
            return dt.MyMemoryTranslator(source=self.source, target=self.target)
        if name == "yandex":
            return dt.YandexTranslator(source=self.source, target=self.target, api_key=s.get("YANDEX_API_KEY"))
        raise SettingsError(f"unknown provider {name!r}")


def check_settings(settings: MTSettings, keys: bool = True,
                   secrets: dict[str, dict[str, str]] | None = None) -> None:
    """Refuse, before any work, a chain that names an unknown provider, lacks a
    URL, or (with `keys`) lacks a key; `secrets`: keys already looked up, per provider."""
    for name in settings.names():
        spec = provider(name)
        if spec.needs_url and not settings.provider(name).url:
            raise SettingsError(f"the {name} provider needs the server's address",
                              hint=f"Pass --provider-url http://host:port/ or set url in "
                                   f"[tool.traduco.mt.providers.{name}]")
        if not keys:
            continue
        found = (secrets or {}).get(name)
        found = secrets_for(name) if found is None else found
        check_secrets(name, found)
        if spec.documents and not found and not on_this_machine(settings.provider(name).url):
            raise SettingsError(f"the {name} provider needs OPENAI_API_KEY for a server on another machine",
                                hint="Set it in the environment (or a Prefect Secret block named openai-api-key); "
                                     "a server on this machine (Ollama, vLLM on 127.0.0.1) needs none")
