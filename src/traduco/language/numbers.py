"""Numbers and dates as values, read the way each language writes them.

Italian `1.500`, `3,5%`, `177 mila`, `400 milioni`; English `177,000`,
`400 million`, `3.5%`; Chinese `17.7万`, `4亿`, `5亿美元`, `三十`. Dates:
`21 maggio`, `settembre del 1992` / `May 21`, `21 May 1998` / `5月21日`,
`1992年9月`. A date needs a month; a lone year is a number. A range of days
in one month is its first and last date: `dal 12 al 14 novembre 2024`,
`12-14 novembre` / `November 12-14, 2024`, `12–14 November` / `11月12日至14日`;
a list of days shares its month (`9, 16 e 23 novembre`, `11月9日、16日和23日`),
and the two ends of a range share their year (`dal 3 marzo al 30 aprile 2025`,
`2025年3月3日至4月30日`). A capitalised month that starts a name is not a
date (`Maggio Musicale Fiorentino`). A time of day is one value: `10.30` after
`alle`/`ore`, `10:30`, `10.30 am`, `10时30分` are all 10.5; `alle 21`, `21:00`
and `9 pm` agree, as do `alle 12`, `12:00` and `noon`.

>>> quantities("In 177 mila il 21 maggio", "it")
Quantities(numbers=[177000.0], dates=[Date(year=None, month=5, day=21)], written=['177 mila'])
>>> quantities("Costa 1.500 euro, il 21 maggio 2024", "it").numbers
[1500.0]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from traduco.language.masking import PROTECTED


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

    def spoken(self, language: str) -> str:
        """As people write it: `21 May 1998`, `September 1992`, `1998年6月23日`, `21 maggio`."""
        if language.startswith("zh"):
            return (f"{self.year}年" if self.year else "") + f"{self.month}月" + (f"{self.day}日" if self.day else "")
        month = (ITALIAN_MONTHS if language.startswith("it") else ENGLISH_MONTHS)[self.month - 1]
        month = month if language.startswith("it") else month.capitalize()
        return " ".join(str(part) for part in (self.day, month, self.year) if part is not None)


@dataclass
class Quantities:
    numbers: list[float] = field(default_factory=list)
    dates: list[Date] = field(default_factory=list)
    written: list[str] = field(default_factory=list)   # each number as the text writes it


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
_IT_WEEKDAY = r"luned[iì]|marted[iì]|mercoled[iì]|gioved[iì]|venerd[iì]|sabato|domenica"
_EN_WEEKDAY = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_CN_NUMERAL = "零〇一二两三四五六七八九十"
# A range of days in one month is two dates: `dal 12 al 14 novembre`,
# `12-14 novembre`, `November 12-14`, `12–14 November`, `11月12日至14日`.
_IT_TO = r"(?:\s*+[-–—]\s*+|\s++al\s++|\s++all['’]\s*+)"
_EN_TO = r"(?:\s*+[-–—]\s*+|\s++(?:to|through|until|till)\s++)"
_ZH_TO = r"\s*+(?:至|到|[-–—~～])\s*+"
_ORDINAL = r"(?:st|nd|rd|th)?"
_ZH_DAY = rf"(?:\d{{1,2}}|[{_CN_NUMERAL}]{{1,3}})"
# Days listed before the one that names the month: `9-10, 16-17 e 23-24
# novembre`, `sabato 9 e domenica 10 novembre`, `9 and 10 May`.
_IT_LIST = (rf"(?P<list>(?:\d{{1,2}}°?(?:\s*+[-–]\s*+\d{{1,2}})?(?:\s*+,\s*+|\s++(?:e|ed)\s++)"
            rf"(?:(?:{_IT_WEEKDAY})\s++)?)*+)")
_EN_LIST = (rf"(?P<list>(?:\d{{1,2}}{_ORDINAL}(?:\s*+[-–]\s*+\d{{1,2}}{_ORDINAL})?(?:\s*+,\s*+|\s++and\s++)"
            rf"(?:(?:{_EN_WEEKDAY})\s++)?)*+)")
# Every pattern here runs in linear time: whitespace is taken possessively
# (nothing after it can begin with white space), so no run is read twice.
_IT_DATE = re.compile(
    rf"\b{_IT_LIST}(?:(?P<first>\d{{1,2}})°?{_IT_TO}(?=\d))?(?:(?P<day>\d{{1,2}})°?\s++)?(?P<month>{_IT_MONTH})\b"
    rf"(?:\s++(?:del\s++|de[l']\s*+)?(?P<year>\d{{4}}))?(?P<name>\s++(?-i:[A-Z]))?", re.I)
_EN_DATE = re.compile(
    rf"\b(?:{_EN_LIST}(?:(?P<first>\d{{1,2}}){_ORDINAL}{_EN_TO}(?=\d))?(?P<day>\d{{1,2}}){_ORDINAL}\s++(?:of\s++)?"
    rf"(?P<month>{_EN_MONTH})"
    rf"|(?P<month_first>{_EN_MONTH})(?:\s++(?P<first_after>\d{{1,2}}){_ORDINAL}{_EN_TO}"
    rf"(?P<day_after>\d{{1,2}}){_ORDINAL}\b|\s++(?P<only_day>\d{{1,2}}){_ORDINAL}\b)?)"
    rf"(?:,?\s++(?P<year>\d{{4}}))?", re.I)
_ZH_WEEKDAY = r"(?:\s*+[（(]\s*+(?:星期|周)[一二三四五六日天]\s*+[）)])?"
_ZH_DATE = re.compile(
    rf"(?:(?P<year>\d{{4}}|[{_CN_NUMERAL}]{{4}})\s*+年\s*+)?(?P<month>\d{{1,2}}|[{_CN_NUMERAL}]{{1,3}})\s*+月"
    rf"(?:\s*+(?P<first>{_ZH_DAY})\s*+[日号]?{_ZH_TO}(?P<day>{_ZH_DAY})\s*+[日号]|\s*+(?P<only_day>{_ZH_DAY})\s*+[日号])?"
    rf"(?P<list>(?:{_ZH_WEEKDAY}\s*+(?:[、，,和及与]|{_ZH_TO})\s*+{_ZH_DAY}\s*+[日号])*+)")
_ZH_LISTED_DAY = re.compile(rf"{_ZH_DAY}(?=\s*+[日号])")
# The ends of a range share their year: `dal 3 marzo al 30 aprile 2025`.
_RANGE_GAP = re.compile(r"\s*+(?:(?:dal|dall['’]|from|between|tra|fra)\s++)?"
                        r"(?:al|all['’]|a|to|until|till|through|and|e|ed|至|到|[-–—~～])?\s*+(?:l['’])?\s*+")
# A date in digits: `13/11/2024`, `13.11.2024`, `13-11-2024`, ISO `2024-11-13`.
_NUMERIC_DATE = re.compile(r"(?<![\d/.\-])(?:(?P<iso_year>\d{4})(?P<sep1>[/.\-])(?P<iso_month>\d{1,2})(?P=sep1)"
                           r"(?P<iso_day>\d{1,2})|(?P<a>\d{1,2})(?P<sep2>[/.\-])(?P<b>\d{1,2})(?P=sep2)"
                           r"(?P<year>\d{4}))(?![\d/\-]|\.\d)")
# A time of day: `10:30`, `10.30` after `ore`/`alle`/`dalle`, `10时30分`.
_TIME = re.compile(r"(?<![\d:.,])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")
_IT_TIME = re.compile(r"\b(?:ore|alle|dalle|le)\s++([01]?\d|2[0-3])[.:]([0-5]\d)(?![\d.:,])", re.I)
_EN_CLOCK = re.compile(r"\b(1[0-2]|0?[1-9])(?:[:.]([0-5]\d))?\s*+([ap])\.?m\b\.?|\b(noon|midday)\b", re.I)
_ZH_TIME = re.compile(r"([01]?\d|2[0-3])\s*+[时點点]\s*+([0-5]?\d)\s*+分")
_IT_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d{3})++|\d++)(?:,(\d++))?(?:\s*+(%|per\s?cento))?"
                        r"(?:\s++(mila|mille|milion[ei]|miliard[oi])\b)?", re.I)
_EN_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})++|\d++)(?:\.(\d++))?(?:\s*+(%|per\s?cent))?"
                        r"(?:\s*+(thousand|millions?|billions?|bn|k|m)\b)?", re.I)
_ZH_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})++|\d++)(?:\.(\d++))?\s*+([万亿千]*+)")
# A discount as Chinese shops write it: 八折 (pay 80 %: 20 % off), 八五折, 8.5折.
_ZH_DISCOUNT = re.compile(rf"(?<![\d.{_CN_NUMERAL}])(\d(?:\.\d)?|[一二三四五六七八九][一二三四五六七八九]?)\s*+折")
_ZH_NUMERAL_RUN = re.compile(rf"[{_CN_NUMERAL}百千万亿]{{2,}}|[{_CN_NUMERAL}百千]+(?=周年|[万亿年个位名])")


def quantities(text: str, language: str) -> Quantities:
    """The numbers and dates in `text` ("it", "en" or "zh"), URLs and other
    protected spans left out."""
    text = PROTECTED.sub(" ", text)
    reader = {"it": _italian, "en": _english, "zh": _chinese}.get(language.split("_")[0], _english)
    return reader(text)


def _italian_date(match: re.Match) -> list[Date]:
    month = ITALIAN_MONTHS.index(match["month"].lower()) + 1
    if match["month"][0].isupper() and match["name"] and not (match["day"] or match["year"]):
        return []     # Maggio Musicale Fiorentino: a name
    return _listed(match["list"], _int(match["year"]), month) + _days(_int(match["year"]), month,
                                                                      match["first"], match["day"])


def _english_date(match: re.Match) -> list[Date]:
    month = ENGLISH_MONTHS.index((match["month"] or match["month_first"]).lower()) + 1
    first = match["first"] or match["first_after"]
    day = match["day"] or match["day_after"] or match["only_day"]
    if month == 5 and not (day or match["year"]) and match.group(0)[0].islower():
        return []     # the verb "may"
    return _listed(match["list"], _int(match["year"]), month) + _days(_int(match["year"]), month, first, day)


def _listed(days: str | None, year: int | None, month: int) -> list[Date]:
    return [Date(year, month, int(day)) for day in re.findall(r"\d{1,2}", days or "")]


def _days(year: int | None, month: int, first: str | None, last: str | None,
          read=lambda day: _int(day)) -> list[Date]:
    """One date, or the first and last day of a range."""
    return [Date(year, month, read(day)) for day in (first, last) if day] or [Date(year, month, None)]


def _numeric_date(match: re.Match, month_first_if_clear: bool = False) -> list[Date]:
    """13/11/2024 is day/month/year in Italian and Chinese sources and most
    English; an English 11/13/2024 (second part over 12) is American."""
    if match["iso_year"]:
        year, month, day = int(match["iso_year"]), int(match["iso_month"]), int(match["iso_day"])
    else:
        year, day, month = int(match["year"]), int(match["a"]), int(match["b"])
        if month_first_if_clear and month > 12 >= day:
            day, month = month, day
    return [Date(year, month, day)] if 1 <= month <= 12 and 1 <= day <= 31 else []


def _read_dates(pattern: re.Pattern, make_date, text: str, found: Quantities) -> str:
    """`text` with its dates blanked out, their numbers not quantities; the
    dates into `found`, a range's ends sharing their year."""
    spans: list[tuple[int, int, list[Date]]] = []

    def take(match: re.Match) -> str:
        dates = make_date(match)
        if not dates:
            return match.group(0)
        spans.append((match.start(), match.end(), dates))
        return " " * len(match.group(0))
    blanked = pattern.sub(take, text)
    for (_, end, before), (start, _, after) in zip(spans, spans[1:]):
        if _RANGE_GAP.fullmatch(text, end, start):
            year = before[0].year or after[-1].year
            before[:] = [Date(d.year or year, d.month, d.day) for d in before]
            after[:] = [Date(d.year or year, d.month, d.day) for d in after]
    found.dates.extend(date for _, _, dates in spans for date in dates)
    return blanked


