"""Numbers and dates: every figure of the Italian is in the translation, with
the same value, however each language writes it (`traduco.language.numbers` reads them)."""

from __future__ import annotations

import re

from traduco.checks.core import ERROR, Pair, register
from traduco.language.numbers import quantities


@register("numbers", ERROR, "every number in the Italian is in the translation, with the same value",
          "a translation that states the figure (177 mila: 177,000 or 17.7万)")
def numbers(pair: Pair) -> list[str]:
    source = quantities(pair.source, "it")
    target = quantities(pair.target, pair.language).numbers
    messages, seen = [], set()
    for value, written in zip(source.numbers, source.written):
        if value in seen or any(_same(value, t) for t in target):
            continue
        seen.add(value)
        messages.append(f"“{written}” in the Italian is missing or different in the translation: "
                        f"write it as {spoken(value, pair.language, written)}")
    return messages


@register("dates", ERROR, "every date (day and month, month and year) is in the translation",
          "a translation that states the date (21 maggio: 21 May or 5月21日)")
def dates(pair: Pair) -> list[str]:
    source = quantities(pair.source, "it").dates
    target = quantities(pair.target, pair.language).dates
    return [f"the date {date.spoken(pair.language)} ({date.spoken('it')} in the Italian) is missing "
            f"or different in the translation: write it as {date.spoken(pair.language)}"
            for date in dict.fromkeys(source) if not any(date.fits(t) for t in target)]


def spoken(value: float, language: str, written: str = "") -> str:
    """A value as the translation's language writes it: 177,000 / 17.7万,
    10:30 for a time of day; years stay years."""
    if ":" in written or written[:1].isalpha():          # 10:30, alle 10.30
        return f"{int(value)}:{round(value % 1 * 60):02d}"
    scale, unit = (1e8, "亿") if value >= 1e8 else (1e4, "万")
    if language == "zh" and value >= 1e4 and round(value / scale * 100) == value / scale * 100:
        return f"{value / scale:g}{unit}"   # 17.7万, 4亿; 5,280,342 stays in digits
    percent = "%" if written.endswith("%") or written.lower().endswith("cento") else ""
    if value == int(value):
        return (f"{value:.0f}" if 1000 <= value <= 2200 else f"{value:,.0f}") + percent
    decimals = re.search(r",(\d+)\s*(?:%|per\s*cento)?$", written)   # 17,50 euro: the cents stay
    if decimals:
        return f"{value:,.{len(decimals.group(1))}f}" + percent
    return f"{value:,.6f}".rstrip("0") + percent


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1)
