"""Numbers and dates as values, read the way each language writes them.

Italian `1.500`, `3,5%`, `177 mila`, `400 milioni`; English `177,000`,
`400 million`, `3.5%`; Chinese `17.7万`, `4亿`, `5亿美元`, `三十`. Dates:
`21 maggio`, `settembre del 1992` / `May 21`, `21 May 1998` / `5月21日`,
`1992年9月`. A date needs a month; a lone year is a number. A range of days
in one month is its first and last date: `dal 12 al 14 novembre 2024`,
`12-14 novembre` / `November 12-14, 2024`, `12–14 November` / `11月12日至14日`.

    quantities("In 177 mila il 21 maggio", "it")
    # Quantities(numbers=[177000.0], dates=[Date(year=None, month=5, day=21)])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from traduco.mt.masking import PROTECTED


@dataclass(frozen=True)
class Date:
    year: int | None
    month: int
    day: int | None

    def fits(self, other: "Date") -> bool:
        """Every part this date states, the other states the same way."""
        return self.month == other.month and all(
            mine is None or mine == theirs for mine, theirs in ((self.year, other.year), (self.day, other.day)))

    def __str__(self) -> str:
        return "-".join(str(part) for part in (self.year, self.month, self.day) if part is not None)


@dataclass
class Quantities:
    numbers: list[float] = field(default_factory=list)
    dates: list[Date] = field(default_factory=list)


ITALIAN_MONTHS = ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
                  "settembre", "ottobre", "novembre", "dicembre"]
ENGLISH_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
                  "september", "october", "november", "december"]
ITALIAN_SCALE = {"mila": 1e3, "mille": 1e3, "milione": 1e6, "milioni": 1e6, "miliardo": 1e9, "miliardi": 1e9}
ENGLISH_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "m": 1e6, "billion": 1e9,
                 "bn": 1e9, "billions": 1e9}
CHINESE_SCALE = {"十": 10, "百": 100, "千": 1e3, "万": 1e4, "亿": 1e8}
CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                  "七": 7, "八": 8, "九": 9}

_IT_MONTH = "|".join(ITALIAN_MONTHS)
_EN_MONTH = "|".join(ENGLISH_MONTHS)
_CN_NUMERAL = "零〇一二两三四五六七八九十"
# A range of days in one month is two dates: `dal 12 al 14 novembre`,
# `12-14 novembre`, `November 12-14`, `12–14 November`, `11月12日至14日`.
_IT_TO = r"(?:\s*+[-–—]\s*+|\s++al\s++|\s++all['’]\s*+)"
_EN_TO = r"(?:\s*+[-–—]\s*+|\s++(?:to|through|until|till)\s++)"
_ZH_TO = r"\s*+(?:至|到|[-–—~～])\s*+"
_ORDINAL = r"(?:st|nd|rd|th)?"
_ZH_DAY = rf"(?:\d{{1,2}}|[{_CN_NUMERAL}]{{1,3}})"
# Every pattern here runs in linear time: whitespace is taken possessively
# (nothing after it can begin with white space), so no run is read twice.
_IT_DATE = re.compile(
    rf"\b(?:(?P<first>\d{{1,2}})°?{_IT_TO}(?=\d))?(?:(?P<day>\d{{1,2}})°?\s++)?(?P<month>{_IT_MONTH})\b"
    rf"(?:\s++(?:del\s++|de[l']\s*+)?(?P<year>\d{{4}}))?", re.I)
_EN_DATE = re.compile(
    rf"\b(?:(?:(?P<first>\d{{1,2}}){_ORDINAL}{_EN_TO}(?=\d))?(?P<day>\d{{1,2}}){_ORDINAL}\s++(?:of\s++)?"
    rf"(?P<month>{_EN_MONTH})"
    rf"|(?P<month_first>{_EN_MONTH})(?:\s++(?P<first_after>\d{{1,2}}){_ORDINAL}{_EN_TO}"
    rf"(?P<day_after>\d{{1,2}}){_ORDINAL}\b|\s++(?P<only_day>\d{{1,2}}){_ORDINAL}\b)?)"
    rf"(?:,?\s++(?P<year>\d{{4}}))?", re.I)
_ZH_DATE = re.compile(
    rf"(?:(?P<year>\d{{4}}|[{_CN_NUMERAL}]{{4}})\s*+年\s*+)?(?P<month>\d{{1,2}}|[{_CN_NUMERAL}]{{1,3}})\s*+月"
    rf"(?:\s*+(?P<first>{_ZH_DAY})\s*+[日号]?{_ZH_TO}(?P<day>{_ZH_DAY})\s*+[日号]|\s*+(?P<only_day>{_ZH_DAY})\s*+[日号])?")
_IT_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d{3})++|\d++)(?:,(\d++))?(?:\s*+(%|per\s?cento))?"
                        r"(?:\s++(mila|mille|milion[ei]|miliard[oi])\b)?", re.I)
_EN_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})++|\d++)(?:\.(\d++))?(?:\s*+(%|per\s?cent))?"
                        r"(?:\s*+(thousand|millions?|billions?|bn|k|m)\b)?", re.I)
_ZH_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})++|\d++)(?:\.(\d++))?\s*+([万亿千]*+)")
_ZH_NUMERAL_RUN = re.compile(rf"[{_CN_NUMERAL}百千万亿]{{2,}}|[{_CN_NUMERAL}百千]+(?=周年|[万亿年个位名])")


def quantities(text: str, language: str) -> Quantities:
    """The numbers and dates in `text` ("it", "en" or "zh"), URLs and other
    protected spans left out."""
    text = PROTECTED.sub(" ", text)
    reader = {"it": _italian, "en": _english, "zh": _chinese}.get(language.split("_")[0], _english)
    return reader(text)


def _italian_date(match: re.Match) -> list[Date]:
    month = ITALIAN_MONTHS.index(match["month"].lower()) + 1
    return _days(_int(match["year"]), month, match["first"], match["day"])


def _english_date(match: re.Match) -> list[Date]:
    month = ENGLISH_MONTHS.index((match["month"] or match["month_first"]).lower()) + 1
    first = match["first"] or match["first_after"]
    day = match["day"] or match["day_after"] or match["only_day"]
    if month == 5 and not (day or match["year"]) and match.group(0)[0].islower():
        return []     # the verb "may"
    return _days(_int(match["year"]), month, first, day)


def _days(year: int | None, month: int, first: str | None, last: str | None,
          read=lambda day: _int(day)) -> list[Date]:
    """One date, or the first and last day of a range."""
    return [Date(year, month, read(day)) for day in (first, last) if day] or [Date(year, month, None)]


def _reader(dates: re.Pattern, make_date, numbers: re.Pattern, thousands: str, scales: dict):
    """A reader for a language that writes digits: dates first (their numbers
    are not quantities), then numbers with the language's separators and scale words."""
    def read(text: str) -> Quantities:
        found = Quantities()

        def take_date(match: re.Match) -> str:
            dates = make_date(match)
            if not dates:
                return match.group(0)
            found.dates.extend(dates)
            return " "
        text = dates.sub(take_date, text)
        for whole, decimals, _, scale in numbers.findall(text):
            value = float(whole.replace(thousands, "") + (f".{decimals}" if decimals else ""))
            found.numbers.append(value * scales.get(scale.lower(), 1))
        return found
    return read


