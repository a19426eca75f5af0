"""The machine-translation providers a project may name: each one's language
codes, the keys it needs, its limits. It imports nothing of ours, so the
settings, the redaction of keys and the MT code all read the one table without
importing each other (the adapters that talk to providers are `traduco.mt.adapters`).

>>> language_code("deepl", "zh_CN"), language_code("microsoft", "zh_CN"), language_code("google", "it")
('ZH-HANS', 'zh-Hans', 'it')
>>> PROVIDERS["baidu"].keys
('BAIDU_APPID', 'BAIDU_APPKEY')
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    """What a provider tolerates: pace, volume, parallel connections."""
    requests_per_second: float = 5.0
    characters_per_minute: int = 300_000
    connections: int = 4


@dataclass(frozen=True)
class Provider:
    name: str
    codes: dict[str, str]                 # gettext locale -> provider code
    keys: tuple[str, ...] = ()            # environment variables it needs, in order
    optional_keys: bool = False           # works without them (self-hosted LibreTranslate)
    needs_url: bool = False
    max_chars: int = 4999                 # deep-translator refuses 5,000 and more
    batch_size: int = 1                   # texts per request
    limits: Limits = field(default_factory=Limits)
    documents: bool = False               # an LLM: drafts whole documents, metered in tokens (`mt.drafter`)


# Default limits follow each provider's documented free or entry tier.
PROVIDERS: dict[str, Provider] = {p.name: p for p in (
    Provider("google", {"it": "it", "zh_CN": "zh-CN", "zh_TW": "zh-TW", "en": "en"},
             limits=Limits(5, 100_000, 4)),
    Provider("deepl", {"it": "IT", "zh_CN": "ZH-HANS", "en": "EN-GB"}, keys=("DEEPL_AUTH_KEY",),
             max_chars=30_000, batch_size=50, limits=Limits(10, 500_000, 4)),
    Provider("libre", {"it": "it", "zh_CN": "zh", "en": "en"}, keys=("LIBRE_API_KEY",),
             optional_keys=True, needs_url=True, limits=Limits(10, 600_000, 4)),
    Provider("microsoft", {"it": "it", "zh_CN": "zh-Hans", "en": "en"},
             keys=("MICROSOFT_API_KEY", "MICROSOFT_REGION"), max_chars=10_000,
             limits=Limits(10, 33_000, 4)),
    Provider("baidu", {"it": "it", "zh_CN": "zh", "en": "en"}, keys=("BAIDU_APPID", "BAIDU_APPKEY"),
             max_chars=2_000, limits=Limits(1, 60_000, 1)),
    Provider("mymemory", {"it": "it-IT", "zh_CN": "zh-CN", "en": "en-GB"}, max_chars=499,
             limits=Limits(2, 10_000, 2)),
    Provider("yandex", {"it": "it", "zh_CN": "zh", "en": "en"}, keys=("YANDEX_API_KEY",),
             max_chars=10_000, limits=Limits(10, 1_000_000, 4)),
    # Any OpenAI-compatible chat-completions server; its volume limit is in tokens per minute
    # (what paid tiers of OpenAI, DeepSeek and DashScope allow; set yours in its table).
    # max_chars and batch_size bound the units asked for in one request.
    Provider("openai", {"it": "it", "zh_CN": "zh_CN", "en": "en"}, keys=("OPENAI_API_KEY",),
             optional_keys=True, max_chars=6_000, batch_size=40, limits=Limits(5, 200_000, 4), documents=True),
)}


def language_code(name: str, locale: str) -> str:
    """The provider's code for a gettext locale (zh_CN: Google zh-CN, DeepL ZH-HANS,
    LibreTranslate and Baidu zh, Microsoft zh-Hans, MyMemory zh-CN)."""
    codes = PROVIDERS[name].codes if name in PROVIDERS else {}
    return codes.get(locale) or codes.get(locale.split("_")[0]) or locale.split("_")[0].lower()
