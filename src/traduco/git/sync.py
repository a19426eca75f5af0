"""Git around a translate run: bring in what translators pushed, commit what
the run changed, push; translators and scheduled runs meet in the repository.

    git = GitSync.for_project(project)     # None without [tool.traduco.git]
    report = git.pull()                    # fetch + merge (catalogs entry by entry)
    ... the run writes catalogs ...
    git.commit_and_push(message, report)   # no commit when nothing changed

Only the `git` command is used (subprocess), never hand-made git objects.
Catalogs merge through traduco's merge driver (`traduco.catalogs.merge`), so a
merge never leaves conflict markers in a `.po`. Credentials come from the git
credential helper, or TRADUCO_GIT_TOKEN / GIT_TOKEN in the environment, or a
Prefect Secret block `traduco-git-token`, and are handed to git by a credential
helper given on its command line: never in .git/config, a commit or a log
(every line of git's output is redacted before anyone sees it).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from traduco.errors import ConfigError
from traduco.git.repository import ATTRIBUTES, GitSettings, find_token, merge_driver_command
from traduco.project.loading import Project
from traduco.redaction import redact

RETRY_PAUSE_SECONDS = 0.5          # times the attempt: someone else is pushing right now
NAMED_REMOTE = "traduco"           # the remote added for a `remote = URL` setting
_EXCLUDED = (":(exclude).traduco", ":(exclude).venv", ":(exclude,glob)**/*.mo")


@dataclass
class SyncReport:
    """What the sync did, in lines for the run summary, and what went wrong."""

    pulled: int = 0                                         # commits brought in
    committed: str | None = None                            # the run's commit, short id
    pushed: bool = False
    conflicts: list[str] = field(default_factory=list)      # entries a reviewer must choose
    problem: str | None = None                              # one line: why it did not push
    needs_person: bool = False                              # a conflict outside catalogs

    def lines(self) -> list[str]:
        lines = [f"git: merged {self.pulled} commit(s) from upstream"] if self.pulled else []
        if self.committed:
            lines.append(f"git: committed {self.committed}" + (" and pushed" if self.pushed else ""))
        elif self.pushed:
            lines.append("git: pushed earlier commits")
        return lines


class GitFailed(Exception):
    def __init__(self, line: str, needs_person: bool = False):
        super().__init__(line)
        self.line = line
        self.needs_person = needs_person


class GitSync:
    def __init__(self, project: Project, settings: GitSettings):
        self.project = project
        self.settings = settings
        self._token: str | None | type(...) = ...    # looked up at the first network command
        self.top = project.root      # until git says where the repository's top is
        self.top = Path(self._git("rev-parse", "--show-toplevel", what="find the repository").strip())
        self.remote, self.branch = self._target()

    @classmethod
    def for_project(cls, project: Project) -> "GitSync | None":
        """The project's sync, or None when [tool.traduco.git] is not configured."""
        if project.git is None:
            return None
        settings = GitSettings.from_table(project.git, project.root / "pyproject.toml")
        return cls(project, settings)

    # -- the steps of a run ---------------------------------------------------

    def pull(self) -> SyncReport:
        """Fetch and merge upstream (catalogs entry by entry)."""
        report = SyncReport()
        try:
            report.pulled = self._fetch_and_merge(report)
        except GitFailed as failure:
            report.problem = failure.line
            report.needs_person = report.needs_person or failure.needs_person
        return report

    def commit_and_push(self, message: str, report: SyncReport) -> SyncReport:
        """Commit the run's changes (if any), then push, merging again if someone
        pushed meanwhile (bounded attempts). The commit stays if the push fails."""
        report.committed = self._commit(message)
        if report.problem:     # the remote was unreachable or the merge needs a person
            report.problem = self._kept(report.problem)
            return report
        for attempt in range(1, self.settings.push_attempts + 1):
            if not self._ahead():
                report.pushed = report.committed is not None
                return report
            result = self._run("push", "--porcelain", self.remote, f"HEAD:refs/heads/{self.branch}")
            if result.returncode == 0:
                report.pushed = True
                return report
            last = self._why(result)
            if attempt == self.settings.push_attempts:
                break
            time.sleep(RETRY_PAUSE_SECONDS * attempt)
            try:
                report.pulled += self._fetch_and_merge(report)
            except GitFailed as failure:
                report.problem = self._kept(failure.line)
                report.needs_person = report.needs_person or failure.needs_person
                return report
        report.problem = self._kept(f"git: push to {self._where()} refused {self.settings.push_attempts} "
                                    f"times (last: {last})")
        return report

    def distance(self) -> str:
        """How far the local tree is from upstream, as of the last fetch (no network)."""
        tracking = f"refs/remotes/{self.remote}/{self.branch}"
        counts = self._run("rev-list", "--left-right", "--count", f"HEAD...{tracking}")
        if counts.returncode:
            where = f"{self._where()} not fetched yet"
        else:
            ahead, behind = (int(n) for n in counts.stdout.split())
            where = f"{ahead} commit(s) to push, {behind} to pull from {self._where()}{self._fetched()}"
        dirty = len(self._changed())
        return f"git: {where}; {dirty} file(s) changed and not committed" if dirty else f"git: {where}"

    # -- git ------------------------------------------------------------------

    def _fetch_and_merge(self, report: SyncReport) -> int:
        fetched = self._run("fetch", "--quiet", self.remote,
                            f"+refs/heads/{self.branch}:refs/remotes/{self.remote}/{self.branch}")
        if fetched.returncode:
            if "couldn't find remote ref" in fetched.stderr.lower():
                return 0                    # a new repository: the first push creates the branch
            raise GitFailed(f"git: cannot fetch from {self._where()} ({self._why(fetched)})")
        tracking = f"refs/remotes/{self.remote}/{self.branch}"
        born = self._run("rev-parse", "--verify", "--quiet", "HEAD").returncode == 0
        incoming = int(self._git("rev-list", "--count", f"HEAD..{tracking}" if born else tracking,
                                 what="compare with upstream"))
        if not incoming:
            return 0
        self._refuse_unsafe(tracking, born)
        # git merges only a clean tree: what a --no-sync run or an editor left goes first.
        self._commit("traduco: files changed in this folder since the last synced run\n")
        with tempfile.TemporaryDirectory(prefix="traduco-merge-") as folder:
            notes = Path(folder) / "conflicts.jsonl"
            merged = self._run("merge", "--no-edit", "-m", f"traduco: merge {self.remote}/{self.branch}",
                               tracking, extra_env={"TRADUCO_MERGE_REPORT": str(notes)})
            if notes.exists() and merged.returncode == 0:
                report.conflicts += _conflict_lines(notes)
        if merged.returncode:
            unmerged = self._run("diff", "--name-only", "--diff-filter=U").stdout.split()
            self._run("merge", "--abort")
            report.needs_person = True
            raise GitFailed(f"git: merging {self.remote}/{self.branch} needs a person: "
                            f"{', '.join(unmerged) or self._why(merged)} conflict outside what traduco merges; "
                            f"nothing was merged (run `git merge {self.remote}/{self.branch}` in {self.top} "
                            "and resolve it)")
        return incoming

    def _refuse_unsafe(self, tracking: str, born: bool) -> None:
        """Before anything is merged: a symlink (a `sources` that leads to a private
        folder, a `.traduco` that leads to someone else's) or a file in the run's
        private state is never taken from a push."""
        base = self._git("merge-base", "HEAD", tracking, what="compare with upstream").strip() if born else None
        changes = self._git("diff-tree", "-r", "-z", "--no-renames", base, tracking, what="read the incoming changes") \
            if base else self._git("ls-tree", "-r", "-z", tracking, what="read the incoming changes")
        state = _relative(self.project.state_dir, self.top)
        for mode, path in _modes_and_paths(changes, listing=base is None):
            symlink = mode == "120000"
            if symlink or (state and (path == state or path.startswith(f"{state}/"))):
                range_ = f"{base}..{tracking}" if base else tracking
                commit = self._git("log", "-1", "--format=%h by %an <%ae>", range_, "--", path,
                                   what="find the commit").strip()
                what = f"adds the symlink {path}" if symlink else f"writes {path} in the run's private state"
                raise GitFailed(f"git: refused commit {commit} from {self.remote}/{self.branch}: it {what}, which a "
                                f"run never takes from a push; nothing was merged (have it reverted upstream: "
                                f"git revert {commit.split()[0]} and push)",
                                needs_person=True)

    def _commit(self, message: str) -> str | None:
        changed = self._changed()
        if not changed:
            return None
        # The files themselves, not the folders: an excluded pathspec that names a
        # git-ignored folder (.traduco/) makes `git add` fail.
        self._git("add", "-A", "--pathspec-from-file=-", "--pathspec-file-nul", what="stage the catalogs",
                  stdin="\0".join(name for _, name in changed) + "\0")
        if self._run("diff", "--cached", "--quiet").returncode == 0:
            return None
        self._git("commit", "--quiet", "--no-verify", "-m", message, what="commit", identity=True)
        return self._git("rev-parse", "--short", "HEAD", what="read the commit").strip()

    def _changed(self) -> list[tuple[str, str]]:
        """(status, path) of every file the run may commit that differs from HEAD."""
        listed = self._run("status", "--porcelain", "-z", "--untracked-files=all", "--", *self._paths())
        fields, changed = iter(listed.stdout.split("\0")), []
        for field_ in fields:
            if not field_:
                continue
            changed.append((field_[:2], field_[3:]))
            if field_[0] in "RC":
                next(fields, None)          # a rename's old path
        return changed

    def staged_summary(self) -> dict[str, int]:
        """What the run's commit would hold: documents touched, and files by kind."""
        kinds = {"documents": 0, "templates": 0, "catalogs": 0, "removed": 0, "sources": 0}
        documents = set()
        for status, name in self._changed():
            documents.add(Path(name).stem)
            kind = "removed" if "D" in status else {".pot": "templates", ".po": "catalogs"}.get(
                Path(name).suffix, "sources")
            kinds[kind] += 1
        kinds["documents"] = len(documents)
        return kinds

    def _paths(self) -> list[str]:
        """What a run may commit: its catalogs, templates and sources; never its
        working state (.traduco/), published pages or virtual environments."""
        paths = []
        for folder in (self.project.catalogs_dir, self.project.sources_dir):
            try:
                paths.append(folder.resolve().relative_to(self.top.resolve()).as_posix() or ".")
            except ValueError:
                continue
        public = self.project.public_dir.resolve()
        if public.is_relative_to(self.top.resolve()):
            paths.append(f":(exclude){public.relative_to(self.top.resolve()).as_posix()}")
        return [*paths, *_EXCLUDED]

    def _ahead(self) -> bool:
        tracking = f"refs/remotes/{self.remote}/{self.branch}"
        counted = self._run("rev-list", "--count", f"{tracking}..HEAD")
        return counted.returncode != 0 or int(counted.stdout.strip() or 0) > 0

    def _target(self) -> tuple[str, str]:
        remote, branch = self.settings.remote, self.settings.branch
        upstream = self._run("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}")
        up_remote, _, up_branch = upstream.stdout.strip().partition("/") if upstream.returncode == 0 \
            else ("", "", "")
        if remote and ("/" in remote or ":" in remote):
            remote = self._named_remote(remote)
        remote = remote or up_remote or ("origin" if "origin" in self._run("remote").stdout.split() else None)
        if not remote:
            raise ConfigError("[tool.traduco.git] names no remote and this branch has no upstream",
                              path=self.project.root / "pyproject.toml",
                              hint='Set remote = "origin" (or a URL) in [tool.traduco.git]')
        current = self._run("symbolic-ref", "--quiet", "--short", "HEAD").stdout.strip()
        return remote, branch or up_branch or current or "main"

    def _named_remote(self, url: str) -> str:
        """A remote given as a URL is kept in .git/config as the remote `traduco`
        (its URL holds no credentials: the settings refuse those)."""
        known = self._run("remote", "get-url", NAMED_REMOTE)
        if known.returncode:
            self._git("remote", "add", NAMED_REMOTE, url, what="add the remote")
        elif known.stdout.strip() != url:
            self._git("remote", "set-url", NAMED_REMOTE, url, what="set the remote")
        return NAMED_REMOTE

    def _where(self) -> str:
        url = self._run("remote", "get-url", self.remote).stdout.strip()
        return redact(f"{self.remote} ({url}) branch {self.branch}" if url else self.remote, self._secrets())

    def _fetched(self) -> str:
        head = self.top / ".git" / "FETCH_HEAD"
        if not head.exists():
            return ""
        minutes = (time.time() - head.stat().st_mtime) / 60
        return f" (as of the last fetch, {minutes:.0f} min ago)"

    def _kept(self, line: str) -> str:
        if not self._ahead():
            return f"{line}; nothing of this run to push"
        head = self._run("rev-parse", "--short", "HEAD").stdout.strip()
        return f"{line}; local commit {head} kept, the next run pushes it"

    def _why(self, result: subprocess.CompletedProcess) -> str:
        lines = [line.strip() for line in (result.stderr or result.stdout).splitlines()
                 if line.strip() and not line.startswith("hint:")]
        reasons = [line for line in lines if line.startswith(("fatal:", "error:", "remote:", " ! ", "!"))]
        return redact((reasons or lines or ["no reason given"])[-1], self._secrets())

    def _git(self, *args: str, what: str, identity: bool = False, stdin: str | None = None) -> str:
        result = self._run(*args, identity=identity, stdin=stdin)
        if result.returncode:
            raise ConfigError(f"git could not {what}: {self._why(result)}", path=self.project.root,
                              hint="Check the repository with `git status`")
        return result.stdout

    def _run(self, *args: str, identity: bool = False, extra_env: dict | None = None,
             stdin: str | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(extra_env or {})}
        options = ["-c", "merge.traduco.name=traduco: gettext catalogs, entry by entry",
                   "-c", f"merge.traduco.driver={merge_driver_command()}",
                   "-c", f"core.attributesFile={self._attributes()}"]
        if args[:1] in (("fetch",), ("push",)) and self.token:
            env["TRADUCO_GIT_TOKEN"] = self.token
            options += ["-c", "credential.helper=!f() { test \"$1\" = get && "
                              "echo username=${TRADUCO_GIT_USERNAME:-traduco} && "
                              "echo password=$TRADUCO_GIT_TOKEN; }; f"]
        if identity or args[:1] == ("merge",):
            env.update(self._identity(env))
        return subprocess.run(["git", *options, *args], cwd=self.top, env=env, input=stdin,
                              capture_output=True, text=True)

    @property
    def token(self) -> str | None:
        if self._token is ...:
            self._token = find_token()
        return self._token

    def _secrets(self) -> tuple[str, ...]:
        return (self._token,) if isinstance(self._token, str) else ()

    def _identity(self, env: dict) -> dict:
        if self.settings.author:
            name, _, email = self.settings.author.strip().rstrip(">").partition("<")
            name, email = name.strip(), email.strip()
            return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
                    "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
        probe = subprocess.run(["git", "var", "GIT_COMMITTER_IDENT"], cwd=self.project.root, env=env,
                               capture_output=True, text=True)
        if probe.returncode == 0:
            return {}
        return {"GIT_AUTHOR_NAME": "traduco", "GIT_AUTHOR_EMAIL": "traduco@localhost",
                "GIT_COMMITTER_NAME": "traduco", "GIT_COMMITTER_EMAIL": "traduco@localhost"}

    def _attributes(self) -> Path:
        """The merge driver for catalogs even where .gitattributes does not name it yet."""
        path = self.project.state_dir / "git" / "attributes"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(ATTRIBUTES, encoding="utf-8")
        return path


