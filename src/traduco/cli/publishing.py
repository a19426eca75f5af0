"""The `traduco` commands around publishing: publish, approve, serve (registered on cli's app)."""

from __future__ import annotations

import os
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from traduco.cli.exits import problem as _problem
from traduco.cli.shell import SHOWN_ROWS, ProjectOption, app, confirmed, load_flows, out, quiet_prefect, \
    warn_untrusted
from traduco.mt import check_settings
from traduco.project.loading import load_project


@app.command()
def publish(project_dir: ProjectOption = Path("."),
            dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would change.")] = False,
            every_row: Annotated[bool, typer.Option("--all", help="List every document, not only the first "
                                                    f"{SHOWN_ROWS} rows.")] = False):
    """Publish every fully approved, check-clean document × locale (.mo, HTML, index, feed).
    With require_approval, show the plan and leave it waiting for the editor (traduco approve)."""
    from traduco.prefect_api.servers import api_for_command
    project = load_project(project_dir)
    warn_untrusted(project)
    quiet_prefect()
    gated = project.require_approval and not dry_run
    with api_for_command(project, lasting=gated):
        if gated:
            from traduco.serve import approval, waiting
            from traduco.publishing.plan import plan_publication
            if twin := waiting.same_plan_waiting(approval.plan_tag(project, plan_publication(project))):
                out.print("This plan already waits for the editor's decision:", highlight=False)
                _print_waiting(twin)
                return
            run_id, state = approval.start_publication(project, load_flows().publish.publish)
            if state is None:
                _print_waiting(waiting.waiting_run(run_id))
                return
        else:
            state = load_flows().publish.publish(project_dir=str(project.root), locales=list(project.locales),
                                             dry_run=dry_run, return_state=True)
    results = state.result(raise_on_failure=False)
    if isinstance(results, BaseException):
        raise results
    if not results:
        out.print("Nothing to publish yet: run [bold]traduco run[/bold] first.")
        return
    _print_publication([r.as_dict() for r in results], every_row,
                       "Publish" + (" (dry run: nothing written)" if dry_run else ""))
    broken = [r for r in results if r.status == "broken"]
    if broken:      # a file a person must fix: a script or CI job must not read this as success
        _problem(f"{len(broken):,} catalog(s) cannot be read, {broken[0].reason}; fix them (Poedit shows "
                 "where, or `msgfmt -c FILE`), then publish again")
        raise typer.Exit(1)


def _print_publication(rows: list[dict], every_row: bool = False, title: str = "Publish") -> None:
    from traduco.publishing.plan import PublishResult, Status, noteworthy_first, status_label, tally
    results = [PublishResult(**{**row, "status": Status(row["status"])}) for row in rows]
    table = Table(title=title, title_justify="left")
    for column in ("document", "locale", "result", "why"):
        table.add_column(column, overflow="fold")
    shown = noteworthy_first(results)[:None if every_row else SHOWN_ROWS]
    colours = {Status.PUBLISHED: "green", Status.PUBLISH: "green", Status.WITHDRAWN: "green",
               Status.UNCHANGED: "blue", Status.CHANGED: "red", Status.REJECTED: "red"}
    for r in shown:
        colour = colours.get(r.status, "yellow")
        table.add_row(Text(r.doc_id), r.locale, f"[{colour}]{status_label(r.status)}[/{colour}]", Text(r.reason))
    out.print(table)
    if len(results) > len(shown):
        out.print(f"… and {len(results) - len(shown):,} more rows ([bold]--all[/bold] lists them).", highlight=False)
    out.print(tally(results) + ".", highlight=False)
    for r in results:
        if r.status == Status.CHANGED:
            out.print(f"{r.doc_id} ({r.locale}) changed after the plan was made: not published now; the next "
                      "plan has it.", highlight=False, markup=False)
    waiting = sum(1 for r in results if r.status == Status.WAITING)
    if waiting:
        out.print(f"{waiting:,} not published: they wait for review or fixes "
                  "(see [bold]traduco status[/bold]).")


def _print_waiting(run, asking: bool = True) -> None:
    from rich.markdown import Markdown
    from traduco.prefect_api.servers import flow_run_link
    if out.is_terminal:
        out.print(Markdown(run.plan))
    else:       # a log or a pipe: rendered as for a terminal, without rich's padding to 200 columns
        from rich.console import Console
        page = Console(width=100, record=True, file=open(os.devnull, "w"))
        page.print(Markdown(run.plan))
        out.print("\n".join(line.rstrip() for line in page.export_text().splitlines()), highlight=False,
                  markup=False, soft_wrap=True)
    out.print(f"Publish run {run.run_id} waits for approval ({run.summary}).", highlight=False)
    if asking:
        out.print(f"  Decide: traduco approve {run.run_id}   (or --reject --note \"why\")", highlight=False,
                  markup=False)
    if link := flow_run_link(run.run_id):
        out.print(f"  In the Prefect UI: {link}", highlight=False, soft_wrap=True)


