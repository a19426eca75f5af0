"""The notes traduco leaves on a catalog's entries (`#. check ...`, `#. risk: ...`)
kept true: whenever a command has just judged a catalog (check, status,
publish), they are rewritten to say what it found, under the catalog's lock,
and every other byte of the file stays as it was.

    settle(project, doc_id, "zh_CN", glossary, cache)   # True if the file was rewritten

Poedit shows these lines as "Notes for translators": a note of an error that a
translator has since fixed would read as current. The rewrite is
`Catalog.edit`'s, with the file's new bytes: not even the revision date moves.
"""

from __future__ import annotations

import re

import polib

from traduco import checks
from traduco.catalogs import pofile
from traduco.catalogs.catalog import Catalog
from traduco.checks import risk
from traduco.checks.judge import Judge
from traduco.errors import CatalogError
from traduco.language.glossary import Glossary, load_glossary
from traduco.project import files
from traduco.project.loading import Project

_OURS = ("#. " + checks.COMMENT_PREFIX, "#. " + risk.COMMENT_PREFIX)
_SEPARATOR = re.compile(r"(\n[ \t]*\n)")


def settle(project: Project, doc_id: str, locale: str, glossary: Glossary | None,
           cache: checks.CheckCache | None = None) -> bool:
    """Rewrite the catalog's check and risk notes to what the checks find now.
    Nothing is written when they already say it, when the file changes while
    being read (a translator saved it: the next command settles it), or when
    it cannot be read (the command reports that itself)."""
    if glossary is None:     # a caller that did not load it: the notes must still weigh the glossary
        glossary = load_glossary(project)
    judge = Judge(glossary, cache, project.state_dir)

    def notes_only(fresh: Catalog) -> bytes | None:
        if not fresh.exists:
            return None
        catalog = fresh.entries
        judge.annotate(catalog, locale)
        after = rewritten(fresh.data.decode("utf-8"), catalog)
        return None if after is None or after.encode("utf-8") == fresh.data else after.encode("utf-8")
    catalog = Catalog.to_edit(project, doc_id, locale)
    try:
        # Not waiting: a run holding the lock writes the notes itself.
        return catalog.edit(project.lock_path(catalog.path), notes_only, wait=0)
    except (CatalogError, files.ChangedOnDisk, OSError, UnicodeDecodeError):
        return False


def rewritten(text: str, catalog: polib.POFile) -> str | None:
    """`text` (the catalog's file) with each entry's check and risk lines
    replaced by those of `catalog`'s entry; None for a layout this cannot
    map entry by entry (the notes are then left for the next run)."""
    if "\r" in text:
        return None
    parts = _SEPARATOR.split(text)
    blocks = parts[0::2]
    entries = list(catalog)
    if len(blocks) != 1 + len(entries):     # the header, then one block per entry
        return None
    for i, entry in enumerate(entries, start=1):
        if not entry.obsolete:
            notes = ["#. " + line for line in (entry.comment or "").splitlines()
                     if line.startswith((checks.COMMENT_PREFIX, risk.COMMENT_PREFIX))]
            parts[2 * i] = _with_notes(parts[2 * i], notes)
    result = "".join(parts)
    check = polib.pofile(result, wrapwidth=pofile.WRAP_WIDTH)
    if [e.comment for e in check] != [e.comment for e in entries]:
        return None      # not the file we thought: leave it alone
    return result


def _with_notes(block: str, notes: list[str]) -> str:
    lines = block.split("\n")
    ours = [i for i, line in enumerate(lines) if line.startswith(_OURS)]
    if ours:
        at = ours[0]
    else:    # after the template's own notes, where polib writes ours
        extracted = [i for i, line in enumerate(lines) if line.startswith("#.")]
        at = extracted[-1] + 1 if extracted else 0
    kept = [line for i, line in enumerate(lines) if i not in set(ours)]
    return "\n".join(kept[:at] + notes + kept[at:])
