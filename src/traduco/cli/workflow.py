"""The workflow's commands: run, pull, status, check, review, approve-low-risk,
report, and git's merge-driver and init-git."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from traduco.checks.sweep import check_project
from traduco.cli.exits import problem as _problem
from traduco.cli.listing import print_candidates, print_findings, print_wrapped
from traduco.drafting import interruption, runs
from traduco.drafting.ahead import asking_ahead
from traduco.drafting.progress import Listener, listening
from traduco.errors import CatalogError, TraducoError
from traduco.mt import check_settings
from traduco.project.loading import chain_option, load_project
from traduco.project.private import write_private
from traduco.review.page import review_page
from traduco.review.queue import QueueView, most_urgent
from traduco.review.scorecard import scorecard

from traduco.cli.shell import SHOWN_ROWS, ProjectOption, app, confirmed, err, load_flows, out, quiet_prefect, \
    warn_untrusted

LLM_LINES = 10    # documents whose LLM calls and tokens the run summary prints


def _known_providers(chain: str | None) -> str | None:
    """`--provider gogle` is a usage mistake: click's usage lines, the known names, exit 2."""
    try:
        return chain and ",".join(chain_option(chain))
    except ValueError as wrong:
        raise typer.BadParameter(str(wrong)) from None


@app.command()
def run(project_dir: ProjectOption = Path("."),
        provider: Annotated[Optional[str], typer.Option(
            metavar="NAME[,NAME...]", callback=_known_providers,
            help="MT provider, or a fallback chain such as deepl,google (overrides [tool.traduco.mt]).")] = None,
        provider_url: Annotated[Optional[str], typer.Option(
            metavar="URL", help="Server address for URL-based providers (libre).")] = None,
        locale: Annotated[Optional[list[str]], typer.Option(
            metavar="LOCALE", help="One of the project's locales (e.g. zh_CN); repeat for several.")] = None,
        no_sync: Annotated[bool, typer.Option("--no-sync", help="Work on the local tree only: no git pull, "
                                              "commit or push even with [tool.traduco.git].")] = False):
    """Pull sources, extract units, draft new units by MT, show the review queue."""
    project = load_project(project_dir, provider=provider, provider_url=provider_url, locales=locale)
    if not no_sync:
        from traduco.git.sync import GitSync
        GitSync.for_project(project)      # bad [tool.traduco.git] settings: said before any work
    check_settings(project.mt, keys=False)    # at once; keys may need Prefect (Secret blocks)
    if _nothing_changed(project, sync=not no_sync):
        return
    quiet_prefect()
    from traduco.prefect_api.servers import api_for_command, run_link, start_early
    alone = start_early(project)     # Prefect's API starts while the flows load
    # The first batch's texts are asked for meanwhile, once settings and keys are known good.
    # Ctrl-C while asking ahead stops sending, and the run writes the catalogs whose texts are in.
    with interruption.handled(), asking_ahead(project, alone and _ready_to_ask(project)):
        flows = load_flows()
        with api_for_command(project):
            check_settings(project.mt)
            warn_untrusted(project)      # after every settings mistake: the first run trusts only settings that work
            with _progress_bar():
                state = flows.translate.translate(project_dir=str(project.root), provider=provider,
                                                     provider_url=provider_url, locales=list(project.locales),
                                                     sync=not no_sync, return_state=True)
            link = run_link(state)
    summary = state.result(raise_on_failure=False)
    if isinstance(summary, runs.RunIncomplete):     # work left for people or the next run
        summary = summary.summary
    elif isinstance(summary, BaseException):
        raise summary
    if summary.interrupted:
        err.print(summary.interruption_line(), highlight=False, soft_wrap=True, markup=False)
        # Files and the run's state are written; what is left (Prefect's workers
        # flushing to an API that is gone) would keep the person waiting.
        out.file.flush(), err.file.flush()
        os._exit(summary.exit_code)
    if summary.queue.count:
        _print_queue(summary.queue)
    _print_usage(summary)
    for line in summary.git.lines() if summary.git else []:
        out.print(line, highlight=False)
    if link:
        out.print(f"This run in the Prefect UI: {link}", highlight=False, soft_wrap=True)
    for line in summary.problem_lines():
        _problem(line)
    raise typer.Exit(summary.exit_code)


def _ready_to_ask(project) -> bool:
    """Keys in the environment and settings accepted on this machine, as the
    flow would require them before asking anything."""
    from traduco.project.settings import SettingsError
    try:
        check_settings(project.mt)
    except SettingsError:     # a key in a Secret block, or none: the flow says which
        return False
    warn_untrusted(project)
    return True


