"""A source's date as an Italian office writes it, read into ISO form.

    >>> read_date("14 maggio 2024")
    '2024-05-14'
    >>> read_date("14/05/2024")                 # day first, as in Italy
    '2024-05-14'
    >>> read_date("2024-05-14T10:30:00+02:00")  # the day as written
    '2024-05-14'
    >>> read_date("maggio 2024"), read_date("2024-05")
    ('2024-05', '2024-05')
    >>> read_date("n.d.")
    Traceback (most recent call last):
    traduco.sources.dates.UnreadableDate: n.d.

Month and weekday names come from babel's Italian locale data (full and
abbreviated: "mag", "mag.").
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

from babel.dates import get_day_names, get_month_names

_NUMERIC = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_WRITTEN = re.compile(r"(?:(?P<weekday>[^\W\d_]+),?\s+)?(?:(?P<day>\d{1,2})(?:°|º|\s*o)?\s+)?"
                      r"(?P<month>[^\W\d_]+\.?)\s+(?P<year>\d{4})")
MAX_DATE_CHARS = 60


class UnreadableDate(ValueError):
    """The value is not a date traduco can read."""


def read_date(value: object) -> str:
    """'YYYY-MM-DD', or 'YYYY-MM' when the value names only a month."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = " ".join(str(value).split()) if value is not None else ""
    if not text or len(text) > MAX_DATE_CHARS:
        raise UnreadableDate(text)
    if _ISO_MOMENT.fullmatch(text):
        return _day(text[:4], text[5:7], text[8:10], text)
    if match := _ISO_DATE.fullmatch(text):
        return _day(*match.groups(), text)
    if match := _ISO_MONTH.fullmatch(text):
        return _month(*match.groups(), text)
    if match := _NUMERIC.fullmatch(text):
        day, month, year = match.groups()
        return _day(year, month, day, text)
    if match := _WRITTEN.fullmatch(text):
        return _written(match, text)
    raise UnreadableDate(text)


def date_pattern() -> str:
    """A regex for the forms read_date reads (no anchors): what may follow `date `
    on a .txt file's first line before the text begins."""
    months = _alternatives(_month_names(), get_month_names("wide", locale="it").values())
    weekdays = _alternatives(_weekday_names(), get_day_names("wide", locale="it").values())
    return (rf"{_ISO_MOMENT.pattern}|{_ISO_DATE.pattern}|{_ISO_MONTH.pattern}|{_NUMERIC.pattern}|"
            rf"(?:(?i:{weekdays})\.?,?\s+)?(?:\d{{1,2}}(?:°|º)?\s+)?(?i:{months})\.?\s+\d{{4}}")


def _alternatives(folded, written) -> str:
    """Folded and accented spellings ('martedi', 'martedì'), longest first."""
    names = set(folded) | {name.lower().rstrip(".") for name in written}
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


def _written(match: re.Match, text: str) -> str:
    weekday = match.group("weekday")
    if weekday and _fold(weekday) not in _weekday_names():
        raise UnreadableDate(text)
    month = _month_names().get(_fold(match.group("month").rstrip(".")))
    if month is None:
        raise UnreadableDate(text)
    if match.group("day"):
        return _day(match.group("year"), str(month), match.group("day"), text)
    return _month(match.group("year"), str(month), text)


def _day(year: str, month: str, day: str, text: str) -> str:
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        raise UnreadableDate(text) from None


def _month(year: str, month: str, text: str) -> str:
    try:
        return dt.date(int(year), int(month), 1).isoformat()[:7]
    except ValueError:
        raise UnreadableDate(text) from None


@lru_cache(maxsize=1)
def _month_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in get_month_names(width, context, locale="it").items():
                names[_fold(name.rstrip("."))] = number
    return names


@lru_cache(maxsize=1)
def _weekday_names() -> set[str]:
    return {_fold(name.rstrip(".")) for width in ("wide", "abbreviated")
            for name in get_day_names(width, locale="it").values()}


def _fold(word: str) -> str:
    """'Martedì' -> 'martedi': offices write accents (and capitals) either way."""
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()
