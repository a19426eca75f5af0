"""The project's git repository, as traduco's runs use it: the
`[tool.traduco.git]` settings, credentials, and the merge driver's
registration (`traduco init-git`). The sync itself is `traduco.git.sync`.

Credentials come from the git credential helper, TRADUCO_GIT_TOKEN / GIT_TOKEN
in the environment, or a Prefect Secret block `traduco-git-token`; they are
never written to .git/config, a commit or a log.

>>> from pathlib import Path
>>> GitSettings.from_table({"remote": "https://git.example.org/ufficio-stampa/comunicati.git"}, Path("pyproject.toml"))
GitSettings(remote='https://git.example.org/ufficio-stampa/comunicati.git', branch=None, author=None, push_attempts=3)
>>> GitSettings.from_table({"remote": "https://user:s3cret@git.example.org/x.git"}, Path("pyproject.toml"))
Traceback (most recent call last):
traduco.project.settings.SettingsError: pyproject.toml: [tool.traduco.git]: a URL holding a user name or password...
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from traduco.errors import ConfigError
from traduco.project.settings import SettingsError
from traduco.project.tables import git_author, git_remote

PUSH_ATTEMPTS = 3
ATTRIBUTES = "*.po merge=traduco\n*.pot merge=traduco\n"
TOKEN_VARIABLES = ("TRADUCO_GIT_TOKEN", "GIT_TOKEN")


@dataclass(frozen=True)
class GitSettings:
    remote: str | None = None          # a remote's name or URL; default: the branch's upstream
    branch: str | None = None          # default: the upstream's branch, else the current one
    author: str | None = None          # "Name <email>" of the run's commits
    push_attempts: int = PUSH_ATTEMPTS

    @classmethod
    def from_table(cls, table: dict, where: Path) -> "GitSettings":
        # checked when the project was loaded (traduco.project.settings); again for a table made in code
        remote, author = table.get("remote"), table.get("author")
        try:
            git_remote(remote and str(remote)), git_author(author and str(author))
        except ValueError as wrong:
            raise SettingsError(f"[tool.traduco.git]: {wrong}", path=where) from None
        return cls(remote=remote or None, branch=table.get("branch") or None, author=author or None,
                   push_attempts=table.get("push_attempts", PUSH_ATTEMPTS))




def merge_driver_command() -> str:
    """The driver as git runs it: this Python, so it works from any virtual environment."""
    return f"{shlex.quote(sys.executable)} -m traduco.catalogs.merge %O %A %B %P"


def install_merge_driver(root: Path) -> list[str]:
    """`traduco init-git`: name the driver in .gitattributes (committed, for
    everyone) and register it in this clone's git config. Returns what it did."""
    done = []
    attributes = root / ".gitattributes"
    text = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
    missing = [line for line in ATTRIBUTES.splitlines() if line not in text.splitlines()]
    if missing:
        attributes.write_text(text + ("" if not text or text.endswith("\n") else "\n")
                              + "\n".join(missing) + "\n", encoding="utf-8")
        done.append(f"{attributes.name}: {', '.join(missing)}")
    for key, value in (("merge.traduco.name", "traduco: gettext catalogs, entry by entry"),
                       ("merge.traduco.driver", merge_driver_command())):
        result = subprocess.run(["git", "config", key, value], cwd=root, capture_output=True, text=True)
        if result.returncode:
            raise ConfigError(f"git config {key} failed: {result.stderr.strip()}", path=root,
                              hint="Run it inside a git clone of the project")
        done.append(f"git config {key}")
    return done


def find_token() -> str | None:
    for variable in TOKEN_VARIABLES:
        if os.environ.get(variable):
            return os.environ[variable]
    from traduco.mt.adapters import _prefect_secret
    return _prefect_secret("TRADUCO_GIT_TOKEN")
