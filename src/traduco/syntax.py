"""The syntax of a .po/.pot file, checked as strictly as GNU msgfmt checks it.

    check(text, path)        # raises CatalogError naming path:line, or returns None

polib and babel read leniently: `msgstr "你好` (closing quote missing) is read
as `你`, a file cut in the middle of an entry as if it ended there, stray text
is ignored. A lenient read followed by a rewrite would turn a translator's
typo into lost text, so every catalog is checked here before it is trusted.
The grammar is gettext's (po-lex.c, po-gram.y): every string closed on its
line, with known escapes; `msgctxt`? `msgid` then `msgstr`, or `msgid_plural`
then `msgstr[0]`, `msgstr[1]`...; no comment inside an entry; `#~` on all of an
obsolete entry's lines or none. No Python library checks this (polib and babel
are the lenient readers in question), hence this small lexer.

It is stricter than msgfmt in one way: the escapes polib cannot read back
(`\\a`, octal, `\\x`) are refused rather than silently doubled on the next save.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from traduco.errors import CatalogError

_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?")
_WORD = re.compile(r"[^\s\"]+")
# What polib reads back exactly as it writes it (gettext also has \a, octal and \x).
_ESCAPES = set('\\"ntrvbf')
HINT = ("Fix that line in your PO editor or a text editor (msgfmt -c shows the same "
        "problem); traduco leaves this catalog untouched until then")


@dataclass(frozen=True)
class _Token:
    kind: str          # msgctxt, msgid, msgid_plural, msgstr, msgstr[], string
    line: int
    obsolete: bool
    index: int | None = None
    raw: str = ""      # a string's text between its quotes, as written (escapes not decoded)


def check(text: str, path: Path | str) -> None:
    """Raise CatalogError (with the line) unless `text` is valid PO syntax."""
    tokens: list[_Token | None] = []     # None stands for a comment line
    for number, raw in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        line = raw.rstrip("\r").strip()
        if not line:
            continue
        if line.startswith("#~"):
            rest = line[2:].lstrip()
            if rest.startswith("|"):      # a previous msgid of an obsolete entry
                _lex(rest[1:], number, path, obsolete=True)
                tokens.append(None)
            elif rest and not rest.startswith("#"):
                tokens += _lex(rest, number, path, obsolete=True)
            continue
        if line.startswith("#|"):
            _lex(line[2:], number, path, obsolete=False)   # strings must still be valid
            tokens.append(None)
        elif line.startswith("#"):
            tokens.append(None)
        else:
            tokens += _lex(line, number, path, obsolete=False)
    _parse(tokens, path)


def _lex(line: str, number: int, path, *, obsolete: bool) -> list[_Token]:
    tokens, at = [], 0
    while at < len(line):
        if line[at].isspace():
            at += 1
        elif line[at] == '"':
            end = _string_end(line, at, number, path)
            tokens.append(_Token("string", number, obsolete, raw=line[at + 1:end - 1]))
            at = end
        else:
            word = _WORD.match(line, at).group()
            keyword = _KEYWORD.fullmatch(word)
            if keyword is None:
                raise _error(f"text that is not part of any entry ({word[:30]!r})", path, number)
            index = keyword.group(2)
            tokens.append(_Token(keyword.group(1) + ("[]" if index is not None else ""), number,
                                 obsolete, int(index) if index is not None else None))
            at += len(word)
    return tokens


def _string_end(line: str, start: int, number: int, path) -> int:
    at = start + 1
    while at < len(line):
        char = line[at]
        if char == '"':
            return at + 1
        if char == "\\":
            escaped = line[at + 1:at + 2]
            if not escaped:
                break          # a backslash ends the line: the string is not closed
            if escaped not in _ESCAPES:
                raise _error(f"a string has an escape traduco cannot read (\\{escaped})", path, number,
                             'Use \\n, \\t, \\" or \\\\, or type the character itself')
            at += 2
        else:
            at += 1
    raise _error("a string is not closed (its closing quote is missing, or the file is cut "
                 "short here)", path, number)


def _parse(tokens: list[_Token | None], path) -> None:
    at = 0
    header_at = None

    def strings(after: _Token) -> None:
        nonlocal at
        if at >= len(tokens) or tokens[at] is None or tokens[at].kind != "string":
            raise _error(f"{after.kind} has no string", path, after.line)
        if tokens[at].line != after.line:    # msgfmt allows it; polib cannot read it
            raise _error(f"{after.kind} must have its string on the same line", path, after.line)
        while at < len(tokens) and tokens[at] is not None and tokens[at].kind == "string":
            at += 1

    def next_kind() -> str | None:
        token = tokens[at] if at < len(tokens) else None
        return token.kind if token else None

    while at < len(tokens):
        first = tokens[at]
        if first is None:
            at += 1
            continue
        start = at
        if first.kind == "msgctxt":
            at += 1
            strings(first)
        msgid = tokens[at] if at < len(tokens) else None
        if msgid is None or msgid.kind != "msgid":
            where = msgid.line if msgid and first.kind != "msgctxt" else first.line
            what = {"msgstr": "a msgstr without its msgid", "msgstr[]": "a msgstr without its msgid",
                    "msgctxt": "a msgctxt without its msgid",
                    "string": "text that is not part of any entry"}.get(first.kind, "an entry without msgid")
            raise _error(what, path, where)
        at += 1
        msgid_start = at
        strings(msgid)
        if first.kind != "msgctxt" and not msgid.obsolete and not any(t.raw for t in tokens[msgid_start:at]):
            if header_at is not None:
                raise _error(f'a second header (msgid "", the first is on line {header_at})', path, msgid.line)
            header_at = msgid.line
        if next_kind() == "msgid_plural":
            plural = tokens[at]
            at += 1
            strings(plural)
            expected = 0
            while next_kind() == "msgstr[]":
                form = tokens[at]
                if form.index != expected:
                    raise _error(f"msgstr[{form.index}] where msgstr[{expected}] belongs", path, form.line)
                at += 1
                strings(form)
                expected += 1
            if expected == 0 and next_kind() == "msgstr":
                raise _error("msgid_plural needs msgstr[0], msgstr[1]... instead of msgstr", path,
                             tokens[at].line)
            if expected == 0:
                raise _error("a msgid_plural without its msgstr[0]", path, plural.line)
        elif next_kind() == "msgstr":
            msgstr = tokens[at]
            at += 1
            strings(msgstr)
        elif next_kind() == "msgstr[]":
            raise _error("msgstr[n] without msgid_plural", path, tokens[at].line)
        else:
            raise _error("a msgid without its msgstr (a line may be missing, or the file cut "
                         "short)", path, msgid.line)
        entry = tokens[start:at]
        if len({token.obsolete for token in entry}) > 1:
            raise _error("an entry is partly marked obsolete (#~) and partly not", path, first.line)


def _error(what: str, path, line: int, hint: str = HINT) -> CatalogError:
    return CatalogError(f"syntax error in the catalog: {what}", path=path, line=line, hint=hint)
