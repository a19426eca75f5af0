"""The MT engine over real HTTP to the stand-in: cache, deadlines, outages, secrets."""

from __future__ import annotations

import socket

import pytest
from deep_translator import GoogleTranslator, LibreTranslator, MyMemoryTranslator

from traduco.config import ProviderSettings
from traduco.errors import ConfigError
from traduco.machine_translation import (Engine, TranslationCache, check_provider,
                                         language_code)
from standin import StandIn, load_references

FIRST = next(iter(load_references()))


def engine(tmp_path, url: str, deadline: float = 30.0) -> Engine:
    return Engine(ProviderSettings("libre", url), "it",
                  TranslationCache(tmp_path / "cache.sqlite"), deadline=deadline)


@pytest.mark.parametrize("provider, locale, code", [
    ("google", "zh_CN", "zh-CN"), ("google", "en", "en"), ("libre", "zh_CN", "zh"),
    ("microsoft", "zh_CN", "zh-Hans"), ("mymemory", "it", "it-IT"), ("libre", "fr_FR", "fr"),
])
def test_language_codes_per_provider(provider, locale, code):
    assert language_code(provider, locale) == code


def test_deep_translator_accepts_our_codes():
    """Its constructors validate codes against its own tables (no network involved)."""
    GoogleTranslator(source=language_code("google", "it"), target=language_code("google", "zh_CN"))
    LibreTranslator(source="it", target=language_code("libre", "zh_CN"), api_key="x",
                    custom_url="http://127.0.0.1:9/")
    MyMemoryTranslator(source=language_code("mymemory", "it"), target=language_code("mymemory", "zh_CN"))


def test_translations_come_from_the_provider_once_then_from_the_cache(tmp_path, standin):
    first = engine(tmp_path, standin.url).translate([FIRST, FIRST], "zh_CN")

    assert first[FIRST].text == load_references()[FIRST]["zh_CN"]
    assert len(standin.requests) == 1 and standin.requests[0]["target"] == "zh"

    later = engine(tmp_path, standin.url)
    again = later.translate([FIRST], "zh_CN")

    assert again[FIRST].cached and again[FIRST].text == first[FIRST].text
    assert len(standin.requests) == 1
    assert later.summary() == [{"provider": "libre", "locale": "zh_CN", "requests": 0,
                                "characters": 0, "cache_hits": 1, "failures": 0}]


def test_unreachable_provider_is_asked_once_per_run(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    mt = engine(tmp_path, url)

    results = mt.translate(["uno", "due", "tre"], "en")

    assert all(r.text is None and "libre cannot be reached" in r.error for r in results.values())
    assert mt.summary()[0]["requests"] == 1 and mt.summary()[0]["failures"] == 3


def test_a_hanging_provider_hits_the_deadline(tmp_path):
    with StandIn(latency=3.0) as slow:
        mt = engine(tmp_path, slow.url, deadline=0.3)
        result = mt.translate(["Ciao"], "en")["Ciao"]

    assert result.text is None and "libre cannot be reached" in result.error
    assert mt.outage


def test_server_errors_give_up_after_repeated_failures(tmp_path, standin):
    standin.faults = [500] * 10
    mt = engine(tmp_path, standin.url)

    results = mt.translate([f"frase {i}" for i in range(6)], "en")

    assert all(r.text is None for r in results.values())
    assert len(standin.requests) == 3
    assert "failed 3 times in a row" in mt.outage


def test_the_api_key_never_appears_in_errors(tmp_path, standin, monkeypatch):
    secret = "sk-traduco-SECRET-0123456789"
    monkeypatch.setenv("LIBRE_API_KEY", secret)
    standin.faults = [403]

    result = engine(tmp_path, standin.url).translate(["Ciao"], "en")["Ciao"]

    assert standin.requests[0]["api_key"] == secret      # it was really sent
    assert result.text is None and secret not in result.error and "***" in result.error


def test_unknown_provider_and_missing_url_are_config_errors():
    with pytest.raises(ConfigError, match="unknown provider 'babelfish'"):
        check_provider(ProviderSettings("babelfish"))
    with pytest.raises(ConfigError, match="--provider-url"):
        check_provider(ProviderSettings("libre"))
