"""The `traduco` command: a thin shell over the library and the flows."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
import sys
from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from traduco import runs
from traduco.config import load_project
from traduco.errors import TraducoError
from traduco.mt import check_settings
from traduco.review import QueueRow, checks_report, queue

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Italian sources to reviewed zh_CN and English, through gettext catalogs.")
out = Console()
err = Console(stderr=True)

ProjectOption = Annotated[Path, typer.Option("--project", "-p", help="Project folder (holds pyproject.toml).")]


@app.command()
def run(project_dir: ProjectOption = Path("."),
        provider: Annotated[Optional[str], typer.Option(
            help="MT provider, or a fallback chain such as deepl,google (overrides [tool.traduco.mt]).")] = None,
        provider_url: Annotated[Optional[str], typer.Option(help="Server address for URL-based providers (libre).")] = None,
        locale: Annotated[Optional[list[str]], typer.Option(help="Target locale; repeat for several.")] = None):
    """Pull sources, extract units, draft new units by MT, show the review queue."""
    project = load_project(project_dir, provider=provider, provider_url=provider_url, locales=locale)
    check_settings(project.mt)
    flow = _flows().translate.translate
    with _progress_bar():
        state = flow(project_dir=str(project.root), provider=provider, provider_url=provider_url,
                     locales=list(project.locales), return_state=True)
    summary = state.result(raise_on_failure=False)
    if isinstance(summary, BaseException):
        raise summary
    _print_queue(summary.queue)
    _print_usage(summary)
    for line in summary.problem_lines():
        err.print(f"[red]✗[/red] {line}", highlight=False, soft_wrap=True)
    raise typer.Exit(summary.exit_code)


@app.command()
def status(project_dir: ProjectOption = Path("."),
           as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False):
    """Show the review queue from the catalogs on disk (no flow, no network)."""
    project = load_project(project_dir)
    rows = queue(project)
    if as_json:
        out.print_json(json.dumps({"queue": [r.as_dict() for r in rows], "totals": _totals(rows)},
                                  ensure_ascii=False))
        return
    if not rows:
        out.print("No documents extracted yet: run [bold]traduco run[/bold].")
        return
    _print_queue(rows)


@app.command()
def check(project_dir: ProjectOption = Path("."),
          as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False):
    """Run the quality checks on every catalog (human translations too); exit 1 on errors."""
    project = load_project(project_dir)
    report = checks_report(project)
    errors = sum(1 for item in report if item["severity"] == "error")
    if as_json:
        out.print_json(json.dumps({"findings": report, "errors": errors,
                                   "warnings": len(report) - errors}, ensure_ascii=False))
    else:
        table = Table(title="Checks", title_justify="left")
        for column in ("document", "locale", "where", "severity", "check", "message"):
            table.add_column(column, overflow="fold")
        for item in report:
            colour = "red" if item["severity"] == "error" else "yellow"
            table.add_row(item["document"], item["locale"], item["where"],
                          f"[{colour}]{item['severity']}[/{colour}]", item["check"], item["message"])
        if report:
            out.print(table)
        out.print(f"{errors} error(s), {len(report) - errors} warning(s). Errors block publishing; "
                  "silence one check on one entry with the comment 'ignore-check: <id>'.")
    raise typer.Exit(1 if errors else 0)


@app.command()
def publish(project_dir: ProjectOption = Path(".")):
    """Publish every fully approved document × locale (.mo and HTML in public/)."""
    project = load_project(project_dir)
    results = _flows().publish.publish(project_dir=str(project.root), locales=list(project.locales))
    table = Table(title="Publish", title_justify="left")
    for column in ("document", "locale", "result", "why"):
        table.add_column(column)
    for r in results:
        colour = {"published": "green", "unchanged": "blue"}.get(r.status, "yellow")
        table.add_row(r.doc_id, r.locale, f"[{colour}]{r.status}[/{colour}]", r.reason or (r.page or ""))
    out.print(table)
    if not results:
        out.print("Nothing to publish yet: run [bold]traduco run[/bold] first.")
    waiting = [r for r in results if r.status == "waiting"]
    if waiting:
        out.print(f"{len(waiting)} not published: they wait for review (see [bold]traduco status[/bold]).")


@contextmanager
def _progress_bar():
    """Units drafted / total per locale, on a terminal only (CI logs stay clean)."""
    if not out.is_terminal:
        yield
        return
    bars = Progress(TextColumn("drafting {task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=out, transient=True)
    tasks: dict[str, int] = {}

    def listener(locale, total=None, advance=0):
        if locale not in tasks:
            tasks[locale] = bars.add_task(locale, total=total or 0)
        if total is not None:
            bars.update(tasks[locale], total=total)
        if advance:
            bars.advance(tasks[locale], advance)

    runs.progress_listeners.append(listener)
    try:
        with bars:
            yield
    finally:
        runs.progress_listeners.remove(listener)


def _print_queue(rows: list[QueueRow]) -> None:
    table = Table(title="Review queue", title_justify="left")
    table.add_column("document", overflow="fold")
    table.add_column("locale")
    for column in ("units", "approved", "drafts", "untranslated", "errors", "warnings"):
        table.add_column(column, justify="right")
    for r in rows:
        table.add_row(r.doc_id, r.locale, str(r.units), f"[green]{r.approved}[/green]",
                      f"[yellow]{r.drafts}[/yellow]", f"[red]{r.untranslated}[/red]",
                      f"[red]{r.errors}[/red]", f"[yellow]{r.warnings}[/yellow]")
    out.print(table)
    for r in rows:
        if r.drafts:
            out.print(f"  {r.doc_id} {r.locale}: {r.drafts} draft(s) to review: {r.waiting}",
                      highlight=False, soft_wrap=True)
    for r in rows:
        if r.error:
            err.print(f"[red]✗[/red] {r.error}", highlight=False, soft_wrap=True)


def _print_usage(summary) -> None:
    for usage in summary.usage:
        out.print(f"{usage['provider']} → {usage['locale']}: {usage['translated']} translated with "
                  f"{usage['requests']} requests ({usage['characters']:,} characters, "
                  f"{usage['retries']} retries), {usage['cache_hits']} from cache, "
                  f"{usage['failures']} failed", highlight=False)
    out.print(f"{summary.documents} document(s): {summary.drafted} unit(s) drafted by MT, "
              f"{summary.reused} reused from translation memory.")


def _totals(rows: list[QueueRow]) -> dict:
    totals: dict[str, dict[str, int]] = {}
    for r in rows:
        t = totals.setdefault(r.locale, dict.fromkeys(
            ("units", "approved", "drafts", "machine_drafts", "source_changed", "from_memory",
             "needs_work", "untranslated", "errors", "warnings"), 0))
        for key in t:
            t[key] += getattr(r, key)
    return totals


def _flows():
    """Import the flows with Prefect's terminal chatter off: the CLI reports results
    itself, and Prefect's own logs still reach its API and UI."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
    import flows.publish
    import flows.translate
    return flows


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (see README: 0, 1, 2, 3)."""
    try:
        code = app(args=argv, standalone_mode=False)
        return code if isinstance(code, int) else 0
    except TraducoError as exc:
        err.print(f"[red]✗[/red] {exc.message}", highlight=False, soft_wrap=True)
        return 1
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err.print("Stopped. Every file on disk is complete; the next run picks up from here.")
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except Exception as exc:  # the truly unexpected: still no traceback for users
        if os.environ.get("TRADUCO_DEBUG"):
            raise
        err.print(f"[red]✗[/red] unexpected error: {type(exc).__name__}: {exc}. "
                  "Files on disk are intact. Rerun with TRADUCO_DEBUG=1 for details and report it.",
                  highlight=False)
        return 1


def entry() -> None:
    sys.exit(main())
