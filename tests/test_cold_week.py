"""What a press office's first week found, trying traduco cold: each test is one
thing a new user met."""

from __future__ import annotations

import polib

from conftest import DOC
from test_first_week import traduco
from helpers import run_cli, run_once


def _po(project, locale: str):
    return project / "locales" / locale / "LC_MESSAGES" / f"{DOC}.po"


def test_publish_dry_run_says_why_a_catalog_waits_in_a_few_lines_at_80_columns(project, standin):
    run_once(project, standin.url)
    for locale in ("zh_CN", "en"):
        catalog = polib.pofile(str(_po(project, locale)), wrapwidth=0)
        for entry in catalog:
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
        for entry in catalog[1:6]:
            entry.msgstr = entry.msgid          # five paragraphs approved in Italian
        catalog.save()

    done = traduco("publish", "--dry-run", "--project", str(project), columns=80)

    lines = done.stdout.splitlines()
    assert done.returncode == 0 and all(len(line) <= 80 for line in lines), done.stdout
    body = lines[next(i for i, l in enumerate(lines) if l.startswith("┡")) + 1:
                 next(i for i, l in enumerate(lines) if l.startswith("└"))]
    assert len(body) <= 2 * 5, done.stdout          # two rows, each a few lines, not a column of words
    assert "traduco check" in done.stdout and "error" in done.stdout


def test_a_ctrl_c_inside_a_command_is_said_in_words(project, capsys, monkeypatch):
    # typer turns a KeyboardInterrupt into a silent exit 130: the words must survive that
    import traduco.cli.workflow

    def waiting_for_the_prefect_api(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(traduco.cli.workflow, "load_project", waiting_for_the_prefect_api)

    code, _, err = run_cli(capsys, "status", "--project", str(project))

    assert code == 130 and "Stopped." in err


def test_a_price_keeps_its_cents_in_the_advice():
    from test_first_week import findings
    [finding] = findings("Il biglietto intero costa 17,50 euro.", "A full ticket costs 17 euros.", "en", "numbers")
    assert "write it as 17.50" in finding.message, finding.message
    [finding] = findings("Il biglietto costa 17,50 euro.", "门票为17欧元。", "zh_CN", "numbers")
    assert "write it as 17.50" in finding.message, finding.message


def test_check_at_80_columns_leaves_no_trailing_spaces_in_a_log(project, standin):
    run_once(project, standin.url)
    catalog = polib.pofile(str(_po(project, "zh_CN")), wrapwidth=0)
    catalog[1].msgstr = catalog[1].msgid          # Italian left on the Chinese page
    catalog.save()
    done = traduco("check", "--project", str(project), columns=80)
    assert done.returncode == 1 and "untranslated" in done.stdout
    assert [line for line in done.stdout.splitlines() if line.endswith(" ")] == []
