"""Post-edit scorecard: how much reviewers changed each provider's drafts.

For every approved entry that started as a machine draft, the draft as the
provider returned it (kept in the MT cache) is compared with what the reviewer
approved: accepted unchanged or not, and the edit rate (TER, the share of
words a reviewer had to insert, delete, substitute or shift; characters for
Chinese) and chrF. Per provider and locale, so the office can pick the
provider that saves reviewers the most time.

    for row in scorecard(project): print(row.provider, row.locale, row.unchanged_share, row.median_ter)
"""

from __future__ import annotations

import sqlite3
import statistics
from dataclasses import asdict, dataclass, field

from traduco.catalogs.catalog import each
from traduco.mt import language_code
from traduco.project.loading import Project

@dataclass
class Score:
    provider: str
    locale: str
    entries: int = 0
    unchanged: int = 0
    ter: list[float] = field(default_factory=list)
    chrf: list[float] = field(default_factory=list)

    @property
    def unchanged_share(self) -> float:
        return self.unchanged / self.entries if self.entries else 0.0

    @property
    def median_ter(self) -> float | None:
        return statistics.median(self.ter) if self.ter else None

    @property
    def median_chrf(self) -> float | None:
        return statistics.median(self.chrf) if self.chrf else None

    def as_dict(self) -> dict:
        data = asdict(self)
        del data["ter"], data["chrf"]
        return {**data, "unchanged_share": round(self.unchanged_share, 4),
                "median_ter": _round(self.median_ter), "median_chrf": _round(self.median_chrf)}


def scorecard(project: Project) -> list[Score]:
    scores: dict[tuple[str, str], Score] = {}
    drafts = _MachineDrafts(project)
    for catalog in each(project):
        if not catalog.exists or catalog.verdict:
            continue
        locale = catalog.locale
        for entry in catalog.approved():
            source = catalog.provenance(entry)
            if not source.provider:
                continue
            original = drafts.find(source.provider, locale, entry.msgid)
            if original is None:
                continue
            score = scores.setdefault((source.provider, locale), Score(source.provider, locale))
            score.entries += 1
            score.unchanged += original == entry.msgstr
            ter, chrf = edit_scores(original, entry.msgstr, locale)
            score.ter.append(ter)
            score.chrf.append(chrf)
    return sorted(scores.values(), key=lambda s: (s.locale, s.median_ter or 0))


def edit_scores(draft: str, approved: str, locale: str) -> tuple[float, float]:
    """(TER, chrF) of the machine draft against the approved text, 0 to 100."""
    from sacrebleu.metrics import CHRF, TER
    chinese = locale.startswith("zh") or locale.startswith("ja")
    ter = TER(normalized=chinese, asian_support=chinese).sentence_score(draft, [approved]).score
    chrf = CHRF().sentence_score(draft, [approved]).score
    return ter, chrf


class _MachineDrafts:
    """The provider's original answers, from the MT cache (newest first)."""

    def __init__(self, project: Project):
        path = project.state_dir / "mt-cache.sqlite"
        self._db = sqlite3.connect(path) if path.exists() else None
        self._source = project.source_language

    def find(self, provider: str, locale: str, text: str) -> str | None:
        if self._db is None:
            return None
        # An LLM is scored per model ("openai:qwen-plus"); its answers are cached under
        # the provider, with the model in the context.
        provider, _, model = provider.partition(":")
        row = self._db.execute(
            "SELECT translation FROM translations WHERE provider=? AND source=? AND target=? AND text=? "
            "AND (? = '' OR context LIKE ?) ORDER BY created DESC LIMIT 1",
            (provider, language_code(provider, self._source), language_code(provider, locale), text,
             model, f"%model:{model}")).fetchone()
        return row[0] if row else None


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None
