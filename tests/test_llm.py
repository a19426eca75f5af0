"""LLM drafting through the official openai client, over real HTTP to an
OpenAI-compatible stand-in (tests/llm_standin.py): the whole document as
context, a structured exchange, and one test per way a real model or server
misbehaves. Every unit ends drafted with its own translation or waiting with
its reason: never misplaced, never silently missing."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from traduco.drafting.drafts import meaning_problems
from traduco.language.glossary import Glossary
from traduco.mt import Engine
from traduco.mt.cache import TranslationCache
from traduco.mt.documents import Document, Unit
from traduco.project.loading import MTSettings, ProviderSettings
from traduco.project.providers import PROVIDERS
from llm_standin import UNIT_FAULTS, LLMStandIn
from standin import FIXTURES_REFERENCES, StandIn

PARAGRAPHS = json.loads(FIXTURES_REFERENCES.read_text(encoding="utf-8"))["paragraphs"]
ITALIAN = [p["it"] for p in PARAGRAPHS]
REFERENCE = {locale: {p["it"]: p[locale] for p in PARAGRAPHS} for locale in ("zh_CN", "en")}
GLOSSARY = Glossary.load(FIXTURES_REFERENCES.parent / "glossary.csv")


def engine(tmp_path, *providers: ProviderSettings, **settings) -> Engine:
    """An engine with the sample's glossary: its terms travel masked, as tokens."""
    mt = MTSettings(chain=tuple(p.name for p in providers), providers=providers, backoff_seconds=0.01,
                    **settings)
    return Engine(mt, "it", TranslationCache(tmp_path / "cache.sqlite"), sleep=lambda seconds: None,
                  glossary=GLOSSARY)


def llm(url: str, **more) -> ProviderSettings:
    return ProviderSettings("openai", url, model="qwen-plus", **more)


def sample(approved: dict[str, str] | None = None) -> Document:
    return Document("toscana", "La Toscana in Cina", "2021-05",
                    tuple(Unit(f"u{n}", text, (approved or {}).get(text)) for n, text in enumerate(ITALIAN, 1)))


def draft(mt: Engine, locale: str = "zh_CN", texts=None, document=None, heard=None):
    texts = ITALIAN if texts is None else texts
    return mt.translate(texts, locale, on_result=heard, documents=[document or sample()],
                        judge=lambda source, translation, loc: meaning_problems(source, translation, loc))


def assert_each_its_own(results, locale="zh_CN"):
    """Every drafted unit has its own reference translation (none misplaced); the rest say why."""
    for text, result in results.items():
        if result.text is not None:
            assert result.text == REFERENCE[locale][text], f"misplaced or wrong draft for {text[:40]!r}"
        else:
            assert result.error, f"a silent gap for {text[:40]!r}"


# -- the exchange ------------------------------------------------------------------

def test_one_request_drafts_the_whole_document_in_context_and_counts_its_tokens(tmp_path):
    with LLMStandIn() as server, engine(tmp_path, llm(server.url)) as mt:
        results = draft(mt)
    assert len(server.requests) == 1
    assert_each_its_own(results)
    assert all(r.text and r.provider == "openai:qwen-plus" for r in results.values())
    body = server.requests[0]
    assert body["model"] == "qwen-plus" and body["response_format"]["type"] == "json_schema"
    last = json.loads(body["messages"][-1]["content"])
    assert [u["id"] for u in last["translate"]] == [f"u{n}" for n in range(1, 9)]
    context = body["messages"][1]["content"]
    assert "Title: La Toscana in Cina" in context and "Date: 2021-05" in context
    assert "full-width" in body["messages"][0]["content"]          # the built-in zh_CN house style
    row = mt.summary()[0]
    assert row["requests"] == 1 and row["prompt_tokens"] > 0 and row["completion_tokens"] > 0
    assert mt.document_summary() == [{"document": "toscana", "locale": "zh_CN", "calls": 1,
                                      "prompt_tokens": row["prompt_tokens"],
                                      "completion_tokens": row["completion_tokens"]}]


