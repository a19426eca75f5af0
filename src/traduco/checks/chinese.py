"""Chinese that reads as Chinese: full-width punctuation, Simplified characters."""

from __future__ import annotations

import re

from traduco.checks.core import ERROR, WARNING, Pair, quote, register
from traduco.checks.text import opencc_t2s
from traduco.language.masking import PROTECTED

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_FULL = {",": "，", ".": "。", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
# A half-width mark with a Chinese character on one side. Between two Chinese
# characters (or a Chinese character and the end of the text) it is wrong
# whatever the text says; next to Latin text or a number (`Toscana,2024年`,
# `(Smart China)`) it may be a name's or a figure's, so it is only shown.
_MARK = re.compile(rf"(?<=[{_HAN}])\s*+([,.:;!?()])|([,.:;!?()])\s*+(?=[{_HAN}])")


@register("zh-punctuation", ERROR, "Chinese text uses full-width punctuation: ，。：；！？（）",
          "full-width marks between Chinese characters (half-width next to Latin text or a number is only a warning)")
def zh_punctuation(pair: Pair) -> list:
    if pair.language != "zh":
        return []
    text = PROTECTED.sub(lambda m: "x" * len(m.group(0)), pair.target)
    wrong, doubtful = {}, {}
    for match in _MARK.finditer(text):
        mark = match.group(1) or match.group(2)
        at = match.start(1) if match.group(1) else match.start(2)
        before, after = text[:at].rstrip()[-1:], text[at + 1:].lstrip()[:1]
        between = _is_han(before) and (_is_han(after) or after in ("", "“", "”", "《"))
        (wrong if between else doubtful).setdefault(mark, pair.target[max(0, at - 6):at + 6])
    messages = []
    if wrong:
        messages.append(f"half-width {' '.join(wrong)} between Chinese characters "
                        f"({quote(next(iter(wrong.values())))}): use {' '.join(_FULL[m] for m in wrong)}")
    if doubtful:
        messages.append((WARNING, f"half-width {' '.join(doubtful)} next to Chinese "
                                  f"({quote(next(iter(doubtful.values())))}): use "
                                  f"{' '.join(_FULL[m] for m in doubtful)} unless it belongs to a name or a figure"))
    return messages


@register("zh-traditional", ERROR, "Simplified Chinese has no Traditional characters",
          "the Simplified characters the message names")
def zh_traditional(pair: Pair) -> list[str]:
    if pair.locale != "zh_CN":
        return []
    simplified = opencc_t2s().convert(pair.target)
    wrong = [(a, b) for a, b in zip(pair.target, simplified) if a != b]
    return [f"Traditional characters {' '.join(dict.fromkeys(a for a, _ in wrong))}: write them in "
            f"Simplified as {' '.join(dict.fromkeys(b for _, b in wrong))}"] if wrong else []


def _is_han(char: str) -> bool:
    return bool(char) and bool(re.match(f"[{_HAN}]", char))
