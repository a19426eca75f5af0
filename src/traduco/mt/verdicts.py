"""Whether an LLM's answer holds a translation of each unit asked for: trust
nothing, judge every unit on its own.

    verdict = judge(reply, {"u3": "La [T0] ..."}, {"u3": "La Toscana ..."}, "zh_CN", "openai")
    verdict.accepted     # {"u3": "[T0]……"}: the masked answer, for units that pass
    verdict.rejected     # {"u4": "openai left it out of its answer"}: why each other one failed

The JSON is looked for wherever it is (code fences, chatter before and after);
an answer cut off at the token limit still gives the units it completed. A
unit fails when it is missing, answered twice differently, empty, without
every one of its tokens exactly once, in the wrong script or language, left
in Italian, or of a length no translation of its Italian has. Ids nobody asked
for are ignored. `extra` (the project's quality checks: numbers, dates,
sentences, untranslated Italian) judges what passed, restored: two units'
texts swapped fail there (their figures, names and lengths do not fit).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from traduco.language.masking import PROTECTED, TOKEN

# Characters of text per character of Italian, as a translation usually has (checks.completeness agrees).
TYPICAL_RATIO = {"zh": 0.36, "en": 0.95}
SHORTEST, LONGEST = 0.4, 2.5        # a translation's length, as a share of the usual one
MEASURED_FROM = 40                  # Italian shorter than this is not measured
SWAP_MARGIN = 0.5                   # how much better two answers must fit each other's unit to be swapped
_FIGURE = re.compile(r"\d{2,}")

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_OTHER_CJK = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")        # kana, hangul: not Chinese
_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ’']+")
_ITALIAN = frozenset("il lo la gli le di della delle del dei degli che per con sono è nel nella nei alla "
                     "alle al ai dal dalla anche come una uno questo questa più".split())
_ENGLISH = frozenset("the of and to in is for with that on by as are was from this be at an it its "
                     "has have will which their".split())

DraftCheck = Callable[[str, str, str], list[str]]     # (Italian, translation, locale) -> what is wrong


@dataclass
class Verdict:
    accepted: dict[str, str] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)


def judge(content: str, finish_reason: str | None, refusal: str | None, masked: dict[str, str],
          locale: str, name: str) -> Verdict:
    """Each asked unit (`masked`: id -> masked Italian) accepted or rejected, with the reason."""
    verdict = Verdict()
    if refusal or finish_reason == "content_filter":
        return _all(masked, f"{name} refused to translate ({_short(refusal or 'content filter')})")
    answers, cut = read_units(content), finish_reason == "length"
    if answers is None:
        why = "its answer was cut off at the model's token limit" if cut else \
            "it answered with something that is not the JSON asked for"
        return _all(masked, f"{name}: {why}")
    given: dict[str, list[str]] = {}
    ids = {_id(unit): unit for unit in masked}
    for item in answers:
        unit = ids.get(_id(item.get("id"))) if isinstance(item, dict) else None
        if unit is not None:
            given.setdefault(unit, []).append(item.get("text"))
    for unit, source in masked.items():
        texts = given.get(unit, [])
        if not texts:
            verdict.rejected[unit] = f"{name} left it out of its answer" + (
                " (cut off at the model's token limit)" if cut else "")
        elif len({json.dumps(t, ensure_ascii=False) for t in texts}) > 1:
            verdict.rejected[unit] = f"{name} answered it twice, differently"
        else:
            problem = unit_problem(source, texts[0], locale)
            if problem:
                verdict.rejected[unit] = f"{name}: {problem}"
            else:
                verdict.accepted[unit] = texts[0].strip()
    for unit in crossed(verdict.accepted, masked, locale):
        verdict.rejected[unit] = f"{name}: its answer fits another unit of the request better (texts swapped?)"
        del verdict.accepted[unit]
    return verdict


def crossed(answers: dict[str, str], masked: dict[str, str], locale: str) -> set[str]:
    """Units whose answers fit each other's Italian far better than their own
    (lengths, figures): two texts swapped. Each pair is compared once."""
    units = [u for u in answers if _length(masked[u], "it") >= MEASURED_FROM / 2]
    found: set[str] = set()
    for i, a in enumerate(units):
        for b in units[i + 1:]:
            own = _misfit(masked[a], answers[a], locale) + _misfit(masked[b], answers[b], locale)
            other = _misfit(masked[a], answers[b], locale) + _misfit(masked[b], answers[a], locale)
            if own - other > SWAP_MARGIN:
                found |= {a, b}
    return found


def _misfit(source: str, answer: str, locale: str) -> float:
    """How badly `answer` fits `source` as its translation: the length off the
    usual ratio (log scale), and each figure written in digits on one side only."""
    language = locale.split("_")[0]
    ratio = _length(answer, language) / max(1.0, _length(source, "it")) / TYPICAL_RATIO.get(language, 1.0)
    figures = set(_FIGURE.findall(_prose(source))) ^ set(_FIGURE.findall(_prose(answer)))
    return abs(math.log(max(ratio, 1e-3))) + 0.5 * len(figures)


def read_units(content: str) -> list | None:
    """The `units` list of the answer, found wherever it is; None if there is none.
    A cut-off or mangled answer gives the unit objects that are whole."""
    decoder = json.JSONDecoder()
    for start in [m.start() for m in re.finditer(r"\{", content or "")][:200]:
        try:
            value, _ = decoder.raw_decode(content, start)
        except ValueError:
            continue
        units = _units(value)
        if units is not None:
            return units
    salvaged = []
    for match in re.finditer(r"\{\s*\"id\"", content or ""):
        try:
            value, _ = decoder.raw_decode(content, match.start())
        except ValueError:
            continue
        salvaged.append(value)
    return salvaged or None


def _units(value: object) -> list | None:
    """The units of an answer object, in the shapes models give them: a list,
    an {id: text} object, or the list again as a JSON string."""
    units = value.get("units") if isinstance(value, dict) else None
    if isinstance(units, str):
        try:
            units = json.loads(units)
        except ValueError:
            return None
    if isinstance(units, dict):
        return [{"id": key, "text": text} for key, text in units.items()]
    return units if isinstance(units, list) else None


def _id(value: object) -> str | None:
    """An id as models echo it: "u3", " U3 ", "[u3]" are the same unit; nothing else is."""
    return value.strip().strip("[]").strip().lower() if isinstance(value, str) else None


def unit_problem(source: str, answer: object, locale: str) -> str | None:
    """What makes `answer` no translation of the masked `source`, or None."""
    if not isinstance(answer, str) or not answer.strip():
        return "an empty answer"
    wanted, got = _tokens(source), _tokens(answer)
    if wanted != got:
        lost = sorted(wanted - got)
        return (f"the token{'s' if len(lost) > 1 else ''} {', '.join(f'[T{n}]' for n in lost)} "
                f"did not come back as {'they were' if len(lost) > 1 else 'it was'}" if lost else
                "a token came back twice or one it was not given")
    return language_problem(source, answer, locale) or length_problem(source, answer, locale)


def language_problem(source: str, answer: str, locale: str) -> str | None:
    language = locale.split("_")[0]
    prose, italian = _prose(answer), _prose(source)
    if " ".join(answer.split()) == " ".join(source.split()) and len(_WORD.findall(italian)) >= 3:
        return "it left the Italian as it was"
    han, latin = len(_HAN.findall(prose)), len(_LATIN.findall(prose))
    if language == "zh":
        if _OTHER_CJK.search(prose):
            return "it answered in another language (Japanese or Korean), not Chinese"
        if len(_LATIN.findall(italian)) >= 12 and han < latin:
            return "it answered in another language, not Chinese"
        return None
    if language == "en":
        if han or _OTHER_CJK.search(prose):
            return "it answered in another language, not English"
        words = [w.lower() for w in _WORD.findall(prose)]
        if len(words) >= 6:
            italian_words = sum(w in _ITALIAN for w in words)
            english_words = sum(w in _ENGLISH for w in words)
            if italian_words > english_words:
                return "it left Italian in the translation"
            if len(words) >= 10 and english_words == 0:
                return "it answered in another language, not English"
    return None


def length_problem(source: str, answer: str, locale: str) -> str | None:
    """A translation far shorter or longer than any of this Italian (a swapped or half-done unit)."""
    typical = TYPICAL_RATIO.get(locale.split("_")[0])
    italian = _length(source, "it")
    if typical is None or italian < MEASURED_FROM:
        return None
    ratio = _length(answer, locale.split("_")[0]) / italian / typical
    if ratio < SHORTEST:
        return "its answer is far shorter than a translation of this Italian"
    if ratio > LONGEST:
        return "its answer is far longer than a translation of this Italian"
    return None


def _length(text: str, language: str) -> float:
    text = "".join(_prose(text).split())
    if language != "zh":
        return float(len(text))
    latin = len(_LATIN.findall(text)) + sum(c.isdigit() for c in text)
    return (len(text) - latin) + latin * TYPICAL_RATIO["zh"]


def _prose(text: str) -> str:
    return PROTECTED.sub(" ", TOKEN.sub(" ", text))


def _tokens(text: str) -> Counter:
    return Counter(int(m.group(1).translate(_DIGITS)) for m in TOKEN.finditer(text))


_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _all(masked: dict[str, str], reason: str) -> Verdict:
    return Verdict(rejected={unit: reason for unit in masked})


def _short(text: str) -> str:
    return " ".join(text.split())[:80]