def run_message(summary, files: dict[str, int]) -> str:
    """The run's commit message: what it did, per locale, by which provider."""
    drafted = ", ".join(f"{locale} {n}" for locale, n in sorted(summary.drafted_by_locale.items()) if n)
    providers = sorted({u["provider"] for u in summary.usage if u.get("translated")})
    subject = (f"traduco run: {files['documents']} document(s), "
               + (f"units drafted {drafted} by {', '.join(providers) or 'translation memory'}"
                  if drafted else "no units drafted"))
    body = [f"Templates changed: {files['templates']}; catalogs changed: {files['catalogs']}; "
            f"files retired: {files['removed']}; sources: {files['sources']}.",
            f"Units drafted by MT: {summary.drafted}; reused from translation memory: {summary.reused}; "
            f"left for the next run: {summary.failed_units}."]
    body += [f"- {line}" for line in summary.written_sample]
    return "\n".join([subject, "", *body]) + "\n"


def _modes_and_paths(output: str, listing: bool):
    """(new mode, path) of each entry of `git diff-tree -r -z` (or `git ls-tree -r -z`)."""
    fields = output.split("\0")
    if listing:                   # "<mode> <type> <object>\t<path>"
        for entry in filter(None, fields):
            info, _, path = entry.partition("\t")
            yield info.split()[0], path
        return
    for info, path in zip(fields[0::2], fields[1::2]):   # ":<old mode> <new mode> <old> <new> <status>", path
        yield info.split()[1], path


def _relative(path: Path, top: Path) -> str | None:
    try:     # the path itself unresolved: `.traduco` may be the very link to refuse
        return (path.parent.resolve() / path.name).relative_to(top.resolve()).as_posix()
    except ValueError:
        return None


def _conflict_lines(notes: Path) -> list[str]:
    return [json.loads(line)["line"] for line in notes.read_text(encoding="utf-8").splitlines() if line.strip()]
