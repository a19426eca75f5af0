"""Quality checks: what machine translation (and people) break, caught before review ends.

Each check is a small function registered with an id and a severity; errors
block publishing, warnings do not. A reviewer silences one check on one entry
with a translator comment line (Poedit: "Comment"), never globally:

    ignore-check: numbers

    >>> check("Costa 1.500 euro", "It costs 1,600 euros", "en")
    [Finding(check='numbers', severity='error', message='1500 is missing or different in the translation')]
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polib

from traduco.glossary import Glossary
from traduco.languages import detector, segmenter
from traduco.storage import Store
from traduco.mt.masking import FORMAT_FLAGS, PROTECTED, TAGS, placeholders, protected
from traduco.numbers import quantities

ERROR, WARNING = "error", "warning"
CHECKS_VERSION = "2"   # bump when a check changes, so cached findings are recomputed
IGNORE_PREFIX = "ignore-check:"
COMMENT_PREFIX = "check "


@dataclass(frozen=True)
class Finding:
    check: str
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity} [{self.check}]: {self.message}"


@dataclass(frozen=True)
class Pair:
    source: str
    target: str
    locale: str
    glossary: Glossary | None
    flags: frozenset[str] = frozenset()   # the unit's format flags (python-format, ...)

    @property
    def language(self) -> str:
        return self.locale.split("_")[0]


CHECKS: dict[str, tuple[str, Callable[[Pair], list], str]] = {}


def register(check_id: str, severity: str, description: str):
    def add(function: Callable[[Pair], list[str]]):
        CHECKS[check_id] = (severity, function, description)
        return function
    return add


def check(source: str, target: str, locale: str, glossary: Glossary | None = None,
          ignored: set[str] = frozenset(), flags: Iterable[str] = ()) -> list[Finding]:
    """Every finding for one translation; nothing for an empty (untranslated) one.
    `flags` are the unit's gettext flags: placeholders count only in format strings."""
    if target == "":
        return []
    pair = Pair(source, target, locale, glossary, format_flags(flags))
    findings = []
    for check_id, (severity, function, _) in CHECKS.items():
        if check_id in ignored:
            continue
        for message in function(pair):   # a message, or (severity, message) to override
            level, text = message if isinstance(message, tuple) else (severity, message)
            findings.append(Finding(check_id, level, text))
    return findings


def check_entry(entry: polib.POEntry, locale: str, glossary: Glossary | None = None) -> list[Finding]:
    ignored = ignored_checks(entry)
    findings = check(entry.msgid, entry.msgstr, locale, glossary, ignored, entry.flags)
    unknown = sorted(ignored - set(CHECKS))
    if unknown:
        findings.append(Finding("ignore-check", WARNING, f"unknown check id {', '.join(unknown)} in "
                                f"'{IGNORE_PREFIX}': known ids are {', '.join(CHECKS)}"))
    return findings


class CheckCache:
    """Findings by (checks version, locale, glossary, silenced ids, source, translation),
    so `traduco status` over thousands of catalogs re-checks only what changed."""

    def __init__(self, path: Path):
        self.path = path
        self._store = Store(path, "CREATE TABLE IF NOT EXISTS findings (key TEXT PRIMARY KEY, findings TEXT)")

    def findings(self, entry: polib.POEntry, locale: str, glossary: Glossary | None) -> list[Finding]:
        key = hashlib.sha256("\0".join([
            CHECKS_VERSION, locale, glossary.terms_hash(locale) if glossary else "",
            ",".join(sorted(ignored_checks(entry))), ",".join(sorted(format_flags(entry.flags))),
            entry.msgid, entry.msgstr]).encode()).hexdigest()
        db = self._store.db()
        row = db.execute("SELECT findings FROM findings WHERE key=?", (key,)).fetchone()
        if row:
            return [Finding(*item) for item in json.loads(row[0])]
        found = check_entry(entry, locale, glossary)
        with db:
            db.execute("INSERT OR REPLACE INTO findings VALUES (?, ?)",
                       (key, json.dumps([[f.check, f.severity, f.message] for f in found])))
        return found


