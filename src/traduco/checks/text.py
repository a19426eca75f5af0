"""Reading the texts the checks compare: sentences, names, the language of a
run of words, and the models behind them (loaded once, warmed up early)."""

from __future__ import annotations

import re
from functools import lru_cache

from traduco.language.glossary import Glossary
from traduco.language.masking import PROTECTED
from traduco.language.sentences import detector, sentences as split_sentences


@lru_cache(maxsize=8192)
def sentences(text: str, language: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence of `text` (white space kept with it); a
    URL's dots do not end one (it reads as a name: `Xxxx`)."""
    masked = PROTECTED.sub(lambda m: "X" + "x" * (len(m.group(0)) - 1), text)
    return tuple((start, end) for start, end in split_sentences(masked, language) if text[start:end].strip())


def sentence_count(text: str, language: str) -> int:
    return max(1, len(sentences(text, language)))


# -- names ----------------------------------------------------------------------

_CAP = r"[A-ZÀ-ÖØ-Þ][\w’'\-]*+"
_LINK = r"(?:di|del|della|dello|dei|degli|delle|dell['’]|d['’]|da|dal|e|ed|per|in|sul|sulla|al|alla|la|il|lo|le|of|the|and|for|on|de|du|des|von|van)"
# Capitalised words in a row (`Associazione Nazionale Comuni Italiani`,
# `Palio di Siena`), an acronym with its name (`ANCI – Associazione ...`),
# quoted titles (“Toscana Rinascimento senza fine”, 《图兰朵》).
NAME = re.compile(rf"(?<![\w’']){_CAP}(?:\s++(?:{_LINK}\s++)*+{_CAP})++"
                  rf"|\b[A-Z]{{2,}}\b(?:\s*+[–—\-:]\s*+{_CAP}(?:\s++(?:{_LINK}\s++)*+{_CAP})*+)?")
# A title is short and starts with a capital; a longer quotation is what
# someone said, and that is translated.
_TITLE_WORDS = r"[A-ZÀ-Þ0-9][^\s.;!?“”«»\"]*+(?:\s++[^\s.;!?“”«»\"]++){0,5}"
TITLE = re.compile(rf"“{_TITLE_WORDS}”|«\s*+{_TITLE_WORDS}\s*+»|\"{_TITLE_WORDS}\"|《[^《》]{{1,100}}》")


def names(text: str, glossary: Glossary | None, locale: str) -> list[tuple[int, int]]:
    """Spans that are names, not prose: URLs and other protected spans, quoted
    titles, capitalised names, and the glossary's terms and approved translations."""
    spans = [m.span() for pattern in (PROTECTED, TITLE, NAME) for m in pattern.finditer(text)]
    if glossary:
        for pattern, target in glossary.mask_terms(locale):
            spans += [m.span() for m in pattern.finditer(text)]
            spans += [m.span() for m in re.finditer(re.escape(target), text)]
    return spans


def blank(text: str, spans) -> str:
    """`text` with the spans turned to spaces, every other character where it was
    (so a finding quotes the real text at the same place)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


# -- language identification and conversion ------------------------------------------

def is_italian(text: str) -> bool:
    from lingua import Language
    return _detector().compute_language_confidence(text, Language.ITALIAN) >= 0.9


def more_italian_than_english(text: str) -> bool:
    from lingua import Language
    detector = _detector()
    return (detector.compute_language_confidence(text, Language.ITALIAN)
            > detector.compute_language_confidence(text, Language.ENGLISH))


def _detector():
    return detector("ITALIAN", "ENGLISH", "FRENCH", "SPANISH", quick=True)


@lru_cache(maxsize=1)
def opencc_t2s():
    import opencc
    return opencc.OpenCC("t2s")


def warm_up() -> None:
    """Load the models (seconds): lingua loads its models at the first text it
    sees, OpenCC reads its dictionaries."""
    opencc_t2s()
    for text in ("Il comunicato della Regione Toscana è uscito oggi.", "The press release is out."):
        is_italian(text)
    for language in ("it", "en"):
        sentences("Una frase di prova. Un'altra frase di prova.", language)
