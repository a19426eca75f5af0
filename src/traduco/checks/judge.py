"""Judging a draft: its check findings and its risk, put together in one place
for drafting, the queue, the review page, bulk approval and imports, and
written into the catalog as `#. check` and `#. risk:` notes (`Judge.annotate`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import polib

from traduco import checks
from traduco.catalogs import pofile
from traduco.checks import risk
from traduco.language.glossary import Glossary, load_glossary
from traduco.project.loading import Project


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