def test_approved_units_travel_as_context_and_are_never_bought(tmp_path):
    approved = {ITALIAN[0]: REFERENCE["zh_CN"][ITALIAN[0]], ITALIAN[3]: REFERENCE["zh_CN"][ITALIAN[3]]}
    todo = [t for t in ITALIAN if t not in approved]
    with LLMStandIn() as server, engine(tmp_path, llm(server.url)) as mt:
        assert_each_its_own(draft(mt, texts=todo, document=sample(approved)))
    asked = json.loads(server.requests[0]["messages"][-1]["content"])["translate"]
    assert [u["id"] for u in asked] == ["u2", "u3", "u5", "u6", "u7", "u8"]
    assert f"approved translation: {approved[ITALIAN[0]]}" in server.requests[0]["messages"][1]["content"]


def test_a_long_document_goes_in_windows_with_overlapping_context(tmp_path, monkeypatch):
    from traduco.mt import documents
    long = sample()
    windows = long.windows(ITALIAN, size=3, max_chars=10_000, overlap=2, whole=False)
    assert [[u.id for u in w.asked] for w in windows] == [["u1", "u2", "u3"], ["u4", "u5", "u6"], ["u7", "u8"]]
    assert [u.id for u in windows[1].context] == ["u2", "u3", "u4", "u5", "u6", "u7", "u8"]
    monkeypatch.setattr(documents, "CONTEXT_CHARS", 1_000)      # the sample is a long document now
    monkeypatch.setitem(PROVIDERS, "openai", replace(PROVIDERS["openai"], max_chars=1_500))
    with LLMStandIn() as server, engine(tmp_path, llm(server.url)) as mt:
        assert_each_its_own(draft(mt))
    assert len(server.requests) > 1
    contexts = [r["messages"][1]["content"] for r in server.requests]
    assert any("[... later units ...]" in c for c in contexts)          # (sent at once: in any order)
    assert any("[... earlier units ...]" in c for c in contexts)


def test_house_style_comes_from_the_project(tmp_path):
    (tmp_path / "style").mkdir()
    (tmp_path / "style" / "zh_CN.md").write_text("- 用“托斯卡纳大区”称呼大区政府。\n", encoding="utf-8")
    with LLMStandIn() as server:
        mt = Engine(MTSettings(chain=("openai",), providers=(llm(server.url),)), "it",
                    TranslationCache(tmp_path / "cache.sqlite"), style_dir=tmp_path / "style")
        with mt:
            draft(mt, texts=ITALIAN[:1])
    assert "用“托斯卡纳大区”称呼大区政府" in server.requests[0]["messages"][0]["content"]


def test_glossary_terms_of_the_document_travel_with_their_notes(tmp_path):
    with LLMStandIn() as server, engine(tmp_path, llm(server.url)) as mt:
        results = draft(mt)
    context = server.requests[0]["messages"][1]["content"]
    assert "- Ctrip = 携程 (Trip.com Group's Chinese brand)" in context
    assert ("Firenze" in context.split("The document")[0]) == ("Firenze" in " ".join(ITALIAN))
    assert "[T" in server.requests[0]["messages"][-1]["content"]      # terms masked as for every provider
    assert all(r.text for r in results.values())


def test_a_server_without_json_schema_is_asked_in_json_mode_from_then_on(tmp_path):
    with LLMStandIn(json_schema=False) as server, engine(tmp_path, llm(server.url)) as mt:
        assert_each_its_own(draft(mt, texts=ITALIAN[:2]))
        assert_each_its_own(draft(mt, texts=ITALIAN[2:4]))
    kinds = [r["response_format"]["type"] for r in server.requests]
    assert kinds == ["json_schema", "json_object", "json_object"]


# -- trust nothing that comes back: one test per misbehaviour -----------------------

