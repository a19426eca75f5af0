"""Risk: how likely a draft is to be wrong, so reviewers read the worst first.

A draft's risk comes from signals traduco already has: the checks' findings
(a glossary term missing among them), the length of the translation against
what the language pair usually gives, protected spans the provider dropped
(restored by traduco, but a sign it mangled the sentence), a fuzzy memory
match whose numbers differ, disagreement with a second-opinion provider, and
how much reviewers changed that provider's earlier drafts (the scorecard).
Each signal is a chance that the draft is wrong; they combine as independent
chances do (noisy-OR), so one strong signal is enough and several weak ones
add up:

    risk = assess(entry, "zh_CN", findings)
    risk.score, risk.level, risk.label()     # 0.93, 'high', 'high — numbers differ'

The draft-time signals live in the entry's `traduco:` provenance note, so the
risk travels with the catalog and can be computed again anywhere, at once.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polib
from rapidfuzz import fuzz

from traduco import checks
from traduco.catalogs import pofile, provenance
from traduco.checks.negation import negations
from traduco.language.numbers import quantities
from traduco.project.private import write_private

RISK_VERSION = "1"         # bump when the weights change: cached queue rows are recomputed
COMMENT_PREFIX = "risk: "  # the extracted comment (Poedit: "Notes for translators")
LOW, MEDIUM, HIGH = "low", "medium", "high"
LEVELS = ((0.6, HIGH), (0.3, MEDIUM))   # below 0.3: low

# How likely each check's finding means a wrong draft. Errors are facts a
# reviewer must fix; warnings are hints.
_FINDING_WEIGHT = {"numbers": 0.9, "dates": 0.9, "tokens": 0.85, "untranslated": 0.9, "empty": 0.95,
                   "zh-traditional": 0.8, "sentences": 0.8, "glossary": 0.7, "identical": 0.5,
                   "length": 0.35, "zh-punctuation": 0.35, "negation": 0.4}
_WARNING_WEIGHT = 0.3       # a warning of a check not listed (or a downgraded error)
_REASON = {"numbers": "numbers differ", "dates": "dates differ", "tokens": "tokens lost",
           "untranslated": "Italian left untranslated", "empty": "blank", "glossary": "glossary term missing",
           "sentences": "sentence dropped?", "zh-traditional": "Traditional characters",
           "identical": "not translated", "length": "unusual length", "zh-punctuation": "half-width punctuation",
           "negation": "negation lost?"}

# Notes the drafting step leaves in the provenance (see `traduco.drafting.drafts`).
_DROPPED = re.compile(r"check: the machine dropped ")
_FIGURES = re.compile(r"check: numbers differ from the match")
_FUZZY = re.compile(r"fuzzy match (\d+) %")
_SECOND = re.compile(r"second opinion by (\w+): (\d+) % similar((?:, \w+ differ)*)")
_PROVIDER = re.compile(r"^machine draft by (\w+) on")


@dataclass(frozen=True)
class Risk:
    score: float                      # 0 (surely fine) to 1 (surely wrong)
    reasons: tuple[str, ...] = ()     # the strongest first

    @property
    def level(self) -> str:
        for floor, name in LEVELS:
            if self.score >= floor:
                return name
        return LOW

    def label(self) -> str:
        """'high — numbers differ, providers disagree', for the catalog comment."""
        return f"{self.level} — {', '.join(self.reasons)}" if self.reasons else self.level


NONE = Risk(0.0)


def level(score: float) -> str:
    return Risk(score).level


def assess(entry: polib.POEntry, locale: str, findings: list[checks.Finding],
           priors: dict[str, float] | None = None) -> Risk:
    """The risk of a draft (fuzzy entry). For an approved entry, only what its
    text shows (findings, length, negations): where the draft came from was the
    reviewer's to judge. NONE for an untranslated one. `priors`: provider ->
    median share of words reviewers changed in its drafts for this locale (0
    to 1; see `provider_priors`)."""
    state = pofile.state(entry)
    if state == pofile.UNTRANSLATED:
        return NONE
    chances: list[tuple[float, str]] = []
    for finding in findings:
        weight = _FINDING_WEIGHT.get(finding.check, _WARNING_WEIGHT)
        if finding.severity == checks.WARNING:
            weight = min(weight, 0.45)
        chances.append((weight, _REASON.get(finding.check, finding.check)))
    if state == pofile.DRAFT:
        chances += _origin(entry, priors or {})
    if not any(f.check == "length" for f in findings):   # the check already said it
        chances.append(_length(entry.msgid, entry.msgstr, locale))
    return combine(chances)


def combine(chances: list[tuple[float, str]]) -> Risk:
    """Independent chances of being wrong, combined (noisy-OR); the reasons are
    the signals that matter (0.2 or more), strongest first, each named once."""
    survive = 1.0
    for weight, _ in chances:
        survive *= 1.0 - min(max(weight, 0.0), 0.99)
    named = sorted((c for c in chances if c[0] >= 0.2), key=lambda c: -c[0])
    return Risk(round(1.0 - survive, 3), tuple(dict.fromkeys(reason for _, reason in named)))


def _origin(entry: polib.POEntry, priors: dict[str, float]) -> list[tuple[float, str]]:
    """What the provenance note says about where the draft came from."""
    reason = pofile.fuzzy_reason(entry)
    note = provenance.note(entry) or ""
    if reason == pofile.SOURCE_CHANGED:    # a translation of the old Italian: never fine as it is
        return [(0.9, "Italian changed")]
    if reason == pofile.NEEDS_WORK:        # a person said so
        return [(0.9, "marked needs work")]
    chances = [(0.05, "machine draft")] if reason == pofile.MACHINE else []
    if _DROPPED.search(note):
        chances.append((0.6, "tokens lost and restored"))
    if _FIGURES.search(note):
        chances.append((0.85, "numbers differ from the memory match"))
    fuzzy = _FUZZY.search(note)
    if fuzzy:
        chances.append(((100 - int(fuzzy.group(1))) / 100 * 1.2, "fuzzy match"))
    second = _SECOND.search(note)
    if second:
        chances.append((disagreement_weight(int(second.group(2)) / 100), "providers disagree"))
        if "figures differ" in second.group(3):
            chances.append((0.7, "providers disagree on figures"))
        if "negations differ" in second.group(3):
            chances.append((0.5, "providers disagree on a negation"))
    provider = _PROVIDER.match(note)
    if provider and provider.group(1) in priors:
        chances.append((min(0.35, priors[provider.group(1)] * 0.6), "provider often corrected"))
    return chances


def second_opinion_note(provider: str, draft: str, other: str, locale: str) -> str:
    """'second opinion by deepl: 83 % similar, figures differ': how far another
    provider's answer is from the draft, in the draft's provenance note. Two
    answers can be 98 % alike and still state different numbers, or one of
    them lose a "not": those are said apart."""
    note = f"second opinion by {provider}: {similarity(draft, other)} % similar"
    language = locale.split("_")[0]
    mine, theirs = quantities(draft, language), quantities(other, language)
    if Counter(mine.numbers) != Counter(theirs.numbers) or Counter(mine.dates) != Counter(theirs.dates):
        note += ", figures differ"
    if negations(draft, language) != negations(other, language):
        note += ", negations differ"
    return note


def similarity(first: str, second: str) -> int:
    """How alike two translations are, per cent of characters (works for Chinese)."""
    return int(fuzz.ratio(first, second))


def disagreement_weight(similar: float) -> float:
    """Two providers that agree (90 % alike or more) say nothing; below, the
    less alike, the likelier the draft is wrong (at half alike: 0.6)."""
    return min(0.85, max(0.0, (0.9 - similar) * 1.5))


# Characters of translation per character of Italian for the language pair
# (the checks' measurement on the sample's human references).
def _length(source: str, target: str, locale: str) -> tuple[float, str]:
    if len(source) < 20 or not target:
        return (0.0, "unusual length")
    typical = checks.TYPICAL_RATIO.get(locale.split("_")[0], 1.0)
    off = abs(math.log((len(target) / len(source)) / typical))
    # within ~25 % of the usual ratio is ordinary variation between translators
    return (min(0.6, max(0.0, off - 0.22) * 1.2), "unusual length")


# -- the catalog comment -------------------------------------------------------

def annotate(entry: polib.POEntry, risk: Risk) -> None:
    """Show the risk to the reviewer as an extracted comment (replacing the
    previous one); untranslated entries carry none. Approved entries keep one
    for their text, so approving in Poedit (the note still true) leaves the
    next run nothing to rewrite."""
    lines = [line for line in (entry.comment or "").splitlines() if not line.startswith(COMMENT_PREFIX)]
    findings = [line for line in lines if line.startswith(checks.COMMENT_PREFIX)]
    notes = [line for line in lines if not line.startswith(checks.COMMENT_PREFIX)]
    shown = [COMMENT_PREFIX + risk.label()] if pofile.state(entry) != pofile.UNTRANSLATED else []
    # the summary above the findings that explain it, where the checks' own
    # rewrite of their lines leaves it too: the next run changes no byte
    entry.comment = "\n".join([*notes, *shown, *findings])


# -- the scorecard as a prior ----------------------------------------------------

def priors_path(state_dir: Path) -> Path:
    return state_dir / "scorecard.json"


def save_priors(state_dir: Path, scores) -> None:
    """Keep the scorecard's median edit rate per provider and locale, for risk:
    computing the scorecard reads every catalog, which status must not wait for."""
    table = {f"{s.provider}|{s.locale}": round(s.median_ter / 100, 4)
             for s in scores if s.median_ter is not None and s.entries >= 3}
    write_private(priors_path(state_dir), json.dumps(table, sort_keys=True))


def provider_priors(state_dir: Path, locale: str) -> dict[str, float]:
    """provider -> median share of words reviewers changed (0 to 1), from the
    scorecard `traduco report` last saved; empty before the first."""
    try:
        table = json.loads(priors_path(state_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {key.split("|")[0]: float(value) for key, value in table.items()
            if isinstance(value, (int, float)) and key.endswith(f"|{locale}")}
