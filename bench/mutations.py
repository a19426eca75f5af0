"""Faults injected into a correct translation, one kind at a time, the way
machine translation and people really get them wrong.

    unit = {"id": "x", "it": "Il 21 maggio ...", "en": "On 21 May ...", "zh_CN": "5月21日……"}
    mutate(unit, "en", "date")        # 'On 12 May ...' (or None: the unit has nothing to break)
    KINDS                             # every kind, in the order bench/qa_quality.py prints them

Deterministic: the choices (which number, which sentence, which variant) come
from a random generator seeded with the unit's id, the locale and the kind, so
every run injects the same faults. A kind that does not apply to a unit (no URL
to mangle, one sentence only, no Chinese) returns None. The glossary kind uses
the corpus's glossary unless given one.
"""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

from traduco.language.glossary import Glossary
from traduco.language.masking import EMAIL, HASHTAG, PROTECTED, URL
from traduco.language.numbers import quantities

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "qa-corpus"

KINDS = ["number", "date", "glossary", "sentence-dropped", "sentence-italian",
         "zh-half-width", "zh-traditional", "url", "negation"]

ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]


def mutate(unit: dict, locale: str, kind: str, glossary: Glossary | None = None) -> str | None:
    """The unit's `locale` translation with one fault of `kind`, or None."""
    if kind not in KINDS:
        raise ValueError(f"unknown mutation kind {kind!r}: known kinds are {', '.join(KINDS)}")
    rng = random.Random(hashlib.sha256(f"{unit['id']}|{locale}|{kind}".encode()).hexdigest())
    text = unit[locale]
    if kind == "glossary":
        return _glossary(unit["it"], text, locale, glossary or _corpus_glossary(), rng)
    if kind == "sentence-italian":
        mutated = _left_in_italian(unit["it"], text, locale, rng)
    else:
        mutated = _MUTATORS[kind](text, locale, rng)
    return mutated if mutated is not None and mutated != text else None


# -- numbers and dates ---------------------------------------------------------

_NUMBER_TOKEN = re.compile(r"(?<![\w.,])\d[\d.,]*\d(?:\s*(?:万|亿))?|(?<![\w.,])\d(?:\s*(?:万|亿))?")


def _number(text: str, locale: str, rng: random.Random) -> str | None:
    """A digit mistyped, a decimal point moved, an Italian separator kept, or
    the wrong scale word: one number's value changes, its dates do not."""
    language = locale.split("_")[0]
    before = quantities(text, language)
    spans = [m for m in _NUMBER_TOKEN.finditer(text) if not _in_protected(text, m.start())]
    rng.shuffle(spans)
    for match in spans:
        variants = _number_variants(match.group(0), language)
        rng.shuffle(variants)
        for variant in variants:
            mutated = text[:match.start()] + variant + text[match.end():]
            after = quantities(mutated, language)
            if after.dates == before.dates and sorted(after.numbers) != sorted(before.numbers):
                return mutated
    return None


def _number_variants(token: str, language: str) -> list[str]:
    digits = [i for i, c in enumerate(token) if c.isdigit()]
    variants = []
    last = digits[-1] if len(digits) == 1 else max(i for i in digits if token[i] != "0" or i == digits[0])
    typo = str((int(token[last]) + 1) % 10)
    variants.append(token[:last] + typo + token[last + 1:])                  # 177,000 -> 178,000
    if len(digits) == 2 and token[digits[1]] not in "0" + token[digits[0]]:   # 38 -> 83, 4.3 -> 3.4
        a, b = digits
        variants.append(token[:a] + token[b] + token[a + 1:b] + token[a] + token[b + 1:])
    if language == "en" and re.fullmatch(r"\d{1,3}(?:,\d{3})+", token):
        variants.append(token.replace(",", "."))                              # 5,412 kept as 5.412
    if "." in token and re.fullmatch(r"\d+\.\d+", token):
        variants.append(token.replace(".", ""))                               # 1.5 million -> 15 million
    if token.endswith("万"):
        variants.append(token[:-1] + "亿")
    return variants


def _date(text: str, locale: str, rng: random.Random) -> str | None:
    """A day mistyped or day and month read the wrong way round (21 May ->
    12 May), or the month next to the right one."""
    language = locale.split("_")[0]
    before = quantities(text, language).dates
    if language == "zh":
        pattern = re.compile(r"(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})[日号])?")
    else:
        months = "|".join(ENGLISH_MONTHS)
        pattern = re.compile(rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{months})\b|\b(?P<month2>{months})\s+(?P<day2>\d{{1,2}})\b"
                             rf"|\b(?P<month3>{months})\s+(?=\d{{4}})")
    matches = [m for m in pattern.finditer(text) if not _in_protected(text, m.start())]
    rng.shuffle(matches)
    for match in matches:
        for variant in _date_variants(match, language, rng):
            mutated = text[:match.start()] + variant + text[match.end():]
            if quantities(mutated, language).dates != before:
                return mutated
    return None