@app.command()
def approve(run_id: Annotated[Optional[str], typer.Argument(
                metavar="RUN_ID", help="The waiting publish run's id; without it, list the runs that wait.")] = None,
            yes: Annotated[bool, typer.Option("--yes", help="Approve without asking (for scripts).")] = False,
            reject: Annotated[bool, typer.Option("--reject", help="Refuse: nothing is published.")] = False,
            note: Annotated[str, typer.Option(metavar="TEXT", help="Why; kept with the run.")] = "",
            by: Annotated[Optional[str], typer.Option(metavar="NAME", help="Who decides (default: your user name); "
                                                            "kept with the run.")] = None,
            project_dir: ProjectOption = Path(".")):
    """List the publish runs waiting for the editor, or show one's plan and approve (or --reject) it."""
    from traduco.serve import approval, waiting   # imports Prefect: only when needed
    from traduco.prefect_api.servers import api_for_command, flow_run_link
    quiet_prefect()
    if by is not None and not by.strip():
        raise typer.BadParameter("say who decides (or leave --by out for your user name)", param_hint="--by")
    project = load_project(project_dir)
    with api_for_command(project, lasting=True):
        if run_id is None:
            runs = waiting.waiting_runs()
            for run in runs:
                out.print(f"{run.run_id}  waiting since {run.since}  {run.summary}  "
                          f"{flow_run_link(run.run_id) or ''}", highlight=False, soft_wrap=True)
            out.print(f"{len(runs)} publish run(s) wait for a decision"
                      + (": traduco approve RUN_ID shows one's plan." if runs else "."), highlight=False)
            return
        try:
            run_id = waiting.find_run(run_id)
            run = waiting.waiting_run(run_id)
        except waiting.UnknownRun as unknown:
            raise typer.BadParameter(f"{unknown.message}; `traduco approve` lists the runs that wait",
                                     param_hint="RUN_ID") from None
        _print_waiting(run, asking=False)       # this command is the decision
        for row in approval.changed_since_plan(project, run_id) or []:
            out.print(f"  ! {row.doc_id} ({row.locale}) changed after the plan was made: approving will not "
                      "publish it now; it goes into the next plan.", highlight=False, markup=False, soft_wrap=True)
        if not reject and approval.left_to_publish(project, run_id) == 0:
            _problem(f"nothing to publish: approving run {run_id} would publish and withdraw nothing (its "
                     f"catalogs changed after the plan was made); nothing decided. Reject it with "
                     f"`traduco approve {run_id} --reject`, and `traduco publish` makes a fresh plan")
            raise typer.Exit(1)
        if not reject and not yes and not confirmed("Publish exactly this?", "nothing decided, the run keeps waiting; "
                                                                   "scripts decide with --yes or --reject"):
            out.print("Nothing decided: the run keeps waiting.")
            raise typer.Exit(0)
        approval.decide(run_id, approve=not reject, note=note, approver=by)
        out.print(f"{'Rejected' if reject else 'Approved'}: publish run {run_id} resumes; waiting for "
                  "`traduco serve` to run it (Ctrl-C leaves it to serve).", highlight=False, soft_wrap=True)
        ended = waiting.outcome(run_id)
    if ended is None:
        out.print("It has not run yet: `traduco serve` (or a worker for the publish deployment) runs it; "
                  f"follow it at {flow_run_link(run_id) or 'the Prefect UI'}.", highlight=False, soft_wrap=True)
        return
    state, rows = ended
    if rows:
        _print_publication(rows)
    if not state.is_completed():
        _problem(f"publish run {run_id} ended {state.name}: {state.message or 'no reason given'}")
        raise typer.Exit(1)
    if reject:
        out.print("Rejected: nothing was published or withdrawn.")


@app.command()
def serve(project_dir: ProjectOption = Path("."),
          port: Annotated[Optional[int], typer.Option(
              metavar="PORT", help="Port of the local Prefect server (when traduco starts it); 0: any free one. "
                                   "Default 4200, or another free one, named, if 4200 is taken.")] = None,
          host: Annotated[str, typer.Option(metavar="HOST", help="Address the local Prefect server listens on: 0.0.0.0 (or "
                                                 "this machine's address) lets reviewers on other computers "
                                                 "in; they log in with the reviewers' password.")] = "127.0.0.1"):
    """Run the translate and publish flows on their schedules until Ctrl-C."""
    from traduco.serve import deployments
    from traduco.prefect_api import servers
    project = load_project(project_dir)
    plan = deployments.schedules(project)
    check_settings(project.mt, keys=False)
    quiet_prefect()
    configured = os.environ.get("PREFECT_API_URL")
    if not configured:
        port, moved = servers.serve_port(port, host)
        if moved:
            out.print(moved, highlight=False)
    with (nullcontext(configured) if configured else
          servers.local_server(project, port, host)) as url:
        if configured:
            servers.wait_until_healthy(url)
        os.environ["PREFECT_API_URL"] = url
        if not configured:      # its flow runs (child processes) need the password too
            os.environ["PREFECT_API_AUTH_STRING"] = servers.auth_string(project)
        check_settings(project.mt)     # now Prefect Secret blocks on that server count too
        warn_untrusted(project)     # before its notification rules go to Prefect, which carries them out itself
        record = servers.record_server(project, url)
        ui = url.removesuffix("/api")
        if not configured and host != servers.LOOPBACK:
            ui = servers.public_url(host, port)
        out.print(f"Prefect UI for reviewers and the editor: {ui}", highlight=False, soft_wrap=True)
        if not configured:
            prefect_dir = project.state_dir / "prefect"
            out.print(f"Reviewers log in with the password in {prefect_dir / servers.REVIEWER_AUTH} (the whole "
                      "line: it reads runs and decides on publications, nothing else); the operator's, in "
                      f"{prefect_dir / servers.AUTH}, may do everything"
                      + ("; both travel in clear HTTP: a trusted network, or a TLS proxy."
                         if host != servers.LOOPBACK else "."), highlight=False, soft_wrap=True)
        out.print(f"translate: '{plan.translate}', publish: '{plan.publish}' ({plan.timezone}); "
                  "Ctrl-C stops." + ("" if configured else " The local server stops with it."),
                  highlight=False)
        try:
            deployments.serve(project, load_flows().translate.translate, load_flows().publish.publish,
                              say=lambda line: out.print(line, highlight=False, soft_wrap=True, markup=False))
        finally:
            record.unlink(missing_ok=True)
    out.print("Stopped.")
