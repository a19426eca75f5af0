"""How long the quality checks take on huge hostile MT answers to a short sentence.

Every pattern in masking, checks and numbers is linear, so doubling the answer
should double the time (ratio ~2), never quadruple it. Prints one row per shape:

    python bench/patterns.py              # 30,000 / 60,000 / 120,000 characters
    python bench/patterns.py --sizes 5000 10000
"""

from __future__ import annotations

import argparse
import time

from traduco.checks import check

SHORT = "Il programma della giornata è sul sito web."

SHAPES = {   # one repeating unit each; repeated to the size asked for
    "letters": "a",
    "e-mail without a domain": "info",
    "dots after an address": "a.",
    "printf-like": "0",
    "unclosed tags": "<a ",
    "white space": " ",
    "URL of punctuation": ".",
    "hashtags and handles": "#a@b.",
    "latin in chinese": "ab-",
    "chinese dates": "12月",
    "short sentences": "Ab cd. ",
}
PREFIX = {"dots after an address": "x@", "printf-like": "%", "white space": "1",
          "URL of punctuation": "http://", "latin in chinese": "中"}


def answer(shape: str, size: int) -> str:
    unit = SHAPES[shape]
    return PREFIX.get(shape, "") + unit * (size // len(unit))


def seconds(text: str) -> float:
    start = time.perf_counter()
    for locale in ("en", "zh_CN"):
        check(SHORT, text, locale)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30_000, 60_000, 120_000])
    args = parser.parse_args()
    check(SHORT, "warm up", "en"), check(SHORT, "热身", "zh_CN")   # models and segmenters load once
    print(f"{'shape':26}" + "".join(f"{size:>12,}" for size in args.sizes) + "   last/previous")
    for shape in SHAPES:
        times = [seconds(answer(shape, size)) for size in args.sizes]
        ratio = times[-1] / times[-2] if len(times) > 1 and times[-2] else float("nan")
        print(f"{shape:26}" + "".join(f"{t:11.2f}s" for t in times) + f"   {ratio:.1f}")


if __name__ == "__main__":
    main()
