"""Retirement: the catalogs of a document whose source is gone.

A source file that disappears (a press release taken down) has its template
and catalogs moved, not deleted, to `locales/retired/` (same layout:
`retired/templates/<doc>.pot`, `retired/<locale>/LC_MESSAGES/<doc>.po`). They
leave the review queue and the next `traduco publish` withdraws the pages;
their approved text stays in translation memory. A document that comes back,
under its old name or renamed (mostly the same paragraphs), takes its
catalogs back: nothing approved is lost and no MT is paid again.

    retire_vanished(project, source_paths)      # before a run extracts anything
    carry_over(project, doc_id, template)       # when a document has no catalogs yet
"""

from __future__ import annotations

import os
from pathlib import Path

import polib

from traduco.catalogs import pofile
from traduco.errors import CatalogError, TraducoError
from traduco.project import files
from traduco.project.loading import Project
from traduco.sources.documents import SOURCE_SUFFIXES, document_id

RETIRED = "retired"
SAME_DOCUMENT = 0.8    # share of paragraphs two texts must have in common to be one document renamed


def retired_dir(project: Project) -> Path:
    return project.catalogs_dir / RETIRED


def retired_catalogs(project: Project, locale: str) -> Path:
    """The folder of a locale's retired catalogs."""
    return retired_dir(project) / locale / "LC_MESSAGES"


def retire_vanished(project: Project, source_paths: list[Path]) -> list[str]:
    """Retire every document that has a template but no source file any more.
    Returns their ids. Any file that names the id still counts as its source:
    one that cannot be read, a link, or two names claiming one id (a problem
    to fix, never a withdrawal)."""
    if not project.sources_dir.is_dir() or not source_paths:
        return []       # a missing or empty folder (not mounted?) is a setup problem, not a withdrawal
    present = {_claimed_id(path) for path in project.sources_dir.iterdir() if path.suffix in SOURCE_SUFFIXES}
    gone = [doc_id for doc_id in project.doc_ids() if doc_id not in present]
    for doc_id in gone:
        _move(project, doc_id, doc_id, retire=True)
    return gone


def _claimed_id(path: Path) -> str | None:
    try:
        return document_id(path)
    except TraducoError:
        return None


def carry_over(project: Project, doc_id: str, template: polib.POFile) -> str | None:
    """Give a document that has no catalogs yet the retired catalogs of its
    earlier self: the same id, or else the retired document whose paragraphs
    it shares (a renamed file). Returns the id they came from."""
    if _has_catalogs(project.catalogs_dir, doc_id):
        return None
    earlier = doc_id if retired_template(project, doc_id).exists() else _renamed_from(project, template)
    if earlier is None:
        return None
    _move(project, earlier, doc_id, retire=False)
    return earlier


def retired_template(project: Project, doc_id: str) -> Path:
    return retired_dir(project) / "templates" / f"{doc_id}.pot"


def _renamed_from(project: Project, template: polib.POFile) -> str | None:
    mine = {e.msgid for e in pofile.active_entries(template)}
    best, best_share = None, SAME_DOCUMENT
    for path in sorted((retired_dir(project) / "templates").glob("*.pot")):
        try:
            theirs = {e.msgid for e in pofile.active_entries(pofile.read(path))}
        except CatalogError:
            continue
        share = len(mine & theirs) / max(len(mine), len(theirs), 1)
        if share >= best_share:
            best, best_share = path.stem, share
    return best


def _move(project: Project, old_id: str, new_id: str, *, retire: bool) -> None:
    """Move a document's template and every locale's catalog between the
    active layout and the retired one, each under its writer's lock."""
    active, retired = project.catalogs_dir, retired_dir(project)
    source_root, target_root = (active, retired) if retire else (retired, active)
    for locale_dir in _locale_dirs(source_root):
        _rename(project, locale_dir / "LC_MESSAGES" / f"{old_id}.po",
                target_root / locale_dir.name / "LC_MESSAGES" / f"{new_id}.po")
    old_template = project.template_path(old_id) if retire else retired_template(project, old_id)
    if retire:
        _rename(project, old_template, retired_template(project, new_id))
    else:
        old_template.unlink(missing_ok=True)     # the new template was just extracted


def _rename(project: Project, source: Path, target: Path) -> None:
    if not source.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with files.locked(source, project.lock_path(source)):
        os.replace(source, target)


def _locale_dirs(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(d for d in root.iterdir() if d.is_dir() and (d / "LC_MESSAGES").is_dir())


def _has_catalogs(root: Path, doc_id: str) -> bool:
    return any((d / "LC_MESSAGES" / f"{doc_id}.po").exists() for d in _locale_dirs(root))
