"""The MT engine over real HTTP to the stand-in: codes, cache, limits, retries,
fallback, budget, masking, long texts, secrets."""

from __future__ import annotations

import pytest
from deep_translator import BaiduTranslator, GoogleTranslator, LibreTranslator, MyMemoryTranslator

from traduco.errors import ConfigError
from traduco.language.masking import protect, restore
from traduco.mt import Engine, check_settings, language_code
from traduco.mt.cache import TranslationCache
from traduco.mt.limits import Pacer
from traduco.mt.segments import split
from traduco.project.loading import MTSettings, ProviderSettings
from traduco.project.providers import Limits
from standin import StandIn, load_references

REFERENCES = load_references()
PARAGRAPHS = list(REFERENCES)


def engine(tmp_path, *providers: ProviderSettings, sleeps: list | None = None, **settings) -> Engine:
    settings.setdefault("backoff_seconds", 0.01)
    mt = MTSettings(chain=tuple(p.name for p in providers), providers=providers, **settings)
    recorded = sleeps if sleeps is not None else []
    return Engine(mt, "it", TranslationCache(tmp_path / "cache.sqlite"), sleep=recorded.append)


def libre(url: str, **limits) -> ProviderSettings:
    return ProviderSettings("libre", url, **limits)


@pytest.mark.parametrize("provider, locale, code", [
    ("google", "zh_CN", "zh-CN"), ("google", "en", "en"), ("libre", "zh_CN", "zh"),
    ("deepl", "zh_CN", "ZH-HANS"), ("deepl", "en", "EN-GB"), ("deepl", "it", "IT"),
    ("microsoft", "zh_CN", "zh-Hans"), ("baidu", "zh_CN", "zh"), ("mymemory", "it", "it-IT"),
    ("mymemory", "zh_CN", "zh-CN"), ("yandex", "zh_CN", "zh"), ("libre", "fr_FR", "fr"),
])
def test_one_language_code_table(provider, locale, code):
    assert language_code(provider, locale) == code


def test_deep_translator_accepts_every_code_we_send():
    """deep-translator validates codes against its own tables when constructed (no network)."""
    for locale in ("zh_CN", "en"):
        GoogleTranslator(source=language_code("google", "it"), target=language_code("google", locale))
        LibreTranslator(source="it", target=language_code("libre", locale), api_key="x",
                        custom_url="http://127.0.0.1:9/")
        MyMemoryTranslator(source=language_code("mymemory", "it"), target=language_code("mymemory", locale))
        BaiduTranslator(source="it", target=language_code("baidu", locale), appid="a", appkey="b")


def test_each_text_is_sent_once_then_comes_from_the_cache(tmp_path, standin):
    first = engine(tmp_path, libre(standin.url))
    results = first.translate([PARAGRAPHS[0], PARAGRAPHS[0], PARAGRAPHS[1]], "zh_CN")

    assert results[PARAGRAPHS[0]].text == REFERENCES[PARAGRAPHS[0]]["zh_CN"]
    assert results[PARAGRAPHS[0]].provider == "libre"
    assert len(standin.requests) == 2 and standin.requests[0]["target"] == "zh"

    later = engine(tmp_path, libre(standin.url))
    again = later.translate(PARAGRAPHS[:2], "zh_CN")

    assert all(r.cached for r in again.values()) and len(standin.requests) == 2
    assert later.summary()[0]["cache_hits"] == 2 and later.summary()[0]["requests"] == 0


def test_requests_run_concurrently_up_to_the_connection_limit(tmp_path):
    with StandIn(latency=0.3) as slow:
        mt = engine(tmp_path, libre(slow.url, connections=3, requests_per_second=1000))
        results = mt.translate(PARAGRAPHS, "en")

    assert all(r.text for r in results.values())
    assert slow.max_in_flight == 3


