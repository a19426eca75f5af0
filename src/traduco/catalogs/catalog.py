"""A document's catalog in one locale: read once, judged once, edited under its lock.

Every command that looks at catalogs (status, check, review, approve-low-risk,
the scorecard, translation memory, publishing) and every one that changes
them (drafting, bulk approval) goes through `Catalog`, and every loop over a
project's catalogs through `each`. The bytes are read once; the verdict, the
parsed entries, the hash and the template all come from those bytes, so what
was judged is what is used (and what publishing puts online).

>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "news.po").write_text(
...     'msgid ""\\nmsgstr ""\\n"Content-Type: text/plain; charset=UTF-8\\\\n"\\n\\n'
...     'msgid "Ciao"\\nmsgstr "Hello"\\n\\n#, fuzzy\\nmsgid "Grazie"\\nmsgstr "Thanks"\\n', encoding="utf-8")
...
>>> _ = (folder / "news.pot").write_text('msgid "Ciao"\\nmsgstr ""\\n\\nmsgid "Grazie"\\nmsgstr ""\\n\\n'
...                                  'msgid "Prego"\\nmsgstr ""\\n', encoding="utf-8")
...
>>> catalog = Catalog.at(folder / "news.po", folder / "news.pot", "news", "en")
>>> catalog.exists, catalog.verdict is None, catalog.sha256 == sha256(catalog.data)
(True, True, True)
>>> [e.msgid for e in catalog.approved()], [e.msgid for e in catalog.drafts()]
(['Ciao'], ['Grazie'])
>>> [e.msgid for e in catalog.missing_units()], dict(catalog.fuzzy_reasons())
(['Prego'], {'needs work': 1})

Editing: `catalog.edit(lock_path, change)` takes the catalog's lock, reads the
file, lets `change` return what to write, and writes it only if the file still
has the bytes `change` saw; a translator's save in between means reading
again and applying `change` again (`attempts` times), never overwriting it.

>>> def approve_all(fresh):
...     for entry in fresh.drafts():
...         entry.flags.remove("fuzzy")
...     return fresh.entries
>>> catalog.edit(folder / "locks" / "news.po.lock", approve_all)
True
>>> [e.msgid for e in catalog.reread().approved()], catalog.reread().sha256 != catalog.sha256
(['Ciao', 'Grazie'], True)
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import polib

from traduco import checks
from traduco.catalogs import pofile
from traduco.project import files
from traduco.catalogs import provenance
from traduco.checks import risk
from traduco.project.loading import Project
from traduco.errors import CatalogError
from traduco.language.glossary import Glossary, load_glossary


@dataclass(frozen=True)
class Catalog:
    doc_id: str
    locale: str
    path: Path                    # the catalog, for messages
    template_path: Path
    data: bytes | None            # None: there is no catalog
    template_data: bytes | None
    error: str | None = None      # the files could not be read at all
    unreadable: str | None = None  # why the catalog file itself could not be read

    # -- reading ------------------------------------------------------------------------------

    @classmethod
    def read(cls, project: Project, doc_id: str, locale: str, *,
             template_data: bytes | None | type(...) = ...) -> "Catalog":
        """A document's catalog and template, each read once (`template_data`:
        the template's bytes, already read for another locale)."""
        return cls.at(project.catalog_path(doc_id, locale), project.template_path(doc_id), doc_id, locale,
                      template_data=template_data)

    @classmethod
    def at(cls, path: Path, template_path: Path, doc_id: str, locale: str, *,
           template_data: bytes | None | type(...) = ...) -> "Catalog":
        try:
            data = files.contents(path)
        except OSError as exc:    # one unreadable file waits; the other documents go on
            return cls(doc_id, locale, path, template_path, None, None, error=_unreadable(exc, path),
                       unreadable=exc.strerror or str(exc))
        try:
            template = files.contents(template_path) if template_data is ... else template_data
        except OSError as exc:
            return cls(doc_id, locale, path, template_path, data, None, error=_unreadable(exc, template_path))
        return cls(doc_id, locale, path, template_path, data, template)

    @classmethod
    def to_edit(cls, project: Project, doc_id: str, locale: str) -> "Catalog":
        """The catalog not read yet: `edit` reads it under its lock."""
        return cls(doc_id, locale, project.catalog_path(doc_id, locale), project.template_path(doc_id),
                   None, None)

    @property
    def exists(self) -> bool:
        return self.data is not None

    @cached_property
    def sha256(self) -> str | None:
        return None if self.data is None else sha256(self.data)

    @cached_property
    def template_sha256(self) -> str | None:
        return None if self.template_data is None else sha256(self.template_data)

    @cached_property
    def entries(self) -> polib.POFile:
        """The bytes parsed (CatalogError if they cannot be trusted: see `pofile.load`)."""
        if self.data is None:
            raise CatalogError("no catalog yet", path=self.path, hint="Run `traduco run`")
        return pofile.load(self.data, self.path, locale=self.locale)

    @cached_property
    def template(self) -> polib.POFile:
        if self.template_data is None:
            raise CatalogError("no template", path=self.template_path, hint="Run `traduco run`")
        return pofile.load(self.template_data, self.template_path)

    @cached_property
    def verdict(self) -> CatalogError | None:
        """Why an existing catalog cannot be trusted (syntax, headers, what
        msgfmt -c refuses), or None. A missing catalog has no verdict."""
        if self.unreadable:
            return CatalogError(f"cannot be read ({self.unreadable})", path=self.path,
                                hint="Check that the file exists and that you may read it")
        if self.data is None:
            return None
        try:
            self.entries
        except CatalogError as exc:
            return exc
        return None

    # -- state ----------------------------------------------------------------------------------

    def active(self) -> list[polib.POEntry]:
        return pofile.active_entries(self.entries)

    def obsolete(self) -> list[polib.POEntry]:
        return [e for e in self.entries if e.obsolete]

    def approved(self) -> list[polib.POEntry]:
        return [e for e in self.active() if pofile.state(e) == pofile.APPROVED]

    def drafts(self) -> list[polib.POEntry]:
        return [e for e in self.active() if pofile.state(e) == pofile.DRAFT]

    def untranslated(self) -> list[polib.POEntry]:
        return [e for e in self.active() if pofile.state(e) == pofile.UNTRANSLATED]

    def units(self) -> list[tuple[str | None, str]]:
        """The keys of the current template's units, in template order."""
        return [(e.msgctxt, e.msgid) for e in pofile.active_entries(self.template)]

    def missing_units(self) -> list[polib.POEntry]:
        """The template's units the catalog lacks (no run since the source grew,
        or an entry deleted by hand): they wait like untranslated ones."""
        present = {(e.msgctxt, e.msgid) for e in self.active()}
        return [e for e in pofile.active_entries(self.template) if (e.msgctxt, e.msgid) not in present]

    def unit_states(self) -> list[str]:
        """The state of each template unit in the catalog ("missing" where it has none)."""
        entries = {(e.msgctxt, e.msgid): e for e in self.active()}
        return [pofile.state(entries[key]) if key in entries else "missing" for key in self.units()]

    def fuzzy_reasons(self) -> Counter:
        """Why drafts wait: machine draft, source changed, from memory, needs work."""
        return Counter(pofile.fuzzy_reason(e) for e in self.drafts())

    def provenance(self, entry: polib.POEntry) -> provenance.Provenance:
        return provenance.of(entry)

    # -- editing --------------------------------------------------------------------------------

    def reread(self) -> "Catalog":
        """The catalog as the file is now (the template as it was read)."""
        return dataclasses.replace(self, data=files.contents(self.path), error=None, unreadable=None)

    def edit(self, lock_path: Path, change: Callable[["Catalog"], polib.POFile | bytes | None], *,
             attempts: int = 1, wait: float = files.LOCK_WAIT_SECONDS) -> bool:
        """Change the catalog under its lock: read it, `change(fresh)` returns the
        catalog to write (None: nothing to write; bytes: the file's new bytes,
        written as they are, for a change that must leave even the revision
        date alone), written only if the file still holds the bytes `change`
        saw; else read again and apply `change` again. Returns whether the file
        was written; files.ChangedOnDisk when it kept changing for `attempts`
        tries; CatalogError from `change`, from reading, or when another
        writer holds the lock past `wait` seconds; OSError from writing."""
        with files.locked(self.path, lock_path, wait):
            for _ in range(attempts):
                fresh = self.reread()
                changed = change(fresh)
                if changed is None:
                    return False
                try:
                    if isinstance(changed, bytes):
                        files.atomic_write_bytes(self.path, changed, expected=fresh.data)
                        return True
                    return pofile.write(changed, self.path, expected=fresh.data)
                except files.ChangedOnDisk:
                    continue
        raise files.ChangedOnDisk(str(self.path))


