"""Who may do what on serve's Prefect server (traduco.prefect_api.roles), on a real
`traduco serve`: a reviewer reads and decides, and can steer nothing; the
operator does the rest, and even the operator's copy of a deployment on the
server cannot send a run elsewhere. And serve's UI calls serve's own port."""

from __future__ import annotations

import os
import socket
import subprocess
import urllib.error
import urllib.request
import json
from pathlib import Path

import pytest

from conftest import DOC
from helpers import approve_all, run_once
from test_approval import CLI, Serve, decision_notes, po, traduco, waiting_run_id
from test_notify import TOKEN, Receiver, with_webhook
from test_prefect_server import _wait_for_final_state, api


def refused(url: str, path: str, body: dict | None, password: str, method: str = "POST") -> int:
    with pytest.raises(urllib.error.HTTPError) as refusal:
        api(url, path, body, password=password, method=method)
    return refusal.value.code


def as_reviewer(project: Path, url: str, reviewer: str, *args: str) -> subprocess.CompletedProcess:
    """`traduco` as a reviewer runs it: serve's address and the reviewers' password in the environment."""
    env = {**os.environ, "PREFECT_API_URL": url, "PREFECT_API_AUTH_STRING": reviewer}
    return subprocess.run([*CLI, *args], cwd=project, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_a_reviewer_reads_and_decides_and_steers_nothing_while_the_operator_runs_the_service(
        project, standin, tmp_path_factory):
    (project / "pyproject.toml").write_text(
        '[tool.traduco]\nproject = "Test office"\nlocales = ["zh_CN", "en"]\nrequire_approval = true\n'
        f'[tool.traduco.mt]\nchain = ["libre"]\n[tool.traduco.mt.providers.libre]\nurl = "{standin.url}"\n',
        encoding="utf-8")
    receiver = Receiver()
    with_webhook(project, receiver.url)          # a Secret-holding block and automations on the server
    run_once(project, standin.url)
    approve_all(po(project, "zh_CN"))
    approve_all(po(project, "en"))
    paid = len(standin.requests)
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "sources").mkdir()

    serve = Serve(project)
    try:
        url = serve.url
        with urllib.request.urlopen(f"{url.removesuffix('/api')}/ui-settings", timeout=10) as answer:
            assert json.loads(answer.read())["api_url"] == url        # the UI logs in at serve's own port
        reviewer = (project / ".traduco" / "prefect" / "reviewer-auth").read_text(encoding="utf-8").strip()
        deployments = {d["name"]: d["id"] for d in api(url, "/deployments/filter", password=reviewer)}
        translate = deployments["traduco-translate"]
        block = next(b["id"] for b in api(url, "/block_documents/filter", password=project)
                     if b["block_type"]["slug"] == "custom-webhook")
        automation = api(url, "/automations/filter", password=project)[0]["id"]

        # Everything that steers the service or shows a secret is refused to the reviewer.
        attacks = [
            ("PATCH", f"/deployments/{translate}", {"parameters": {"provider_url": standin.url},
                                                    "parameter_openapi_schema": {"type": "object"}}),
            ("POST", f"/deployments/{translate}/create_flow_run", {"parameters": {}}),
            ("POST", "/flow_runs/", {"flow_id": translate}),
            ("POST", "/block_documents/filter", {"include_secrets": True}),
            ("POST", "/block_documents/filter", {}),
            ("GET", f"/block_documents/{block}?include_secrets=true", None),
            ("GET", f"/flow_runs/{translate}?include_secrets=true", None),
            ("PATCH", f"/automations/{automation}", {"enabled": False}),
            ("DELETE", f"/automations/{automation}", None),
            ("POST", "/automations/", {"name": "x"}),
            ("POST", "/variables/", {"name": "x", "value": "y"}),
            ("GET", "/admin/settings", None),
        ]
        for method, path, body in attacks:
            assert refused(url, path, body, reviewer, method) == 403, (method, path)
        assert api(url, f"/deployments/{translate}", password=reviewer, method="GET")["parameters"][
            "provider_url"] is None                    # nothing changed

        # The operator (the project's owner, on the server) starts a publication; the reviewer rejects
        # it the way the UI's Resume form does, then approves the next one with `traduco approve`.
        first = waiting_run_id(traduco(project, "publish"))
        api(url, f"/flow_runs/{first}/resume", {"run_input": {"approve": False, "approver": "Li Wei",
                                                              "note": "embargo"}}, password=reviewer)
        assert _wait_for_final_state(url, first, project)["type"] == "COMPLETED"
        assert decision_notes(url, project, first) == ["**rejected** by Li Wei: embargo"]
        second = waiting_run_id(traduco(project, "publish"))
        listed = as_reviewer(project, url, reviewer, "approve")
        assert listed.returncode == 0 and second in listed.stdout, listed.stdout + listed.stderr
        decided = as_reviewer(project, url, reviewer, "approve", second, "--yes", "--by", "Giulia Rossi")
        assert decided.returncode == 0, decided.stdout + decided.stderr
        assert (project / "public" / "zh_CN" / f"{DOC}.html").exists()
        assert decision_notes(url, project, second) == ["**approved** by Giulia Rossi"]
        assert any(TOKEN in path for path, _ in receiver.received)     # Prefect told the webhook ...
        seen = json.dumps([api(url, path, password=reviewer) for path in       # ... and reviewers never see it
                           ("/automations/filter", "/deployments/filter", "/flow_runs/filter", "/events/filter",
                            "/artifacts/filter", "/logs/filter")])
        assert TOKEN not in seen
        started = as_reviewer(project, url, reviewer, "publish")      # starting a run is the operator's
        assert started.returncode == 1 and "needs the operator's credential" in started.stderr \
            and "unexpected" not in started.stderr, started.stderr

        # The operator's run works; the operator's copy of the deployment cannot redirect one.
        ran = api(url, f"/deployments/{translate}/create_flow_run", {"parameters": {}}, password=project)
        assert _wait_for_final_state(url, ran["id"], project)["type"] == "COMPLETED"
        schema = {"type": "object", "properties": {}}
        api(url, f"/deployments/{translate}", {"parameters": {"project_dir": str(elsewhere), "provider": "libre",
                                                              "provider_url": standin.url},
                                               "parameter_openapi_schema": schema}, password=project, method="PATCH")
        steered = api(url, f"/deployments/{translate}/create_flow_run", {"parameters": {}}, password=project)
        state = _wait_for_final_state(url, steered["id"], project)
        assert state["type"] == "FAILED" and "may not set project_dir, provider, provider_url" in state["message"]
        assert len(standin.requests) == paid and not (elsewhere / "locales").exists()
    finally:
        serve.stop()
        receiver.__exit__()


