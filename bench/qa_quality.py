"""How far reviewers can trust the checks: false errors on correct
translations, and faults caught on mutated copies.

Reads a corpus directory (`corpus.json`: a list of units `{"id", "it", "en",
"zh_CN", "kinds"}`, and `glossary.csv` if the corpus has one: without it there
are no glossary faults to inject), runs every
check on each correct translation (an error there is a false error), then on
one mutated copy per fault kind (bench/mutations.py). A fault is caught when
the mutated copy has an error the correct one does not have: an error blocks
publishing, a warning does not, so a warning alone is a miss.

    python bench/qa_quality.py                          # tests/fixtures/qa-corpus
    python bench/qa_quality.py --corpus path/to/set     # another corpus, same figures
    python bench/qa_quality.py --show                   # every false error and miss, with its text
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mutations import CORPUS, KINDS, mutate   # noqa: E402
from traduco.checks import CHECKS, ERROR, check   # noqa: E402
from traduco.language.glossary import Glossary   # noqa: E402

LOCALES = ("en", "zh_CN")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--show", action="store_true", help="print every false error and every miss")
    args = parser.parse_args()
    units = json.loads((args.corpus / "corpus.json").read_text(encoding="utf-8"))
    glossary_path = args.corpus / "glossary.csv"
    glossary = Glossary.load(glossary_path) if glossary_path.exists() else None

    correct = 0
    false_by_check: Counter = Counter()
    warned_by_check: Counter = Counter()
    false_units = 0
    applied: Counter = Counter()
    caught: Counter = Counter()
    caught_by: dict[str, Counter] = defaultdict(Counter)
    catches_by_check: Counter = Counter()
    for unit in units:
        for locale in LOCALES:
            if not unit.get(locale):
                continue
            baseline = check(unit["it"], unit[locale], locale, glossary)
            correct += 1
            errors = [f for f in baseline if f.severity == ERROR]
            false_units += bool(errors)
            false_by_check.update({f.check for f in errors})
            warned_by_check.update({f.check for f in baseline if f.severity != ERROR})
            if args.show:
                for f in baseline:
                    print(f"{'FALSE' if f.severity == ERROR else 'WARN'} {unit['id']} {locale}: {f}")
            known = {(f.check, f.message) for f in errors}
            for kind in KINDS:
                if kind == "glossary" and glossary is None:
                    continue   # no glossary, no approved term to swap
                mutated = mutate(unit, locale, kind, glossary)
                if mutated is None:
                    continue
                applied[kind] += 1
                new = [f for f in check(unit["it"], mutated, locale, glossary)
                       if f.severity == ERROR and (f.check, f.message) not in known]
                if new:
                    caught[kind] += 1
                    caught_by[kind].update({f.check for f in new})
                    catches_by_check.update({f.check for f in new})
                elif args.show:
                    print(f"MISS {kind} {unit['id']} {locale}: {mutated}")
    _print_checks(correct, false_by_check, warned_by_check, catches_by_check, sum(applied.values()))
    _print_kinds(applied, caught, caught_by)
    total = sum(applied.values())
    print(f"\nTOTAL  false errors: {false_units}/{correct} correct translations ({_pct(false_units, correct)})"
          f"   caught: {sum(caught.values())}/{total} faults ({_pct(sum(caught.values()), total)})")


def _print_checks(correct, false_by_check, warned_by_check, catches_by_check, faults) -> None:
    print(f"{len(CHECKS)} checks on {correct} correct translations and {faults} injected faults\n")
    print(f"{'check':<16}{'severity':<10}{'false errors':>16}{'warnings':>12}{'faults it caught':>20}")
    for check_id, (severity, _, _) in CHECKS.items():
        print(f"{check_id:<16}{severity:<10}{_fraction(false_by_check[check_id], correct):>16}"
              f"{warned_by_check[check_id]:>12}{_fraction(catches_by_check[check_id], faults):>20}")


def _print_kinds(applied, caught, caught_by) -> None:
    print(f"\n{'fault kind':<18}{'caught':>16}   caught by")
    for kind in KINDS:
        by = ", ".join(f"{c} {n}" for c, n in caught_by[kind].most_common())
        print(f"{kind:<18}{_fraction(caught[kind], applied[kind]):>16}   {by}")


def _fraction(part: int, whole: int) -> str:
    return f"{part}/{whole} {_pct(part, whole)}"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


if __name__ == "__main__":
    main()