def _date_variants(match: re.Match, language: str, rng: random.Random) -> list[str]:
    groups = {k: v for k, v in match.groupdict().items() if v}
    day = groups.get("day") or groups.get("day2")
    month_name = groups.get("month") or groups.get("month2") or groups.get("month3")
    variants = []
    if day:
        swapped = day[::-1]
        other = swapped if len(day) == 2 and day[0] != day[1] and "0" not in day and int(swapped) <= 28 \
            else str(int(day) % 28 + 1)
        variants.append(match.group(0).replace(day, other, 1))
    if language == "zh":
        month = int(month_name)
        variants.append(match.group(0).replace(f"{month}月", f"{month % 12 + 1}月", 1))
    else:
        following = ENGLISH_MONTHS[(ENGLISH_MONTHS.index(month_name) + 1) % 12]
        variants.append(match.group(0).replace(month_name, following, 1))
    rng.shuffle(variants)
    return variants


# -- glossary ------------------------------------------------------------------

def _glossary(source: str, text: str, locale: str, glossary: Glossary, rng: random.Random) -> str | None:
    """One approved term rendered another way everywhere in the translation:
    the Italian name left as it is (Firenze for Florence, 托斯卡纳大区 as
    Regione Toscana), or a do-not-translate name misspelt or split."""
    terms = [t for t in glossary.find(source) if t.target(locale) and t.target(locale) in text]
    rng.shuffle(terms)
    terms.sort(key=lambda t: t.keep(locale))   # a translated term first: the common slip
    for term in terms:
        expected = term.target(locale)
        wrong = _misspelt(expected, rng) if term.keep(locale) else term.source
        mutated = text.replace(expected, wrong)
        if expected.casefold() not in mutated.casefold():
            return mutated
    return None


def _misspelt(name: str, rng: random.Random) -> str:
    if " " in name:                                 # Via Francigena -> Via Francigiena
        words = name.split(" ")
        i = rng.randrange(len(words))
        words[i] = _misspelt(words[i], rng)
        return " ".join(words)
    camel = re.search(r"[a-z][A-Z]", name)
    if camel:                                       # SmartChina -> Smart China
        return name[:camel.start() + 1] + " " + name[camel.start() + 1:]
    double = re.search(r"([a-z])\1", name)
    if double:                                      # Lucca -> Luca
        return name[:double.start()] + name[double.start() + 1:]
    vowel = max(i for i, c in enumerate(name) if c in "aeiou" or i == 0)
    return name[:vowel] + name[vowel] * 2 + name[vowel + 1:]   # Pisa -> Pisaa


def _corpus_glossary() -> Glossary:
    return Glossary.load(CORPUS / "glossary.csv")


# -- sentences -----------------------------------------------------------------

def sentences(text: str, language: str) -> list[str]:
    """The text's sentences, white space kept with them (so ''.join gives the
    text back); a full stop inside “quotes” does not end one."""
    ends = "。！？" if language == "zh" else ".!?"
    pieces, start, depth, i = [], 0, 0, 0
    while i < len(text):
        char = text[i]
        depth += char in "“《"
        depth -= char in "”》" and depth > 0
        if char in ends and not depth and not _in_protected(text, i):
            j = i + 1
            while j < len(text) and text[j] in "”’）)\"":
                j += 1
            if language == "zh" or j == len(text) or (text[j].isspace() and _starts_sentence(text, j)):
                while j < len(text) and text[j].isspace():
                    j += 1
                pieces.append(text[start:j])
                start, i = j, j
                continue
        i += 1
    if text[start:].strip():
        pieces.append(text[start:])
    return pieces


def _starts_sentence(text: str, at: int) -> bool:
    rest = text[at:].lstrip()
    return bool(rest) and (rest[0].isupper() or rest[0] in "“\"#(")


def _sentence_dropped(text: str, locale: str, rng: random.Random) -> str | None:
    """One sentence left out (an MT segment lost, a line skipped in review)."""
    parts = sentences(text, locale.split("_")[0])
    if len(parts) < 2:
        return None
    del parts[rng.randrange(len(parts))]
    return "".join(parts).strip()


