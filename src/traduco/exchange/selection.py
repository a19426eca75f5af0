"""Which units go to an agency, with everything a translator should know.

    chosen = select(project, Selection(locales=["zh_CN"], waiting=True))
    for unit in chosen.units: ...      # one `OutgoingUnit` per catalog entry

A selection is by document, by locale, everything waiting (drafts and
untranslated units) or a risk band (drafts whose risk is low, medium or
high). Each unit carries its Italian, the current translation and its state,
the unit's context (document, msgctxt, notes for translators, traduco's
provenance note, check findings, risk), the glossary terms it uses, and a
fingerprint of its translation as exported (`base`), so an import can tell
whether a reviewer changed it in between.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import polib

from traduco import checks
from traduco.catalogs import pofile, provenance
from traduco.catalogs.catalog import each
from traduco.checks import risk
from traduco.checks.judge import Judge
from traduco.errors import ConfigError
from traduco.language.glossary import Term
from traduco.project.loading import Project

BANDS = (risk.LOW, risk.MEDIUM, risk.HIGH)


@dataclass(frozen=True)
class Selection:
    documents: tuple[str, ...] = ()      # none: every document
    locales: tuple[str, ...] = ()        # none: every locale of the project
    waiting: bool = False                # only drafts and untranslated units
    band: str | None = None              # only drafts at this risk level


@dataclass(frozen=True)
class OutgoingUnit:
    doc_id: str
    locale: str
    msgctxt: str | None
    msgid: str
    msgstr: str
    flags: tuple[str, ...]
    state: str                                       # pofile.APPROVED, DRAFT or UNTRANSLATED
    notes: tuple[tuple[str, str], ...] = ()          # (category, text), in the order shown
    terms: tuple[Term, ...] = ()

    @property
    def id(self) -> str:
        return unit_id(self.msgctxt, self.msgid)

    @property
    def base(self) -> str:
        return fingerprint(self.state, self.msgstr)


@dataclass
class Chosen:
    units: list[OutgoingUnit] = field(default_factory=list)
    source_files: dict[str, str] = field(default_factory=dict)     # doc_id -> X-Source-File
    problems: list[str] = field(default_factory=list)              # catalogs that cannot be read


def unit_id(msgctxt: str | None, msgid: str) -> str:
    """A unit's id in exchange files: the same for the same Italian and
    context in every export, an XML name (NMTOKEN) every tool keeps."""
    key = f"{msgctxt}\x04{msgid}" if msgctxt is not None else msgid
    return "u" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def fingerprint(state: str, msgstr: str) -> str:
    """The translation and its state as exported: changed if anyone saved since."""
    return hashlib.sha256(f"{state}\x00{msgstr}".encode("utf-8")).hexdigest()[:16]


def check_selection(project: Project, selection: Selection) -> None:
    """A selection naming an unknown document, locale or band is a usage mistake."""
    known = set(project.doc_ids())
    unknown = [doc for doc in selection.documents if doc not in known]
    if unknown:
        raise ConfigError(f"no document {', '.join(unknown)}",
                          hint=f"Known documents: {', '.join(sorted(known)) or '(none: run traduco run)'}")
    wrong = [loc for loc in selection.locales if loc not in project.locales]
    if wrong:
        raise ConfigError(f"--locale {', '.join(wrong)} is not one of the project's locales",
                          hint=f"Use one of {', '.join(project.locales)}")
    if selection.band is not None and selection.band not in BANDS:
        raise ConfigError(f"--risk {selection.band!r} is not a risk band", hint=f"Use one of {', '.join(BANDS)}")


def select(project: Project, selection: Selection) -> Chosen:
    check_selection(project, selection)
    judge, chosen = Judge.for_project(project), Chosen()
    for locale in selection.locales or project.locales:        # one locale's units, then the next
        for catalog in each(project, [locale], documents=list(selection.documents) or None):
            if catalog.verdict is not None:
                chosen.problems.append(catalog.verdict.message)
                continue
            if not catalog.exists:
                chosen.problems.append(f"{catalog.path}: no catalog yet: run `traduco run` first; not exported")
                continue
            entries = catalog.entries
            chosen.source_files[catalog.doc_id] = entries.metadata.get("X-Source-File", catalog.doc_id)
            judged = judge.judge(entries, locale)
            for entry in catalog.active():
                found, assessed = judged[id(entry)].findings, judged[id(entry)].risk
                if _wanted(entry, assessed, selection):
                    chosen.units.append(_outgoing(catalog.doc_id, locale, entry, found, assessed,
                                                  judge.glossary.find(entry.msgid) if judge.glossary else []))
    return chosen


def _wanted(entry: polib.POEntry, assessed: risk.Risk, selection: Selection) -> bool:
    state = pofile.state(entry)
    if selection.band is not None:
        return state == pofile.DRAFT and assessed.level == selection.band
    return not selection.waiting or state != pofile.APPROVED


def _outgoing(doc_id: str, locale: str, entry: polib.POEntry, found, assessed: risk.Risk,
              terms: list[Term]) -> OutgoingUnit:
    notes: list[tuple[str, str]] = [("document", doc_id)]
    if entry.msgctxt is not None:
        notes.append(("msgctxt", entry.msgctxt))
    for line in (entry.comment or "").splitlines():
        if not line.startswith((checks.COMMENT_PREFIX, risk.COMMENT_PREFIX)):
            notes.append(("description", line))
    notes += [("translator", line) for line in provenance.own_lines(entry.tcomment)
              if line.strip() and not line.startswith("older translation")]
    if provenance.note(entry):
        notes.append(("provenance", provenance.note(entry)))
    notes += [(f"check-{f.severity}", f"[{f.check}] {f.message}") for f in found]
    if pofile.state(entry) == pofile.DRAFT:
        notes.append(("risk", assessed.label()))
    return OutgoingUnit(doc_id, locale, entry.msgctxt, entry.msgid, entry.msgstr, tuple(entry.flags),
                        pofile.state(entry), tuple(notes), tuple(terms))