@pytest.mark.parametrize("fault", UNIT_FAULTS)
def test_a_misbehaving_answer_never_misplaces_and_its_units_are_asked_again(tmp_path, fault):
    """The first answer misbehaves; the units it spoilt are asked for again in
    a smaller request, and every unit ends with its own translation."""
    with LLMStandIn() as server, engine(tmp_path, llm(server.url)) as mt:
        server.faults = [fault]
        heard = []
        results = draft(mt, heard=lambda text, result: heard.append((text, result.text)))
    assert_each_its_own(results)
    assert all(r.text for r in results.values()), {t[:30]: r.error for t, r in results.items() if not r.text}
    assert all(answer == REFERENCE["zh_CN"][text] for text, answer in heard)   # nothing wrong was ever written
    if fault not in ("fences", "chatter", "invented"):
        assert len(server.requests) > 1
        again = json.loads(server.requests[1]["messages"][-1]["content"])["translate"]
        assert 1 <= len(again) <= 4      # only what failed, in a smaller request
    else:
        assert len(server.requests) == 1


def test_a_swapped_pair_is_caught_by_the_checks_and_never_written(tmp_path):
    """Two units' texts swapped: numbers, dates and lengths do not fit; both are
    asked for again, one at a time if the model keeps swapping."""
    with LLMStandIn() as server, engine(tmp_path, llm(server.url)) as mt:
        server.always = "swap"
        heard = []
        results = draft(mt, heard=lambda text, result: heard.append((text, result.text)))
    assert_each_its_own(results)
    assert all(r.text for r in results.values())
    assert all(answer == REFERENCE["zh_CN"][text] for text, answer in heard)
    singles = [r for r in server.requests if len(json.loads(r["messages"][-1]["content"])["translate"]) == 1]
    assert singles                                                     # a single unit cannot be swapped


def test_units_a_model_keeps_spoiling_go_to_the_next_provider(tmp_path):
    with LLMStandIn() as server, StandIn() as libre, \
            engine(tmp_path, llm(server.url), ProviderSettings("libre", libre.url)) as mt:
        server.always = "refusal"
        results = draft(mt, locale="en")
    assert all(r.provider == "libre" and r.text == REFERENCE["en"][t] for t, r in results.items())


def test_units_nobody_could_draft_wait_with_their_reason(tmp_path):
    """The model leaves the first unit of every request in Italian: that unit
    waits, saying so; the others are drafted."""
    with LLMStandIn() as server, engine(tmp_path, llm(server.url)) as mt:
        server.always = "italian"
        results = draft(mt, texts=ITALIAN[:3])
    assert_each_its_own(results)
    assert results[ITALIAN[0]].text is None and "left the Italian" in results[ITALIAN[0]].error
    assert results[ITALIAN[1]].text and results[ITALIAN[2]].text


def test_an_answer_carrying_the_key_is_never_written_nor_cached(tmp_path, monkeypatch):
    """A server that echoes the key it was sent inside the units: those units
    fail, and the key reaches neither a draft, nor a reason, nor the cache."""
    key = "sk-test-SECRET1234567890abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    with LLMStandIn(key=key) as server, engine(tmp_path, llm(server.url)) as mt:
        server.always = "echo_key"
        results = draft(mt, texts=ITALIAN[:2], locale="en")
    assert all(r.text is None and r.error for r in results.values())
    assert all(key not in r.error for r in results.values())
    assert b"SECRET1234" not in (tmp_path / "cache.sqlite").read_bytes()


def test_a_cut_off_answer_keeps_the_units_it_completed(tmp_path):
    with LLMStandIn() as server, engine(tmp_path, llm(server.url)) as mt:
        server.faults = ["length"]
        assert_each_its_own(draft(mt))
    again = json.loads(server.requests[1]["messages"][-1]["content"])["translate"]
    assert 0 < len(again) < len(ITALIAN)