def catalog_findings(catalog: polib.POFile, locale: str, glossary: Glossary | None,
                     cache: CheckCache | None = None) -> list[tuple[polib.POEntry, list[Finding]]]:
    """Findings for every translated entry of a catalog, drafts and approved alike."""
    results = []
    for entry in catalog:
        if entry.obsolete or not entry.msgstr:
            continue
        found = cache.findings(entry, locale, glossary) if cache else check_entry(entry, locale, glossary)
        results.append((entry, found))
    return results


def annotate_catalog(catalog: polib.POFile, locale: str, glossary: Glossary | None,
                     cache: CheckCache | None = None) -> tuple[int, int]:
    """Write every entry's findings into its comments (and clear stale ones).
    Returns (errors, warnings)."""
    errors = warnings = 0
    found = dict((id(entry), f) for entry, f in catalog_findings(catalog, locale, glossary, cache))
    for entry in catalog:
        if entry.obsolete:
            continue
        findings = found.get(id(entry), [])
        annotate(entry, findings)
        errors += sum(f.severity == ERROR for f in findings)
        warnings += sum(f.severity == WARNING for f in findings)
    return errors, warnings


def format_flags(flags: Iterable[str]) -> frozenset[str]:
    """The flags that make a unit a format string (a software catalog's)."""
    return frozenset(flags) & FORMAT_FLAGS


def ignored_checks(entry: polib.POEntry) -> set[str]:
    ids: set[str] = set()
    for line in (entry.tcomment or "").splitlines():
        if line.strip().lower().startswith(IGNORE_PREFIX):
            ids |= {part.strip() for part in line.split(":", 1)[1].split(",") if part.strip()}
    return ids


def annotate(entry: polib.POEntry, findings: list[Finding]) -> None:
    """Show findings to the reviewer as extracted comments (Poedit: "Notes for
    translators"), replacing the previous ones; the template's note stays."""
    kept = [line for line in (entry.comment or "").splitlines() if not line.startswith(COMMENT_PREFIX)]
    entry.comment = "\n".join([*kept, *(COMMENT_PREFIX + str(f) for f in findings)])


# -- the checks ---------------------------------------------------------------

@register("numbers", ERROR, "every number in the Italian is in the translation, with the same value")
def numbers(pair: Pair) -> list[str]:
    source = quantities(pair.source, "it").numbers
    target = quantities(pair.target, pair.language).numbers
    return [f"{_format(value)} is missing or different in the translation"
            for value in dict.fromkeys(source) if not any(_same(value, t) for t in target)]


@register("dates", ERROR, "every date (day and month, month and year) is in the translation")
def dates(pair: Pair) -> list[str]:
    source = quantities(pair.source, "it").dates
    target = quantities(pair.target, pair.language).dates
    return [f"the date {date} is missing or different in the translation"
            for date in dict.fromkeys(source) if not any(date.fits(t) for t in target)]


@register("glossary", ERROR, "glossary terms in the Italian have their approved translation")
def glossary(pair: Pair) -> list[str]:
    if not pair.glossary:
        return []
    messages = []
    folded = pair.target.casefold()
    for term in pair.glossary.find(pair.source):
        expected = term.target(pair.locale)
        if expected and expected.casefold() not in folded:
            messages.append(f"'{term.source}' should stay '{expected}' (do not translate)"
                            if term.keep(pair.locale) else
                            f"'{term.source}' should be translated as '{expected}'")
    return messages


@register("tokens", ERROR, "URLs, e-mails, hashtags, handles, placeholders and markup are kept exactly")
def tokens(pair: Pair) -> list[str]:
    kept = protected(pair.flags)   # placeholders only in format strings: "20% sui" is prose
    source, target = Counter(kept.findall(pair.source)), Counter(kept.findall(pair.target))
    messages = [f"'{span}' is missing or changed" for span in source if target[span] < source[span]]
    # Markup (or a placeholder) the Italian does not have came from the provider
    # or a slip: it would be escaped on the page, but it is not the translation.
    own = placeholders(pair.flags)
    messages += [f"'{span}' is not in the Italian" for span in target if target[span] > source[span]
                 and (TAGS.fullmatch(span) or (own and own.fullmatch(span)))]
    return messages