def each(project: Project, locales: list[str] | None = None, *,
         folders: tuple[Path, ...] | None = None) -> Iterator[Catalog]:
    """Every document × locale of the project, one `Catalog` each, in document
    order; each template is read once for all its locales. With `folders` (of
    one locale's catalogs): every `.po` in them instead, template or not (what translation memory may
    reuse, retired and imported catalogs included: these carry no template)."""
    if folders is not None:
        for locale in locales or project.locales:
            for path in [p for folder in folders if folder.is_dir() for p in sorted(folder.glob("*.po"))]:
                yield Catalog.at(path, path.with_suffix(".pot"), path.stem, locale, template_data=None)
        return
    for doc_id in project.doc_ids():
        try:
            template = files.contents(project.template_path(doc_id))
        except OSError:
            template = ...       # each locale says so
        for locale in locales or project.locales:
            yield Catalog.read(project, doc_id, locale, template_data=template)


def _unreadable(exc: OSError, path: Path) -> str:
    return f"{exc.filename or path}: cannot be read ({exc.strerror or exc})"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- judging drafts: checks, risk ------------------------------------------------------------------

def check_cache(project: Project) -> checks.CheckCache:
    return checks.CheckCache(project.state_dir / "checks.sqlite")


@dataclass(frozen=True)
class Judgement:
    findings: list[checks.Finding]
    risk: risk.Risk


