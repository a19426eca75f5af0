"""Usage mistakes get click's own usage message and exit 2 (docs/reference/cli.md: Exit codes);
help texts show what they say, brackets included; commands leave the
environment as they found it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import run_cli

MISTAKES = [   # click's own words
    (["rn"], "Usage: traduco [OPTIONS] COMMAND", "No such command 'rn'. Did you mean 'run'?"),
    (["run", "--provder", "libre"], "Usage: traduco run [OPTIONS]",
     "No such option: --provder (Possible options: --project, --provider"),
    (["review"], "Usage: traduco review [OPTIONS] DOC LOCALE", "Missing argument 'DOC'"),
    (["review", "toscana"], "Usage: traduco review", "Missing argument 'LOCALE'"),
    (["run", "--locale"], "Usage: traduco run [OPTIONS]", "Option '--locale' requires an argument"),
    (["run", "--provider", "gogle"], "Usage: traduco run [OPTIONS]", "Invalid value for '--provider': unknown "
     "provider 'gogle' (did you mean 'google'?). Known providers: google, deepl, libre"),
]


@pytest.mark.parametrize("args, usage, says", MISTAKES, ids=[" ".join(m[0]) for m in MISTAKES])
def test_a_usage_mistake_prints_the_usage_and_exits_2(capsys, args, usage, says):
    code, out, err = run_cli(capsys, *args)
    assert code == 2, err
    assert usage in err and f"Error: {says}" in err
    assert "unexpected error" not in err + out


def test_no_arguments_print_the_commands_and_exit_2(capsys):
    code, out, err = run_cli(capsys)
    assert code == 2 and "Usage: traduco [OPTIONS] COMMAND" in out + err
    assert "run " in out + err and "unexpected error" not in out + err


def test_the_installed_command_exits_2_on_a_usage_mistake():
    traduco = Path(sys.executable).parent / "traduco"
    result = subprocess.run([str(traduco), "rn"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Did you mean 'run'?" in result.stderr


def test_help_exits_0(capsys):
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0 and "Commands:" in out


@pytest.mark.parametrize("command, shown", [
    ("pull", "Fetch the web feeds and pages in [tool.traduco.web] into sources/"),
    ("run", "(overrides [tool.traduco.mt])"),
    ("run", "--provider NAME[,NAME...]"),
    ("run", "--locale LOCALE"),
    ("run", "-p, --project DIR"),
    ("review", "--output FILE"),
    ("serve", "--port PORT"),
])
def test_help_shows_brackets_and_plain_metavars(capsys, command, shown):
    code, out, _ = run_cli(capsys, command, "--help")
    flat = " ".join(out.split())        # help is wrapped to the terminal's width
    assert code == 0 and shown in flat
    assert "<bool>" not in out and "<list[str]>" not in out


COMMANDS = ["run", "pull", "status", "merge-driver", "init-git", "check", "review", "approve-low-risk", "report",
            "publish", "approve", "serve",
            "export-xliff", "import-xliff", "export-tmx", "import-tmx", "export-tbx", "import-tbx", "trust-settings"]


def test_every_command_is_in_the_help_checks():
    from traduco.cli import app
    assert sorted(c.name or c.callback.__name__ for c in app.registered_commands) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_names_arguments_and_values_by_their_metavars_only(capsys, command):
    """`review DOC LOCALE`, not typer's `{DOC} {LOCALE}` and `DOC <str>`."""
    code, out, _ = run_cli(capsys, command, "--help")
    usage = out.splitlines()[0]
    assert code == 0 and usage.startswith(f"Usage: traduco {command} [OPTIONS]")
    assert "{" not in usage and re.findall(r"<[a-z][a-z\[\], |]*>", out) == []


def test_review_help_shows_its_arguments_plainly(capsys):
    code, out, _ = run_cli(capsys, "review", "--help")
    assert "Usage: traduco review [OPTIONS] DOC LOCALE" in out
    assert re.search(r"^  DOC +Document id", out, re.MULTILINE)


@pytest.mark.parametrize("bar", ["x", "1.5", "0", "nan"])
def test_a_risk_bar_that_is_not_a_risk_is_one_plain_line(project, capsys, bar):
    code, out, err = run_cli(capsys, "approve-low-risk", "--below", bar, "--reviewer", "Anna",
                             "--project", str(project))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"--below: expected a number between 0 and 1, got '{bar}'" in err and "Input should" not in err


def test_a_command_leaves_the_environment_as_it_found_it(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DO_NOT_TRACK", raising=False)     # one of the variables the CLI sets for Prefect
    before = dict(os.environ)
    code, _, err = run_cli(capsys, "approve", "some-run", "--project", str(tmp_path))
    assert code == 2 and "no traduco project" in err
    assert dict(os.environ) == before


@pytest.mark.parametrize("args, named", [(("nodoc", "en"), "DOC"), (("toscana-smart-china", "fr"), "LOCALE")])
def test_review_of_a_document_or_locale_the_project_lacks_is_a_usage_mistake(project, capsys, args, named):
    code, out, err = run_cli(capsys, "review", *args, "--project", str(project))
    assert code == 2 and f"Invalid value for {named}" in err and "Usage: traduco review" in err, out + err


def test_a_question_left_unanswered_decides_nothing(project, capsys, monkeypatch):
    """A script that pipes nothing into a confirmation: no, said as such, exit 2 (not 'Stopped', 130)."""
    import io

    run_cli(capsys, "trust-settings", "--project", str(project), "--yes")
    with open(project / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write('[tool.traduco.web]\nallow_hosts = ["intranet.example"]\n')
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, out, err = run_cli(capsys, "trust-settings", "--project", str(project))
    assert code == 2 and "no answer (the input ended): nothing accepted" in err and "Stopped" not in err, out + err
    assert "intranet.example" not in (project / ".traduco" / "trusted-settings.json").read_text(encoding="utf-8")