def _nothing_changed(project, sync: bool) -> bool:
    """An unchanged rerun answered from the ledger in a second, without starting
    Prefect: as nothing happens, no flow run is recorded and nobody is told.
    Only while no other run holds the project (one that does may be changing it)."""
    from traduco.drafting.unchanged import nothing_to_do
    from traduco.notify.messages import late_untold
    from traduco.project import files
    from traduco.project.settings import SettingsError
    from traduco.project.trust import check_folders

    check_folders(project)      # a private .traduco/, folders inside the project: before any lock or read
    try:
        check_settings(project.mt)           # a missing key is said by the full path (it also reads Secret blocks)
    except SettingsError:
        return False
    try:
        with files.exclusive(project.run_lock_path, "the project", wait=0):
            if not nothing_to_do(project, sync=sync):
                return False
            warn_untrusted(project)          # a pinned setting changed and not accepted still stops here
            view = most_urgent(project)
            if late_untold(project, view.rows):      # time passed: reviewers are told by a full run
                return False
    except CatalogError:                     # another run holds the project: the full path waits for it
        return False
    if view.count:
        _print_queue(view)
    out.print(f"{len(project.doc_ids())} document(s): nothing changed since the last run, nothing sent to MT.",
              highlight=False)
    return True


@app.command()
def pull(project_dir: ProjectOption = Path(".")):
    """Fetch the web feeds and pages in [tool.traduco.web] into sources/ (no MT, no Prefect)."""
    from traduco.sources.feeds import pull_web
    project = load_project(project_dir)
    if not (project.web or {}).get("feeds") and not (project.web or {}).get("pages"):
        out.print("No feeds or pages in [tool.traduco.web]: nothing to pull.")
        return
    result = pull_web(project)
    for note in result.notes:
        err.print(Text("! ", style="yellow") + Text(note), highlight=False, soft_wrap=True)
    for doc_id in result.written:
        out.print(f"[green]✓[/green] sources/{doc_id}.md", highlight=False)
    out.print(f"{len(result.written)} written, {result.unchanged} unchanged, "
              f"{result.not_modified} feed(s) not modified since last time.")
    for problem in result.problems:
        _problem(problem)
    raise typer.Exit(1 if result.problems else 0)


