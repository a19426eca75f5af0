"""Masking: what MT must not touch is swapped for tokens before MT, put back after.

URLs, e-mail addresses, hashtags, @handles, markup tags and Markdown inline
markup become `[T0]`,
`[T1]`... always. Printf placeholders (`%(name)s`, `%d`) and brace
placeholders (`{count}`) only in a unit flagged as a format string
(`python-format`, `c-format`, `python-brace-format`, as a software catalog
marks them): in press prose `20% sui biglietti` is a percentage, not `% s`.
Providers sometimes mangle the tokens (Google turns `[` into full-width `［`
in Chinese), so restoring accepts the full-width and CJK-bracket variants; a
token that did not survive is reported, never silently dropped.

    >>> masked = protect("Scrivi a info@regione.it #Toscana")
    >>> masked.text
    'Scrivi a [T0] [T1]'
    >>> restore("写信给 ［T0］ 【T1】", masked)
    ('写信给 info@regione.it #Toscana', [])

Every pattern here runs in linear time on any input (an MT answer can be
hostile): each one starts only where its span can begin (a lookbehind rules
out the middle of a run) and no two quantifiers can take the same character.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache

# Letters and digits of scripts written with spaces: a hashtag or handle ends
# where Chinese begins (`请关注#ToscanaWine。`, `#ToscanaWine请关注`), and one
# may begin right after a Chinese character.
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_WORD = rf"[^\W{_CJK}]"
_EMAIL_LOCAL = r"A-Za-z0-9._%+\-"

# A URL starts only at its scheme; the backtracking to its last allowed end
# character happens once per URL.
URL = r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#@!$&*+,;=%]*[A-Za-z0-9\-_~/#@$&*+=%]"
EMAIL = rf"(?<![{_EMAIL_LOCAL}])[{_EMAIL_LOCAL}]++@[A-Za-z0-9\-]++(?:\.[A-Za-z0-9\-]++)++"
HASHTAG = rf"(?<![#&]|{_WORD})#(?:{_WORD}++|[{_CJK}]++)"
HANDLE = rf"(?<![@]|{_WORD})@{_WORD}(?:\.?{_WORD})++"
MARKUP = r"</?[A-Za-z][^<>]*+>"
PRINTF = r"%%|%(?:\(\w++\))?[-+ #0]*+(?:[1-9]\d*+|\*)?(?:\.\d++)?[hlLqjzt]?[diouxXeEfFgGcrsa]"
BRACE = r"\{\w*+(?:\.\w++|\[\w++\])*+(?:![rsa])?(?::[^{}]*+)?\}"

# Markdown inline markup (a `.md` source's units keep it): emphasis runs, code
# spans, backslash escapes, and a link's brackets and target. Translators and MT
# keep it around the words it marks; the link target is never sent. Plain prose
# has almost none of it, and what it has comes back as it was. Bounded
# repetitions keep every pattern linear on long (hostile) answers.
MARKDOWN_INLINE = [
    r"`[^`]{1,500}`",                                                     # code span
    r"\\[!-/:-@\[-`{-~]",                                                  # backslash escape
    r"!?\[(?=[^\[\]]{0,500}\]\()",                                          # a link's opening bracket
    r"\]\((?:<[^<>\n]{0,2000}>|[^()\s]{0,2000}(?:\([^()\s]{0,200}\)[^()\s]{0,200}){0,3})"
    r"(?:\s{1,10}(?:\"[^\"]{0,300}\"|'[^']{0,300}'))?\)",                      # ](target "title")
    r"\*{1,3}|(?<![^\W_])_{1,3}|_{1,3}(?![^\W_])",                           # emphasis (not snake_case)
]

PROTECTED = re.compile("|".join([URL, EMAIL, HASHTAG, HANDLE, MARKUP, *MARKDOWN_INLINE]))   # in every text
TAGS = re.compile(MARKUP)
TOKEN = re.compile(r"[\[［【〔]\s*+[TtＴｔ]\s*+([0-9０-９]++)\s*+[\]］】〕]")

PRINTF_FLAGS = {"python-format", "c-format"}
BRACE_FLAGS = {"python-brace-format"}
FORMAT_FLAGS = frozenset(PRINTF_FLAGS | BRACE_FLAGS)


def placeholders(flags: Collection[str] = ()) -> re.Pattern | None:
    """The placeholders of a unit with these flags (None for prose)."""
    return _placeholder_pattern(frozenset(flags) & FORMAT_FLAGS)


def protected(flags: Collection[str] = ()) -> re.Pattern:
    """Everything MT must keep in a unit with these flags."""
    return _protected_pattern(frozenset(flags) & FORMAT_FLAGS)


@lru_cache(maxsize=8)
def _placeholder_pattern(flags: frozenset[str]) -> re.Pattern | None:
    kinds = ([PRINTF] if flags & PRINTF_FLAGS else []) + ([BRACE] if flags & BRACE_FLAGS else [])
    return re.compile("|".join(kinds)) if kinds else None


@lru_cache(maxsize=8)
def _protected_pattern(flags: frozenset[str]) -> re.Pattern:
    extra = _placeholder_pattern(flags)
    return re.compile(f"{PROTECTED.pattern}|{extra.pattern}") if extra else PROTECTED


@dataclass
class Masked:
    text: str
    originals: list[str] = field(default_factory=list)    # token i stands for originals[i]
    replacements: list[str] = field(default_factory=list)  # what token i becomes after MT

    @property
    def tokens(self) -> int:
        return len(self.originals)


def protect(text: str, terms: list[tuple[re.Pattern, str]] = (), flags: Collection[str] = ()) -> Masked:
    """Mask protected spans; `terms` are extra (pattern, replacement) pairs, such
    as glossary terms that must come back as their approved translation;
    `flags` are the unit's gettext flags (placeholders only in format strings)."""
    masked = Masked(text)

    def token_for(original: str, replacement: str) -> str:
        masked.originals.append(original)
        masked.replacements.append(replacement)
        return f"[T{len(masked.originals) - 1}]"

    out = protected(flags).sub(lambda m: token_for(m.group(0), m.group(0)), text)
    for pattern, replacement in terms:
        out = pattern.sub(lambda m, r=replacement: token_for(m.group(0), r), out)
    masked.text = out
    return masked


def restore(translation: str, masked: Masked) -> tuple[str, list[str]]:
    """Put the protected spans back. Returns the text and the originals whose
    token the provider lost."""
    seen: set[int] = set()

    def back(match: re.Match) -> str:
        index = int(match.group(1))
        if index >= masked.tokens:
            return match.group(0)
        seen.add(index)
        return masked.replacements[index]

    text = TOKEN.sub(back, translation)
    lost = [masked.originals[i] for i in range(masked.tokens) if i not in seen]
    return text, lost
