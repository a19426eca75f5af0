"""Long texts: split at sentence boundaries to fit a provider's limit, joined back after;
and pieces grouped into requests.

Sentences are `traduco.language.sentences`' own, so "Il dott. Rossi", "1.250.000" and
"n. 5" stay whole, and each piece is the text as written.

>>> split("Il dott. Rossi arriva. Poi parte.", 25)
['Il dott. Rossi arriva.', 'Poi parte.']
>>> join(["第一句。", "第二句。"], "zh_CN"), join(["One.", "Two."], "en")
('第一句。第二句。', 'One. Two.')
"""

from __future__ import annotations

from traduco.language.sentences import sentences


def split(text: str, limit: int, language: str = "it") -> list[str]:
    """Pieces of at most `limit` characters, cut between sentences where possible."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for start, end in sentences(text, language):
        sentence = text[start:end].strip()
        for part in _hard_cut(sentence, limit) if sentence else ():
            candidate = f"{current} {part}" if current else part
            if len(candidate) <= limit:
                current = candidate
            else:
                pieces.append(current)
                current = part
    if current:
        pieces.append(current)
    return pieces


def join(pieces: list[str], target_locale: str) -> str:
    """Chinese and Japanese run sentences together; other languages use a space."""
    glue = "" if target_locale.split("_")[0] in {"zh", "ja"} else " "
    return glue.join(piece.strip() for piece in pieces)


def _hard_cut(sentence: str, limit: int) -> list[str]:
    """A single sentence over the limit (rare: a list with no full stops) is cut at spaces."""
    if len(sentence) <= limit:
        return [sentence]
    parts, current = [], ""
    for word in sentence.split(" "):
        if current and len(current) + 1 + len(word) > limit:
            parts.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    parts.append(current)
    return [p[i:i + limit] for p in parts for i in range(0, len(p), limit)]


def requests_of(pieces: list[list[str]], size: int, max_chars: int) -> list[list[tuple[int, int]]]:
    """Each text's pieces grouped into requests, as (text, piece) positions: one
    per request, or up to `size` for providers whose API takes a list."""
    requests: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    chars = 0
    for t, text_pieces in enumerate(pieces):
        for p, piece in enumerate(text_pieces):
            if current and (len(current) >= size or chars + len(piece) > max_chars):
                requests.append(current)
                current, chars = [], 0
            current.append((t, p))
            chars += len(piece)
    if current:
        requests.append(current)
    return requests
