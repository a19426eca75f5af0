"""An agency's XLIFF merged into the catalogs, as a person's save would be.

    outcome = import_xliff(project, Path("returned/zh_CN.xlf"))

Rules (docs/agencies.md tells translators and editors the same):

- a unit the tool confirmed (`xliff_in`'s table) becomes approved; any other
  translated unit becomes a "needs work" draft with the agency's text;
- a unit whose Italian changed since the export becomes a draft with a note,
  the exported Italian shown as the previous source;
- a unit that no longer exists is reported;
- the checks and the risk note run on every imported text;
- an entry a reviewer approved after the export is never overwritten: a
  confirmed unit that differs becomes the merge driver's conflict (one fuzzy
  entry, the other translation kept as `other approved translation`), an
  unconfirmed one leaves the reviewer's translation as it is;
- a file traduco cannot trust (cut short, another source language, a locale
  the project lacks, ids that do not match their Italian, inline codes the
  Italian lacks, entity tricks) is refused whole before any catalog is read
  for writing: one message naming the file, nothing changed.

Each catalog is rewritten under its lock and only if the catalog on disk is
the one read (`pofile.write(expected=...)`); entries the file did not
change keep their bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polib
from babel.core import get_global, parse_locale

from traduco.catalogs import pofile, provenance
from traduco.catalogs.catalog import Catalog
from traduco.catalogs.merge import OTHER_PREFIX, Conflict
from traduco.catalogs.update import pair_edited
from traduco.checks.judge import Judge
from traduco.errors import CatalogError
from traduco.exchange import inline
from traduco.exchange.inline import CLOSE
from traduco.exchange.safexml import ExchangeError
from traduco.exchange.selection import fingerprint, unit_id
from traduco.exchange.xliff_in import TOOLS, Ref, ReturnedFile, ReturnedUnit, code_table, read_xliff, resolve
from traduco.project import files
from traduco.project.loading import Project

_ID = re.compile(r"u[0-9a-f]{16}")


@dataclass
class Planned:
    """One returned unit, checked: what it says, and where it goes."""
    doc_id: str
    unit: ReturnedUnit
    key: str                    # traduco's id of the unit (the tool's own may differ)
    source: str                 # the Italian it was exported with
    target: str | None


@dataclass
class ImportOutcome:
    dialect: str = ""
    locale: str = ""
    units: int = 0
    approved: int = 0
    drafts: int = 0
    source_changed: int = 0
    unchanged: int = 0
    vanished: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)          # a reviewer's approval left as it is
    conflicts: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def import_xliff(project: Project, path: Path) -> ImportOutcome:
    returned = read_xliff(path)
    locale = _locale(project, returned)
    plan = _plan(project, returned, locale)
    outcome = ImportOutcome(returned.dialect, locale, units=sum(len(p) for p in plan.values()))
    judge = Judge.for_project(project)
    for doc_id, planned in plan.items():
        catalog = Catalog.to_edit(project, doc_id, locale)
        target = catalog.path

        def merged(fresh: Catalog, doc_id=doc_id, planned=planned) -> polib.POFile | None:
            if not fresh.exists:
                outcome.vanished += [f"{doc_id}: {_short(p.source)}" for p in planned]
                return None
            entries = fresh.entries
            changed = _apply(entries, planned, path.name, outcome, str(fresh.path.relative_to(project.root)))
            judge.annotate_entries(changed, locale)    # the checks and risk note, as a run writes them
            return entries if changed else None
        try:
            if catalog.edit(project.lock_path(target), merged):
                outcome.written.append(target)
        except files.ChangedOnDisk:
            outcome.problems.append(f"{target}: changed while importing; nothing imported into it. "
                                    "Run the command again")
        except CatalogError as exc:
            outcome.problems.append(exc.message)
    return outcome


# -- checking the file before anything is written --------------------------------

def _locale(project: Project, returned: ReturnedFile) -> str:
    source = returned.source_language.replace("_", "-").split("-")[0].lower()
    if source != project.source_language.lower():
        raise ExchangeError(f"its source language is {returned.source_language}, but this project "
                            f"translates from {project.source_language}", path=returned.path,
                            hint="Nothing was changed. Is this file from another project?")
    match = _project_locale(project.locales, returned.target_language)
    if match is not None:
        return match
    raise ExchangeError(f"its target language {returned.target_language} is not one of the project's "
                        f"locales ({', '.join(project.locales)})", path=returned.path,
                        hint="Nothing was changed. Check the file's target language in the CAT tool")


def _project_locale(locales, tag: str) -> str | None:
    """The project's locale a tool's language tag names: `zh-CN`, `zh-Hans-CN`,
    `zh-Hans` for zh_CN; a regional variant (`en-US`, as Trados must write
    English) for a project's only `en`; never another script (`zh-Hant`)."""
    try:
        language, region, script, _ = parse_locale(tag.strip().replace("_", "-"), sep="-")
    except ValueError:
        return None
    region = (region or "").upper()
    alike = [locale for locale in locales if parse_locale(locale)[0].lower() == language.lower()
             and (not script or _likely_script(locale) == script.title())]
    exact = [locale for locale in alike if (parse_locale(locale)[1] or "").upper() == region]
    if exact:
        return exact[0]
    return alike[0] if len(alike) == 1 and (not region or not parse_locale(alike[0])[1]) else None


