"""What a run may trust of what it finds on disk, where translators can push.

    trust.check_folders(project)          # no folder of the run leads out of the project
    line = trust.require_trusted(project) # settings accepted on this server, or SettingsError
    trust.accept(project)                 # `traduco trust-settings`: record them as they are

Translators push to the repository the service pulls; a push must not buy the
service's keys or private files. So the folders a run reads and writes stay
inside the project (a `sources` that is a symlink to a private folder is never
read), and the settings that decide where keys and texts go are pinned on the
server: a pull that changes a provider's address, `allow_hosts`, a
notification address, the git remote, the Dask scheduler or its dashboard, or a folder takes
effect only once someone on the server accepts it. The accepted values live in
`.traduco/trusted-settings.json` (0600); a project without that file trusts
the settings it has (its first run, a fresh clone in CI) and says so.
"""

from __future__ import annotations

import getpass
import json
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from traduco.errors import TraducoError
from traduco.project.loading import Project, load_project
from traduco.project.private import check_state_dir, write_private
from traduco.project.settings import SettingsError

TRUSTED = "trusted-settings.json"
_UNSET = "(not set)"


class FolderOutside(TraducoError):
    """A folder of the run that leads out of the project (a symlink)."""


def check_folders(project: Project) -> None:
    """`.traduco/` is a private folder of this user's, and sources, catalogs (with
    their templates and locales) and public pages are inside the project."""
    check_state_dir(project.state_dir)
    root = project.root.resolve()
    folders = [project.sources_dir, project.catalogs_dir, project.templates_dir, project.public_dir,
               *(project.catalogs_dir / locale for locale in project.locales),
               *(project.catalogs_dir / locale / "LC_MESSAGES" for locale in project.locales)]
    for folder in folders:
        if (folder.exists() or folder.is_symlink()) and not folder.resolve().is_relative_to(root):
            raise FolderOutside(f"{folder} leads out of the project, to {folder.resolve()}: a run never reads or "
                                "writes outside it", path=folder, hint=_way_back(folder, project.root))


def _way_back(folder: Path, root: Path) -> str:
    """What to do: a link inside the project that leads out is replaced; a path that does is a setting to change."""
    inside = [part for part in (folder, *folder.parents) if part.is_relative_to(root) and part != root]
    links = [part for part in inside if part.is_symlink()]
    if links:
        return (f"Replace the link with a real folder (rm {links[0]}; mkdir {links[0]}) and check who made it "
                f"(git log -- {links[0].name})")
    return "Name a folder inside the project in [tool.traduco] (sources, catalogs, public), relative to pyproject.toml"


@dataclass(frozen=True)
class Change:
    key: str
    before: str
    after: str


def pinned(project: Project) -> dict[str, str]:
    """The settings that decide where keys and texts go, as pyproject.toml has them."""
    root = project.root
    values = {"sources": _folder(project.sources_dir, root), "catalogs": _folder(project.catalogs_dir, root),
              "public": _folder(project.public_dir, root),
              "web allow_hosts": ", ".join((project.web or {}).get("allow_hosts", [])) or _UNSET,
              "git remote": str((project.git or {}).get("remote") or _UNSET),
              "dask_address": project.dask_address or _UNSET,
              # Unauthenticated (logs, call stacks, the texts in them) for every local user.
              "dask_dashboard": str(project.dask_dashboard or _UNSET)}
    for name in sorted({*project.mt.names(), *(p.name for p in project.mt.providers)}):
        values[f"provider {name}"] = project.mt.provider(name).url or "(its default address)"
    notify = project.notify
    for key in ("webhook", "email", "block", "smtp_host", "smtp_port", "smtp_user", "smtp_from"):
        values[f"notify {key}"] = str(getattr(notify, key) or _UNSET)
    for locale, channels in sorted(notify.locales.items()):
        for key in ("webhook", "email", "block"):
            values[f"notify.locales.{locale} {key}"] = str(getattr(channels, key) or _UNSET)
    return values


def changes(project: Project) -> list[Change] | None:
    """What differs from the settings last accepted on this server; None when none were."""
    record = _record_path(project)
    if not record.exists():
        return None
    accepted = json.loads(record.read_text(encoding="utf-8"))["values"]
    now = pinned(project)
    return [Change(key, accepted.get(key, _UNSET), now.get(key, _UNSET))
            for key in sorted({*accepted, *now}) if accepted.get(key, _UNSET) != now.get(key, _UNSET)]


def require_trusted(project: Project) -> str | None:
    """Stop (SettingsError, exit 2) while pinned settings differ from those accepted on
    this server; the first time, accept them and return the line that says so."""
    check_folders(project)
    found = changes(_as_written(project))
    if found is None:
        accept(project)
        return (f"settings trusted as this server first found them (providers, notification addresses, folders): "
                f"recorded in {_record_path(project)}; a later change waits for `traduco trust-settings`")
    if found:
        keys = ", ".join(change.key for change in found[:6]) + (", ..." if len(found) > 6 else "")
        raise SettingsError(f"settings that decide where keys and texts go changed since they were accepted on "
                            f"this server ({keys}), {who_changed(project)}; runs stop until a person checks them",
                            path=project.root / "pyproject.toml",
                            hint="See the difference and accept it with `traduco trust-settings`, or revert it")
    return None


def accept(project: Project) -> Path:
    """Record the pinned settings as they are now (0600, in `.traduco/`)."""
    check_folders(project)
    values = pinned(_as_written(project))
    return write_private(_record_path(project), json.dumps({
        "values": values, "accepted_by": getpass.getuser(), "commit": _head(project.root),
        "accepted_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}, indent=1, ensure_ascii=False))


def who_changed(project: Project) -> str:
    """`committed as 1a2b3c4 by Name <email>`, or that nobody committed the edit."""
    pyproject = project.root / "pyproject.toml"
    edited = _git(project.root, "status", "--porcelain", "--", pyproject.name)
    if edited is None:
        return "edited in this folder (not a git repository)"
    if edited.strip():
        return "edited in this folder and not committed"
    last = _git(project.root, "log", "-1", "--format=%h by %an <%ae>", "--", pyproject.name)
    return f"last committed as {last.strip()}" if last and last.strip() else "not committed by anyone"


def _as_written(project: Project) -> Project:
    """The project as pyproject.toml has it, without a run's command-line overrides
    (those are typed by a person on this server)."""
    return load_project(project.root)


def _folder(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _record_path(project: Project) -> Path:
    return project.state_dir / TRUSTED


def _head(root: Path) -> str | None:
    head = _git(root, "rev-parse", "--short", "HEAD")
    return head.strip() if head else None


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None