_HALF_WIDTH = re.compile(r"(?<=[\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e])\s*+([,.:;!?()\"])"
                        r"|([,.:;!?()\"])\s*+(?=[\u4e00-\u9fff])")


@register("zh-punctuation", WARNING, "Chinese text uses full-width punctuation")
def zh_punctuation(pair: Pair) -> list[str]:
    if pair.language != "zh":
        return []
    marks = {m.group(1) or m.group(2) for m in _HALF_WIDTH.finditer(PROTECTED.sub(" ", pair.target))}
    return [f"half-width {' '.join(sorted(marks))} in Chinese text: use ，。：；！？“”（）"] if marks else []


@register("zh-traditional", ERROR, "Simplified Chinese has no Traditional characters")
def zh_traditional(pair: Pair) -> list[str]:
    if pair.locale != "zh_CN":
        return []
    simplified = _opencc().convert(pair.target)
    wrong = [(a, b) for a, b in zip(pair.target, simplified) if a != b]
    return [f"Traditional characters {' '.join(dict.fromkeys(a for a, _ in wrong))} "
            f"(Simplified: {' '.join(dict.fromkeys(b for _, b in wrong))})"] if wrong else []


@register("untranslated", ERROR, "no Italian left untranslated in the translation")
def untranslated(pair: Pair) -> list[str]:
    if pair.language == "it":
        return []
    text = PROTECTED.sub(" ", pair.target)
    if pair.glossary:
        for pattern, _ in pair.glossary.mask_terms(pair.locale):
            text = pattern.sub(" ", text)
        for term in pair.glossary.terms:   # approved translations may be Italian names
            target = term.target(pair.locale)
            if target:
                text = text.replace(target, " ")
    if pair.language == "zh":
        runs = _LATIN_RUN.findall(text)
    else:
        runs = [s for s in re.split(r"(?<=[.!?;:])\s++|[“”\"()]", text)]
    italian = [run.strip() for run in runs if len(run.split()) >= 4 and _is_italian(run)]
    if not italian:   # too short for the language identifier: is it the Italian, copied?
        italian = [run for run in [_copied_italian(pair, text)] if run]
    return [f"Italian left untranslated: “{_clip(run)}”" for run in italian]


# Runs of Latin-script words in Chinese text; a run starts only at a word's
# first letter, so a long run of letters is read once, not once per letter.
_LATIN = "A-Za-zÀ-ÿ’'"
_LATIN_RUN = re.compile(rf"(?<![{_LATIN}\-])[{_LATIN}][{_LATIN}\-]*+(?:[\s,;:.]++[{_LATIN}][{_LATIN}\-]*+)++")
_WORDS = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ɏ]++")   # Latin-script words and numbers


def _copied_italian(pair: Pair, text: str) -> str | None:
    """The longest run of the Italian's words that the translation repeats word
    for word, if it is Italian prose and not names or loanwords ("in
    partnership"): the whole Italian (three words or more, two of them in lower
    case in the Italian), or six words or more, three of them in lower case."""
    source = pair.source
    if pair.glossary:
        for pattern, _ in pair.glossary.mask_terms(pair.locale):
            source = pattern.sub(" ", source)
    words = _WORDS.findall(PROTECTED.sub(" ", source))
    target = [w.casefold() for w in _WORDS.findall(text)]
    start, size = _longest_common_run([w.casefold() for w in words], target)
    copied = words[start:start + size]
    prose = sum(w.islower() and len(w) > 1 for w in copied)
    if (size == len(words) >= 3 and prose >= 2) or (size >= 6 and prose >= 3):
        return " ".join(copied)
    return None