def _left_in_italian(source: str, text: str, locale: str, rng: random.Random) -> str | None:
    """One sentence of the translation replaced by its Italian (a segment the
    provider sent back untranslated); a one-sentence unit becomes the Italian."""
    language = locale.split("_")[0]
    mine, theirs = sentences(text, language), sentences(source, "it")
    if len(mine) < 2 or len(theirs) < 2:
        return source
    counterpart = [theirs[min(round(k * len(theirs) / len(mine)), len(theirs) - 1)].strip() for k in range(len(mine))]
    choices = [k for k in range(len(mine)) if counterpart[k] != mine[k].strip()]
    if not choices:
        return None
    k = rng.choice(choices)
    italian = counterpart[k]
    mine[k] = italian + ("" if language == "zh" or k == len(mine) - 1 else " ")
    return "".join(mine).strip()


# -- Chinese -------------------------------------------------------------------

_FULL_TO_HALF = {"，": ",", "。": ".", "：": ":", "；": ";", "！": "!", "？": "?", "（": "(", "）": ")"}


def _zh_half_width(text: str, locale: str, rng: random.Random) -> str | None:
    """The input method left in half-width mode: every comma and full stop (and
    colon, semicolon, bracket) half-width, or only the commas."""
    if not locale.startswith("zh"):
        return None
    marks = _FULL_TO_HALF if rng.random() < 0.5 else {"，": ","}
    return "".join(marks.get(c, c) for c in text)


def _zh_traditional(text: str, locale: str, rng: random.Random) -> str | None:
    """A Traditional-Chinese input method or MT engine: the whole text, or one sentence."""
    if locale != "zh_CN":
        return None
    import opencc
    convert = opencc.OpenCC("s2t").convert
    parts = sentences(text, "zh")
    if rng.random() < 0.5 or len(parts) < 2:
        return convert(text)
    k = rng.randrange(len(parts))
    parts[k] = convert(parts[k])
    return "".join(parts)


# -- URLs ----------------------------------------------------------------------

def _url(text: str, locale: str, rng: random.Random) -> str | None:
    """A web address, e-mail or hashtag as MT mangles it: spaces after the
    dots, its words translated, its dots made Chinese, the hashtag split."""
    spans = [m for m in re.finditer(f"{URL}|{EMAIL}", text)] or list(re.finditer(HASHTAG, text))
    if not spans:
        return None
    match = rng.choice(spans)
    token = match.group(0)
    variants = [token.replace(".", ". "), token.replace("/", " / ")]
    if token.startswith("#"):
        variants = ["# " + token[1:], token.lower() if token != token.lower() else token.upper(),
                    re.sub(r"(?<=[a-z])(?=[A-Z])", " ", token)]
    elif locale.startswith("zh"):
        variants.append(token.replace(".", "。", 1))
    if token.startswith("http"):
        variants.append(token.replace("://", ": //"))
    variants = [v for v in variants if v != token]
    return text[:match.start()] + rng.choice(variants) + text[match.end():]


# -- negation ------------------------------------------------------------------

_NEGATIONS = {
    "en": [(r"\b(do|does|did|is|are|was|were|will|can|must|should) not\b", r"\1"), (r"\bnot\s+", ""),
           (r"\bNo\b", "Every"), (r"\bno\b", "some"), (r"\bnever\b", "always"), (r"\bwithout\b", "with")],
    "zh": [(r"不(?=[要是会能得必遵用])", ""), (r"并非", "并"), (r"无需", "需要"), (r"未", "已"),
           (r"没有", "有"), (r"不(?![过断少久仅同])", "")],
}


def _negation(text: str, locale: str, rng: random.Random) -> str | None:
    """A 'not' lost: the sentence says the opposite (MT drops negations)."""
    rules = _NEGATIONS["zh" if locale.startswith("zh") else "en"]
    candidates = [(m, replacement) for pattern, replacement in rules
                  for m in re.finditer(pattern, text) if not _in_protected(text, m.start())]
    if not candidates:
        return None
    match, replacement = rng.choice(candidates)
    return text[:match.start()] + match.expand(replacement) + text[match.end():]


def _in_protected(text: str, at: int) -> bool:
    return any(m.start() <= at < m.end() for m in PROTECTED.finditer(text))


_MUTATORS = {"number": _number, "date": _date, "sentence-dropped": _sentence_dropped,
             "zh-half-width": _zh_half_width, "zh-traditional": _zh_traditional,
             "url": _url, "negation": _negation}
