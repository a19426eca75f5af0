"""Asking ahead (`traduco.drafting.ahead`) tried as a demanding user would:
what changes in the seconds while Prefect starts, and what the run then
writes, buys and counts."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from traduco.drafting import ahead as asking
from traduco.drafting.runs import EXIT_OK, translate_project
from traduco.project import files
from traduco.project.loading import load_project

from standin import StandIn
from test_ahead import _catalogs, _project

GLOSSARY = "it,en,zh_CN,note\nmuseo,Gallery of Arts,艺术馆,the house name\n"


@pytest.fixture(autouse=True)
def key_in_environment(monkeypatch):
    monkeypatch.setenv("LIBRE_API_KEY", "libre-key-0123")
    monkeypatch.setattr(files, "now", lambda: dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.timezone.utc))


def _asked_ahead_then_run(folder: Path, server: StandIn, meanwhile) -> object:
    """A run that takes over what was asked ahead, with `meanwhile` done to the
    project in the seconds between (while Prefect starts)."""
    with asking.asking_ahead(load_project(folder), alone=True):
        while len(server.requests) < 8:
            time.sleep(0.01)
        meanwhile(folder)
        return translate_project(load_project(folder))


def test_a_glossary_edited_while_prefect_starts_is_the_one_the_run_drafts_with(tmp_path):
    with StandIn(latency=0.1) as plain_server, StandIn(latency=0.1) as ahead_server:
        plain = _project(tmp_path / "plain", plain_server.url)
        (plain / "glossary.csv").write_text(GLOSSARY, encoding="utf-8")
        summary = translate_project(load_project(plain))
        ahead = _project(tmp_path / "ahead", ahead_server.url)
        taken_over = _asked_ahead_then_run(
            ahead, ahead_server, lambda folder: (folder / "glossary.csv").write_text(GLOSSARY, encoding="utf-8"))

    assert summary.exit_code == taken_over.exit_code == EXIT_OK
    assert "Gallery of Arts" in (plain / "locales" / "en" / "LC_MESSAGES" / "comunicato-0.po").read_text("utf-8")
    assert _catalogs(ahead) == _catalogs(plain)
