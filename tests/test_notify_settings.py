"""[tool.traduco.notify] is declared like the rest of [tool.traduco]: a mistake
is one line naming pyproject.toml, the key and what it expects, exit 2, before
any work (not a crash in the middle of a run, not a message never sent)."""

from __future__ import annotations

import pytest

from helpers import run_cli
from traduco.notify import channels
from traduco.project.loading import load_project

BASE = '[tool.traduco]\nproject = "Test office"\nlocales = ["zh_CN", "en"]\n'

# (the notify table, the key as the message names it, what the message says is expected)
MISTAKES = [
    ('[tool.traduco.notify]\nwebhook = "http://127.0.0.1:9/h"\ndrafts_waiting_hours = "a day"\n',
     "[tool.traduco.notify] drafts_waiting_hours", "number of hours"),
    ('[tool.traduco.notify]\nwebhok = "http://127.0.0.1:9/h"\n',
     "[tool.traduco.notify] has no setting 'webhok'", "did you mean 'webhook'"),
    ('[tool.traduco.notify]\non = ["draft"]\n', "[tool.traduco.notify] on", '"drafts", "approval"'),
    ('[tool.traduco.notify]\non = "drafts"\n', "[tool.traduco.notify] on", 'on = ["drafts", "failure"]'),
    ('[tool.traduco.notify]\nsmtp_port = "587"\n', "[tool.traduco.notify] smtp_port", "without quotes"),
    ('[tool.traduco.notify.locales.fr]\nemail = "fr@example.org"\n',
     "[tool.traduco.notify.locales.fr] is not one of the locales", "zh_CN, en"),
    ('[tool.traduco.notify.locales.zh_CN]\nmail = "zh@example.org"\n',
     "[tool.traduco.notify.locales.zh_CN] has no setting 'mail'", "did you mean 'email'"),
    ('[tool.traduco.notify]\nemail = "redazione"\n', "[tool.traduco.notify] email", "e-mail address"),
    ('[tool.traduco.notify]\nblock = "redazione"\n', "[tool.traduco.notify] block", "type/name"),
    # A webhook gets the feeds' address policy: a pushed settings change cannot aim it inside the network.
    ('[tool.traduco.notify]\nwebhook = "http://169.254.169.254/latest/meta-data"\n',
     "[tool.traduco.notify] webhook goes to a link-local address", "allow_hosts"),
    ('[tool.traduco.notify.locales.zh_CN]\nwebhook = "http://localhost:8080/admin"\n',
     "[tool.traduco.notify.locales.zh_CN] webhook goes to this machine (localhost)", "public addresses"),
    ('[tool.traduco.web]\nallow_hosts = ["intranet.example.org"]\n[tool.traduco.notify]\nwebhook = "http://10.1.2.3/h"\n',
     "[tool.traduco.notify] webhook goes to a private network address", "allow_hosts"),
]


@pytest.mark.parametrize("table, key, expected", MISTAKES, ids=[m[1] for m in MISTAKES])
def test_a_notify_mistake_is_one_line_naming_the_key_and_exit_2(tmp_path, capsys, table, key, expected):
    (tmp_path / "pyproject.toml").write_text(BASE + table, encoding="utf-8")
    code, out, err = run_cli(capsys, "status", "--project", str(tmp_path))
    assert code == 2, out + err
    assert err.count("\n") == 1 and "unexpected error" not in err, err
    assert f"{tmp_path / 'pyproject.toml'}: {key}" in err and expected in err, err


def test_a_webhook_on_an_allowed_network_is_accepted(tmp_path):
    (tmp_path / "pyproject.toml").write_text(BASE + '[tool.traduco.web]\nallow_hosts = ["10.0.0.0/8"]\n'
                                             '[tool.traduco.notify]\nwebhook = "http://10.1.2.3/h"\n', encoding="utf-8")
    assert load_project(tmp_path).notify.webhook == "http://10.1.2.3/h"


def test_a_table_without_on_tells_all_four_events_and_a_locale_table_its_own_locale(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        BASE + '[tool.traduco.notify]\nemail = "redazione@example.org"\ndrafts_waiting_hours = 12\n'
               '[tool.traduco.notify.locales.zh_CN]\nblock = "slack-webhook/zh"\n', encoding="utf-8")
    project = load_project(tmp_path)

    assert all(channels.wanted(project, event) for event in ("drafts", "approval", "failure", "waiting"))
    assert project.notify.drafts_waiting_hours == 12.0 and project.notify.smtp_port == 587
    assert [c.target for c in channels.channels(project, "zh_CN")] == ["redazione@example.org", "slack-webhook/zh"]
    assert [c.target for c in channels.channels(project, "en")] == ["redazione@example.org"]