def test_a_refusal_and_a_content_filter_are_failures_not_translations(tmp_path):
    with LLMStandIn() as server, engine(tmp_path, llm(server.url)) as mt:
        server.faults = ["refusal", "content_filter"]
        results = draft(mt, texts=ITALIAN[:4])
    assert_each_its_own(results)
    assert all(r.text for r in results.values())
    sizes = [len(json.loads(r["messages"][-1]["content"])["translate"]) for r in server.requests]
    assert sizes[0] == 4 and max(sizes[1:]) <= 2


def test_a_url_that_is_no_api_base_stops_the_provider_at_once_saying_what_to_fix(tmp_path):
    """`--provider-url http://127.0.0.1:11434` (no /v1), or a model the server lacks:
    HTTP 404 is no fault of the text, so it is not asked again unit by unit."""
    with LLMStandIn() as server, engine(tmp_path, llm(server.url.removesuffix("/v1"))) as mt:
        results = draft(mt, texts=ITALIAN[:4])
    assert all(r.text is None for r in results.values())
    assert len(server.requests) == 0 and mt.summary()[0]["requests"] <= 1
    assert all("404" in r.error and "/v1" in r.error and "model" in r.error for r in results.values())


def test_429_with_retry_after_is_waited_for_and_retried(tmp_path):
    with LLMStandIn() as server, engine(tmp_path, llm(server.url)) as mt:
        server.faults = [429, 503]
        results = draft(mt, texts=ITALIAN[:2])
    assert_each_its_own(results) or True
    assert all(r.text for r in results.values())
    assert server.answered["429"] == 1 and mt.summary()[0]["retries"] == 2


def test_a_server_that_keeps_rate_limiting_stops_the_provider_saying_what_to_set(tmp_path):
    """Retry-After on every request: the run does not wait it out round after
    round; after one request's attempts the provider is out, and the units say why."""
    with LLMStandIn() as server, engine(tmp_path, llm(server.url)) as mt:
        server.always, server.retry_after = 429, 2
        results = draft(mt, texts=ITALIAN[:4])
    assert all(r.text is None for r in results.values())
    assert len(server.requests) == mt.settings.max_attempts
    assert all("429" in r.error and "requests_per_second" in r.error for r in results.values())


def test_a_context_length_error_sends_smaller_requests_with_less_context(tmp_path):
    with LLMStandIn(context_tokens=1_200) as server, engine(tmp_path, llm(server.url)) as mt:
        results = draft(mt)
    assert_each_its_own(results)
    assert all(r.text for r in results.values())
    assert "[... " in server.requests[-1]["messages"][1]["content"]    # only the neighbours as context


@pytest.mark.parametrize("fault", ["hang", "trickle"])
def test_a_hung_or_trickling_answer_is_given_up_at_the_deadline_and_asked_again(tmp_path, fault):
    with LLMStandIn() as server, engine(tmp_path, llm(server.url), deadline_seconds=1.5) as mt:
        server.faults = [fault]
        results = draft(mt, texts=ITALIAN[:2])
    assert all(r.text for r in results.values())
    assert mt.summary()[0]["retries"] == 1


def test_stop_during_a_hung_request_leaves_the_units_waiting(tmp_path):
    import threading
    with LLMStandIn() as server, engine(tmp_path, llm(server.url), deadline_seconds=60) as mt:
        server.always = "hang"
        threading.Timer(0.5, mt.stop).start()
        results = draft(mt, texts=ITALIAN[:2])
    assert all(r.text is None and "interrupted" in r.error for r in results.values())


# -- pay once -----------------------------------------------------------------------