@app.command()
def status(project_dir: ProjectOption = Path("."),
           every_row: Annotated[bool, typer.Option("--all", help=f"Every document, not only the "
                                                   f"{SHOWN_ROWS} most urgent.")] = False,
           as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts (every row).")] = False):
    """Show the review queue from the catalogs on disk (no flow, no network)."""
    project = load_project(project_dir)
    view = most_urgent(project, None if every_row or as_json else SHOWN_ROWS)
    if as_json:
        out.print_json(json.dumps({"queue": [r.as_dict() for r in view.rows], "totals": view.totals},
                                  ensure_ascii=False))
        raise typer.Exit(1 if view.unreadable else 0)
    if not view.count and not project.sources_dir.is_dir():     # what `run` would say, and its exit code
        from traduco.sources.documents import source_paths
        _problem(source_paths(project.sources_dir)[1][0].message)
        raise typer.Exit(1)
    if not view.count:
        out.print("No documents extracted yet: run [bold]traduco run[/bold].")
    else:
        _print_queue(view, None if every_row else SHOWN_ROWS)
    if project.git is not None:
        from traduco.git.sync import GitSync
        out.print(GitSync.for_project(project).distance(), highlight=False)
    if view.unreadable:     # a CI job or script must not read a broken catalog as success
        _problem(f"{view.unreadable:,} catalog(s) cannot be read: fix them (see the first rows), then run again")
        raise typer.Exit(1)


@app.command("merge-driver")
def merge_driver(base: Annotated[Path, typer.Argument(metavar="BASE", help="git's %O")],
                 ours: Annotated[Path, typer.Argument(metavar="OURS", help="git's %A (the result goes here)")],
                 theirs: Annotated[Path, typer.Argument(metavar="THEIRS", help="git's %B")],
                 name: Annotated[Optional[str], typer.Argument(metavar="PATH", help="git's %P")] = None):
    """Git merge driver for .po/.pot: merges entry by entry, never conflict markers."""
    from traduco.catalogs.merge import main as merge_main
    raise typer.Exit(merge_main([str(base), str(ours), str(theirs), *([name] if name else [])]))


@app.command("init-git")
def init_git(project_dir: ProjectOption = Path(".")):
    """Register traduco's merge driver for catalogs in .gitattributes and this clone's git config."""
    from traduco.git.repository import install_merge_driver
    for done in install_merge_driver(load_project(project_dir).root):
        out.print(f"[green]✓[/green] {done}", highlight=False)
    out.print("Commit .gitattributes so every clone merges catalogs entry by entry.")


@app.command()
def check(project_dir: ProjectOption = Path("."),
          as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False):
    """Run the quality checks on every catalog (human translations too); exit 1 on errors."""
    project = load_project(project_dir)
    report = check_project(project)
    errors = sum(1 for item in report if item["severity"] == "error")
    if as_json:
        out.print_json(json.dumps({"findings": report, "errors": errors,
                                   "warnings": len(report) - errors}, ensure_ascii=False))
    else:
        print_findings(out, report)
        print_wrapped(out, f"{errors} error(s), {len(report) - errors} warning(s). Errors block publishing; "
                      "silence one check on one entry with the comment 'ignore-check: <id>'.")
    raise typer.Exit(1 if errors else 0)


@app.command()
def review(doc: Annotated[str, typer.Argument(metavar="DOC", help="Document id (see traduco status).")],
           locale: Annotated[str, typer.Argument(metavar="LOCALE", help="Locale, e.g. zh_CN.")],
           project_dir: ProjectOption = Path("."),
           html_page: Annotated[bool, typer.Option(
               "--html", help="The page is HTML, the only review format; the flag may be written for clarity.")] = True,
           output: Annotated[Optional[Path], typer.Option(metavar="FILE", help="Where to write the page.")] = None):
    """Write a self-contained side-by-side review page for one document and locale."""
    project = load_project(project_dir)
    if locale not in project.locales:
        raise typer.BadParameter(f"{locale!r} is not one of the project's locales ({', '.join(project.locales)})",
                                 param_hint="LOCALE")
    if doc not in project.doc_ids():
        raise typer.BadParameter(f"no document {doc!r} in {project.sources_dir} (`traduco status` lists them)",
                                 param_hint="DOC")
    page = review_page(project, doc, locale)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(page, encoding="utf-8")
    target = output or write_private(project.state_dir / "review" / f"{doc}.{locale}.html", page)
    out.print(f"Review page: {target}  (a view: edit in the .po, then run traduco again)",
              highlight=False, markup=False)


@app.command("approve-low-risk")
def approve_low_risk(below: Annotated[str, typer.Option(metavar="RISK", help="Approve drafts whose risk is "
                                                         "below this (0 to 1; low risk is below 0.3).")],
                     reviewer: Annotated[str, typer.Option(metavar="NAME",
                                                           help="Who approves: recorded on every entry.")],
                     yes: Annotated[bool, typer.Option("--yes", help="Do not ask; approve at once.")] = False,
                     project_dir: ProjectOption = Path(".")):
    """Approve, in a reviewer's name, the drafts whose risk is below a bar the editor set."""
    from traduco.review import low_risk
    project = load_project(project_dir)
    try:       # read here, not by typer: its message for "x" is pydantic's
        below = low_risk.risk_bar(below)
        name = low_risk.check_request(below, reviewer)
    except TraducoError as exc:       # a usage mistake: exit 2, as for any bad option
        _problem(exc.message)
        raise typer.Exit(2) from None
    found = low_risk.low_risk_drafts(project, below)
    if not found:
        out.print(f"No draft has a risk below {below:g}: nothing to approve.", highlight=False)
        return
    print_candidates(out, found, SHOWN_ROWS)
    if not yes and not confirmed(f"Approve these {len(found)} draft(s) as {name}?",
                                     "nothing approved; scripts approve with --yes"):
        out.print("Nothing approved.")
        return
    outcome = low_risk.approve(project, found, below, name)
    out.print(Text("✓ ", style="green") + Text(
        f"{len(outcome.approved)} draft(s) approved by {name}"
        + (f"; {outcome.skipped} changed since and left as drafts" if outcome.skipped else "") + "."),
        highlight=False)
    for problem in outcome.problems:
        _problem(problem)
    raise typer.Exit(1 if outcome.problems else 0)


@app.command()
def report(project_dir: ProjectOption = Path("."),
           as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False):
    """Post-edit scorecard: how much reviewers changed each provider's drafts."""
    from traduco.checks.risk import save_priors
    project = load_project(project_dir)
    scores = scorecard(project)
    save_priors(project.state_dir, scores)     # risk weighs each provider by how much reviewers change it
    if as_json:
        out.print_json(json.dumps({"scorecard": [s.as_dict() for s in scores]}, ensure_ascii=False))
        return
    if not scores:
        out.print("No approved machine drafts yet: the scorecard fills as reviewers approve drafts.")
        return
    table = Table(title="Post-edit scorecard (lower TER: less for reviewers to change)", title_justify="left")
    for column in ("provider", "locale", "approved drafts", "accepted unchanged", "median TER", "median chrF"):
        table.add_column(column, justify="left" if column in ("provider", "locale") else "right")
    for s in scores:
        table.add_row(s.provider, s.locale, str(s.entries), f"{s.unchanged_share:.0%}",
                      f"{s.median_ter:.1f}", f"{s.median_chrf:.1f}")
    out.print(table)


def _age(hours: float | None) -> str:
    if hours is None:
        return "-"
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} d"