def _read_times(patterns: list[re.Pattern], text: str, found: Quantities) -> str:
    def take(match: re.Match) -> str:
        found.numbers.append(_hours(match))
        found.written.append(match.group(0))
        return " "
    for pattern in patterns:
        text = pattern.sub(take, text)
    return text


def _hours(match: re.Match) -> float:
    """10:30 -> 10.5; on a 12-hour clock 9 pm -> 21, 12 am -> 0, noon -> 12."""
    if match.re is _EN_CLOCK:
        if match[4]:
            return 12.0
        hour = int(match[1]) % 12 + (12 if match[3].lower() == "p" else 0)
        return hour + int(match[2] or 0) / 60
    return int(match[1]) + int(match[2]) / 60


def _reader(dates: re.Pattern, make_date, times: list[re.Pattern], numbers: re.Pattern,
            thousands: str, scales: dict, month_first_if_clear: bool = False):
    """A reader for a language that writes digits: dates first (their numbers
    are not quantities), times of day, then numbers with the language's
    separators and scale words. `month_first_if_clear`: the language's readers
    may be American, so 11/13/2024 is 13 November."""
    def read(text: str) -> Quantities:
        found = Quantities()
        text = _read_dates(_NUMERIC_DATE, lambda m: _numeric_date(m, month_first_if_clear),
                           text, found)
        text = _read_times(times, _read_dates(dates, make_date, text, found), found)
        for match in numbers.finditer(text):
            whole, decimals, _, scale = match.groups()
            value = float(whole.replace(thousands, "") + (f".{decimals}" if decimals else ""))
            found.numbers.append(value * scales.get((scale or "").lower(), 1))
            found.written.append(match.group(0).strip())
        return found
    return read