def test_pacer_spaces_requests_and_honours_retry_after():
    now = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(round(seconds, 3))
        now[0] += seconds

    pacer = Pacer(Limits(requests_per_second=4, characters_per_minute=6000, connections=1),
                  clock=lambda: now[0], sleep=sleep)
    pacer.wait(10)          # t=0
    pacer.wait(10)          # 4 per second: t=0.25
    pacer.wait(100)         # t=0.5 (6000/min = 100 chars/s: 10 chars used only 0.1 s)
    pacer.wait(10)          # the 100 chars used a whole second: t=1.5, not 0.75
    pacer.hold(5)           # Retry-After: 5
    pacer.wait(10)

    assert sleeps == [0.25, 0.25, 1.0, 5.0]


def test_transient_faults_are_retried_and_the_summary_matches_the_server(tmp_path, standin):
    standin.faults = [429, 500, "hang", "garbage"]
    standin.retry_after = 2
    standin.hang_seconds = 3.0
    sleeps: list[float] = []
    mt = engine(tmp_path, libre(standin.url, connections=1), sleeps=sleeps, deadline_seconds=0.5,
                max_attempts=5)

    results = mt.translate(PARAGRAPHS[:3], "en")

    assert all(results[p].text == REFERENCES[p]["en"] for p in PARAGRAPHS[:3])
    usage = mt.summary()[0]
    assert usage["requests"] == len(standin.requests) == 7      # 3 texts + 4 retried attempts
    assert usage["retries"] == 4 and usage["failures"] == 0
    assert standin.answered == {"429": 1, "500": 1, "hang": 1, "garbage": 1, "200": 3}
    assert 2 in sleeps                                         # Retry-After: 2 was respected


def test_a_provider_that_keeps_failing_is_skipped_and_units_wait_with_the_reason(tmp_path, standin):
    standin.always = 503
    mt = engine(tmp_path, libre(standin.url, connections=1), max_attempts=2, failures_before_skipping=2)

    results = mt.translate(PARAGRAPHS, "en")

    assert all(r.text is None for r in results.values())
    # 2 failed requests in a row (2 attempts each) and libre is skipped: the
    # requests already under way (backing off leaves the connection to others)
    # make their attempt, the rest are never sent.
    assert 4 <= len(standin.requests) <= 8 < 2 * len(PARAGRAPHS)
    assert "libre is skipped for the rest of this run" in mt.outages["libre"]
    assert all("libre" in r.error for r in results.values())