def test_an_explicit_port_that_is_taken_is_a_mistake_and_a_taken_default_is_named(project, monkeypatch):
    from traduco.prefect_api import servers

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING")}
        serve = subprocess.Popen([*CLI, "serve", "--port", str(port)], cwd=project, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            out, err = serve.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            servers.stop(serve)
            out, err = serve.communicate()
        assert serve.returncode == 2, out + err
        assert err.count("\n") == 1 and f"port {port} is taken" in err, err
        assert "Prefect UI" not in out

        monkeypatch.setenv("PREFECT_SERVER_API_PORT", str(port))     # the default port, taken
        chosen, said = servers.serve_port(None)
        assert chosen != port and said == (f"Port {port} is taken (another program listens there): "
                                           f"serving on port {chosen} instead.")
    assert servers.serve_port(None) == (port, None)                  # free again: no word


def test_the_reviewers_allow_list_is_reads_and_the_decision_only():
    from traduco.prefect_api.roles import credential, reviewer_may

    allowed = [("POST", "/flow_runs/filter"), ("GET", "/flow_runs/6b1c/input/approval-schema"),
               ("POST", "/flow_runs/6b1c/resume"), ("POST", "/artifacts/latest/filter"), ("HEAD", "/health"),
               ("GET", "/admin/version"), ("POST", "/ui/schemas/validate")]
    refused = [("PATCH", "/deployments/6b1c"), ("POST", "/deployments/6b1c/create_flow_run"),
               ("POST", "/flow_runs/"), ("POST", "/flow_runs/6b1c/set_state"), ("DELETE", "/flow_runs/6b1c"),
               ("POST", "/block_documents/filter"), ("GET", "/block_documents/6b1c"),
               ("GET", "/block_types/slug/secret/block_documents"), ("POST", "/variables/filter"),
               ("PUT", "/automations/6b1c"), ("POST", "/work_queues/6b1c/get_runs"), ("POST", "/events"),
               ("POST", "/logs/"), ("GET", "/admin/settings"), ("GET", "/flow_runs/6b1c/../../admin/settings"),
               ("GET", "/collections/views/aggregate-flow-metadata"), ("POST", "/flow_runs/filter/../")]
    assert [call for call in allowed if not reviewer_may(*call)] == []
    assert [call for call in refused if reviewer_may(*call)] == []
    assert not reviewer_may("GET", "/flow_runs/6b1c", "x=1&INCLUDE_SECRETS=true")
    assert credential("Basic cmV2aWV3ZXI6cw==") == "reviewer:s" and credential("Bearer x") is None


@pytest.mark.slow
def test_a_reviewer_cannot_stall_the_server_with_a_pattern_to_validate(project, standin):
    """The UI validates the Resume form on the server, in Prefect's event loop: a reviewer's
    schema with a backtracking pattern would stop the server (schedules, runs, UI) for hours."""
    (project / "pyproject.toml").write_text(
        '[tool.traduco]\nproject = "Test office"\nlocales = ["zh_CN", "en"]\nrequire_approval = true\n'
        f'[tool.traduco.mt]\nchain = ["libre"]\n[tool.traduco.mt.providers.libre]\nurl = "{standin.url}"\n',
        encoding="utf-8")
    serve = Serve(project)
    try:
        reviewer = (project / ".traduco" / "prefect" / "reviewer-auth").read_text(encoding="utf-8").strip()
        backtracking = {"schema": {"type": "object", "properties": {"note": {"type": "string",
                                                                              "pattern": "^(a+)+$"}}},
                        "values": {"note": "a" * 20 + "!"}}      # 2**20 steps here; 2**40 would be days
        assert refused(serve.url, "/ui/schemas/validate", backtracking, reviewer) == 403
        hidden = {"schema": {"type": "object", "$defs": {"x": {"patternProperties": {"(a+)+$": {}}}}}, "values": {}}
        assert refused(serve.url, "/ui/schemas/validate", hidden, reviewer) == 403
        huge = {"schema": {"type": "object"}, "values": {"note": "x" * 100_000}}
        assert refused(serve.url, "/ui/schemas/validate", huge, reviewer) == 403
        assert refused(serve.url, "/flow_runs/filter", {"flow_runs": {"name": {"any_": ["x" * 100_000]}}},
                       reviewer) == 403                   # nor any other body that large
        assert len(api(serve.url, "/flow_runs/filter", {"limit": 1}, password=reviewer)) <= 1   # a small one passes
        from traduco.serve.approval import Approval
        form = {"schema": Approval.model_json_schema(),           # what the Resume form sends
                "values": {"approve": True, "note": "ok", "approver": "Li Wei"}}
        assert api(serve.url, "/ui/schemas/validate", form, password=reviewer)["valid"] is True
        assert api(serve.url, "/ui/schemas/validate", backtracking, password=project)["valid"] is False
    finally:
        serve.stop()
