"""The openai provider in a project: its settings (model required, key only for
a remote server, `chatgpt` as another name), `traduco run` against the
OpenAI-compatible stand-in over real HTTP, what a run says it cost, an edit of
one published paragraph, the key kept out of everything written, and pages
naming the model."""

from __future__ import annotations

import json

import polib
import pytest

from traduco.project.loading import load_project
from traduco.project.settings import SettingsError
from traduco.publishing.disclosure import MACHINE, Disclosure
from traduco.publishing.pages import statement
from helpers import approve_all, run_cli
from llm_standin import LLMStandIn


def configure(project, *lines: str) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + "\n".join(lines) + "\n", encoding="utf-8")


def with_model(project) -> None:
    configure(project, "[tool.traduco.mt.providers.openai]", 'model = "qwen-plus"')


def test_the_model_is_required_when_the_project_loads(project, capsys):
    with pytest.raises(SettingsError) as error:
        load_project(project, provider="openai", provider_url="http://127.0.0.1:1/v1")
    assert "model is missing" in error.value.message
    code, _, err = run_cli(capsys, "run", "--project", str(project), "--provider", "openai",
                           "--provider-url", "http://127.0.0.1:1/v1")
    assert code == 2 and "model" in err


def test_chatgpt_is_another_name_for_openai(project):
    configure(project, "[tool.traduco.mt]", 'chain = ["chatgpt"]', "[tool.traduco.mt.providers.chatgpt]",
              'model = "gpt-4o-mini"')
    mt = load_project(project).mt
    assert mt.chain == ("openai",) and mt.provider("openai").model == "gpt-4o-mini"


def test_a_remote_server_needs_a_key_and_one_on_this_machine_none(project, monkeypatch):
    from traduco.mt import check_settings
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("TRADUCO_OPENAI_API_KEY", raising=False)
    with_model(project)
    check_settings(load_project(project, provider="openai", provider_url="http://127.0.0.1:11434/v1").mt)
    with pytest.raises(SettingsError) as error:
        check_settings(load_project(project, provider="openai", provider_url="https://api.deepseek.com/v1").mt)
    assert "OPENAI_API_KEY" in error.value.message


def test_traduco_run_drafts_with_the_llm_says_what_it_cost_and_never_writes_the_key(project, capsys, monkeypatch):
    key = "sk-test-4f9a0c1d2e3b4a5f6a7b8c9d"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    with_model(project)
    with LLMStandIn(key=key) as server:
        code, out, err = run_cli(capsys, "run", "--project", str(project), "--provider", "openai",
                                 "--provider-url", server.url)
    assert code == 0, err
    assert len(server.requests) == 2                                   # one per locale, the whole document
    assert "LLM: 2 call(s) for 1 document(s) (2.0 per document)" in out
    assert "toscana-smart-china (zh_CN): 1 call, " in out and "tokens" in out
    catalog = polib.pofile(str(project / "locales" / "zh_CN" / "LC_MESSAGES" / "toscana-smart-china.po"))
    assert all("machine draft by openai:qwen-plus" in e.tcomment for e in catalog if e.msgstr)
    for path in project.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path
    assert key not in out + err


def test_a_rewritten_paragraph_of_a_published_release_is_one_request_for_that_unit(project, capsys):
    """(A paragraph edited a little keeps its approved translation as a fuzzy
    'source changed' entry for the reviewer: no request at all.)"""
    with_model(project)
    new = "La Regione ringrazia tutti i partner del progetto per la collaborazione di questi anni."
    with LLMStandIn() as server:
        server.references[new] = {"zh_CN": "大区感谢项目所有合作伙伴这些年来的合作。",
                                  "en": "The Region thanks all the project's partners for their cooperation "
                                        "over these years."}
        assert run_cli(capsys, "run", "--project", str(project), "--provider", "openai",
                       "--provider-url", server.url)[0] == 0
        for path in (project / "locales").rglob("*.po"):
            approve_all(path)
        source = project / "sources" / "toscana-smart-china.txt"
        paragraphs = source.read_text(encoding="utf-8").split("\n\n")
        paragraphs[3] = new
        source.write_text("\n\n".join(paragraphs), encoding="utf-8")
        before = len(server.requests)
        run_cli(capsys, "run", "--project", str(project), "--provider", "openai", "--provider-url", server.url)
    sent = [json.loads(r["messages"][-1]["content"])["translate"] for r in server.requests[before:]]
    assert [len(units) for units in sent] == [1, 1]                    # one unit, once per locale
    assert all("ringrazia" in units[0]["text"] for units in sent)
    context = server.requests[-1]["messages"][1]["content"]
    assert "approved translation:" in context                          # the rest travels as context


def test_pages_name_the_model():
    said = statement(Disclosure(MACHINE, ("openai:qwen-plus",), "Li Wei"), "en", None)["text"]
    assert "drafted by machine translation (qwen-plus, OpenAI-compatible API)" in said


def test_the_scorecard_compares_the_model_with_the_other_providers(project, capsys):
    from traduco.review.scorecard import scorecard
    with_model(project)
    with LLMStandIn() as server:
        run_cli(capsys, "run", "--project", str(project), "--provider", "openai", "--provider-url", server.url)
    for path in (project / "locales").rglob("*.po"):
        approve_all(path)
    rows = {(row.provider, row.locale): row for row in scorecard(load_project(project))}
    assert rows[("openai:qwen-plus", "zh_CN")].unchanged == rows[("openai:qwen-plus", "zh_CN")].entries == 8
