"""The approval gate when people make mistakes: a catalog broken while its run
waits, a schedule that asks the same question again, run ids copied short or
wrong, a script without --yes, a decision by nobody, markup in a name.

On Prefect's ephemeral server (tests/test_approval.py plays serve's part in
this process); the real-server walkthrough is in test_approval.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DOC
from helpers import approve_all, run_cli, run_once
from test_approval import po, run_resumed, suspended_publication


@pytest.fixture
def waiting(project: Path, standin, monkeypatch) -> tuple[Path, str]:
    """A project whose publish run waits for the editor; the CLI pointed at the same server."""
    from prefect.server.api.server import SubprocessASGIServer

    with open(project / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write("require_approval = true\n")
    run_once(project, standin.url)
    approve_all(po(project, "zh_CN"))
    approve_all(po(project, "en"))
    run_id = suspended_publication(project)
    server = next(iter(SubprocessASGIServer._instances.values()))
    monkeypatch.setenv("PREFECT_API_URL", server.api_url)
    return project, run_id


def test_a_catalog_broken_while_its_run_waits_fails_the_run_after_the_rest_is_published(waiting):
    from traduco.serve.approval import decide

    project, run_id = waiting
    path = po(project, "zh_CN")
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    first = next(n for n, line in enumerate(lines) if line.startswith('msgstr "') and line != 'msgstr ""')
    lines[first] = lines[first][:-1]                    # its closing quote lost by hand
    path.write_text("\n".join(lines), encoding="utf-8")

    decide(run_id, approve=True, note="ok")
    state = run_resumed(run_id)

    assert state.is_failed(), state                  # the UI, serve and the failure notice call a person
    assert "cannot be read" in state.message and "msgfmt -c" in state.message
    assert (project / "public" / "en" / f"{DOC}.html").exists()
    assert not (project / "public" / "zh_CN" / f"{DOC}.html").exists()
    assert path.read_text(encoding="utf-8") != text  # left as the person left it, to fix


def test_the_same_plan_is_asked_once_however_many_publishes_come_round(waiting, capsys):
    from flows.publish import publish
    from traduco.serve.approval import start_publication
    from traduco.serve.waiting import waiting_runs
    from traduco.project.loading import load_project

    project, run_id = waiting
    again, state = start_publication(load_project(project), publish)      # a schedule comes round

    assert state is not None and state.is_completed() and f"already waits for the editor in publish run {run_id}" \
        in state.message
    code, out, _ = run_cli(capsys, "publish", "--project", str(project))   # the editor, in a terminal
    assert code == 0 and "This plan already waits for the editor's decision" in out and run_id in out
    mine = [run.run_id for run in waiting_runs() if run.run_id in (run_id, again)]
    assert mine == [run_id]


def test_approve_takes_the_start_of_an_id_and_a_wrong_id_is_a_usage_mistake(waiting, capsys, monkeypatch):
    project, run_id = waiting
    monkeypatch.setattr("traduco.serve.waiting.OUTCOME_WAIT_SECONDS", 0)     # serve's part is played below

    code, _, err = run_cli(capsys, "approve", "ffffffff", "--project", str(project))
    assert code == 2 and "Usage:" in err and "no waiting publish run's id starts with 'ffffffff'" in err

    code, out, err = run_cli(capsys, "approve", run_id[:8], "--project", str(project), "--reject",
                             "--note", "wait for the embargo")
    assert code in (0, 1) and f"Rejected: publish run {run_id} resumes" in out, out + err
    assert "Decide: traduco approve" not in out          # it is being decided
    assert run_resumed(run_id).is_completed()

    code, _, err = run_cli(capsys, "approve", run_id, "--project", str(project))
    assert code == 1 and "it was decided: **rejected** by" in err and "wait for the embargo" in err


def test_the_editor_is_told_before_deciding_which_catalog_changed_since_the_plan(waiting, capsys, monkeypatch):
    import io

    import polib

    project, run_id = waiting
    catalog = polib.pofile(str(po(project, "zh_CN")), wrapwidth=0)
    catalog[1].msgstr += "（修订）"                           # a translator saves again while the run waits
    catalog.save()
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))

    code, out, err = run_cli(capsys, "approve", run_id, "--project", str(project))

    assert code == 0 and "Nothing decided" in out, out + err
    warning = out.index(f"{DOC} (zh_CN) changed after the plan was made: approving will not publish it")
    assert warning < out.index("Publish exactly this?") and f"{DOC} (en) changed" not in out


def test_a_template_edited_while_its_run_waits_is_changed_and_not_published(waiting, capsys, monkeypatch):
    """The plan pins the template too: cut to 2 of its units, reordered, retitled after
    `traduco publish`, it was published as is, with no "changed" line."""
    import polib

    project, run_id = waiting
    template_path = project / "locales" / "templates" / f"{DOC}.pot"
    template = polib.pofile(str(template_path), wrapwidth=0)
    units = [entry for entry in template if not entry.obsolete]
    kept = [units[2], units[1]]                                   # 2 of them, in another order
    for entry in units:
        template.remove(entry)
    template.extend(kept)
    template.metadata["X-Source-Layout"] = "1=h2"                 # the page's layout header too
    template.save()

    code, out, err = run_cli(capsys, "approve", run_id, "--project", str(project), "--yes")
    # Both rows changed, so the terminal decides nothing: there is nothing left to publish.
    assert code == 1 and "nothing to publish" in err, out + err
    assert f"{DOC} (zh_CN) changed after the plan was made" in out and f"{DOC} (en) changed" in out

    from traduco.serve.approval import decide
    decide(run_id, approve=True, approver="Giulia Bianchi")    # as the UI approves: the run itself must hold
    state = run_resumed(run_id)
    rows = {(r.locale, r.status.value): r.reason for r in state.result()}
    assert rows[("zh_CN", "changed")].startswith("its template changed after the plan was made"), rows
    assert ("en", "changed") in rows
    for locale in ("zh_CN", "en"):
        assert not (project / "public" / locale / f"{DOC}.html").exists()


def test_a_script_without_yes_decides_nothing_and_a_decision_needs_someone(waiting, capsys, monkeypatch):
    import io

    from markdown_it import MarkdownIt
    from pydantic import ValidationError

    from traduco.serve.approval import Approval, decision_markdown
    from traduco.serve.waiting import waiting_run

    project, run_id = waiting
    monkeypatch.setattr("sys.stdin", io.StringIO(""))                  # the input ends: no answer
    code, out, err = run_cli(capsys, "approve", run_id, "--project", str(project))
    assert code == 2 and "no answer" in err and "--yes" in err and "Stopped" not in err, out + err
    assert waiting_run(run_id).run_id == run_id                          # still waiting

    code, _, err = run_cli(capsys, "approve", run_id, "--by", " ", "--yes", "--project", str(project))
    assert code == 2 and "--by" in err and "say who decides" in err
    with pytest.raises(ValidationError):                                  # the UI's form, blank but for spaces
        Approval(approve=True, approver="   ")
    shown = decision_markdown(Approval(approve=True, approver="[Giulia](javascript:alert(1))",
                                       note="<img src=x onerror=alert(1)> **ok**"))
    rendered = MarkdownIt("commonmark", {"html": True}).render(shown)     # as the Prefect UI renders artifacts
    assert "<a " not in rendered and "<img" not in rendered and "<strong>ok" not in rendered, rendered
    assert rendered.startswith("<p><strong>approved</strong> by [Giulia](javascript:alert(1))")
