"""No Italian prose left in the translation. Names are not prose: official
names (`ANCI – Associazione Nazionale Comuni Italiani`), titles in quotes,
streets, dishes and the glossary's terms may stay Italian; sentences may not."""

from __future__ import annotations

import re

from traduco.checks.core import ERROR, WARNING, Pair, quote, register
from traduco.checks.text import blank, is_italian, more_italian_than_english, names, sentences

# Runs of Latin-script words in Chinese text; a run starts only at a word's
# first letter, so a long run of letters is read once, not once per letter.
_LATIN = "A-Za-zÀ-ÿ’'"
_LATIN_RUN = re.compile(rf"(?<![{_LATIN}\-])[{_LATIN}][{_LATIN}\-]*+(?:[\s,;:.]++[{_LATIN}][{_LATIN}\-]*+)++")
# A clause ends at punctuation, but not at the dots inside a figure (1.250.000).
_CLAUSE = re.compile(r"(?:[^.!?;:“”\"()]|(?<=\d)[.](?=\d))++")
_WORDS = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ɏ]++")   # Latin-script words and numbers
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@register("untranslated", ERROR, "no Italian left untranslated in the translation",
          "names, titles in quotes and glossary terms, which may stay Italian")
def untranslated(pair: Pair) -> list[str]:
    if pair.language == "it":
        return []
    text = blank(pair.target, names(pair.target, pair.glossary, pair.locale))
    # Chinese: Latin-script runs between Chinese characters; otherwise clauses,
    # so that half a sentence left in Italian is seen.
    pattern = _LATIN_RUN if pair.language == "zh" else _CLAUSE
    found = [m.span() for m in pattern.finditer(text) if len(m.group(0).split()) >= 4 and is_italian(m.group(0))]
    found += _copied_sentences(pair)
    if not found:   # too short for the language identifier: is it the Italian, copied?
        found = [span for span in [_copied_italian(pair)] if span]
    if not found and pair.language == "zh" and not _HAN.search(pair.target) and _shares_prose(pair):
        return ["the translation has no Chinese in it, and the Italian is more than names and figures: "
                "translate it"]
    # The reviewer is shown whole sentences of the translation as they are, each once.
    return [f"Italian left untranslated: {quote(pair.target[start:end], 10**6)}: translate it "
            "(names and titles may stay Italian)" for start, end in _whole_sentences(pair, found)]


def _whole_sentences(pair: Pair, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The sentences of the translation that the spans touch, in order, each once."""
    spans = [_trimmed(pair.target, span) for span in spans]
    touched = [_trimmed(pair.target, sentence) for sentence in sentences(pair.target, pair.language)]
    return [(a, b) for a, b in touched if a < b and any(a < end and start < b for start, end in spans)]


def _trimmed(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span without the white space (and clause commas) at its ends."""
    start, end = span
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip(" \t\n,")), end - len(piece) + len(piece.rstrip(" \t\n,"))


def prose_words(source: str, pair: Pair) -> list[str]:
    """The ordinary words of an Italian text: not names, titles, codes, figures
    or glossary terms (`Gli investimenti` has one, `Palazzo Vecchio` none)."""
    if pair.glossary:
        for pattern, _ in pair.glossary.mask_terms(pair.locale):
            source = pattern.sub(" ", source)
    words = _WORDS.findall(blank(source, names(source, None, "it")))
    return [w for w in words if len(w) >= 3 and w.islower() and not any(c.isdigit() for c in w)]


def _shares_prose(pair: Pair) -> bool:
    """The translation holds an ordinary word of the Italian (`[zh] Gli investimenti`)."""
    target = {w.casefold() for w in _WORDS.findall(pair.target)}
    return any(w.casefold() in target for w in prose_words(pair.source, pair))


def _word_spans(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    found = list(_WORDS.finditer(text))
    return [m.group(0).casefold() for m in found], [m.span() for m in found]


def _copied_sentences(pair: Pair) -> list[tuple[int, int]]:
    """Where the translation repeats a sentence of the Italian word for word
    (`Orari e prenotazioni su www.trenitalia.com.`), its names aside, and
    Italian rather than English (a quote in English may be copied)."""
    target, at = _word_spans(pair.target)
    copied = []
    spans = sentences(pair.source, "it")
    # Among translated sentences two words of Italian are a leftover; a unit of
    # one short sentence (a title: `Senza data`) needs three to be told from a name.
    least = 2 if len(spans) > 1 else 3
    for start, end in spans:
        sentence = pair.source[start:end]
        words = _WORDS.findall(blank(sentence, names(sentence, pair.glossary, "it")))
        prose = [w for i, w in enumerate(words) if len(w) > 1 and not w.isdigit() and (w.islower() or i == 0)]
        if len(prose) < least or len(words) > len(target):
            continue
        _, first, size = _longest_common_run([w.casefold() for w in words], target)
        if size == len(words) and more_italian_than_english(" ".join(words)):
            copied.append((at[first][0], at[first + size - 1][1]))
    return copied


def _copied_italian(pair: Pair) -> tuple[int, int] | None:
    """Where the translation repeats the longest run of the Italian's words
    word for word, if it is Italian prose and not names or loanwords ("in
    partnership"): the whole Italian (three words or more, two of them in lower
    case in the Italian), or six words or more, three of them in lower case."""
    source = pair.source
    if pair.glossary:
        for pattern, _ in pair.glossary.mask_terms(pair.locale):
            source = pattern.sub(" ", source)
    words = _WORDS.findall(blank(source, names(source, None, pair.locale)))
    target, at = _word_spans(pair.target)
    start, first, size = _longest_common_run([w.casefold() for w in words], target)
    prose = sum(w.islower() and len(w) > 1 for w in words[start:start + size])
    if (size == len(words) >= 3 and prose >= 2) or (size >= 6 and prose >= 3):
        return at[first][0], at[first + size - 1][1]
    return None


def _longest_common_run(source: list[str], target: list[str]) -> tuple[int, int, int]:
    """(start in source, start in target, length) of the longest run of words
    both have, in order. Work grows with the words they share (few, in a
    translation), not with the product of their lengths."""
    where: dict[str, list[int]] = {}
    for i, word in enumerate(source):
        where.setdefault(word, []).append(i)
    best, previous = (0, 0, 0), {}
    for j, word in enumerate(target[:20_000]):   # far more than any translation of one unit has
        current = {i: previous.get(i - 1, 0) + 1 for i in where.get(word, ())}
        for i, size in current.items():
            if size > best[2]:
                best = (i - size + 1, j - size + 1, size)
        previous = current
    return best


@register("identical", WARNING, "the translation differs from the Italian (unless do-not-translate); "
          "an error when the Italian has ordinary words, not only names, titles and figures",
          "a do-not-translate glossary term that is the whole text")
def identical(pair: Pair) -> list:
    if pair.target.strip() != pair.source.strip():
        return []
    if pair.glossary and any(t.source == pair.source.strip() and t.keep(pair.locale)
                             for t in pair.glossary.terms):
        return []
    prose = prose_words(pair.source, pair)
    # Ordinary Italian words are never right on a Chinese page; in English a
    # few may be English too ("museum"), so there the words must read as Italian.
    if prose and (pair.language == "zh" or more_italian_than_english(" ".join(prose))):
        return [(ERROR, "the translation is the Italian text, unchanged: translate it")]
    return ["the translation is the Italian text, unchanged: translate it unless it is a name or a title"]
