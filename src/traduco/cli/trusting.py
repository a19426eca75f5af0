"""`traduco trust-settings`: a person on the server accepts the settings that decide
where keys and texts go, after a pull changed them (registered on cli's app)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from traduco.cli.shell import ProjectOption, app, confirmed, out
from traduco.project import trust
from traduco.project.loading import load_project


@app.command("trust-settings")
def trust_settings(project_dir: ProjectOption = Path("."),
                   yes: Annotated[bool, typer.Option("--yes", help="Accept without asking (after reading "
                                                     "the difference).")] = False):
    """Show what changed in the pinned settings (providers and their addresses, allow_hosts,
    notification addresses, git remote, folders) and who committed it; accept it for this server."""
    project = load_project(project_dir)
    found = trust.changes(project)
    if found == []:
        out.print("The settings are those accepted on this server: nothing to trust.")
        return
    if found:
        table = Table("setting", "accepted", "now in pyproject.toml", title="Changed since last accepted")
        for change in found:
            table.add_row(change.key, change.before, change.after)
        out.print(table)
        out.print(f"pyproject.toml: {trust.who_changed(project)}.", highlight=False, markup=False)
        if not yes and not confirmed("Send keys and texts where these settings say, from now on?",
                                         "nothing accepted; scripts accept with --yes"):
            out.print("Nothing accepted: runs keep stopping until these settings are accepted or reverted.")
            raise typer.Exit(2)
    record = trust.accept(project)
    out.print(f"Accepted: runs use these settings from now on (recorded in {record}).", highlight=False)
