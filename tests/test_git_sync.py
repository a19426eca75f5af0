"""Translators and scheduled runs meet in git: a temporary bare repository, a
clone where runs work and a clone where a translator works, real git, real MT
over HTTP (the stand-in), catalogs merged by traduco's merge driver."""

from __future__ import annotations

import base64
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import polib
import pytest

from traduco.catalogs import pofile, provenance
from traduco.git.sync import GitSync
from traduco.project.loading import load_project
from traduco.project.settings import SettingsError
from traduco.redaction import redact

from conftest import DOC, SAMPLE
from helpers import approve_all, entries, msgfmt_check, run_cli, run_once

ZH = f"locales/zh_CN/LC_MESSAGES/{DOC}.po"
EN = f"locales/en/LC_MESSAGES/{DOC}.po"
SOURCE = f"sources/{DOC}.txt"
SETTINGS = ('[tool.traduco]\nproject = "Test office"\nlocales = ["zh_CN", "en"]\n\n'
            '[tool.traduco.git]\nremote = "origin"\nbranch = "main"\n')


def git(folder: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True)
    if check:
        assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


@pytest.fixture
def repos(tmp_path: Path, monkeypatch):
    """(bare, server): the shared repository and the clone the runs work in, with one commit."""
    if shutil.which("git") is None:
        pytest.fail("git is needed for these tests")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Person")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@traduco.invalid")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))   # no one's own settings
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for variable in ("TRADUCO_GIT_TOKEN", "GIT_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    bare = tmp_path / "shared.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    server = tmp_path / "server"
    git(tmp_path, "clone", "--quiet", str(bare), str(server))
    (server / "pyproject.toml").write_text(SETTINGS, encoding="utf-8")
    (server / ".gitignore").write_text(".traduco/\npublic/\n.venv/\n", encoding="utf-8")
    (server / "sources").mkdir()
    shutil.copy(SAMPLE, server / SOURCE)
    git(server, "add", "-A")
    git(server, "commit", "--quiet", "-m", "the project")
    git(server, "push", "--quiet", "origin", "HEAD:main")
    return bare, server


def clone(bare: Path, where: Path) -> Path:
    git(where.parent, "clone", "--quiet", str(bare), str(where))
    return where


def run(capsys, server: Path, url: str, *more: str):
    return run_cli(capsys, "run", "--project", str(server), "--provider", "libre", "--provider-url", url, *more)


def head(folder: Path, ref: str = "HEAD") -> str:
    return git(folder, "rev-parse", ref).strip()


def no_conflict_markers(folder: Path) -> None:
    for path in (folder / "locales").rglob("*.po*"):
        text = path.read_text(encoding="utf-8")
        assert "<<<<<<<" not in text and ">>>>>>>" not in text, path


def approve(path: Path, changes: dict[str, str], revision: str | None = None) -> None:
    """A translator's save in a PO editor: new text, fuzzy cleared."""
    catalog = polib.pofile(str(path), wrapwidth=0)
    for entry in catalog:
        if entry.msgid in changes:
            entry.msgstr = changes[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    if revision:
        catalog.metadata["PO-Revision-Date"] = revision
    catalog.save()


def test_a_translators_push_during_a_run_is_merged_and_nothing_is_lost(repos, standin, tmp_path, capsys):
    bare, server = repos
    code, _, err = run(capsys, server, standin.url)
    assert code == 0, err
    assert head(server) == head(bare, "main")                # the run committed and pushed its drafts
    translator = clone(bare, tmp_path / "translator")
    git_sync = GitSync.for_project(load_project(server))

    pulled = git_sync.pull()                                  # the run starts: nothing new upstream yet
    approved = approve_all(translator / ZH)                   # meanwhile the translator approves and pushes
    git(translator, "commit", "--quiet", "-am", "zh_CN reviewed")
    git(translator, "push", "--quiet", "origin", "HEAD:main")
    with (server / SOURCE).open("a", encoding="utf-8") as source:
        source.write("\n\nUn paragrafo aggiunto mentre la traduttrice lavorava.\n")
    run_once(server, standin.url)                              # the run drafts the new paragraph
    report = git_sync.commit_and_push("traduco run: test", pulled)

    assert report.pushed and report.problem is None and report.pulled == 1
    assert head(server) == head(bare, "main")
    check = clone(bare, tmp_path / "check")
    merged = entries(check / ZH)
    for msgid, msgstr in approved.items():
        assert merged[msgid].msgstr == msgstr and "fuzzy" not in merged[msgid].flags
    new = merged["Un paragrafo aggiunto mentre la traduttrice lavorava."]
    assert new.msgstr and pofile.fuzzy_reason(new) == pofile.MACHINE
    assert git(check, "log", "--format=%s", "-1") == "traduco: merge origin/main\n"
    no_conflict_markers(check)
    msgfmt_check(check / ZH)
    msgfmt_check(check / EN)


def test_approved_beats_a_draft_and_two_approved_texts_become_one_fuzzy_entry(repos, standin, tmp_path, capsys):
    bare, server = repos
    assert run(capsys, server, standin.url)[0] == 0
    translator = clone(bare, tmp_path / "translator")
    first, second = list(entries(translator / ZH))[1:3]
    approve(translator / ZH, {first: "译者的译文一", second: "译者的译文二"}, revision="2030-01-02 10:00+0000")
    git(translator, "commit", "--quiet", "-am", "two entries approved")
    git(translator, "push", "--quiet", "origin", "HEAD:main")
    # An editor works in the run's own folder: edits the first draft (still fuzzy), approves the second.
    catalog = polib.pofile(str(server / ZH), wrapwidth=0)
    for entry in catalog:
        if entry.msgid == first:
            entry.msgstr = "编辑的草稿"
    catalog.save()
    approve(server / ZH, {second: "编辑的译文二"})

    code, out, err = run(capsys, server, standin.url)

    assert code == 0, err
    merged = entries(server / ZH)
    assert merged[first].msgstr == "译者的译文一" and "fuzzy" not in merged[first].flags
    both = merged[second]
    assert "fuzzy" in both.flags
    assert both.msgstr == "译者的译文二"                          # the newer save is the text
    assert "other approved translation: 编辑的译文二" in both.tcomment
    assert "merge conflict" in provenance.note(both)
    assert f"{ZH}: two approved translations of" in err        # reported on the terminal
    assert f"{ZH}: two approved translations of" in latest_artifact("run-summary").data   # and in Prefect
    assert head(server) == head(bare, "main")
    no_conflict_markers(server)
    msgfmt_check(server / ZH)


def test_a_source_edited_upstream_keeps_previous_msgid_and_the_translators_local_text(
        repos, standin, tmp_path, capsys):
    bare, server = repos
    assert run(capsys, server, standin.url)[0] == 0
    translator = clone(bare, tmp_path / "translator")
    code, out, _ = run_cli(capsys, "init-git", "--project", str(translator))
    assert code == 0 and "merge.traduco.driver" in out
    assert "*.po merge=traduco" in (translator / ".gitattributes").read_text(encoding="utf-8")
    approve_all(translator / ZH)
    git(translator, "commit", "--quiet", "-am", "zh_CN reviewed")
    git(translator, "push", "--quiet", "origin", "HEAD:main")
    assert run(capsys, server, standin.url)[0] == 0                  # the run has the approvals
    old = next(m for m in entries(translator / ZH) if "177 mila" in m)
    approve(translator / ZH, {old: "译者本地的新译文"})
    git(translator, "commit", "--quiet", "-am", "a better translation, not pushed yet")
    text = (server / SOURCE).read_text(encoding="utf-8")
    (server / SOURCE).write_text(text.replace("in 177 mila", "in 180 mila"), encoding="utf-8")
    assert run(capsys, server, standin.url)[0] == 0                  # pushed: the source changed upstream

    pulled = subprocess.run(["git", "pull", "--quiet", "--no-rebase", "origin", "main"], cwd=translator,
                            capture_output=True, text=True)

    assert pulled.returncode == 0, pulled.stderr
    merged = entries(translator / ZH)
    new = merged[old.replace("177 mila", "180 mila")]
    assert new.previous_msgid == old
    assert new.msgstr == "译者本地的新译文"
    assert "fuzzy" in new.flags and pofile.fuzzy_reason(new) == pofile.SOURCE_CHANGED
    assert old not in merged
    no_conflict_markers(translator)
    msgfmt_check(translator / ZH)


def test_a_push_refused_twice_is_tried_again_and_accepted(repos, standin, capsys):
    bare, server = repos
    hook = bare / "hooks" / "pre-receive"
    hook.write_text('#!/bin/sh\nn=$(cat "$GIT_DIR/refusals" 2>/dev/null || echo 0)\n'
                    'echo $((n + 1)) > "$GIT_DIR/refusals"\n'
                    'if [ "$n" -lt 2 ]; then echo "busy, try again" >&2; exit 1; fi\n', encoding="utf-8")
    hook.chmod(0o755)

    code, out, err = run(capsys, server, standin.url)

    assert code == 0, err
    assert (bare / "refusals").read_text().strip() == "3"
    assert head(server) == head(bare, "main")
    message = git(bare, "log", "--format=%B", "-1", "main")
    assert message.startswith("traduco run: 1 document(s), units drafted en 8, zh_CN 8 by libre")
    assert "git: committed" in out and "pushed" in out


def test_remote_gone_one_line_commit_kept_and_the_next_run_pushes(repos, standin, tmp_path, capsys):
    bare, server = repos
    assert run(capsys, server, standin.url)[0] == 0
    commits = int(git(server, "rev-list", "--count", "HEAD"))
    assert run(capsys, server, standin.url)[0] == 0
    assert int(git(server, "rev-list", "--count", "HEAD")) == commits      # nothing changed: no commit
    away = tmp_path / "away.git"
    bare.rename(away)
    with (server / SOURCE).open("a", encoding="utf-8") as source:
        source.write("\n\nUna riga scritta mentre il server era irraggiungibile.\n")

    code, out, err = run(capsys, server, standin.url)

    assert code == 3
    git_lines = [line for line in err.splitlines() if "git" in line]
    assert len(git_lines) == 1 and "cannot fetch from origin" in git_lines[0], err
    assert f"local commit {head(server)[:7]}" in git_lines[0] and "the next run pushes it" in git_lines[0]
    assert "Traceback" not in err
    assert int(git(server, "rev-list", "--count", "HEAD")) == commits + 1
    assert "Una riga scritta" in git(server, "show", f"HEAD:{ZH}")
    failed = latest_run(server)                   # in the Prefect UI: a failed run, with its reason
    assert failed.state.is_failed() and "cannot fetch from origin" in failed.state.message

    away.rename(bare)
    code, out, err = run(capsys, server, standin.url)

    assert code == 0, err
    assert head(server) == head(bare, "main")
    code, out, _ = run_cli(capsys, "status", "--project", str(server))
    assert "git: 0 commit(s) to push, 0 to pull from origin" in out


def test_no_sync_works_on_the_local_tree_only(repos, standin, capsys):
    bare, server = repos
    before = head(bare, "main")

    code, out, err = run(capsys, server, standin.url, "--no-sync")

    assert code == 0, err
    assert head(bare, "main") == before and head(server) == before
    assert (server / ZH).is_file()
    code, out, _ = run_cli(capsys, "status", "--project", str(server))
    assert "git: 0 commit(s) to push, 0 to pull" in out and "file(s) changed and not committed" in out
    assert run(capsys, server, standin.url)[0] == 0            # the next synced run commits them
    assert head(bare, "main") == head(server) != before
    tracked = git(server, "ls-files").split()
    assert ZH in tracked and not any(p.startswith((".traduco", "public")) for p in tracked)


def test_credentials_never_reach_config_logs_or_commits(repos, standin, monkeypatch, capsys):
    bare, server = repos
    (server / "pyproject.toml").write_text(SETTINGS.replace('remote = "origin"',
                                                            'remote = "https://bot:hunter2@example.invalid/x.git"'))
    with pytest.raises(SettingsError, match="a URL holding a user name or password") as refused:
        load_project(server)                      # refused as the settings load, before any git command
    assert "hunter2" not in refused.value.message
    assert redact("fatal: unable to access 'https://bot:hunter2@host/x.git/'") == \
        "fatal: unable to access 'https://host/x.git/'"

    # A token from the environment reaches git through a credential helper given on the command line.
    monkeypatch.setenv("TRADUCO_GIT_TOKEN", "tok-5ecret-value")
    with AskingForPassword() as host:
        (server / "pyproject.toml").write_text(SETTINGS.replace('remote = "origin"', f'remote = "{host.url}"'))
        code, out, err = run(capsys, server, standin.url)

    assert f"Basic {base64.b64encode(b'traduco:tok-5ecret-value').decode()}" in host.authorizations
    assert code == 3 and "git: cannot fetch from traduco" in err
    assert "tok-5ecret-value" not in out + err
    assert "tok-5ecret-value" not in (server / ".git" / "config").read_text()
    assert "tok-5ecret-value" not in git(server, "log", "-p", "--all")
    assert f"url = {host.url}" in (server / ".git" / "config").read_text()


def latest_run(project: Path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import FlowRunSort
    with get_client(sync_client=True) as client:   # same database (PREFECT_HOME), another API
        runs = client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=20)
    return next(r for r in runs if r.parameters.get("project_dir") == str(project))


def latest_artifact(key: str):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                                      sort=ArtifactSort.CREATED_DESC, limit=1)
    return found[0]


class AskingForPassword:
    """A git host on 127.0.0.1 that wants a password and refuses every one,
    keeping the Authorization headers it was sent."""

    def __init__(self):
        self.authorizations: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.authorizations.append(self.headers.get("Authorization", ""))
                if outer.answer(self):
                    return
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="git"')
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/shared.git"

    def answer(self, request: BaseHTTPRequestHandler) -> bool:
        """What a subclass answers instead of 401 (True when it did)."""
        return False

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
