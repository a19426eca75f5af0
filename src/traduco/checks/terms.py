"""What the translation must carry over as agreed: glossary terms, and the
tokens no one translates (URLs, e-mails, hashtags, handles, placeholders, markup)."""

from __future__ import annotations

from collections import Counter

from traduco.checks.core import ERROR, Pair, register
from traduco.language.masking import TAGS, placeholders, protected


@register("glossary", ERROR, "glossary terms in the Italian have their approved translation",
          "the approved translation in the text, or a changed glossary")
def glossary(pair: Pair) -> list[str]:
    if not pair.glossary:
        return []
    messages = []
    folded = pair.target.casefold()
    for term in pair.glossary.find(pair.source):
        expected = term.target(pair.locale)
        if expected and expected.casefold() not in folded:
            messages.append(f"‘{term.source}’ must stay ‘{expected}’ (a name the glossary keeps as it is)"
                            if term.keep(pair.locale) else
                            f"‘{term.source}’ must be translated as ‘{expected}’ (the glossary's approved term)")
    return messages


@register("tokens", ERROR, "URLs, e-mails, hashtags, handles, placeholders and markup are kept exactly",
          "the token copied exactly as the Italian has it")
def tokens(pair: Pair) -> list[str]:
    kept = protected(pair.flags)   # placeholders only in format strings: "20% sui" is prose
    source, target = Counter(kept.findall(pair.source)), Counter(kept.findall(pair.target))
    messages = [f"‘{span}’ is missing or changed: copy it exactly as the Italian has it"
                for span in source if target[span] < source[span]]
    # Markup (or a placeholder) the Italian does not have came from the provider
    # or a slip: it would be escaped on the page, but it is not the translation.
    own = placeholders(pair.flags)
    messages += [f"‘{span}’ is not in the Italian: remove it" for span in target if target[span] > source[span]
                 and (TAGS.fullmatch(span) or (own and own.fullmatch(span)))]
    return messages