def _likely_script(locale: str) -> str | None:
    language, region = parse_locale(locale)[:2]
    likely = get_global("likely_subtags")
    found = likely.get(f"{language}_{region}") or likely.get(language)
    return parse_locale(found)[2] if found else None


def _plan(project: Project, returned: ReturnedFile, locale: str) -> dict[str, list[Planned]]:
    known = project.doc_ids()
    plan: dict[str, list[Planned]] = {}
    lookups, matched = _Lookups(project, locale), 0
    for original, units in returned.documents.items():
        documents = [original] if original in known else known     # Trados names its own temp file
        _unique_ids(units, returned.path)
        for unit in units:
            if _ID.fullmatch(unit.id):
                placed = [(doc_id, lookups[doc_id].find(unit.id) or lookups[doc_id].edited(_exported(unit)))
                          for doc_id in documents]
            elif returned.dialect in TOOLS:        # the tool's own ids: the unit is found by its Italian
                placed = [(doc_id, lookups[doc_id].by_text(_plain(unit.source))) for doc_id in documents]
            else:
                raise ExchangeError(f"unit {unit.id!r} is not one traduco exported (ids that do not match)",
                                    path=returned.path, line=unit.line,
                                    hint="Nothing was changed. Import only files made by `traduco export-xliff`, "
                                         "returned with their unit ids")
            placed = [(doc_id, entry) for doc_id, entry in placed if entry is not None]
            if not placed and _ID.fullmatch(unit.id) and original in known:
                # the id is a hash of the unit's own text: found in another document, it is that unit
                placed = [(doc_id, found) for doc_id in known if (found := lookups[doc_id].find(unit.id))]
            matched += bool(placed)
            if not placed:
                plan.setdefault(original, []).append(_checked(unit, None, returned.path, original))
            for doc_id, entry in placed:
                plan.setdefault(doc_id, []).append(_checked(unit, entry, returned.path, doc_id))
    if plan and not matched:
        raise ExchangeError(f"none of its units is in this project's {locale} catalogs", path=returned.path,
                            hint="Nothing was changed. Is the file from another project, or were its "
                                 "documents removed since the export? (traduco status lists them)")
    return plan


def _unique_ids(units: list[ReturnedUnit], path: Path) -> None:
    """XLIFF wants a unit's id once per file: a second one (a unit pasted twice) is
    two translations of one text, of which traduco cannot tell the agency's."""
    seen: dict[str, int | None] = {}
    for unit in units:
        if unit.id in seen:
            raise ExchangeError(f"unit {unit.id} appears twice (also on line {seen[unit.id]})", path=path,
                                line=unit.line, hint="Nothing was changed. Keep one of them, then import again")
        seen[unit.id] = unit.line


def _checked(unit: ReturnedUnit, entry: tuple[str, polib.POEntry] | None, path: Path, doc_id: str) -> Planned:
    italian, flags = (entry[0], entry[1].flags) if entry else ("", ())
    ours = inline.natives(inline.split(italian, flags))
    tool_ids = not _ID.fullmatch(unit.id)
    # a tool's code elements wrap ours in its own (memoQ: the escaped XLIFF tag): pair them by order
    codes = _by_order(unit.source, italian, flags) if tool_ids else code_table(unit.source, ours)
    source, unknown = resolve(unit.source, codes)
    if entry is None and tool_ids:
        return Planned(doc_id, unit, unit.id, source, None)
    key = unit_id(entry[1].msgctxt if tool_ids else unit.msgctxt, source)
    if unknown or (key != unit.id and not tool_ids) or (tool_ids and source != italian):
        raise ExchangeError(f"unit {unit.id} does not match its Italian (the id was made for other text: "
                            "the tool changed the source, or ids were edited)", path=path, line=unit.line,
                            hint="Nothing was changed. Return the file with its source text untouched")
    target = None
    if unit.target is not None:
        target, unknown = resolve(unit.target, codes)
        if unknown:
            raise ExchangeError(f"the translation of unit {unit.id} holds inline code(s) "
                                f"{', '.join(unknown)} that its Italian does not have", path=path, line=unit.line,
                                hint="Nothing was changed. Fix the tags in the CAT tool (its tag check) and "
                                     "export again")
    return Planned(doc_id, unit, key, source, target)