def _longest_common_run(source: list[str], target: list[str]) -> tuple[int, int]:
    """(start in source, length) of the longest run of words both have, in order.
    Work grows with the words they share (few, in a translation), not with
    the product of their lengths."""
    where: dict[str, list[int]] = {}
    for i, word in enumerate(source):
        where.setdefault(word, []).append(i)
    best, previous = (0, 0), {}
    for word in target[:20_000]:   # far more than any translation of one unit has
        current = {i: previous.get(i - 1, 0) + 1 for i in where.get(word, ())}
        for i, size in current.items():
            if size > best[1]:
                best = (i - size + 1, size)
        previous = current
    return best


@register("identical", WARNING, "the translation differs from the Italian (unless do-not-translate)")
def identical(pair: Pair) -> list[str]:
    if pair.target.strip() != pair.source.strip():
        return []
    if pair.glossary and any(t.source == pair.source.strip() and t.keep(pair.locale)
                             for t in pair.glossary.terms):
        return []
    return ["the translation is the Italian text, unchanged"]


# Characters of translation per character of Italian, measured on the sample's
# human reference translations: en 0.83-0.99 (median 0.93), zh_CN 0.25-0.36 (0.29).
TYPICAL_RATIO = {"en": 0.93, "zh": 0.29}


def _ratio(pair: Pair) -> tuple[float, float]:
    """(actual, typical) length of the translation per character of Italian."""
    return len(pair.target) / max(len(pair.source), 1), TYPICAL_RATIO.get(pair.language, 1.0)


@register("length", WARNING, "the translation's length is plausible for the Italian's")
def length(pair: Pair) -> list[str]:
    if len(pair.source) < 40:
        return []
    ratio, typical = _ratio(pair)
    if ratio < typical * 0.6:
        return [f"much shorter than usual for this Italian ({ratio:.2f} of its length): is something missing?"]
    if ratio > typical * 1.8:
        return [f"much longer than usual for this Italian ({ratio:.2f} times its length)"]
    return []


@register("sentences", ERROR, "no sentence of the Italian is dropped")
def sentences(pair: Pair) -> list[str]:
    source, target = sentence_count(pair.source, "it"), sentence_count(pair.target, pair.language)
    ratio, typical = _ratio(pair)
    # Translators merge and split sentences: fewer sentences alone is a hint,
    # fewer sentences and less text than usual is an error.
    if source - target >= 2 or (source > target and ratio < typical * 0.95):
        return [f"{source} sentences in the Italian, {target} in the translation: one seems dropped"]
    if source > target:
        return [(WARNING, f"{source} sentences in the Italian, {target} in the translation: "
                          "check that nothing was dropped")]
    return []


@register("empty", ERROR, "the translation is not blank")
def empty(pair: Pair) -> list[str]:
    return ["the translation is only white space"] if not pair.target.strip() else []


@lru_cache(maxsize=8192)
def sentence_count(text: str, language: str) -> int:
    text = PROTECTED.sub("X", text)
    if language == "zh":
        return max(1, len(re.findall(r"[。！？]++[”’）]*+", text)) + (0 if re.search(r"[。！？][”’）]*+\s*+$", text) else 1))
    # pysbd's segment() then looks each sentence up in the text from its start
    # (quadratic: 54 s for 8,000 short sentences); its processor alone is
    # linear and yields the same sentences, and a count is all we need.
    return len([s for s in segmenter(language if language in ("it", "en") else "en").processor(text).process()
                if s.strip()])


def _is_italian(text: str) -> bool:
    from lingua import Language
    confidence = detector("ITALIAN", "ENGLISH", "FRENCH", "SPANISH").compute_language_confidence(
        text, Language.ITALIAN)
    return confidence >= 0.9


@lru_cache(maxsize=1)
def _opencc():
    import opencc
    return opencc.OpenCC("t2s")


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1)


def _format(value: float) -> str:
    if value == int(value):
        return f"{value:.0f}" if 1000 <= value <= 2200 else f"{value:,.0f}"   # years stay years
    return f"{value:,}"


def _clip(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"
