"""The `traduco` commands for agencies and CAT tools: XLIFF, TMX and TBX out and in
(registered on cli's app; the work is in `traduco.exchange`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from traduco.cli.exits import problem as _problem
from traduco.cli.shell import ProjectOption, app, out
from traduco.errors import ConfigError
from traduco.project.loading import load_project

OutputOption = Annotated[Path, typer.Option("--output", "-o", metavar="DIR",
                                            help="Folder to write into (one file per locale).")]


def _done(line: str) -> None:
    out.print(Text("✓ ", style="green") + Text(line), highlight=False, soft_wrap=True)


def _note(line: str) -> None:
    out.print(Text("! ", style="yellow") + Text(line), highlight=False, soft_wrap=True)


def _usage(mistake: ConfigError) -> typer.Exit:
    _problem(mistake.message)
    return typer.Exit(2)


def _folder(output: Path) -> Path:
    """--output of a command that writes one file per locale: a folder (made if missing)."""
    if output.exists() and not output.is_dir():
        raise _usage(ConfigError(f"--output {output} is a file, not a folder",
                                 hint="Give a folder: one file per locale is written into it"))
    return output


def _write(target: Path, data: bytes) -> None:
    """Written whole or not at all; a path that cannot be written is the user's to fix."""
    from traduco.project.files import atomic_write_bytes
    if target.is_dir():
        raise _usage(ConfigError(f"--output {target} is a folder",
                                 hint=f"Give the file to write, e.g. {target / 'glossary.tbx'}"))
    try:
        atomic_write_bytes(target, data)
    except OSError as exc:
        _problem(f"{target}: cannot be written ({exc.strerror or exc}). Nothing was written there; "
                 "give a folder you can write to with --output")
        raise typer.Exit(1) from None


@app.command("export-xliff")
def export_xliff(project_dir: ProjectOption = Path("."),
                 doc: Annotated[Optional[list[str]], typer.Option(
                     metavar="DOC", help="A document id (see traduco status); repeat for several.")] = None,
                 locale: Annotated[Optional[list[str]], typer.Option(
                     metavar="LOCALE", help="One of the project's locales; repeat for several.")] = None,
                 waiting: Annotated[bool, typer.Option(
                     "--waiting", help="Only drafts and untranslated units.")] = False,
                 risk: Annotated[Optional[str], typer.Option(
                     metavar="BAND", help="Only drafts at this risk: low, medium or high.")] = None,
                 version: Annotated[str, typer.Option(
                     "--xliff-version", metavar="VERSION", help="2.1 (default), 2.0 or 1.2.")] = "2.1",
                 output: OutputOption = Path("exchange")):
    """Write XLIFF for an agency's CAT tool: source, current draft, state, notes, terms."""
    from traduco.exchange.selection import Selection, select
    from traduco.exchange.xliff_out import VERSIONS, render
    project, output = load_project(project_dir), _folder(output)
    if version not in VERSIONS:
        raise _usage(ConfigError(f"--xliff-version {version}: traduco writes {', '.join(VERSIONS)}"))
    selection = Selection(tuple(doc or ()), tuple(_locale(project, l) for l in locale or ()), waiting, risk)
    try:
        chosen = select(project, selection)
    except ConfigError as mistake:
        raise _usage(mistake) from None
    for problem in chosen.problems:
        _note(problem)
    for loc in selection.locales or project.locales:
        units = [u for u in chosen.units if u.locale == loc]
        if not units:
            out.print(f"{loc}: no unit matches; no file written.", highlight=False)
            continue
        target = output / f"{project.root.name}.{loc}.xlf"
        _write(target, render(units, project.source_language, loc, version, chosen.source_files))
        _done(f"{target}: {len(units)} unit(s) of {len({u.doc_id for u in units})} document(s), XLIFF {version}")


@app.command("import-xliff")
def import_xliff(file: Annotated[Path, typer.Argument(metavar="FILE", help="The XLIFF the agency returned.")],
                 project_dir: ProjectOption = Path(".")):
    """Merge an agency's XLIFF into the catalogs, as a translator's save would be."""
    from traduco.exchange.xliff_merge import import_xliff as merge
    project = load_project(project_dir)
    outcome = merge(project, file)
    _done(f"{file} ({outcome.dialect}, {outcome.locale}): {outcome.units} unit(s): {outcome.approved} approved, "
          f"{outcome.drafts} needs-work draft(s), {outcome.source_changed} with changed Italian (fuzzy), "
          f"{outcome.unchanged} unchanged; {len(outcome.written)} catalog(s) written")
    for line in outcome.vanished:
        _note(f"no longer in the project (not imported): {line}")
    for line in outcome.kept + outcome.conflicts:
        _note(line)
    for problem in outcome.problems:
        _problem(problem)
    raise typer.Exit(1 if outcome.problems else 0)


@app.command("export-tmx")
def export_tmx(project_dir: ProjectOption = Path("."),
               locale: Annotated[Optional[list[str]], typer.Option(
                   metavar="LOCALE", help="One of the project's locales; repeat for several.")] = None,
               output: OutputOption = Path("exchange")):
    """Write the approved translations as TMX 1.4b, one file per locale."""
    from traduco.exchange.tmx import export_tmx as write_tmx
    project, output = load_project(project_dir), _folder(output)
    for loc in [_locale(project, l) for l in locale or ()] or project.locales:
        data, count = write_tmx(project, loc)
        target = output / f"{project.root.name}.{loc}.tmx"
        _write(target, data)
        _done(f"{target}: {count} approved pair(s)")


@app.command("import-tmx")
def import_tmx(file: Annotated[Path, typer.Argument(metavar="FILE", help="A TMX translation memory.")],
               project_dir: ProjectOption = Path(".")):
    """Seed the translation memory from a TMX file (exact and fuzzy matches, as approved work)."""
    from traduco.exchange.tmx import import_tmx as seed, memory_dir
    project = load_project(project_dir)
    for loc, count in seed(project, file).items():
        _done(f"{loc}: {count} pair(s) in {memory_dir(project, loc).relative_to(project.root)}/")


@app.command("export-tbx")
def export_tbx(project_dir: ProjectOption = Path("."),
               output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE",
                                                    help="Where to write the TBX file.")] = Path("glossary.tbx")):
    """Write the project glossary as TBX-Basic."""
    from traduco.exchange.tbx import export_tbx as write_tbx
    from traduco.language.glossary import load_glossary
    project = load_project(project_dir)
    glossary = load_glossary(project)
    if glossary is None:
        raise _usage(ConfigError("the project has no glossary (glossary.csv)", hint="Create glossary.csv first"))
    _write(output, write_tbx(glossary, project.source_language, list(project.locales)))
    _done(f"{output}: {len(glossary)} term(s), TBX-Basic")


@app.command("import-tbx")
def import_tbx(file: Annotated[Path, typer.Argument(metavar="FILE", help="A TBX (TBX-Basic) glossary.")],
               project_dir: ProjectOption = Path(".")):
    """Merge a TBX glossary into the project's CSV glossary."""
    from traduco.exchange.tbx import import_tbx as merge
    project = load_project(project_dir)
    added, updated = merge(project, file)
    _done(f"{file}: {added} term(s) added, {updated} updated")


def _locale(project, written: str) -> str:
    loose = {l.lower().replace("-", "_"): l for l in project.locales}
    if written.lower().replace("-", "_") not in loose:
        raise _usage(ConfigError(f"--locale {written} is not one of the project's locales",
                                 hint=f"Use one of {', '.join(project.locales)}"))
    return loose[written.lower().replace("-", "_")]
