"""A negation kept: a translation that says 'do' where the Italian says 'do
not' says the opposite, and MT drops a 'not' more often than one would think.

Counted, not parsed: the negations of the Italian (a `non ... mai` clause is
one), against the translation's. `senza` alone is left out: it is as often an
adjective's (`senza data`: undated) as a negation. Idioms whose negation the translation
rightly loses (`non appena`: as soon as; `da non perdere`: unmissable; `non
mancheranno`: there will be; `non può che`: can only) do not count; a translation may have more.
"""

from __future__ import annotations

import re

from traduco.checks.core import ERROR, Pair, register
from traduco.checks.text import TITLE, blank
from traduco.language.masking import PROTECTED

_IT_IDIOMS = re.compile(r"\bnon\s+(?:appena|oltre|più\s+(?:di|tardi)|meno\s+di|profit)\b|\b(?:che|come)\s+mai\b"
                        r"|\bda\s+non\s+perdere\b|\bsenza\s+(?:precedenti|fine|sosta|dubbio|glutine|barriere)\b"
                        r"|\bnon\s+ved\w*\s+l['’]ora\b|\bnon\s+a\s+caso\b|\bnon\s+manc\w*|\bnessun[oa]\s+esclus[oa]\b"
                        r"|\bnon\s+(?:può|possono|poteva|potevano|potrà|potranno)\s+che\b", re.I)
_IT_NOT = re.compile(r"\bnon\b|\bné\b", re.I)
_IT_ALONE = re.compile(r"\b(?:nessun[oa]?|niente|nulla|mai|neanche|nemmeno|neppure)\b", re.I)
_IT_WITHOUT = re.compile(r"\bsenza\b", re.I)
_CLAUSE_END = re.compile(r"[.,;:!?()“”\"]")
# English says some negations in one word: impossible, unable, yet to, lack.
_EN = re.compile(r"\b(?:not|no|never|none|nobody|nothing|nowhere|neither|nor|without|cannot|impossible|unable"
                 r"|lack(?:s|ing)?|absence)\b|n['’]t\b|\byet\s+to\b|\b\w+-free\b|\bfree\s+of\b", re.I)
_ZH = re.compile(r"不(?![过断少久同管论])|没|未(?!来)|无(?!论)|非(?![常洲])|勿|免(?!费)|别(?=[再让])")
_TARGET = {"en": _EN, "zh": _ZH}


@register("negation", ERROR, "every negation of the Italian is in the translation",
          "a translation that keeps the 'not' (as soon as for 'non appena' needs none)")
def negation(pair: Pair) -> list[str]:
    source = italian_negations(_prose(pair, pair.source, "it"))
    target = negations(_prose(pair, pair.target, pair.locale), pair.language)
    if target is None or not source or target >= len(source):
        return []
    said = ", ".join(f"‘{word}’" for word in dict.fromkeys(source))
    return [f"the Italian says {said} ({len(source)} negation{'s' * (len(source) > 1)}), the translation has "
            f"{target}: check that it does not say the opposite"]


def negations(text: str, language: str) -> int | None:
    """How many negations a translation into `language` says (None: a language
    not counted). Two providers' answers that differ here differ in meaning.

    >>> negations("The museum is not open, never on Mondays.", "en"), negations("博物馆周一不开放。", "zh")
    (2, 1)
    """
    pattern = _TARGET.get(language)
    return None if pattern is None else len(pattern.findall(text))


def italian_negations(text: str) -> list[str]:
    """Each negation of the Italian once: `non` with the `mai`/`nessuno`/`niente`
    of its clause is one negation; `nessuno`, `mai` alone are one each; `senza`
    counts in a clause with `non` (`non partire senza catene`)."""
    text = _IT_IDIOMS.sub(" ", text)
    found = []
    for clause in _CLAUSE_END.split(text):
        nots = _IT_NOT.findall(clause)
        alone = _IT_ALONE.findall(clause)
        found += [n.lower() for n in nots] or [a.lower() for a in alone]
        if nots:   # `senza` alone is often an adjective (senza data: undated); after `non` it counts
            found += [w.lower() for w in _IT_WITHOUT.findall(clause)]
    return found


def _prose(pair: Pair, text: str, locale: str) -> str:
    """Names and titles say nothing about the sentence's polarity (“Toscana
    Rinascimento senza fine”)."""
    spans = [m.span() for pattern in (PROTECTED, TITLE) for m in pattern.finditer(text)]
    if pair.glossary:
        spans += [m.span() for p, _ in pair.glossary.mask_terms(locale if locale != "it" else "en")
                  for m in p.finditer(text)]
    return blank(text, spans)
