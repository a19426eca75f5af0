"""Evidence for catalogs.update.REUSE_THRESHOLD: when is an old translation worth keeping?

Applies typical press-office corrections to the sample's paragraphs and prints,
per kind of edit, the reuse similarity traduco computes (and difflib's plain
ratio for comparison), next to the highest similarity between two unrelated
paragraphs. An edit should keep the reviewer's translation when the reviewer
has less to change than in a fresh machine draft (post-editing news MT
typically rewrites a quarter to a third of the words).

    python bench/similarity_threshold.py
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
import statistics
from pathlib import Path

from traduco.catalogs.update import REUSE_THRESHOLD, reuse_similarity

REFERENCES = Path(__file__).parent.parent / "tests" / "fixtures" / "toscana-smart-china.references.json"
ADDED = "Inoltre la Regione ha annunciato nuove iniziative per il 2023."


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?”])\s+", text)


def edits(paragraph: str) -> dict[str, str]:
    words, parts = paragraph.split(), sentences(paragraph)
    half = len(words) // 2
    return {
        "typo fixed (1 word)": paragraph.replace(words[3], words[3] + "x", 1),
        "number corrected": re.sub(r"\d+", "99", paragraph, count=1) if re.search(r"\d", paragraph)
        else paragraph.replace(words[-1], "99.", 1),
        "sentence added": f"{paragraph} {ADDED}",
        "last sentence deleted": " ".join(parts[:-1]) if len(parts) > 1 else " ".join(words[: 2 * len(words) // 3]),
        "first sentence rewritten": " ".join(["Una frase del tutto nuova, scritta da capo oggi."] + parts[1:])
        if len(parts) > 1 else None,
        "half the words rewritten": " ".join(words[:half] + ["nuovo"] * (len(words) - half)),
    }


def ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def main() -> None:
    paragraphs = [p["it"] for p in json.loads(REFERENCES.read_text(encoding="utf-8"))["paragraphs"]]
    rows: dict[str, list[tuple[float, float]]] = {}
    for paragraph in paragraphs:
        for kind, edited in edits(paragraph).items():
            if edited and edited != paragraph:
                rows.setdefault(kind, []).append((reuse_similarity(paragraph, edited), ratio(paragraph, edited)))
    unrelated = [max(reuse_similarity(a, b), reuse_similarity(b, a))
                 for a, b in itertools.combinations(paragraphs, 2)]

    print(f"{'edit':28} {'n':>3} {'reuse min':>10} {'reuse med':>10} {'ratio min':>10}  decision at {REUSE_THRESHOLD}")
    for kind, scores in rows.items():
        reuse = [s for s, _ in scores]
        keep = sum(s >= REUSE_THRESHOLD for s in reuse)
        print(f"{kind:28} {len(scores):3} {min(reuse):10.2f} {statistics.median(reuse):10.2f} "
              f"{min(r for _, r in scores):10.2f}  keep translation in {keep}/{len(scores)}")
    print(f"{'unrelated paragraph pairs':28} {len(unrelated):3} {'max':>10} {max(unrelated):10.2f}"
          f"{'':11}  matched wrongly: {sum(s >= REUSE_THRESHOLD for s in unrelated)}")


if __name__ == "__main__":
    main()
