"""The engine's parts and their borders: what counts as a provider's failure
(and what is a bug in traduco), and what importing or running traduco leaves
in the process's libraries (requests, deepl)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from traduco.mt import Engine
from traduco.mt.adapters import Adapter
from traduco.mt.cache import TranslationCache
from traduco.project.loading import MTSettings, ProviderSettings
from faulty_standin import FaultyStandIn
from standin import StandIn

SENTENCE = "La Regione Toscana accoglie la delegazione."


def engine(tmp_path, *providers: ProviderSettings, **settings) -> Engine:
    mt = MTSettings(chain=tuple(p.name for p in providers), providers=providers, backoff_seconds=0.01,
                    **settings)
    return Engine(mt, "it", TranslationCache(tmp_path / "cache.sqlite"), sleep=lambda seconds: None)


def test_a_bug_in_traduco_during_a_request_surfaces_as_a_bug_not_a_provider_failure(
        tmp_path, standin, monkeypatch):
    """A TypeError in our own code (here: the adapter, after the provider
    answered) is neither retried nor reported as "not a translation"."""
    answer = Adapter.translate

    def buggy(self, texts):
        translated = answer(self, texts)
        return translated + None          # our bug
    monkeypatch.setattr(Adapter, "translate", buggy)

    with engine(tmp_path, ProviderSettings("libre", standin.url), max_attempts=4) as mt:
        with pytest.raises(TypeError):
            mt.translate([SENTENCE], "en")
        assert mt.outages == {}

    assert len(standin.requests) == 1                  # not retried
    assert mt.summary()[0]["retries"] == 0


def test_an_answer_its_library_cannot_read_is_the_providers_failure_and_retried(tmp_path):
    """deep-translator reads LibreTranslate's JSON without looking; other JSON
    raises a KeyError inside it: the provider's fault, retried."""
    with FaultyStandIn() as provider:
        provider.faults = ["shapeless"]
        mt = engine(tmp_path, ProviderSettings("libre", provider.url), max_attempts=2)
        result = mt.translate([SENTENCE], "en")[SENTENCE]

    assert result.text == f"[en] {SENTENCE}"
    assert provider.answered == {"shapeless": 1, "200": 1}
    assert mt.summary()[0]["retries"] == 1


def test_importing_traduco_patches_nothing_and_an_engine_unpatches_what_it_patched(tmp_path):
    code = f"""
import requests, urllib3.connection
plain = (requests.Session.request, urllib3.connection.HTTPConnection.request)
def now():
    return (requests.Session.request, urllib3.connection.HTTPConnection.request)
import traduco.language.numbers, traduco.mt, traduco.checks, traduco.drafting.runs, traduco.drafting.interruption
assert now() == plain, "patched at import"
from pathlib import Path
from traduco.mt import Engine
from traduco.mt.cache import TranslationCache
from traduco.project.loading import MTSettings, ProviderSettings
mt = MTSettings(chain=("libre",), providers=(ProviderSettings("libre", "http://127.0.0.1:9/"),))
first = Engine(mt, "it", TranslationCache(Path({str(tmp_path)!r}) / "c.sqlite"))
second = Engine(mt, "it", TranslationCache(Path({str(tmp_path)!r}) / "c.sqlite"))
assert now() != plain, "an engine needs its deadline hooks"
first.close()
assert now() != plain, "the other engine still needs them"
second.close()
assert now() == plain, "left patched"
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr


def test_deepl_retries_are_turned_off_for_our_client_only(tmp_path, monkeypatch):
    import deepl

    monkeypatch.setenv("DEEPL_AUTH_KEY", "fake-deepl-key:fx")
    before = deepl.http_client.max_network_retries
    with StandIn() as provider:
        provider.always = 500
        mt = engine(tmp_path, ProviderSettings("deepl", provider.url.rstrip("/")), max_attempts=1)
        result = mt.translate([SENTENCE], "zh_CN")[SENTENCE]
        sent = len(provider.requests)

    assert result.text is None and "server error" in result.error
    assert sent == 1                                          # deepl's client did not retry it
    assert deepl.http_client.max_network_retries == before    # nor was anyone else's client changed


def test_an_answer_is_in_the_cache_as_it_arrives_not_after_the_requests_sent_before_it(tmp_path):
    """A cold try killed a run (kill -9) while one request was slow: answers that had
    already arrived behind it were not yet in the cache, and the next run bought them
    again. Each answer is kept the moment its text is whole."""
    slow, fast = "La Regione Toscana accoglie la delegazione.", "Il museo è aperto tutti i giorni."
    heard = []
    with StandIn(latency=lambda text: 2.0 if "delegazione" in text else 0.0) as provider:
        libre = ProviderSettings("libre", provider.url, connections=2, requests_per_second=100)
        with engine(tmp_path, libre) as mt:
            def on_result(text, result):
                cached = TranslationCache(tmp_path / "cache.sqlite").get("libre", "it", "en", text)
                heard.append((text, cached is not None))
            mt.translate([slow, fast], "en", on_result=on_result)
    assert heard == [(fast, True), (slow, True)]


def test_a_request_rate_limited_through_every_attempt_while_others_are_answered_fails_alone(tmp_path, standin):
    """A busy provider answers a share of requests 429 (issue 15's fault bench:
    30 %). One request unlucky through all its attempts, while the provider
    answers others, fails alone and its unit waits for the next run; the
    provider stays in. Only one that answers nobody is out for the run."""
    standin.latency, standin.retry_after = 0.3, 0
    standin.faults = [429, None, 429, 429, 429]    # the first two arrive together: one of them is answered
    libre = ProviderSettings("libre", standin.url, connections=2, requests_per_second=100)
    with engine(tmp_path, libre, max_attempts=4) as mt:
        first = mt.translate(["Primo comunicato.", "Secondo comunicato."], "en")
        assert mt.outages == {}
        later = mt.translate(["Terzo comunicato."], "en")

    assert sorted(bool(result.text) for result in first.values()) == [False, True]
    assert "429" in next(result.error for result in first.values() if not result.text)
    assert later["Terzo comunicato."].text == "[en] Terzo comunicato."