def _exported(unit: ReturnedUnit) -> tuple[str | None, str] | None:
    """(msgctxt, Italian) the unit was exported with, as far as the file alone
    tells (an XLIFF 1.2 `<g>` carries no native code): None if it cannot."""
    source, unknown = resolve(unit.source, code_table(unit.source, {}))
    return None if unknown or unit_id(unit.msgctxt, source) != unit.id else (unit.msgctxt, source)


def _plain(marked) -> str:
    return "".join(piece for piece in marked if isinstance(piece, str))


def _by_order(marked, italian: str, flags) -> dict[str, tuple[str, str]]:
    """A tool's own code ids (Trados's, memoQ's) paired with the Italian's codes in order."""
    ours = [p for p in inline.split(italian, flags) if isinstance(p, inline.Code)]
    theirs = [p for p in marked if isinstance(p, Ref)]
    table: dict[str, tuple[str, str]] = {}
    for mine, other in zip(ours, theirs):
        start, end = table.get(other.id, ("", ""))
        table[other.id] = (start, mine.native) if other.role == CLOSE else (mine.native, end)
    return table


class _Lookups(dict):
    """Each document's `_Lookup`, read the first time a unit asks for it."""

    def __init__(self, project: Project, locale: str):
        super().__init__()
        self.project, self.locale = project, locale

    def __missing__(self, doc_id: str) -> "_Lookup":
        self[doc_id] = _Lookup.of(self.project, doc_id, self.locale)
        return self[doc_id]


@dataclass
class _Lookup:
    """A catalog's entries by exchange id: the current Italian, and the Italian
    before a source change (the `#|` previous msgid)."""
    current: dict[str, polib.POEntry]
    previous: dict[str, polib.POEntry]
    plain: dict[str, tuple[str, polib.POEntry]] | None = None     # by text without codes, made on first use

    @classmethod
    def of(cls, project: Project, doc_id: str, locale: str) -> "_Lookup":
        try:
            catalog = pofile.read_existing(project.catalog_path(doc_id, locale), locale=locale)
        except CatalogError:
            catalog = None       # reported when it is written to
        return cls.of_catalog(catalog) if catalog is not None else cls({}, {})

    @classmethod
    def of_catalog(cls, catalog: polib.POFile) -> "_Lookup":
        active = pofile.active_entries(catalog)
        return cls({unit_id(e.msgctxt, e.msgid): e for e in active},
                   {unit_id(e.previous_msgctxt or e.msgctxt, e.previous_msgid): e
                    for e in active if e.previous_msgid})

    def by_text(self, plain: str) -> tuple[str, polib.POEntry] | None:
        """(the Italian, the entry) whose text without its codes is `plain`."""
        if self.plain is None:
            self.plain = {}
            for entry in self.previous.values():
                self.plain[_plain(inline.split(entry.previous_msgid, entry.flags))] = (entry.previous_msgid, entry)
            for entry in self.current.values():       # the current Italian first
                self.plain[_plain(inline.split(entry.msgid, entry.flags))] = (entry.msgid, entry)
        return self.plain.get(plain)

    def edited(self, exported: tuple[str | None, str] | None) -> tuple[str, polib.POEntry] | None:
        """The entry whose Italian is an edit of the exported one (a paragraph
        rewritten since, its old draft gone), paired by the rule the run's merge
        uses; None if no paragraph is alike enough."""
        if exported is None:
            return None
        fresh = [e for e in self.current.values() if e.msgctxt == exported[0]]
        pair = next(pair_edited(fresh, [polib.POEntry(msgctxt=exported[0], msgid=exported[1])]), None)
        return (exported[1], pair[0]) if pair else None

    def find(self, exchange_id: str) -> tuple[str, polib.POEntry] | None:
        """(the Italian as exported, the entry) for an id."""
        if exchange_id in self.current:
            return self.current[exchange_id].msgid, self.current[exchange_id]
        if exchange_id in self.previous:
            return self.previous[exchange_id].previous_msgid, self.previous[exchange_id]
        return None


