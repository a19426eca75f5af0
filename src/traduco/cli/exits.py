"""How the `traduco` command ends: what went wrong becomes one line and an
exit code (docs/reference/cli.md: Exit codes), and the command's changes to the environment
end with it."""

from __future__ import annotations

import os
from contextlib import contextmanager

import click
import typer
from rich.console import Console
from rich.text import Text

from traduco.errors import TraducoError
from traduco.project.settings import SettingsError

USAGE = 2            # the command line or the settings are wrong
PROBLEM = 1          # a file needs a person
INTERRUPTED = 130



def console(stderr: bool = False) -> Console:
    """A console for the terminal, or for a log or pipe: there rich would wrap at
    80 columns, mid-sentence and through tables, so lines stay whole instead."""
    import sys
    stream = sys.stderr if stderr else sys.stdout
    piped = not (hasattr(stream, "isatty") and stream.isatty()) and "COLUMNS" not in os.environ
    return Console(stderr=stderr, width=200 if piped else None)


err = console(stderr=True)


def exit_code_of(app: typer.Typer, argv: list[str] | None) -> int:
    """Run the typer `app` on `argv`; the exit code, never a traceback."""
    with _scoped_environment():
        try:
            code = app(args=argv, prog_name="traduco", standalone_mode=False)
            return code if isinstance(code, int) else 0
        except SettingsError as exc:
            problem(exc.message)
            return USAGE
        except TraducoError as exc:
            problem(exc.message)
            return PROBLEM
        except typer.Exit as exc:
            return exc.exit_code
        except (typer.Abort, KeyboardInterrupt):
            return _stopped()
        except (click.ClickException, typer.TyperException) as exc:
            # typer vendors click, so its usage errors are TyperExceptions: click's
            # usage message (with its "did you mean") and exit 2
            exc.show() if hasattr(exc, "show") else problem(exc.format_message())
            return exc.exit_code
        except Exception as exc:  # the truly unexpected: still no traceback for users
            if os.environ.get("TRADUCO_DEBUG"):
                raise
            from traduco.project.secrets import environment_keys
            from traduco.redaction import redact
            problem(f"unexpected error: {type(exc).__name__}: {redact(str(exc), environment_keys())}. "
                    "Files on disk are intact. Rerun with TRADUCO_DEBUG=1 for details and report it.")
            return PROBLEM


def _stopped() -> int:
    err.print("Stopped. Every file on disk is complete; the next run picks up from here.")
    return INTERRUPTED


def problem(message: str) -> None:
    """One red line on stderr; the message is printed as is (it may hold [brackets])."""
    err.print(Text("✗ ", style="red") + Text(message), highlight=False, soft_wrap=True)


@contextmanager
def _scoped_environment():
    """Whatever a command sets in os.environ for Prefect (quiet logs, the
    server's address and password) lasts as long as the command, not the process."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
