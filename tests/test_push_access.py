"""What someone with push access to the repository the service pulls can do, and
cannot: real pushes from another clone into the shared repository, real runs of
the server's clone, another local user where the attack needs one."""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from test_git_sync import SOURCE, AskingForPassword, clone, git, head, repos, run   # noqa: F401  (a fixture)

from helpers import run_cli

SECRET = "Bilancio riservato della giunta: non divulgare."
MALLORY = "Mallory <mallory@example.invalid>"


def private_folder(tmp_path: Path) -> Path:
    """A folder of the service's user that no run may read: what a link would point at."""
    folder = tmp_path / "private"
    folder.mkdir(mode=0o700)
    (folder / "riservato.txt").write_text(f"Titolo riservato\n\n{SECRET}\n", encoding="utf-8")
    return folder


def push_as_mallory(translator: Path, message: str) -> str:
    git(translator, "add", "-A", "--force")
    git(translator, "commit", "--quiet", f"--author={MALLORY}", "-m", message)
    git(translator, "push", "--quiet", "origin", "HEAD:main")
    return git(translator, "rev-parse", "--short", "HEAD").strip()


def sent_to_mt(standin) -> str:
    return json.dumps(standin.requests, ensure_ascii=False)


def test_a_pushed_symlink_for_sources_is_refused_before_anything_is_merged(repos, standin, tmp_path, capsys):
    bare, server = repos
    code, _, err = run(capsys, server, standin.url)
    assert code == 0, err
    before = head(server)
    translator = clone(bare, tmp_path / "translator")
    shutil.rmtree(translator / "sources")
    (translator / "sources").symlink_to(private_folder(tmp_path))
    commit = push_as_mallory(translator, "sources moved")

    code, out, err = run(capsys, server, standin.url)

    assert code == 1, out + err
    assert f"refused commit {commit} by Mallory <mallory@example.invalid>" in err
    assert "adds the symlink sources" in err and "nothing was merged" in err
    assert (server / "sources").is_dir() and not (server / "sources").is_symlink()
    assert commit not in git(server, "log", "--format=%h") and git(server, "status", "--porcelain") == ""
    assert head(server) == before or git(server, "log", "-1", "--format=%s").startswith("traduco run")
    assert SECRET not in sent_to_mt(standin) and SECRET not in git(server, "log", "-p", "HEAD")
    assert not list((server / "locales" / "templates").glob("riservato*"))


def test_a_pushed_link_for_the_state_folder_or_a_file_in_it_is_refused(repos, standin, tmp_path, capsys):
    bare, server = repos
    assert run(capsys, server, standin.url)[0] == 0
    state_files = sorted(p.relative_to(server) for p in (server / ".traduco").rglob("*"))
    open_to_all = tmp_path / "world-writable"
    open_to_all.mkdir()
    os.chmod(open_to_all, 0o1777)
    translator = clone(bare, tmp_path / "translator")
    (translator / ".traduco").symlink_to(open_to_all)
    commit = push_as_mallory(translator, "a shared cache")

    code, _, err = run(capsys, server, standin.url)
    assert code == 1 and f"refused commit {commit} by Mallory" in err and "symlink .traduco" in err
    assert (server / ".traduco").is_dir() and not (server / ".traduco").is_symlink()
    assert sorted(p.relative_to(server) for p in (server / ".traduco").rglob("*")) >= state_files
    assert list(open_to_all.iterdir()) == []

    (translator / ".traduco").unlink()          # a planted API address instead of a link
    (translator / ".traduco" / "prefect").mkdir(parents=True)
    (translator / ".traduco" / "prefect" / "api-url").write_text("http://203.0.113.9:4200/api\n")
    commit = push_as_mallory(translator, "faster server")
    code, _, err = run(capsys, server, standin.url)
    assert code == 1 and f"refused commit {commit} by Mallory" in err
    assert "writes .traduco/prefect/api-url in the run's private state" in err
    assert "203.0.113.9" not in "".join(p.read_text(errors="replace") for p in (server / ".traduco").rglob("*")
                                        if p.is_file() and p.stat().st_size < 10000)


def test_a_sources_folder_linking_out_of_the_project_is_never_read(project, standin, tmp_path_factory, capsys):
    shutil.rmtree(project / "sources")
    (project / "sources").symlink_to(private_folder(tmp_path_factory.mktemp("elsewhere")))
    code, out, err = run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                             "--provider-url", standin.url)
    assert code == 1, out + err
    assert f"{project / 'sources'} leads out of the project" in err and "Replace the link with a real folder" in err
    assert len(err.strip().splitlines()) == 1
    assert standin.requests == [] and not (project / "locales").exists()