# -- merging -------------------------------------------------------------------

def _apply(catalog: polib.POFile, planned: list[Planned], name: str, outcome: ImportOutcome,
           where: str) -> list[polib.POEntry]:
    lookup = _Lookup.of_catalog(catalog)
    moment = f"{files.now():%Y-%m-%d %H:%M} UTC"
    changed = []
    for item in planned:
        found = lookup.find(item.key) or lookup.edited((item.unit.msgctxt, item.source))
        if found is None:
            outcome.vanished.append(f"{item.doc_id}: {_short(item.source)}")
            continue
        entry = found[1]
        if not item.target or not item.target.strip():
            outcome.unchanged += 1
            continue
        item.target = _outer_like(item.target, entry.msgid)
        if entry.msgid != item.source:
            if pofile.state(entry) == pofile.APPROVED:
                outcome.kept.append(f"{where}: \"{_short(entry.msgid)}\" was approved for its new Italian "
                                    "since the export; the agency's translation of the old Italian is not used")
                continue
            _draft(entry, item.target, f"imported from {name} on {moment}: the Italian changed since it was "
                   "exported (the exported Italian is shown as previous); bring the translation in line with "
                   "the new Italian, then clear fuzzy", previous=item.source)
            outcome.source_changed += 1
            changed.append(entry)
            continue
        action = _action(entry, item)
        if action == "unchanged":
            outcome.unchanged += 1
            continue
        if action == "keep":
            outcome.kept.append(f"{where}: \"{_short(entry.msgid)}\" was approved by a reviewer since the "
                                "export; the agency's unconfirmed translation is not used")
            continue
        if action == "conflict":
            other = entry.msgstr
            pofile.mark_draft(entry, item.target, provenance.Provenance(provenance.CONFLICT))
            lines = [line for line in provenance.own_lines(entry.tcomment) if not line.startswith(OTHER_PREFIX)]
            entry.tcomment = provenance.comment([*lines, f"{OTHER_PREFIX}: {' '.join(other.split())}"],
                                                provenance.note(entry))
            entry.previous_msgid = entry.previous_msgctxt = None
            outcome.conflicts.append(Conflict(where, entry.msgid, item.target, other).line())
        elif action == "approve":
            _approve(entry, item.target, f"approved by the agency (file {name}) on {moment}")
            outcome.approved += 1
        else:
            _draft(entry, item.target, f"imported from {name} on {moment}: the agency's translation, not "
                   "confirmed in their tool; review it, then clear fuzzy")
            outcome.drafts += 1
        changed.append(entry)
    return changed


def _outer_like(text: str, italian: str) -> str:
    """The translation between the Italian's own leading and trailing whitespace:
    a tool's pretty-printing (a target on lines of its own) is not the agency's
    text, and gettext refuses a msgstr whose first or last newline the msgid lacks."""
    lead, trail = italian[:len(italian) - len(italian.lstrip())], italian[len(italian.rstrip()):]
    return lead + text.strip() + trail


def _action(entry: polib.POEntry, item: Planned) -> str:
    state = pofile.state(entry)
    wanted = pofile.APPROVED if item.unit.approved else pofile.DRAFT
    if item.target == entry.msgstr and wanted == state:
        return "unchanged"
    if item.unit.base is not None and item.unit.base == fingerprint(wanted, item.target):
        return "unchanged"      # the agency left it as exported: whatever was saved since stands
    untouched = item.unit.base is not None and item.unit.base == fingerprint(state, entry.msgstr)
    if state == pofile.APPROVED and not untouched:      # a reviewer's approval since the export
        if item.target == entry.msgstr:
            return "unchanged"
        return "conflict" if item.unit.approved else "keep"
    return "approve" if item.unit.approved else "draft"


def _approve(entry: polib.POEntry, text: str, note: str) -> None:
    entry.msgstr = text
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgid = entry.previous_msgctxt = None
    provenance.settle(entry)
    before = provenance.note(entry)
    provenance.write_note(entry, f"{before}; {note}" if before else note)


def _draft(entry: polib.POEntry, text: str, note: str, previous: str | None = None) -> None:
    entry.msgstr = text
    if "fuzzy" not in entry.flags:
        entry.flags.insert(0, "fuzzy")
    entry.previous_msgid = previous
    entry.previous_msgctxt = None
    provenance.write_note(entry, note)


def _short(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"
