"""What every `traduco` command shares: the typer app, its consoles and
options, Prefect kept quiet, the flows loaded on demand, and how a command
ends (`main`)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text
from typer.core import TyperArgument, TyperCommand

from traduco.cli.exits import console, exit_code_of, problem

# rich_markup_mode=None: help texts are plain text, so "[tool.traduco.web]" is printed, not eaten as markup
app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Italian sources to reviewed zh_CN and English, through gettext catalogs.")
out = console()
err = console(stderr=True)

SHOWN_ROWS = 50    # queue rows printed; the totals cover every row


def _show_version(wanted: bool) -> None:
    if wanted:
        from traduco import __version__
        out.print(f"traduco {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                                   help="Print traduco's version and exit.")] = False):
    """Italian sources to reviewed zh_CN and English, through gettext catalogs."""


ProjectOption = Annotated[Path, typer.Option("--project", "-p", metavar="DIR",
                                             help="Project folder (holds pyproject.toml).")]


def quiet_prefect() -> None:
    """Prefect's terminal chatter and telemetry off: the CLI reports results
    itself, and Prefect's own logs still reach its API and UI."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")   # the SDK's telemetry too: a press office's runs stay local
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")


def load_flows():
    quiet_prefect()
    import flows.publish
    import flows.translate
    return flows


class _Command(TyperCommand):
    """A command whose help and usage mistakes read like click's: `DOC LOCALE`
    in the usage line (typer writes `{DOC} {LOCALE}`), `DOC` in the help (typer
    adds `<str>`), and the usage lines for an option missing its value too
    (click's parser raises that one without them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument) and param.metavar:
                param.display_type_rich = lambda ctx: None     # its metavar says what it is

    def collect_usage_pieces(self, ctx) -> list[str]:
        return [re.sub(r"^\{(.*)\}", r"\1", piece) for piece in super().collect_usage_pieces(ctx)]

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # typer would make it a silent exit 130; an Abort is said in words (exits.py)
            raise typer.Abort() from None

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except typer.TyperException as mistake:
            if getattr(mistake, "ctx", False) is None:      # a usage mistake not told its command
                mistake.ctx = ctx
            raise


def warn_untrusted(project) -> None:
    """Pinned settings accepted on this server, and folders inside the project, before any work."""
    from traduco.project.trust import require_trusted
    if line := require_trusted(project):
        err.print(Text("! ", style="yellow") + Text(line), highlight=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0, 1, 2, 3, 130: docs/reference/cli.md)."""
    return exit_code_of(app, argv)


def entry() -> None:
    sys.exit(main())


def commands_read_like_click() -> None:
    """Every registered command (of every cli module) reads its usage like click's (`_Command`)."""
    for registered in app.registered_commands:
        if registered.cls in (None, TyperCommand):
            registered.cls = _Command


def confirmed(question: str, unanswered: str) -> bool:
    """A person's yes or no. Input that ends without an answer (a script
    without --yes) decides nothing and says so (`unanswered`), exit 2; a
    Ctrl-C stops the command as any Ctrl-C does."""
    try:
        return typer.confirm(question, default=False)
    except typer.Abort as stopped:
        if isinstance(stopped.__context__, EOFError):
            problem(f"no answer (the input ended): {unanswered}")
            raise typer.Exit(2) from None
        raise
