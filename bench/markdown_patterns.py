"""Markdown masking stays linear on long, hostile MT answers (issue 13 asks every pattern to be).

    python bench/markdown_patterns.py

Prints, for 100-120k character texts built to make a regex backtrack, the time
the Markdown patterns alone and the whole PROTECTED pattern take to find spans.
"""

from __future__ import annotations

import re
import time

from traduco.language.masking import MARKDOWN_INLINE, PROTECTED

CASES = {
    "brackets": "[" * 120_000,
    "link-open": "](" * 60_000,
    "link-title": '](x "' * 20_000,
    "backticks": "`a" * 60_000,
    "stars": "*a" * 60_000,
    "underscores": "_a_ " * 30_000,
    "prose": ("Il **presidente** ha visto [il sito](https://x.it) e `c`. " * 2_000)[:120_000],
}


def timed(pattern: re.Pattern, text: str) -> tuple[float, int]:
    start = time.perf_counter()
    spans = len(pattern.findall(text))
    return (time.perf_counter() - start) * 1000, spans


def main() -> None:
    markdown = re.compile("|".join(MARKDOWN_INLINE))
    for name, text in CASES.items():
        alone, spans = timed(markdown, text)
        everything, _ = timed(PROTECTED, text)
        print(f"{name:12} {len(text):7,} chars: Markdown patterns {alone:6.1f} ms ({spans:,} spans), "
              f"all of PROTECTED {everything:6.1f} ms")


if __name__ == "__main__":
    main()