@contextmanager
def _progress_bar():
    """Units drafted / total per locale, on a terminal only (CI logs stay clean)."""
    if not out.is_terminal:
        yield
        return
    bars = Progress(TextColumn("drafting {task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=out, transient=True)
    tasks: dict[str, int] = {}

    def listener(locale, more=0, advance=0):
        if locale not in tasks:
            tasks[locale] = bars.add_task(locale, total=0)
        if more:
            bars.update(tasks[locale], total=bars.tasks[tasks[locale]].total + more)
        if advance:
            bars.advance(tasks[locale], advance)

    with listening(Listener(progress=listener)), bars:
        yield


def _print_queue(view: QueueView, limit: int | None = SHOWN_ROWS) -> None:
    table = Table(title="Review queue (check errors, then the riskiest drafts first)", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False, padding=(0, 1), collapse_padding=True, show_edge=False)
    table.add_column("document", no_wrap=True, overflow="ellipsis", min_width=12)
    table.add_column("locale", no_wrap=True)
    for column in ("approved", "drafts", "untransl.", "checks", "words", "oldest"):
        table.add_column(column, justify="right", no_wrap=True)
    rows = view.rows[:limit]
    for r in rows:
        checks = f"[red]{r.errors}E[/red]" if r.errors else "-"
        if r.warnings:
            checks += f" [yellow]{r.warnings}W[/yellow]"
        table.add_row(Text(r.doc_id), r.locale, f"[green]{r.approved}[/green]/{r.units}",
                      f"[yellow]{r.drafts}[/yellow]", f"[red]{r.untranslated}[/red]", checks,
                      f"{r.words_waiting:,}", _age(r.age_hours()))
    out.print(table)
    for r in rows:
        if r.error:
            _problem(r.error)
        elif r.drafts:
            out.print(f"  {r.doc_id} {r.locale}: {r.drafts} draft(s) to review: {r.waiting}; "
                      f"risk up to {r.risk_level} ({r.high_risk} high, {r.low_risk} low)",
                      highlight=False, soft_wrap=True, markup=False)
    if view.count > len(rows):
        out.print(f"  … and {view.count - len(rows):,} more rows: [bold]traduco status --all[/bold] "
                  "lists every one, [bold]--json[/bold] for scripts.", highlight=False)
    for locale, sums in view.totals.items():
        out.print(f"  {locale} in all: {sums['approved']}/{sums['units']} approved, {sums['drafts']} drafts, "
                  f"{sums['untranslated']} untranslated, {sums['errors']} check errors, "
                  f"{sums['words_waiting']:,} Italian words waiting", highlight=False, soft_wrap=True)


def _print_usage(summary) -> None:
    for usage in summary.usage:
        tokens = f", {usage['prompt_tokens']:,} + {usage['completion_tokens']:,} tokens" \
            if usage.get("prompt_tokens") else ""
        out.print(f"{usage['provider']} → {usage['locale']}: {usage['translated']} translated with "
                  f"{usage['requests']} requests ({usage['characters']:,} characters{tokens}, "
                  f"{usage['retries']} retries), {usage['cache_hits']} from cache, "
                  f"{usage['failures']} failed", highlight=False)
    if summary.llm_line():
        out.print(summary.llm_line(), highlight=False)
        for line in summary.llm_sample[:LLM_LINES]:
            out.print(f"  {line}", highlight=False, markup=False)
        if summary.llm["catalogs"] > LLM_LINES:
            out.print(f"  … and {summary.llm['catalogs'] - LLM_LINES:,} more (the run's record has "
                      f"{len(summary.llm_sample)})", highlight=False)
    out.print(f"{summary.documents} document(s): {summary.drafted} unit(s) drafted by MT, "
              f"{summary.memory_line()}.", highlight=False)