def test_fallback_provider_drafts_what_the_first_one_could_not(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPL_AUTH_KEY", "fake-deepl-key:fx")
    with StandIn() as broken, StandIn() as backup:
        broken.always = 500
        mt = engine(tmp_path, libre(broken.url, connections=1),
                    ProviderSettings("deepl", backup.url.rstrip("/")), max_attempts=2)
        results = mt.translate(PARAGRAPHS, "zh_CN")

    assert all(results[p].text == REFERENCES[p]["zh_CN"] for p in PARAGRAPHS)
    assert {r.provider for r in results.values()} == {"deepl"}
    assert len(backup.requests) == 1                            # DeepL takes a batch per request
    assert backup.requests[0]["target_lang"] == "ZH-HANS"


def test_budget_stops_before_it_is_crossed(tmp_path, standin):
    budget = len(PARAGRAPHS[0]) + len(PARAGRAPHS[1]) + 10
    mt = engine(tmp_path, libre(standin.url, budget_characters=budget))

    results = mt.translate(PARAGRAPHS, "en")

    sent = sum(len(r["q"]) for r in standin.requests)
    assert sent <= budget
    assert [p for p in PARAGRAPHS if results[p].text] == PARAGRAPHS[:2]
    assert all("character budget for this run" in results[p].error for p in PARAGRAPHS[2:])


def test_protected_spans_survive_a_provider_that_mangles_them(tmp_path):
    text = "Scrivete a stampa@regione.toscana.it o visitate https://www.visittuscany.com/it #Toscana %(name)s {count} @visituscany"
    with StandIn(mangle=True) as mangler:   # a format string: its placeholders are masked too
        result = engine(tmp_path, libre(mangler.url)).translate(
            [text], "zh_CN", formats={text: ["python-format", "python-brace-format"]})[text]
        sent = mangler.requests[0]["q"]

    assert "https://" not in sent and "%(name)s" not in sent
    for span in ("stampa@regione.toscana.it", "https://www.visittuscany.com/it", "#Toscana",
                 "%(name)s", "{count}", "@visituscany"):
        assert span in result.text
    assert "［T" not in result.text and result.lost == ()


def test_a_token_the_provider_dropped_is_flagged_not_hidden(tmp_path):
    text = "Visitate https://www.visittuscany.com oggi."
    masked = protect(text)
    with StandIn(references={masked.text: {"zh_CN": "今天就来参观吧。"}}) as lossy:
        result = engine(tmp_path, libre(lossy.url)).translate([text], "zh_CN")[text]

    assert result.lost == ("https://www.visittuscany.com",)
    assert restore("今天［T0］", masked)[0] == "今天https://www.visittuscany.com"


def test_long_texts_are_split_at_sentence_boundaries_and_joined(tmp_path, standin):
    sentence = "Il dott. Rossi e il sig. Bianchi hanno visitato Firenze il 3 giugno. "
    text = (sentence * 180).strip()                 # about 12,000 characters

    result = engine(tmp_path, libre(standin.url)).translate([text], "en")[text]

    pieces = [r["q"] for r in standin.requests]
    assert len(pieces) == 3 and all(len(p) <= 4999 for p in pieces)
    assert all(p.endswith("giugno.") and p.startswith("Il dott. Rossi") for p in pieces)
    assert result.text.count("Il dott. Rossi") == 180


def test_italian_abbreviations_do_not_end_sentences():
    pieces = split("Il dott. Rossi arriva. Il sig. Bianchi parte. " * 3, 60)
    assert all(p.startswith("Il ") and p.endswith(".") for p in pieces)
    assert "dott. Rossi arriva." in pieces[0]


def test_an_unresolvable_host_is_given_up_at_once(tmp_path):
    mt = engine(tmp_path, libre("http://translate.invalid/", connections=2))
    results = mt.translate(PARAGRAPHS, "en")

    assert all("does not resolve" in r.error for r in results.values())
    assert mt.summary()[0]["requests"] <= 2        # the requests already in flight, no retries


def test_the_api_key_never_appears_in_errors(tmp_path, standin, monkeypatch):
    secret = "sk-traduco-SECRET-0123456789"
    monkeypatch.setenv("LIBRE_API_KEY", secret)
    standin.faults = [403]

    mt = engine(tmp_path, libre(standin.url))
    result = mt.translate(["Ciao"], "en")["Ciao"]

    assert standin.requests[0]["api_key"] == secret       # it was really sent
    assert result.text is None and "refused the key" in result.error
    assert secret not in result.error and secret not in str(mt.outages)


def test_a_provider_that_answers_with_the_key_is_refused_and_nothing_is_kept(tmp_path, monkeypatch):
    from faulty_standin import FaultyStandIn
    from traduco.redaction import encodings

    secret = "sk-traduco-SECRET-0123456789"
    monkeypatch.setenv("LIBRE_API_KEY", secret)
    with FaultyStandIn() as hostile:
        hostile.always = "echo-key"
        mt = engine(tmp_path, libre(hostile.url))
        result = mt.translate(["Ciao"], "en")["Ciao"]

    assert hostile.requests[0]["api_key"] == secret
    assert result.text is None and "answered with a secret" in result.error
    assert "skipped for the rest of this run" in result.error and len(hostile.requests) == 1
    kept = b"".join(p.read_bytes() for p in tmp_path.glob("cache.sqlite*"))
    assert [form for form in encodings(secret) if form.encode() in kept] == []


def test_shared_limit_names_are_salted_with_a_secret_of_the_project(tmp_path):
    """An unsalted SHA-256 of provider, URL and key let anyone who reads the limits
    on the Prefect server test a guessed key against the name."""
    import hashlib
    import stat

    from traduco.mt.shared_limits import SALT, limit_name, project_salt

    key, url = "sk-traduco-SECRET-0123456789", "http://127.0.0.1:5000/"
    first, second = project_salt(tmp_path / "one" / ".traduco"), project_salt(tmp_path / "two" / ".traduco")
    assert first == project_salt(tmp_path / "one" / ".traduco") and first != second and len(first) == 64
    assert stat.S_IMODE((tmp_path / "one" / ".traduco" / SALT).stat().st_mode) == 0o600
    name = limit_name("libre", url, {"LIBRE_API_KEY": key}, first)
    guessed = hashlib.sha256("\0".join(["libre", url, key]).encode()).hexdigest()[:16]
    assert name.startswith("traduco-mt-libre-") and guessed not in name
    assert name == limit_name("libre", url, {"LIBRE_API_KEY": key}, first)
    assert name != limit_name("libre", url, {"LIBRE_API_KEY": key}, second)


def test_settings_are_checked_before_any_work(monkeypatch):
    monkeypatch.delenv("DEEPL_AUTH_KEY", raising=False)
    with pytest.raises(ConfigError, match="unknown provider 'babelfish'"):
        check_settings(MTSettings(chain=("babelfish",)))
    with pytest.raises(ConfigError, match="--provider-url"):
        check_settings(MTSettings(chain=("libre",)))
    with pytest.raises(ConfigError, match="needs DEEPL_AUTH_KEY"):
        check_settings(MTSettings(chain=("deepl",)))


def test_engines_working_at_once_share_each_providers_limits():
    from traduco.mt.limits import shared

    settings = MTSettings(chain=("deepl", "libre"), providers=(
        ProviderSettings("libre", url="http://127.0.0.1:5000/", requests_per_second=9, connections=3,
                         budget_characters=1000),))

    one_of_three = shared(settings, 3)

    libre, deepl = one_of_three.provider("libre"), one_of_three.provider("deepl")
    assert (libre.requests_per_second, libre.connections, libre.budget_characters) == (3, 1, 333)
    assert libre.characters_per_minute == 600_000 // 3 and libre.url == "http://127.0.0.1:5000/"
    assert (deepl.requests_per_second, deepl.characters_per_minute, deepl.connections) == (10 / 3, 500_000 // 3, 1)
    assert deepl.budget_characters is None
    assert shared(settings, 1) is settings


def test_a_text_another_engine_is_translating_is_waited_for_not_bought_again(tmp_path, standin):
    """Two Dask workers, each with its own engine, sharing the project's cache."""
    import threading
    import time

    standin.latency = 1.0
    first, second = engine(tmp_path, libre(standin.url)), engine(tmp_path, libre(standin.url))
    answers = {}
    asking = threading.Thread(target=lambda: answers.update(first=first.translate([PARAGRAPHS[0]], "zh_CN")))
    asking.start()
    while not standin.requests:
        time.sleep(0.01)

    answers["second"] = second.translate([PARAGRAPHS[0], PARAGRAPHS[1]], "zh_CN")
    asking.join()

    assert len(standin.requests) == 2                     # PARAGRAPHS[0] once, PARAGRAPHS[1] once
    assert answers["second"][PARAGRAPHS[0]].text == answers["first"][PARAGRAPHS[0]].text \
        == REFERENCES[PARAGRAPHS[0]]["zh_CN"]
    assert answers["second"][PARAGRAPHS[1]].text == REFERENCES[PARAGRAPHS[1]]["zh_CN"]


# -- deadlines, tail tolerance, honest usage, claims (issue 15, issue 13) -----

def test_a_trickling_answer_is_stopped_at_the_total_deadline(tmp_path):
    """One byte every second never trips a per-read timeout; the deadline is total."""
    import time
    from faulty_standin import FaultyStandIn

    with FaultyStandIn(trickle_seconds=1.0) as trickler:
        trickler.always = "trickle"
        mt = engine(tmp_path, libre(trickler.url), deadline_seconds=2, max_attempts=1)
        started = time.monotonic()
        result = mt.translate(["Ciao a tutti"], "en")["Ciao a tutti"]
        took = time.monotonic() - started

    assert result.text is None and "did not answer within 2 s" in result.error
    assert took < 15        # the trickle alone lasts about 40 s
    assert mt.summary()[0]["requests"] == 1      # it reached the provider: it counts


def test_an_answer_far_longer_than_any_translation_is_refused(tmp_path):
    from faulty_standin import OVERLONG_CHARACTERS, FaultyStandIn

    sentence = "La Regione Toscana accoglie la delegazione."       # 44 characters
    with FaultyStandIn() as provider:
        provider.faults = ["overlong", "overlong"]
        refused = engine(tmp_path, libre(provider.url), max_attempts=2).translate([sentence], "en")[sentence]
        provider.faults = ["overlong"]
        retried = engine(tmp_path, libre(provider.url), max_attempts=2)
        answer = retried.translate([sentence], "en")[sentence]

    assert refused.text is None and "not a translation" in refused.error
    assert answer.text == f"[en] {sentence}" and len(answer.text) < OVERLONG_CHARACTERS
    assert retried.summary()[0]["retries"] == 1


def test_a_hung_request_is_abandoned_and_sent_again_within_the_budget(tmp_path):
    """Once the provider's usual latency is known, a request far slower than
    that is given up (its socket closed) and sent again long before the deadline;
    the second request's characters count against the budget and the usage."""
    import time
    from faulty_standin import FaultyStandIn

    texts = [f"Comunicato numero {n}: la Toscana in Cina." for n in range(10, 22)]   # all as long
    budget = sum(len(t) for t in texts) + len(texts[0])           # room for one text twice
    with FaultyStandIn(latency=0.05) as provider:
        provider.hang_seconds = 40
        provider.faults = [None] * 9 + ["hang"]                   # the 10th request hangs
        mt = engine(tmp_path, libre(provider.url, connections=1, budget_characters=budget),
                    deadline_seconds=30)
        started = time.monotonic()
        results = mt.translate(texts, "en")
        took = time.monotonic() - started
        sent = [r["q"] for r in provider.requests]

    assert all(results[t].text == f"[en] {t}" for t in texts)
    assert provider.answered["hang"] == 1 and sent.count(sent[9]) == 2 and len(sent) == 13
    usage = mt.summary()[0]
    assert usage["requests"] == 13 and usage["characters"] == sum(map(len, sent)) <= budget
    assert usage["retries"] == 1
    assert took < 20        # the deadline (30 s) would have held it


def test_without_budget_to_send_again_a_slow_request_has_until_the_deadline(tmp_path):
    from faulty_standin import FaultyStandIn

    texts = [f"Comunicato numero {n}: la Toscana in Cina." for n in range(10)]
    with FaultyStandIn(latency=0.05) as provider:
        provider.hang_seconds = 3                                 # slow, but within the deadline
        provider.faults = [None] * 9 + ["hang"]
        mt = engine(tmp_path, libre(provider.url, connections=1, budget_characters=sum(map(len, texts))),
                    deadline_seconds=30)
        results = mt.translate(texts, "en")

    assert all(results[t].text for t in texts)
    assert len(provider.requests) == 10                          # never paid twice
    assert mt.summary()[0]["characters"] == sum(map(len, texts))


def test_a_host_that_does_not_resolve_is_a_failure_not_a_request(tmp_path):
    mt = engine(tmp_path, libre("http://translate.invalid/", connections=2))
    results = mt.translate(PARAGRAPHS, "en")

    usage = mt.summary()[0]
    assert (usage["requests"], usage["characters"]) == (0, 0)
    assert usage["failures"] == len(PARAGRAPHS) and all(not r.text for r in results.values())


def test_a_claim_is_renewed_while_its_owner_works(tmp_path, standin):
    """A batch that takes longer than a claim lasts keeps its claims: another
    engine waits for the answer instead of buying it again."""
    import threading
    import time

    standin.latency = 2.5
    first, second = engine(tmp_path, libre(standin.url)), engine(tmp_path, libre(standin.url))
    first.cache.claim_seconds = second.cache.claim_seconds = 1.0     # renewed every 0.25 s
    answers = {}
    asking = threading.Thread(target=lambda: answers.update(first=first.translate([PARAGRAPHS[0]], "en")))
    asking.start()
    while not standin.requests:
        time.sleep(0.01)
    time.sleep(1.5)                                       # past the claim's first expiry

    answers["second"] = second.translate([PARAGRAPHS[0]], "en")
    asking.join()
    first.close(), second.close()

    assert len(standin.requests) == 1
    assert answers["second"][PARAGRAPHS[0]].text == REFERENCES[PARAGRAPHS[0]]["en"]


def test_a_claim_whose_process_is_gone_is_taken_over_at_once(tmp_path, standin):
    import subprocess
    import sys
    import time

    from traduco.mt.cache import Owner

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    cache = TranslationCache(tmp_path / "cache.sqlite")
    ghost = Owner("ghost-engine", dead.pid, Owner.this_process("x").host, "1")
    cache.claim("libre", "it", "en", [PARAGRAPHS[0]], "", ghost)

    mt = engine(tmp_path, libre(standin.url))
    started = time.monotonic()
    result = mt.translate([PARAGRAPHS[0]], "en")[PARAGRAPHS[0]]

    assert result.text == REFERENCES[PARAGRAPHS[0]]["en"] and len(standin.requests) == 1
    assert time.monotonic() - started < 10                # the claim would last 60 s


def test_stop_sends_nothing_more_and_answers_in_flight_still_count(tmp_path):
    import threading
    import time

    with StandIn(latency=1.0) as slow:
        mt = engine(tmp_path, libre(slow.url, connections=2, requests_per_second=1000))
        answers = {}
        asking = threading.Thread(target=lambda: answers.update(mt.translate(PARAGRAPHS, "en")))
        asking.start()
        while len(slow.requests) < 2:
            time.sleep(0.01)
        mt.stop()
        stopped = time.monotonic()
        asking.join()
        took = time.monotonic() - stopped
        sent = len(slow.requests)
        time.sleep(0.5)

    assert sent == len(slow.requests) == 2
    assert sum(1 for r in answers.values() if r.text) == 2       # the two in flight came in
    assert all("interrupted" in r.error for r in answers.values() if not r.text)
    assert took < 5


def test_a_malformed_redirect_fails_that_request_not_the_run(capsys, project):
    """`Location: http://[...` made urllib's parser raise ValueError deep in requests,
    which stopped the whole run as a bug ("unexpected error: ValueError", exit 1)."""
    from faulty_standin import FaultyStandIn
    from helpers import run_cli

    with FaultyStandIn() as provider:
        provider.always = "bad-redirect"
        code, out, err = run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                                 "--provider-url", provider.url)

    assert code == 3, out + err
    assert "unexpected error" not in err
    assert "libre answered with a redirect that cannot be followed" in err


def test_the_usage_table_after_a_dns_failure_shows_failures_not_requests(capsys, project):
    import re

    from helpers import run_cli

    code, out, err = run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                             "--provider-url", "http://translate.invalid/")

    assert code == 3 and "does not resolve" in err
    for locale in ("zh_CN", "en"):
        line = " ".join(out.split(f"libre → {locale}:")[1].split("\n")[:2])
        assert "with 0 requests (0 characters" in line
        assert int(re.search(r"(\d+) failed", line).group(1)) > 0