_italian = _reader(_IT_DATE, _italian_date, [_IT_TIME, _TIME], _IT_NUMBER, ".", ITALIAN_SCALE)
_english = _reader(_EN_DATE, _english_date, [_EN_CLOCK, _TIME], _EN_NUMBER, ",", ENGLISH_SCALE,
                   month_first_if_clear=True)


def _chinese_date(match: re.Match) -> list[Date]:
    year, month = _zh_int(match["year"]), _zh_int(match["month"])
    dates = _days(year, month, match["first"], match["day"] or match["only_day"], read=_zh_int)
    return dates + [Date(year, month, _zh_int(day)) for day in _ZH_LISTED_DAY.findall(match["list"] or "")]


def _chinese(text: str) -> Quantities:
    found = Quantities()
    text = _read_dates(_NUMERIC_DATE, _numeric_date, text, found)
    text = _ZH_DISCOUNT.sub(lambda match: _discount(match, found), text)
    text = _read_times([_ZH_TIME, _TIME], _read_dates(_ZH_DATE, _chinese_date, text, found), found)
    for match in _ZH_NUMBER.finditer(text):
        whole, decimals, scales = match.groups()
        value = float(whole.replace(",", "") + (f".{decimals}" if decimals else ""))
        for scale in scales:
            value *= CHINESE_SCALE[scale]
        found.numbers.append(value)
        found.written.append(match.group(0).strip())
    for run in _ZH_NUMERAL_RUN.findall(_ZH_NUMBER.sub(" ", text)):
        value = chinese_numeral(run)
        if value is not None:
            found.numbers.append(value)
            found.written.append(run)
    return found


def _discount(match: re.Match, found: Quantities) -> str:
    """八折 is the Italian "sconto del 20%": the figure is what is taken off."""
    written = match[1]
    tenths = float(written) if written[0].isdigit() else float(
        ".".join(str(CHINESE_DIGITS[c]) for c in written))
    found.numbers.append(round(100 - tenths * 10, 6))
    found.written.append(match.group(0))
    return " "


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