def test_the_state_folder_must_be_a_folder_of_this_user_that_nobody_else_can_write(project, standin,
                                                                                  tmp_path_factory, capsys):
    def run_it():
        return run_cli(capsys, "run", "--project", str(project), "--provider", "libre", "--provider-url", standin.url)

    elsewhere = tmp_path_factory.mktemp("shared")
    os.chmod(elsewhere, 0o1777)
    (project / ".traduco").symlink_to(elsewhere)
    code, _, err = run_it()
    assert code == 1 and "is a symbolic link" in err and "not a folder of its own" in err
    assert list(elsewhere.iterdir()) == [] and standin.requests == []

    (project / ".traduco").unlink()
    (project / ".traduco").mkdir()
    os.chmod(project / ".traduco", 0o777)
    code, _, err = run_it()
    assert code == 1 and "can be written by other users (mode 0777; it must be 0700)" in err

    os.chmod(project / ".traduco", 0o700)
    os.chown(project / ".traduco", 65534, 65534)      # another local user's (nobody)
    code, _, err = run_it()
    assert code == 1 and "belongs to nobody (uid 65534)" in err
    assert list((project / ".traduco").iterdir()) == [] and standin.requests == []

    shutil.rmtree(project / ".traduco")
    code, _, err = run_it()
    assert code == 0, err
    assert stat.S_IMODE((project / ".traduco").stat().st_mode) == 0o700


def test_pulled_settings_take_effect_only_once_someone_on_the_server_trusts_them(repos, standin, tmp_path,
                                                                                 capsys):
    bare, server = repos
    code, _, err = run(capsys, server, standin.url)
    assert code == 0, err
    assert err.count("settings trusted as this server first found them") == 1
    record = server / ".traduco" / "trusted-settings.json"
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    translator = clone(bare, tmp_path / "translator")
    with (translator / "pyproject.toml").open("a", encoding="utf-8") as settings:
        settings.write('\n[tool.traduco.mt.providers.libre]\nurl = "http://203.0.113.9:5000/"\n'
                       '\n[tool.traduco.web]\nallow_hosts = ["10.0.0.0/8"]\n')
    commit = push_as_mallory(translator, "a faster provider")

    code, _, err = run(capsys, server, standin.url)          # pulls the change; this run still trusted
    assert code == 0, err
    assert "settings trusted" not in err
    assert "203.0.113.9" in (server / "pyproject.toml").read_text()

    requests = len(standin.requests)
    (server / SOURCE).write_text((server / SOURCE).read_text() + "\n\nUn paragrafo nuovo.\n")
    code, out, err = run(capsys, server, standin.url)
    assert code == 2, out + err
    assert "changed since they were accepted on this server (provider libre, web allow_hosts)" in err
    assert f"last committed as {commit} by Mallory <mallory@example.invalid>" in err
    assert "traduco trust-settings" in err and len(standin.requests) == requests

    code, out, _ = run_cli(capsys, "trust-settings", "--project", str(server), "--yes")
    assert code == 0 and "http://203.0.113.9:5000/" in out and "Mallory" in out and "Accepted" in out
    assert json.loads(record.read_text())["values"]["provider libre"] == "http://203.0.113.9:5000/"
    code, _, err = run(capsys, server, standin.url)
    assert code == 0, err
    code, out, _ = run_cli(capsys, "trust-settings", "--project", str(server))
    assert code == 0 and "nothing to trust" in out


# -- the git token, in every form ------------------------------------------------------------

TOKEN = "ghp_5ecret/Token+value=="


class EchoingGitHost(AskingForPassword):
    """A smart-HTTP git host on 127.0.0.1 that asks for a password, then refuses it with
    an `ERR` line that echoes it back: the Basic header (base64), the token URL-encoded
    and raw inside a remote URL, as careless servers and proxies do."""

    def answer(self, request) -> bool:
        authorization = request.headers.get("Authorization", "")
        if not authorization:
            return False
        basic = authorization.split()[-1]
        user, _, token = base64.b64decode(basic).decode().partition(":")
        message = (f"ERR access denied for {basic} ({base64.urlsafe_b64encode(token.encode()).decode()}), "
                   f"token={quote(token, safe='')}, see https://{user}:{token}@git.example.invalid/x.git")
        body = pkt("# service=git-upload-pack\n") + b"0000" + pkt(message)
        request.send_response(200)
        request.send_header("Content-Type", "application/x-git-upload-pack-advertisement")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)
        return True


