"""How well the risk score tells faulty drafts from correct ones.

On the QA corpus (`corpus.json`: units `{"id", "it", "en", "zh_CN", "kinds"}`,
and its `glossary.csv`), each correct translation is a machine draft as a
reviewer would get it, and so is each mutated copy (bench/mutations.py: one
realistic fault per kind). Every draft is scored by `traduco.checks.risk.assess`
exactly as `traduco status` scores it (checks, glossary, length, provenance).
Prints the AUC (the chance that a faulty draft scores above a correct one;
target 0.9 or more), the share of correct drafts below the highest threshold
that lets at most 2 % of faulty drafts through, what `approve-low-risk
--below 0.3` would let through, and the faulty drafts below each bar by kind.

With `--second-opinion`, each draft also carries a second provider's answer,
simulated as the corpus translation with its own fault of a random other kind
in a share of the units (`--second-wrong`, default 0.3): an estimate, since
two real providers' errors are not independent.

    python bench/review_risk.py
    python bench/review_risk.py --second-opinion
    python bench/review_risk.py --corpus path/to/set --show
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mutations import CORPUS, KINDS, mutate   # noqa: E402
from traduco.catalogs import provenance
from traduco.checks import risk
from traduco.checks import check   # noqa: E402
from traduco.language.glossary import Glossary   # noqa: E402

LOCALES = ("en", "zh_CN")
FAULTY_THROUGH = 0.02       # the share of faulty drafts a bulk-approval bar may let through
NOTE = "machine draft by bench on 2026-11-26 06:12 UTC"


def score(italian: str, draft: str, locale: str, glossary: Glossary | None, second: str | None) -> float:
    entry = polib.POEntry(msgid=italian, msgstr=draft, flags=["fuzzy"])
    note = NOTE
    if second is not None:
        note += "; " + risk.second_opinion_note("other", draft, second, locale)
    provenance.write_note(entry, note)
    return risk.assess(entry, locale, check(italian, draft, locale, glossary)).score


def auc(faulty: list[float], correct: list[float]) -> float:
    """Mann-Whitney: the chance a faulty draft scores above a correct one (ties count half)."""
    wins = sum((f > c) + 0.5 * (f == c) for f in faulty for c in correct)
    return wins / (len(faulty) * len(correct))


def bar(faulty: list[float], allowed: float = FAULTY_THROUGH) -> float:
    """The highest threshold that lets at most `allowed` of the faulty drafts below it."""
    ranked = sorted(faulty)
    through = int(allowed * len(ranked))         # this many may be below the bar
    return ranked[through] if through < len(ranked) else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--second-opinion", action="store_true")
    parser.add_argument("--second-wrong", type=float, default=0.3)
    parser.add_argument("--show", action="store_true", help="print the faulty drafts that score low")
    args = parser.parse_args()
    units = json.loads((args.corpus / "corpus.json").read_text(encoding="utf-8"))
    glossary_path = args.corpus / "glossary.csv"
    glossary = Glossary.load(glossary_path) if glossary_path.exists() else None
    rng = random.Random(19)

    correct: list[float] = []
    faulty: list[tuple[float, str, str, str]] = []     # score, kind, unit id, locale
    shown: dict[tuple[str, str, str], str] = {}
    for unit in units:
        for locale in LOCALES:
            if not unit.get(locale):
                continue
            second = _second_opinion(unit, locale, rng, args.second_wrong) if args.second_opinion else None
            correct.append(score(unit["it"], unit[locale], locale, glossary, second))
            for kind in KINDS:
                mutated = mutate(unit, locale, kind, glossary)
                if mutated is not None:
                    faulty.append((score(unit["it"], mutated, locale, glossary, second), kind, unit["id"], locale))
                    shown[(kind, unit["id"], locale)] = mutated
    scores = [f[0] for f in faulty]
    threshold = bar(scores)
    print(f"{len(units)} units: {len(correct)} correct drafts, {len(faulty)} faulty drafts "
          f"({len(KINDS)} kinds){' with a simulated second opinion' if args.second_opinion else ''}")
    print(f"AUC (faulty above correct): {auc(scores, correct):.3f}   (target >= 0.9)")
    print(f"bar letting <= {FAULTY_THROUGH:.0%} of faulty through: risk < {threshold:.3f}: "
          f"{_share(correct, threshold):.1%} of correct drafts below it, "
          f"{_share(scores, threshold):.1%} of faulty")
    silent = sum(v <= min(correct) for v in scores)
    print(f"faulty drafts scoring no higher than the cleanest correct draft (no signal at all): "
          f"{silent} ({silent / len(scores):.1%}): a bar can let no fewer through")
    print(f"approve-low-risk --below 0.3: {_share(correct, 0.3):.1%} of correct drafts, "
          f"{_share(scores, 0.3):.1%} of faulty drafts")
    by_kind, low_by_kind = Counter(f[1] for f in faulty), Counter(f[1] for f in faulty if f[0] < 0.3)
    print("faulty drafts below 0.3 by kind: " + ", ".join(
        f"{kind} {low_by_kind[kind]}/{by_kind[kind]}" for kind in KINDS if by_kind[kind]))
    if args.show:
        for value, kind, unit_id, locale in sorted(faulty):
            if value < 0.3:
                print(f"  {value:.2f} {kind:18} {unit_id} {locale}: {shown[(kind, unit_id, locale)][:100]}")


def _second_opinion(unit: dict, locale: str, rng: random.Random, wrong: float) -> str:
    if rng.random() >= wrong:
        return unit[locale]
    for kind in rng.sample(KINDS, len(KINDS)):
        other = mutate({**unit, "id": unit["id"] + "/second"}, locale, kind)
        if other is not None:
            return other
    return unit[locale]


def _share(values: list[float], below: float) -> float:
    return sum(v < below for v in values) / len(values) if values else 0.0


if __name__ == "__main__":
    main()