def test_units_unchanged_in_an_edited_document_are_never_bought_again(tmp_path):
    edited = ITALIAN[2].replace("molto noti", "notissimi")
    references = {p["it"]: {"zh_CN": p["zh_CN"], "en": p["en"]} for p in PARAGRAPHS}
    references[edited] = references[ITALIAN[2]]
    with LLMStandIn(references) as server:
        with engine(tmp_path, llm(server.url)) as mt:
            draft(mt)
        texts = [edited if t == ITALIAN[2] else t for t in ITALIAN]
        document = Document("toscana", "", "", tuple(Unit(f"u{n}", t) for n, t in enumerate(texts, 1)))
        with engine(tmp_path, llm(server.url)) as mt:
            results = draft(mt, texts=texts, document=document)
    assert len(server.requests) == 2
    asked = json.loads(server.requests[1]["messages"][-1]["content"])["translate"]
    assert [u["id"] for u in asked] == ["u3"]
    assert sum(r.cached for r in results.values()) == 7


def test_a_monthly_token_budget_leaves_units_waiting_once_spent(tmp_path):
    with LLMStandIn() as server, engine(tmp_path, llm(server.url, budget_tokens_per_month=10)) as mt:
        results = draft(mt, texts=ITALIAN[:2])
    assert not server.requests
    assert all("token budget for this month" in r.error for r in results.values())


def test_a_server_that_reports_no_usage_still_spends_the_monthly_budget(tmp_path):
    """Without `usage` the tokens are estimated: a budget is never bypassed by a silent server."""
    with LLMStandIn() as server, engine(tmp_path, llm(server.url, budget_tokens_per_month=3_000)) as mt:
        server.always = "no_usage"
        first = draft(mt, texts=ITALIAN[:2])
        second = draft(mt, texts=ITALIAN[2:4])
    assert all(r.text for r in first.values())
    assert all("token budget for this month" in r.error for r in second.values())


@pytest.mark.parametrize("fault", [500, "garbage"])
def test_a_server_error_or_a_proxys_html_page_is_retried(tmp_path, fault):
    with LLMStandIn() as server, engine(tmp_path, llm(server.url)) as mt:
        server.faults = [fault]
        results = draft(mt, texts=ITALIAN[:2])
    assert_each_its_own(results)
    assert all(r.text for r in results.values()) and mt.summary()[0]["retries"] == 1


@pytest.mark.parametrize("fault", ["italian", "wrong_language", "swap"])
def test_english_drafts_are_judged_the_same_way(tmp_path, fault):
    with LLMStandIn() as server, engine(tmp_path, llm(server.url)) as mt:
        server.faults = [fault]
        results = draft(mt, locale="en")
    assert_each_its_own(results, "en")
    assert all(r.text for r in results.values()) and len(server.requests) > 1


def test_answers_in_the_shapes_models_give_them_are_read_by_id():
    from traduco.mt.verdicts import judge
    masked = {"u1": ITALIAN[7], "u2": ITALIAN[0]}
    answer = {"units": {" U2 ": REFERENCE["zh_CN"][ITALIAN[0]], "[u1]": REFERENCE["zh_CN"][ITALIAN[7]]}}
    verdict = judge("<think>{draft}</think>" + json.dumps(answer, ensure_ascii=False), "stop", None,
                    masked, "zh_CN", "openai")
    assert verdict.accepted == {"u1": REFERENCE["zh_CN"][ITALIAN[7]], "u2": REFERENCE["zh_CN"][ITALIAN[0]]}
    nested = json.dumps({"units": json.dumps([{"id": "u1", "text": REFERENCE["zh_CN"][ITALIAN[7]]}],
                                             ensure_ascii=False)}, ensure_ascii=False)
    verdict = judge(nested, "stop", None, masked, "zh_CN", "openai")
    assert list(verdict.accepted) == ["u1"] and "left it out" in verdict.rejected["u2"]


def test_texts_without_their_document_are_drafted_together(tmp_path):
    """A second opinion or a library caller gives no documents: one request still."""
    with LLMStandIn() as server, engine(tmp_path, llm(server.url)) as mt:
        results = mt.translate(ITALIAN[:3], "zh_CN")
    assert_each_its_own(results)
    assert all(r.text for r in results.values()) and len(server.requests) == 1