def pkt(text: str) -> bytes:
    data = text.encode()
    return f"{len(data) + 4:04x}".encode() + data


def test_the_git_token_is_redacted_in_every_encoding_on_the_terminal_and_in_prefect(repos, standin, monkeypatch,
                                                                                   capsys):
    from traduco.redaction import encodings
    bare, server = repos
    monkeypatch.setenv("TRADUCO_GIT_TOKEN", TOKEN)
    with EchoingGitHost() as host:
        (server / "pyproject.toml").write_text((server / "pyproject.toml").read_text().replace(
            'remote = "origin"', f'remote = "{host.url}"'))
        code, out, err = run(capsys, server, standin.url)

    assert code == 3 and "git: cannot fetch from traduco" in err and "access denied for " in err, err
    forms = encodings(TOKEN) | encodings(f"traduco:{TOKEN}") | {TOKEN[:12]}
    assert [form for form in forms if form in out + err] == []
    stored = b"".join(path.read_bytes() for path in Path(os.environ["PREFECT_HOME"]).rglob("*") if path.is_file())
    assert b"access denied for " in stored          # what git said did reach Prefect
    assert [form for form in forms if form.encode() in stored] == []


@contextmanager
def pushed_webhook(project: Path, standin):
    """Settings accepted on the server, then Mallory's commit adding her own webhook: her receiver."""
    from test_notify import Receiver

    from traduco.project import trust
    from traduco.project.loading import load_project

    settings = project / "pyproject.toml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + f'[tool.traduco.mt]\nchain = ["libre"]\n[tool.traduco.mt.providers.libre]\n'
                          f'url = "{standin.url}"\n[tool.traduco.web]\nallow_hosts = ["127.0.0.1"]\n',
                        encoding="utf-8")
    trust.accept(load_project(project))
    mallory = Receiver()
    try:
        with settings.open("a", encoding="utf-8") as handle:
            handle.write(f'[tool.traduco.notify]\nwebhook = "{mallory.url}"\n')
        yield mallory
    finally:
        mallory.__exit__()


def test_a_run_stopped_by_untrusted_notify_settings_tells_nobody_at_the_pushed_address(project, standin):
    """A push that moves the notification address (or smtp_host, where the SMTP password
    goes) stops the next run; the failure's own notification must not use the pushed address."""
    from flows.translate import translate

    with pushed_webhook(project, standin) as mallory:
        state = translate(project_dir=str(project), return_state=True)
        assert state.is_failed() and "changed since they were accepted" in state.message
        assert mallory.received == [] and standin.requests == []


def test_serve_installs_no_notification_rule_for_a_pushed_address(project, standin):
    """serve hands [tool.traduco.notify] to Prefect as automations, which Prefect carries out
    on its own: a (re)start after a pull that moved an address must not install them."""
    import subprocess

    from test_approval import CLI

    from traduco.prefect_api import servers

    with pushed_webhook(project, standin) as mallory:
        env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING")}
        serve = subprocess.Popen([*CLI, "serve", "--port", "0"], cwd=project, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            out, err = serve.communicate(timeout=180)
        except subprocess.TimeoutExpired:          # it served: stop it, and fail below
            servers.stop(serve)
            out, err = serve.communicate()
        assert serve.returncode == 2, out + err
        assert "changed since they were accepted on this server (notify webhook)" in err
        assert "Notifications:" not in out and mallory.received == []


def test_a_pushed_dask_dashboard_waits_for_trust(project):
    """Dask's dashboard has no password: every local user may read its logs and call stacks,
    so a push may not open it on the server without someone there accepting it."""
    import pytest

    from traduco.project import trust
    from traduco.project.loading import load_project
    from traduco.project.settings import SettingsError

    settings = project / "pyproject.toml"
    trust.accept(load_project(project))
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "[tool.traduco]\n", '[tool.traduco]\ntask_runner = "dask"\ndask_dashboard = 8787\n'), encoding="utf-8")
    with pytest.raises(SettingsError, match=r"accepted on this server \(dask_dashboard\)"):
        trust.require_trusted(load_project(project))