_italian = _reader(_IT_DATE, _italian_date, _IT_NUMBER, ".", ITALIAN_SCALE)
_english = _reader(_EN_DATE, _english_date, _EN_NUMBER, ",", ENGLISH_SCALE)


def _chinese(text: str) -> Quantities:
    found = Quantities()

    def date(match: re.Match) -> str:
        found.dates.extend(_days(_zh_int(match["year"]), _zh_int(match["month"]), match["first"],
                                 match["day"] or match["only_day"], read=_zh_int))
        return " "
    text = _ZH_DATE.sub(date, text)
    for whole, decimals, scales in _ZH_NUMBER.findall(text):
        value = float(whole.replace(",", "") + (f".{decimals}" if decimals else ""))
        for scale in scales:
            value *= CHINESE_SCALE[scale]
        found.numbers.append(value)
    for run in _ZH_NUMERAL_RUN.findall(_ZH_NUMBER.sub(" ", text)):
        value = chinese_numeral(run)
        if value is not None:
            found.numbers.append(value)
    return found


def chinese_numeral(text: str) -> float | None:
    """三十 -> 30, 二十三 -> 23, 一百零五 -> 105, 两万 -> 20000, 一九九二 -> 1992."""
    if all(char in CHINESE_DIGITS for char in text):
        return float("".join(str(CHINESE_DIGITS[c]) for c in text))
    total, section, digit = 0.0, 0.0, None
    for char in text:
        if char in CHINESE_DIGITS:
            digit = CHINESE_DIGITS[char]
        elif char in ("万", "亿"):
            section += digit or 0
            total = (total + section) * CHINESE_SCALE[char]
            section, digit = 0.0, None
        elif char in CHINESE_SCALE:
            section += (1 if digit is None else digit) * CHINESE_SCALE[char]
            digit = None
        else:
            return None
    return total + section + (digit or 0)


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def _zh_int(value: str | None) -> int | None:
    if not value:
        return None
    if value.isdigit():
        return int(value)
    number = chinese_numeral(value)
    return int(number) if number is not None else None
