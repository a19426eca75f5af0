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
_CLAUSE = re.compile(r"[^.!?;:“”\"()]++")
_WORDS = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ɏ]++")   # Latin-script words and numbers


@register("untranslated", ERROR, "no Italian left untranslated in the translation",
          "names, titles in quotes and glossary terms, which may stay Italian")
def untranslated(pair: Pair) -> list[str]:
    if pair.language == "it":
        return []
    text = blank(pair.target, names(pair.target, pair.glossary, pair.locale))
    if pair.language == "zh":   # the whole stretch between Chinese characters, names and figures included
        found = [_between_chinese(pair.target, m.start(), m.end()) for m in _LATIN_RUN.finditer(text)
                 if len(m.group(0).split()) >= 4 and is_italian(m.group(0))]
    else:   # the whole clause, names and all, is what the reviewer looks for
        found = [pair.target[m.start():m.end()].strip(" ,") for m in _CLAUSE.finditer(text)
                 if len(m.group(0).split()) >= 4 and is_italian(m.group(0))]
    found += _copied_sentences(pair)
    if not found:   # too short for the language identifier: is it the Italian, copied?
        found = [run for run in [_copied_italian(pair)] if run]
    unique = [run for i, run in enumerate(found)
              if not any(run in other and (run != other or j < i) for j, other in enumerate(found) if j != i)]
    return [f"Italian left untranslated: {quote(run)}: translate it (names and titles may stay Italian)"
            for run in unique]


_CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff5e]")


def _between_chinese(text: str, start: int, end: int) -> str:
    while start > 0 and not _CHINESE.match(text[start - 1]):
        start -= 1
    while end < len(text) and not _CHINESE.match(text[end]):
        end += 1
    return text[start:end].strip(" ,;:")


def _copied_sentences(pair: Pair) -> list[str]:
    """Sentences of the Italian that the translation repeats word for word
    (`Orari e prenotazioni su www.trenitalia.com.`), its names aside, and
    Italian rather than English (a quote in English may be copied)."""
    target = [w.casefold() for w in _WORDS.findall(pair.target)]
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
        at, size = _longest_common_run([w.casefold() for w in words], target)
        if size == len(words) and more_italian_than_english(" ".join(words)):
            copied.append(sentence.strip())
    return copied


def _copied_italian(pair: Pair) -> str | None:
    """The longest run of the Italian's words that the translation repeats word
    for word, if it is Italian prose and not names or loanwords ("in
    partnership"): the whole Italian (three words or more, two of them in lower
    case in the Italian), or six words or more, three of them in lower case."""
    source = pair.source
    if pair.glossary:
        for pattern, _ in pair.glossary.mask_terms(pair.locale):
            source = pattern.sub(" ", source)
    words = _WORDS.findall(blank(source, names(source, None, pair.locale)))
    target = [w.casefold() for w in _WORDS.findall(pair.target)]
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


@register("identical", WARNING, "the translation differs from the Italian (unless do-not-translate)",
          "a do-not-translate glossary term that is the whole text")
def identical(pair: Pair) -> list[str]:
    if pair.target.strip() != pair.source.strip():
        return []
    if pair.glossary and any(t.source == pair.source.strip() and t.keep(pair.locale)
                             for t in pair.glossary.terms):
        return []
    return ["the translation is the Italian text, unchanged: translate it"]
