"""Masking: what MT must not touch is swapped for tokens before MT, put back after.

URLs, e-mail addresses, hashtags, @handles, markup tags and printf/brace
placeholders become `[T0]`, `[T1]`... Providers sometimes mangle the tokens
(Google turns `[` into full-width `［` in Chinese), so restoring accepts the
full-width and CJK-bracket variants; a token that did not survive is reported,
never silently dropped.

    masked = protect("Scrivi a info@regione.it #Toscana")
    masked.text                      # 'Scrivi a [T0] [T1]'
    restore("写信给 ［T0］ 【T1】", masked)   # ('写信给 info@regione.it #Toscana', [])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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

PROTECTED = re.compile("|".join([
    r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#@!$&*+,;=%]*[A-Za-z0-9\-_~/#@$&*+=%]",  # URL
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",                 # e-mail
    r"(?<![\w#&])#\w+",                                                   # hashtag
    r"(?<![\w@])@\w[\w.]*\w",                                              # handle
    r"</?[A-Za-z][^<>]*>",                                                 # markup tag
    r"%(?:\(\w+\))?[-+ #0]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]",              # printf placeholder
    r"\{\w*(?:\.\w+|\[\w+\])*(?:![rsa])?(?::[^{}]*)?\}",                   # brace placeholder
    *MARKDOWN_INLINE,
]))
TOKEN = re.compile(r"[\[［【〔]\s*[TtＴｔ]\s*([0-9０-９]+)\s*[\]］】〕]")


@dataclass
class Masked:
    text: str
    originals: list[str] = field(default_factory=list)    # token i stands for originals[i]
    replacements: list[str] = field(default_factory=list)  # what token i becomes after MT

    @property
    def tokens(self) -> int:
        return len(self.originals)


def protect(text: str, terms: list[tuple[re.Pattern, str]] = ()) -> Masked:
    """Mask protected spans; `terms` are extra (pattern, replacement) pairs, such
    as glossary terms that must come back as their approved translation."""
    masked = Masked(text)

    def token_for(original: str, replacement: str) -> str:
        masked.originals.append(original)
        masked.replacements.append(replacement)
        return f"[T{len(masked.originals) - 1}]"

    out = PROTECTED.sub(lambda m: token_for(m.group(0), m.group(0)), text)
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
