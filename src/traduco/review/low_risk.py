"""Bulk approval of low-risk drafts, by a named reviewer, never automatically.

An editor may decide that drafts below some risk need no line-by-line
reading; a reviewer then approves them in one go, in their own name:

    found = low_risk_drafts(project, below=0.3)        # what would be approved
    done = approve(project, found, reviewer="Anna Rossi")

Only drafts whose risk is below the bar are touched, and only those the
reviewer was shown (a draft edited or re-drafted since is left alone). Each
keeps its provenance note, followed by who approved it, when and at what risk,
so the post-edit scorecard still counts it and anyone can see it was not read
line by line. Every other entry keeps its bytes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from traduco.catalogs import pofile, provenance, syntax
from traduco.catalogs.catalog import Catalog, each
from traduco.checks import risk
from traduco.checks.judge import Judge
from traduco.errors import CatalogError, ConfigError
from traduco.project import files
from traduco.project.loading import Project

APPROVAL_NOTE = "approved by {reviewer} on {moment:%Y-%m-%d %H:%M} UTC in bulk (risk {score:.2f}, below {below:g})"
_NAME = re.compile(r"\S(?:[^\x00-\x1f\x7f]{0,78}\S)?")


@dataclass(frozen=True)
class Candidate:
    doc_id: str
    locale: str
    msgctxt: str | None
    msgid: str
    msgstr: str
    risk: risk.Risk
    findings: tuple = ()              # its check findings, for the note once approved


@dataclass
class Outcome:
    approved: list[Candidate] = field(default_factory=list)
    skipped: int = 0                  # changed since they were shown: left as drafts
    problems: list[str] = field(default_factory=list)    # catalogs that could not be read or written


def risk_bar(written: str) -> float:
    """`--below` as the person wrote it: a risk above 0 and at most 1, or ConfigError."""
    try:
        below = float(written)
    except ValueError:
        below = float("nan")      # refused below, in the same words as 1.5
    if not 0 < below <= 1:
        raise ConfigError(f"--below: expected a number between 0 and 1, got {written!r}",
                          hint="Low risk is below 0.3, medium below 0.6: for example --below 0.3")
    return below


def check_request(below: float, reviewer: str) -> str:
    """The bar and the name, or ConfigError (a usage mistake)."""
    risk_bar(f"{below:g}")
    name = reviewer.strip()
    if not _NAME.fullmatch(name):
        raise ConfigError("--reviewer needs the name of the person approving (one line, at most 80 characters)",
                          hint='For example --reviewer "Anna Rossi"')
    return name


def low_risk_drafts(project: Project, below: float, locales: list[str] | None = None) -> list[Candidate]:
    """Every draft whose risk is below `below`, in every readable catalog."""
    judge = Judge.for_project(project)
    found = []
    for catalog in each(project, locales):
        if catalog.exists and not catalog.verdict:     # `traduco status` and `check` name a broken one
            found += _below(catalog, below, judge)
    return found


def _below(catalog: Catalog, below: float, judge: Judge) -> list[Candidate]:
    """The catalog's drafts below the bar that msgfmt -c would still compile once approved."""
    judged = judge.judge(catalog.entries, catalog.locale)
    rule = catalog.entries.metadata.get("Plural-Forms")
    found = []
    for entry in catalog.drafts():
        assessed = judged[id(entry)]
        if assessed.risk.score < below and not syntax.compile_problem(entry, rule):
            found.append(Candidate(catalog.doc_id, catalog.locale, entry.msgctxt, entry.msgid, entry.msgstr,
                                   assessed.risk, tuple(assessed.findings)))
    return found


def approve(project: Project, candidates: list[Candidate], below: float, reviewer: str) -> Outcome:
    """Approve `candidates` (as `low_risk_drafts` found them) in the reviewer's
    name, one catalog at a time under its lock. A draft whose text changed, or
    whose risk is no longer below the bar, stays a draft."""
    reviewer = check_request(below, reviewer)
    outcome = Outcome()
    by_catalog: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_catalog[(candidate.doc_id, candidate.locale)].append(candidate)
    judge = Judge.for_project(project)
    for (doc_id, locale), shown in by_catalog.items():
        catalog = Catalog.to_edit(project, doc_id, locale)
        path, approved = catalog.path, []

        def change(fresh: Catalog, shown=shown, approved=approved):
            if not fresh.exists:
                raise CatalogError("the catalog is gone; nothing approved in it", path=path)
            now_below = {(c.msgctxt, c.msgid, c.msgstr): c for c in _below(fresh, below, judge)}
            approved[:] = [now_below[key] for key in ((c.msgctxt, c.msgid, c.msgstr) for c in shown)
                           if key in now_below]
            _mark(fresh.entries, approved, below, reviewer)
            return fresh.entries
        try:
            catalog.edit(project.lock_path(path), change)
            outcome.approved += approved
            outcome.skipped += len(shown) - len(approved)
        except files.ChangedOnDisk:
            outcome.skipped += len(shown)
            outcome.problems.append(f"{path}: changed while approving; nothing approved in it. Run the command again")
        except CatalogError as exc:
            outcome.problems.append(exc.message)
        except OSError as exc:
            outcome.problems.append(files.write_problem(exc, path).message)
    return outcome


def _mark(catalog, approved: list[Candidate], below: float, reviewer: str) -> None:
    """Clear fuzzy (and the previous Italian, as Poedit does), record the
    approval after the provenance note, and note the approved text's risk as
    the next run will."""
    wanted = {(c.msgctxt, c.msgid): c for c in approved}
    moment = files.now()
    for entry in pofile.active_entries(catalog):
        candidate = wanted.get((entry.msgctxt, entry.msgid))
        if candidate is None:
            continue
        entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgctxt = None
        note = APPROVAL_NOTE.format(reviewer=reviewer, moment=moment, score=candidate.risk.score, below=below)
        before = provenance.note(entry)
        provenance.write_note(entry, f"{before}; {note}" if before else note)
        risk.annotate(entry, risk.assess(entry, candidate.locale, candidate.findings))
