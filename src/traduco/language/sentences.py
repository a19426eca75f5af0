"""Language tools shared by the checks, MT segmentation and feeds: where
sentences end, and lingua's language detectors (built once per process).

Sentences come from sentencex (Wikimedia's rule-based segmenter, in Rust),
with what an Italian press office writes kept whole: a figure (`1.250.000`,
`3,5`, `21.09.2026`, `10.30`) never ends a sentence, nor does an abbreviation
before a number (`n. 5`, `pag. 12`, `art. 3`, `30 sett. 2026`), an initial
(`S. Gimignano`) or anything a lower-case word continues (`S.p.A. ha`). Every
sentence is a span of the text itself, so a finding quotes the text as it is.

>>> text = "Il dott. Rossi è arrivato. Poi è uscito."
>>> [text[a:b] for a, b in sentences(text, "it")]
['Il dott. Rossi è arrivato. ', 'Poi è uscito.']
>>> detector("ITALIAN", "ENGLISH").detect_language_of("Buongiorno a tutti")
Language.ITALIAN
"""

from __future__ import annotations

import re
from functools import lru_cache

# sentencex's work grows faster than the text (a 400,000-character paragraph
# took 15 s), so a long text is read a window at a time: linear, and the
# process answers Ctrl-C between windows.
WINDOW = 4_000

_INNER_END = re.compile(r"[.!?…;\n]")
_TAIL = " \t\r\n.!?…\"”’»)]"     # what a sentence's end may be followed by
_ZH_SENTENCE = re.compile(r"[^。！？]*+(?:[。！？]++[”’）」』]*+|$)")
# What may follow a sentence's end without starting a new one: a lower-case
# word (Italian and English sentences start with a capital), or closing punctuation.
_CONTINUES = re.compile(r"\s*+[«“\"'‘(\[]*+(?:[a-zà-ÿ]|[,;:)\]»”’%])")
_DIGIT_NEXT = re.compile(r"\s*+[(\[]?\d")
_CAPITAL_NEXT = re.compile(r"\s*+[A-ZÀ-Þ]")
# Abbreviations an Italian (or English) press release puts before a number:
# numero, pagina, articolo, comma, telefono, a law (`D.Lgs. 33/2013`), the months,
# and any single letter (`n. 5`, `h. 9`, `L. 241/1990`).
_BEFORE_NUMBER = frozenset("""
    nn nr num no pag pagg p pp art artt c co cfr fig figg tab vol cap par lett all prot rif
    tel fax cell h km mln mld gen genn feb febbr mar apr mag giu lug ago sett set ott nov dic
    jan jun jul aug sep sept oct dec ca approx vs lgs dlgs dpr dl dm
""".split())
_LAST_WORD = re.compile(r"([^\W\d_]+)\.\s*+$")
# sentencex never ends a sentence after any of its 2,000 Italian abbreviations,
# acronyms among them (`la tv di Stato Cctv. E così...`). A word, a full stop and
# a capital do end one, unless the word is a title or the like, which a name follows.
_HIDDEN_END = re.compile(r"(?<![\w.’'])([^\W\d_]{2,})\.\s++(?=[«“\"‘(]*+[A-ZÀ-Þ])")
_BEFORE_NAME = frozenset("""
    dott sig sigg prof ing avv arch geom rag on sen dr mr mrs ms st mons gen col cav comm egr gent
    spett rev don fra ecc tel fax
""".split())
_OPENING, _CLOSING = "“«(", "”»)"


def sentences(text: str, language: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, in order, white space kept with
    the sentence before it: together they cover the text. `language` is an
    ISO 639-1 code ("it", "en", "zh"); any other is read with the English rules."""
    if not text:
        return []
    if language in ("zh", "ja"):
        return [m.span() for m in _ZH_SENTENCE.finditer(text) if m.end() > m.start()]
    if not _INNER_END.search(text, 0, len(text.rstrip(_TAIL))):
        return [(0, len(text))]     # nothing could end a sentence before its end: one sentence
    code = language if language in ("it", "en") else "en"
    spans: list[tuple[int, int]] = []
    for start, end in (piece for found in _windowed(text, code) for piece in _hidden_ends(text, *found)):
        if spans and _continued(text, spans[-1][1]):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _windowed(text: str, code: str):
    """sentencex's sentences of `text`, a window at a time. Near a window's end
    a boundary may depend on what the window cut off: sentences ending there
    are read again at the start of the next window."""
    from sentencex import get_sentence_boundaries

    at = 0
    while at < len(text):
        window = text[at:at + WINDOW]
        found = [(at + b["start_index"], at + b["end_index"]) for b in get_sentence_boundaries(code, window)]
        if at + WINDOW >= len(text):
            yield from found
            return
        settled = [span for span in found if span[1] <= at + WINDOW - WINDOW // 10]
        if settled:
            yield from settled
            at = settled[-1][1]
            continue
        # No sentence ends in a whole window (a list without full stops): cut at a space.
        cut = window.rfind(" ") + 1 or len(window)
        yield at, at + cut
        at += cut


def _hidden_ends(text: str, start: int, end: int):
    """The sentence from `start` to `end`, split where a sentence ends after a
    word sentencex took for an abbreviation (outside quotes and brackets)."""
    for match in _HIDDEN_END.finditer(text, start, end):
        if match.group(1).casefold() in _BEFORE_NAME or _quoted(text[start:match.start()]):
            continue
        yield start, match.end()
        start = match.end()
    yield start, end


def _quoted(text: str) -> bool:
    """Some quotation or bracket opened in `text` is still open at its end."""
    return (any(text.count(o) > text.count(c) for o, c in zip(_OPENING, _CLOSING))
            or text.count('"') % 2 == 1)


def _continued(text: str, boundary: int) -> bool:
    """The sentence ending at `boundary` goes on after it: the next word is in
    lower case, or the end was an abbreviation before a number or an initial."""
    if _CONTINUES.match(text, boundary):
        return True
    before = text[max(0, boundary - 40):boundary]
    word = _LAST_WORD.search(before)
    if not word:
        return False
    if _DIGIT_NEXT.match(text, boundary):
        return len(word.group(1)) == 1 or word.group(1).casefold() in _BEFORE_NUMBER
    # `S. Gimignano`, `G. Rossi`: one capital letter is an initial, not a sentence's last word.
    return len(word.group(1)) == 1 and word.group(1).isupper() and bool(_CAPITAL_NEXT.match(text, boundary))


@lru_cache(maxsize=4)
def detector(*languages: str, quick: bool = False):
    """A lingua detector choosing among `languages` (names of lingua.Language,
    "ITALIAN"): the fewer, the faster and the surer. `quick`: trigram models
    only (lingua's low-accuracy mode), loaded in a moment instead of a second
    of CPU, for the checks, which ask about a run of four words or more."""
    from lingua import Language, LanguageDetectorBuilder
    builder = LanguageDetectorBuilder.from_languages(*(getattr(Language, name) for name in languages))
    return (builder.with_low_accuracy_mode() if quick else builder).build()
