"""Nothing left out: no sentence of the Italian without a counterpart, a
plausible length, not blank."""

from __future__ import annotations

import re

from traduco.checks.alignment import LanguagePair, Segment, align
from traduco.checks.core import ERROR, WARNING, Pair, quote, register
from traduco.checks.text import sentences
from traduco.language.masking import PROTECTED
from traduco.language.numbers import ITALIAN_MONTHS, quantities

# Length of the translation per unit of Italian, and Gale & Church's variance,
# per language: measured on human translations of Italian press releases
# (the qa corpus's 50 units: en 0.95, s² 1.7; zh 0.36, s² 0.8), the variance
# widened for translators freer than ours. Latin letters and digits in Chinese text (names,
# figures) weigh as much as in Italian, times the ratio, so a kept name does
# not make the Chinese look long.
PAIRS = {"en": LanguagePair(0.95, 3.0), "zh": LanguagePair(0.36, 1.2)}
_LATIN = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿ]")
_NAME_WORD = re.compile(r"(?<=[\s(“\"‘'’])([A-ZÀ-Þ][\w’'-]{2,})")
_MONTHS = {m.capitalize() for m in ITALIAN_MONTHS}


def content_length(text: str, language: str) -> float:
    """Characters of text, URLs and white space aside; in Chinese, a Latin
    letter or digit counts as the share of a character it takes to write it."""
    text = "".join(PROTECTED.sub("", text).split())
    if language != "zh":
        return float(len(text))
    latin = len(_LATIN.findall(text))
    return (len(text) - latin) + latin * PAIRS["zh"].ratio


@register("sentences", ERROR, "no sentence of the Italian is left out of the translation",
          "a translation with a sentence that renders it (merging two sentences into one is fine)")
def dropped_sentences(pair: Pair) -> list[str]:
    spans = sentences(pair.source, "it")
    if len(spans) < 2 or pair.language not in PAIRS:
        return []
    source, target = segments(pair)
    messages = []
    for mine, theirs in align(source, target, PAIRS[pair.language]):
        for i in mine if not theirs else ():
            sentence = pair.source[spans[i][0]:spans[i][1]]
            if len(PROTECTED.sub(" ", sentence).split()) >= 3:
                messages.append(f"a sentence of the Italian has no counterpart in the translation, "
                                f"probably {quote(sentence, 80)}: translate it")
    return messages


def segments(pair: Pair) -> tuple[list[Segment], list[Segment]]:
    """Each side's sentences as lengths and anchors: numbers, dates, URLs and
    hashtags, glossary terms (the approved translation on the other side), and
    names kept in Latin script."""
    terms = [(t, t.target(pair.locale)) for t in pair.glossary.find(pair.source)] if pair.glossary else []
    source_sentences = [pair.source[a:b] for a, b in sentences(pair.source, "it")]
    target_sentences = [pair.target[a:b] for a, b in sentences(pair.target, pair.language)]
    names = {w.casefold() for s in source_sentences for w in _NAME_WORD.findall(" " + s) if w not in _MONTHS}
    source = [Segment(content_length(s, "it"), _figures(s, "it")
                      | {("g", x.casefold()) for t, x in terms if x and t.pattern.search(s)}
                      | {("w", w.casefold()) for w in _NAME_WORD.findall(" " + s) if w.casefold() in names})
              for s in source_sentences]
    target = [Segment(content_length(s, pair.language), _figures(s, pair.language)
                      | {("g", x.casefold()) for _, x in terms if x and x.casefold() in s.casefold()}
                      | {("w", w.casefold()) for w in re.findall(r"[\w’'-]{3,}", s) if w.casefold() in names})
              for s in target_sentences]
    return source, target


def _figures(text: str, language: str) -> frozenset:
    found = quantities(text, language)
    return frozenset({("n", round(v, 4)) for v in found.numbers} | {("d", d.month, d.day) for d in found.dates}
                     | {("t", span) for span in PROTECTED.findall(text)})


# Length of the translation per unit of Italian (content_length) on human
# translations: en 0.76-1.24, zh 0.27-0.52.
TYPICAL_RATIO = {"en": 0.95, "zh": 0.36}


@register("length", WARNING, "the translation's length is plausible for the Italian's",
          "a translation of usual length; short Italian (under 30 letters) is not measured")
def length(pair: Pair) -> list[str]:
    source = content_length(pair.source, "it")
    if source < 30:
        return []
    ratio = content_length(pair.target, pair.language) / source / TYPICAL_RATIO.get(pair.language, 1.0)
    if ratio < 0.5 and source >= 150:
        # No human translation in the corpus is under 0.75 of the usual length;
        # half a long sentence is a part left out (one Italian sentence
        # translated as two, one of them dropped), which alignment cannot see.
        return [(ERROR, f"about {_times(ratio)} as long as a translation of this Italian usually is: "
                        "a part of it is missing, translate it")]
    if ratio < 0.6:
        return [f"about {_times(ratio)} as long as a translation of this Italian usually is: "
                "check that nothing is missing"]
    if ratio > 1.8:
        return [f"about {_times(ratio)} as long as a translation of this Italian usually is: "
                "check for repeated or added text"]
    return []


def _times(ratio: float) -> str:
    return "half" if 0.4 <= ratio < 0.6 else f"{ratio:.1f} times"


@register("empty", ERROR, "the translation is not blank", "a translation with text")
def empty(pair: Pair) -> list[str]:
    return ["the translation is only white space: translate it, or leave it empty to mark it untranslated"] \
        if not pair.target.strip() else []
