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

It is stricter than msgfmt in one way: what polib cannot read back is refused
(the escapes `\\a`, octal, `\\x`; `msgstr [0]` with a space; a form feed
between a keyword and its string) rather than misread or doubled on the next save.

`check_entries` then judges the parsed entries as `msgfmt -c` does before it
compiles them: plural forms against the header's Plural-Forms, newlines at
both ends of msgid and msgstr, format strings (`formats`). A catalog msgfmt
would not compile is never trusted, so never approved nor published.
"""

from __future__ import annotations

import functools
import gettext
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polib

from traduco.catalogs import formats
from traduco.errors import CatalogError

_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?")
_BLANK = " \t\r\f\v"      # gettext's white space: a no-break space is none (Python's strip() thinks it is)
_WORD = re.compile(r"[^ \t\r\f\v\"]+")
_LONE_CR = re.compile(r"\r+(?=[^\r\n])")
_SPACED_INDEX = re.compile(r"msgstr[ \t]*\[[ \t]*(\d+)[ \t]*\]")
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
    if text.startswith("\ufeff"):
        raise _error("the file starts with a byte-order mark (BOM), which msgfmt refuses", path, 1,
                     "Save it as UTF-8 without BOM (Poedit and msgcat do; in a text editor choose "
                     "'UTF-8', not 'UTF-8 with BOM')")
    _refuse_lone_carriage_return(text, path)
    tokens: list[_Token | None] = []     # None stands for a comment line
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip(_BLANK)
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


def unreadable(text: str, path, line: int | None) -> CatalogError:
    """polib refused what `check` let through (msgfmt reads it): the line, and
    for a comment such as `#TODO` (polib needs `# TODO`) what to change."""
    lines = text.split("\n")
    words = lines[line - 1].split() if line and line <= len(lines) else []
    if words and words[0].startswith("#") and not words[0].startswith("##"):
        return _error(f"a comment polib cannot read ({words[0][:30]!r}; msgfmt reads it)", path, line,
                      "Put a space after '#' (\"# TODO\", not \"#TODO\"); PO editors write it so")
    return CatalogError("syntax error in the catalog", path=path, line=line, hint=HINT)


def _refuse_lone_carriage_return(text: str, path) -> None:
    """Old Mac line ends (CR alone): msgfmt reads the whole file as one line, so
    a `#` comment swallows every entry after it, while polib reads each entry;
    the two would publish different catalogs."""
    lone = _LONE_CR.search(text)     # CRs before a line feed (CRLF, CR CR LF) are only white space
    if lone:
        at = lone.start()
        raise _error("a carriage return without a line feed (old Mac line ends): msgfmt reads the "
                     "file as one line, polib as many, so they disagree on its entries",
                     path, text.count("\n", 0, at) + 1,
                     "Save it with Unix (LF) or Windows (CRLF) line ends; in a text editor choose "
                     "'LF' as the line ending")


def _lex(line: str, number: int, path, *, obsolete: bool) -> list[_Token]:
    tokens, at = [], 0
    while at < len(line):
        if line[at] in " \t":
            at += 1
        elif line[at] in "\f\v":
            raise _error("a form feed or vertical tab outside a string (msgfmt reads it, polib cannot)",
                         path, number, "Replace it with a space")
        elif line[at] == '"':
            end = _string_end(line, at, number, path)
            tokens.append(_Token("string", number, obsolete, raw=line[at + 1:end - 1]))
            at = end
        else:
            word = _WORD.match(line, at).group()
            keyword = _KEYWORD.fullmatch(word)
            spaced = _SPACED_INDEX.match(line, at)
            if spaced and spaced.group() != f"msgstr[{spaced.group(1)}]":
                raise _error(f"'{spaced.group()}' has a space in it (msgfmt reads it, polib and most "
                             "PO editors cannot)", path, number,
                             f"Write msgstr[{spaced.group(1)}], with no space")
            if keyword is None:
                _refuse_odd_space(word, path, number)
                raise _error(f"text that is not part of any entry ({word[:30]!r})", path, number)
            index = keyword.group(2)
            tokens.append(_Token(keyword.group(1) + ("[]" if index is not None else ""), number,
                                 obsolete, int(index) if index is not None else None))
            at += len(word)
    return tokens


def _refuse_odd_space(word: str, path, number: int) -> None:
    """`msgid\u00a0"..."`: a space msgfmt does not take for one, named as such."""
    for char in word:
        if char.isspace() and char not in _BLANK:
            name = unicodedata.name(char, "a space").lower()
            raise _error(f"a {name} (U+{ord(char):04X}) where only a space or a tab may be "
                         f"(in {word[:30]!r}); msgfmt refuses it", path, number,
                         "Replace it with an ordinary space (an editor's 'show whitespace' reveals it)")


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


# -- what msgfmt -c checks in the entries it compiles ---------------------------------------

def check_entries(catalog: polib.POFile, text: str, path: Path | str) -> None:
    """Raise CatalogError (with the line) for the first entry `msgfmt -c` would
    refuse to compile: plural forms that do not fit the header's Plural-Forms,
    a msgid and msgstr that do not both begin and end with a newline, format
    strings that do not match (see `formats`). Like msgfmt, only what it
    compiles is judged: fuzzy, untranslated and obsolete entries are not."""
    rule = _plural_rule(catalog, text, path)
    for entry in catalog:
        forms = _forms(entry)
        if entry.obsolete or "fuzzy" in entry.flags or not forms[0] or not entry.msgid:
            continue
        problem = _entry_problem(entry, forms, rule)
        if problem:
            what, hint = problem
            # Split only to name the line: the list of a catalog's lines costs as much as its text again.
            raise _refusal(what, path, _msgstr_line(text.split("\n"), entry), hint)


def compile_problem(entry: polib.POEntry, plural_forms: str | None) -> str | None:
    """What msgfmt -c would refuse in `entry` once approved (None: nothing), in a
    catalog whose header says `plural_forms`: for whoever is about to approve it."""
    forms = _forms(entry)
    if not forms[0] or not entry.msgid:
        return None
    try:
        rule = _rule(plural_forms)
    except ValueError as exc:
        return str(exc)
    problem = _entry_problem(entry, forms, rule)
    return problem[0] if problem else None


@dataclass(frozen=True)
class _PluralRule:
    nplurals: int | None           # None: the header has no Plural-Forms
    often: tuple[bool, ...] | None  # per form: used for many numbers (msgfmt then asks for every argument)


def _forms(entry: polib.POEntry) -> list[str]:
    if entry.msgstr_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)] or [""]
    return [entry.msgstr]


def _entry_problem(entry, forms: list[str], rule: _PluralRule) -> tuple[str, str] | None:
    plural = bool(entry.msgstr_plural)
    if plural:
        if rule.nplurals is None:
            return ("a plural entry, but the header has no Plural-Forms",
                    'Add a "Plural-Forms" header for the language (Poedit: Translation > Properties)')
        if len(forms) != rule.nplurals:
            return (f"a plural entry with {len(forms)} form{'s' * (len(forms) != 1)}, but the header's "
                    f"Plural-Forms says nplurals={rule.nplurals}",
                    f"Give it exactly {rule.nplurals} msgstr[n] lines, or correct Plural-Forms in the header")
    named = ["msgid_plural"] + [f"msgstr[{n}]" for n in range(len(forms))] if plural else ["msgstr"]
    texts = [entry.msgid_plural] + forms if plural else forms
    for edge, test in (("begin", lambda s: s.startswith("\n")), ("end", lambda s: s.endswith("\n"))):
        for name, other in zip(named, texts):
            if test(other) != test(entry.msgid):
                return (f"'msgid' and '{name}' do not both {edge} with a newline (\\n)",
                        f"Make the translation {edge} with \\n exactly when the msgid does")
    for kind in formats.flagged(entry.flags):
        for number, form in enumerate(forms):
            strict = not plural or len(forms) == 1 or bool(
                rule.often and number < len(rule.often) and rule.often[number])
            wrong = formats.mismatch(kind, entry.msgid_plural if plural else entry.msgid, form, strict=strict,
                                     msgid_name="msgid_plural" if plural else "msgid",
                                     msgstr_name=named[number + 1] if plural else "msgstr")
            if wrong:
                return (f"{kind}: {wrong}",
                        "Use the same placeholders as the msgid (the program fills them in), or remove "
                        f"the '{kind}' flag if the msgid is not a format string")
    return None


def _plural_rule(catalog: polib.POFile, text: str, path) -> _PluralRule:
    try:
        return _rule(catalog.metadata.get("Plural-Forms"))
    except ValueError as exc:
        line = next((n for n, line in enumerate(text.split("\n"), start=1) if line.startswith('"Plural-Forms:')),
                    None)
        raise _refusal(f"the header's Plural-Forms: {exc}", path, line,
                       "Copy the Plural-Forms line for the language from the gettext manual") from None


def _rule(written: str | None) -> _PluralRule:
    if not written:
        return _PluralRule(None, None)
    nplurals = re.search(r"nplurals\s*=\s*(\d+)", written)
    plural = re.search(r"plural\s*=\s*([^;]+)", written)
    if not nplurals or not plural or int(nplurals.group(1)) < 1:
        raise ValueError(f"{written!r} is not 'nplurals=N; plural=EXPRESSION;'")
    count = int(nplurals.group(1))
    return _PluralRule(count, _often(plural.group(1).strip(), count))


@functools.lru_cache(maxsize=64)
def _often(expression: str, nplurals: int) -> tuple[bool, ...]:
    """Which forms the rule gives for 5 or more of the numbers 0 to 1000 (msgfmt's
    test for a form used by many numbers); ValueError for a rule msgfmt refuses."""
    try:
        rule = gettext.c2py(expression)
        counts = Counter(int(rule(n)) for n in range(1001))
    except (ValueError, SyntaxError, ZeroDivisionError, RecursionError):
        raise ValueError(f"the plural expression {expression!r} cannot be read") from None
    if min(counts) < 0:
        raise ValueError("the plural expression can produce negative values")
    if max(counts) >= nplurals:
        raise ValueError(f"nplurals = {nplurals} but the plural expression can produce values as "
                         f"large as {max(counts)}")
    return tuple(counts[form] >= 5 for form in range(nplurals))


def _msgstr_line(lines: list[str], entry: polib.POEntry) -> int | None:
    start = getattr(entry, "linenum", None)
    if not start:
        return None
    for number in range(start, len(lines) + 1):
        if lines[number - 1].lstrip(_BLANK).startswith("msgstr"):
            return number
    return start


def _refusal(what: str, path, line: int | None, hint: str) -> CatalogError:
    return CatalogError(f"msgfmt -c would refuse this catalog: {what}", path=path, line=line,
                        hint=hint + "; until then traduco neither changes nor publishes it")