@dataclass
class Judge:
    """What an entry is judged by: the glossary, the checks' cache and the
    scorecard's priors for the provider. One place puts a draft's risk inputs
    together, for drafting, the queue, the review page and bulk approval."""
    glossary: Glossary | None
    cache: checks.CheckCache | None
    state_dir: Path
    _priors: dict[str, dict[str, float]] = dataclasses.field(default_factory=dict)

    @classmethod
    def for_project(cls, project: Project) -> "Judge":
        return cls(load_glossary(project), check_cache(project), project.state_dir)

    def priors(self, locale: str) -> dict[str, float]:
        if locale not in self._priors:
            self._priors[locale] = risk.provider_priors(self.state_dir, locale)
        return self._priors[locale]

    def judge(self, catalog: polib.POFile, locale: str,
              priors: dict[str, float] | None = None) -> dict[int, Judgement]:
        """id(entry) -> its check findings and risk, for every active entry."""
        found = {id(e): f for e, f in checks.catalog_findings(catalog, locale, self.glossary, self.cache)}
        priors = self.priors(locale) if priors is None else priors
        return {id(e): Judgement(found.get(id(e), []), risk.assess(e, locale, found.get(id(e), []), priors))
                for e in pofile.active_entries(catalog)}

    def annotate(self, catalog: polib.POFile, locale: str) -> tuple[int, int]:
        """Write what the checks and the risk find as each active entry's notes;
        returns the errors and warnings found."""
        judged = self.judge(catalog, locale)     # once: the check notes and the risk notes from it
        errors = warnings = 0
        for entry in pofile.active_entries(catalog):
            found = judged[id(entry)]
            checks.annotate(entry, found.findings)
            risk.annotate(entry, found.risk)
            errors += sum(f.severity == checks.ERROR for f in found.findings)
            warnings += sum(f.severity == checks.WARNING for f in found.findings)
        return errors, warnings

    def annotate_entries(self, entries: list[polib.POEntry], locale: str) -> None:
        """The same notes on `entries` only (an import: the other entries stay as they were)."""
        priors = self.priors(locale)
        for entry in entries:
            found = self.cache.findings(entry, locale, self.glossary) if self.cache else \
                checks.check_entry(entry, locale, self.glossary)
            checks.annotate(entry, found)
            risk.annotate(entry, risk.assess(entry, locale, found, priors))
