"""The notification rules as Prefect automations on the real server `traduco
serve` starts: named in its UI, carried out by Prefect (messages reach a local
webhook receiver over real HTTP, once), the webhook's token nowhere in clear."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from conftest import DOC
from helpers import run_once
from test_approval import Serve, po, traduco
from test_notify import TOKEN, Receiver, backdate_drafts
from test_prefect_server import api

PREFECT_AGENT = "Prefect Notifications"


def delivered(receiver: Receiver, event: str, count: int, seconds: float = 180) -> list[tuple[str, dict, str]]:
    """The `count` messages about `event` the receiver got (a guard against a hang, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [(path, body, agent) for (path, body), agent in zip(receiver.received, receiver.agents)
                 if body.get("event") == event]
        if len(found) >= count:
            time.sleep(2)          # a duplicate, if any, would come now
            return [(path, body, agent) for (path, body), agent in zip(receiver.received, receiver.agents)
                    if body.get("event") == event]
        time.sleep(0.5)
    raise AssertionError(f"no {event} message arrived: {receiver.received}")


def get(url: str, path: str, project) -> str:
    """A GET answer of serve's API, as text."""
    import base64

    from traduco.project.loading import load_project
    from traduco.prefect_api.servers import auth_string

    request = urllib.request.Request(f"{url}{path}", headers={
        "Authorization": "Basic " + base64.b64encode(auth_string(load_project(project)).encode()).decode()})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


@pytest.mark.slow
def test_serve_installs_the_rules_as_automations_and_prefect_tells_the_reviewers(project, standin):
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    from traduco.notify import automations
    from traduco.project.loading import load_project
    from traduco.prefect_api.servers import auth_string

    receiver = Receiver()
    team = f"{receiver.url}/zh"            # the zh_CN reviewers' own channel (the same token)
    settings = project / "pyproject.toml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + f'[tool.traduco.provider]\nname = "libre"\nurl = "{standin.url}"\n'
                        '[tool.traduco.web]\nallow_hosts = ["127.0.0.1"]\n'   # the receiver is on this machine
                        f'[tool.traduco.notify]\nwebhook = "{receiver.url}"\n'
                        f'[tool.traduco.notify.locales.zh_CN]\nwebhook = "{team}"\n', encoding="utf-8")
    run_once(project, standin.url)
    backdate_drafts(po(project, "zh_CN"), days=2)

    serve = Serve(project)
    try:
        serve.line_with("Notifications: 8 rule(s) in the Prefect UI under Automations")
        rules = {a["name"]: a for a in api(serve.url, "/automations/filter", password=project)}
        assert len(rules) == 8, sorted(rules)                  # 4 events × 2 webhooks
        assert "traduco Test office: drafts waiting → zh_CN reviewers (webhook)" in rules
        assert "traduco Test office: run failed → everyone (webhook)" in rules
        assert "traduco Test office: publication waiting for approval → zh_CN reviewers (webhook)" in rules

        # A translate run on serve's server: the zh_CN drafts waited two days.
        ran = traduco(project, "run")
        assert ran.returncode == 0, ran.stdout + ran.stderr
        drafts = delivered(receiver, "drafts", 2)
        assert sorted(path for path, _, _ in drafts) == [f"/hooks/{TOKEN}", f"/hooks/{TOKEN}/zh"]
        assert {agent for _, _, agent in drafts} == {PREFECT_AGENT}    # through Prefect, not also directly
        text = drafts[0][1]["text"]
        assert text.startswith("zh_CN: 1 document(s) wait for review longer than 24 h: 8 units, ") and \
            "Italian words" in text and f"the oldest, {DOC}, for 48 h" in text
        assert f"locales/zh_CN/LC_MESSAGES/{DOC}.po in Poedit" in text and drafts[0][1]["project"] == "Test office"

        # A run that fails (a source a person must fix): told to everyone, through Prefect.
        (project / "sources" / "rotto.txt").write_bytes(b"\xff\xfe non UTF-8 \xff\n")
        failed = traduco(project, "run")
        assert failed.returncode == 1, failed.stdout + failed.stderr
        failures = delivered(receiver, "failure", 2)
        assert {agent for _, _, agent in failures} == {PREFECT_AGENT}
        assert all(body["text"].startswith("The translate run failed: ") and "rotto.txt" in body["text"]
                   and "/runs/flow-run/" in body["text"] for _, body, _ in failures), failures

        # The token: in no answer of the API (blocks, automations, logs, artifacts), no log, no output.
        answers = [get(serve.url, path, project) for path in
                   ["/block_documents/" + rules["traduco Test office: run failed → everyone (webhook)"]
                    ["actions"][0]["block_document_id"]]]
        answers += [json.dumps(api(serve.url, path, password=project)) for path in
                    ["/block_documents/filter", "/automations/filter", "/logs/filter", "/artifacts/filter",
                     "/events/filter"]]
        assert '"url":"{{url}}"' in answers[0] and "********" in answers[0]
        assert "notification" not in answers[3]          # the runs' logs: Prefect confirmed each delivery
        for text in [*answers, ran.stdout + ran.stderr, failed.stdout + failed.stderr,
                     (project / ".traduco" / "prefect" / "server.log").read_text(errors="replace")]:
            assert TOKEN not in text

        # serve again (here: its install, against the same server) after the zh_CN webhook gave way to a
        # block nobody made, and the en reviewers got a block of their own: the stale rules and their
        # webhook block go, the others are updated in place, someone else's stay.
        foreign = api(serve.url, "/automations/", {
            "name": "the IT team's own rule", "trigger": {"type": "event", "expect": ["x"], "posture": "Reactive",
                                                          "threshold": 1, "within": 0},
            "actions": [{"type": "do-nothing"}]}, password=project)["id"]
        settings.write_text(settings.read_text(encoding="utf-8").replace(
            f'[tool.traduco.notify.locales.zh_CN]\nwebhook = "{team}"\n',
            '[tool.traduco.notify.locales.zh_CN]\nblock = "custom-webhook/nobody"\n'
            '[tool.traduco.notify.locales.en]\nblock = "custom-webhook/team-en"\n'), encoding="utf-8")
        with temporary_settings(updates={PREFECT_API_URL: serve.url,
                                         PREFECT_API_AUTH_STRING: auth_string(load_project(project))}):
            from prefect.blocks.notifications import CustomWebhookNotificationBlock
            team_en = CustomWebhookNotificationBlock(name="en", url=f"{receiver.url}/en").save("team-en")
            installed, problems = automations.install(load_project(project))
        after = {a["name"]: a for a in api(serve.url, "/automations/filter", password=project)}
        assert len(installed) == 8 and len(problems) == 4, problems
        assert problems[0] == ("traduco Test office: drafts waiting → zh_CN reviewers (block): no such notification "
                               "block (ObjectNotFound); the run sends it directly")
        assert set(after) == {*installed, "the IT team's own rule"} and after["the IT team's own rule"]["id"] == foreign
        assert after["traduco Test office: drafts waiting → en reviewers (block)"]["actions"][0][
            "block_document_id"] == str(team_en)
        kept = "traduco Test office: run failed → everyone (webhook)"
        assert after[kept]["id"] == rules[kept]["id"]
        assert len([b for b in api(serve.url, "/block_documents/filter", password=project)
                    if b["name"].startswith("traduco-test-office-")]) == 1
    finally:
        serve.stop()
        receiver.__exit__()
    assert TOKEN not in serve.process.stdout.read() + serve.process.stderr.read()
