"""Format strings in translations, compared as GNU `msgfmt -c` compares them.

>>> mismatch("python-format", "%(n)d files", "%(n)d file", strict=True) is None
True
>>> mismatch("c-format", "%d of %s", "%s", strict=True)
"number of format specifications in 'msgid' and 'msgstr' does not match"
>>> mismatch("c-format", "%d of %s", "%d", strict=False) is None   # a plural form for one number
True

An entry flagged `c-format`, `python-format` or `python-brace-format` (or
`possible-…`) is run by the program with arguments that fit its msgid; a
translation that wants other arguments crashes it or prints garbage, so
msgfmt refuses to compile the catalog. No Python library compares the three
kinds the way msgfmt does (babel checks python-format by its own rules), hence
these small parsers, checked against msgfmt 0.21 itself (tests/test_formats.py).

The rules are gettext's: a msgstr that is not a valid format string while the
msgid is one is refused; a msgid that is not a valid one is not checked at
all; `strict` (every form but a plural form used for a single number) asks
for the same arguments on both sides, otherwise the msgstr may use fewer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("c-format", "python-format", "python-brace-format")


class Invalid(ValueError):
    """The text is not a valid format string of its kind (the reason, in gettext's words)."""


@dataclass(frozen=True)
class Spec:
    """The arguments a format string wants: by position (types in order) or by name."""
    positional: tuple[str, ...] = ()
    named: tuple[tuple[str, str], ...] = ()      # (name, type), sorted by name


def flagged(flags) -> list[str]:
    """The kinds an entry's flags ask msgfmt to check (`c-format`, `possible-c-format`...)."""
    return [kind for kind in KINDS if kind in flags or f"possible-{kind}" in flags]


def mismatch(kind: str, msgid: str, msgstr: str, *, strict: bool,
             msgid_name: str = "msgid", msgstr_name: str = "msgstr") -> str | None:
    """What msgfmt -c says is wrong with `msgstr` as a translation of `msgid`, or None."""
    parse = _PARSERS[kind]
    try:
        wanted = parse(msgid)
    except Invalid:
        return None              # msgfmt checks translations only against a valid msgid
    try:
        given = parse(msgstr)
    except Invalid as exc:
        return (f"'{msgstr_name}' is not a valid {_TITLES[kind]} format string, unlike "
                f"'{msgid_name}'. Reason: {exc}")
    return _compare(kind, wanted, given, strict, msgid_name, msgstr_name)


def _compare(kind, wanted: Spec, given: Spec, strict: bool, a: str, b: str) -> str | None:
    if wanted.named and given.positional:
        return f"format specifications in '{a}' expect a mapping, those in '{b}' expect a tuple"
    if wanted.positional and given.named:
        return f"format specifications in '{a}' expect a tuple, those in '{b}' expect a mapping"
    ours, theirs = dict(wanted.named), dict(given.named)
    for name in sorted(set(ours) | set(theirs)):
        if name not in ours:
            return f"a format specification for argument '{name}', as in '{b}', doesn't exist in '{a}'"
        if name not in theirs:
            if strict:
                return f"a format specification for argument '{name}' doesn't exist in '{b}'"
            continue
        if not _same(ours[name], theirs[name], strict):
            return f"format specifications in '{a}' and '{b}' for argument '{name}' are not the same"
    # C lets a translation use fewer of the leading arguments; Python's tuple must fit exactly
    fewer_allowed = kind == "c-format" and not strict
    count_a, count_b = len(wanted.positional), len(given.positional)
    if count_b > count_a or (count_b < count_a and not fewer_allowed):
        return f"number of format specifications in '{a}' and '{b}' does not match"
    for number, (one, other) in enumerate(zip(wanted.positional, given.positional), start=1):
        if not _same(one, other, strict or kind == "c-format"):
            return f"format specifications in '{a}' and '{b}' for argument {number} are not the same"
    return None


def _same(one: str, other: str, strict: bool) -> bool:
    return one == other or (not strict and "any" in (one, other))


# -- C ------------------------------------------------------------------------

_C = re.compile(r"%(?:(?P<number>[1-9]\d*)\$)?(?P<flags>[-+ #0'I]*)"
                r"(?P<width>\*(?:[1-9]\d*\$)?|\d+)?(?:\.(?P<precision>\*(?:[1-9]\d*\$)?|\d*))?"
                r"(?P<size>hh|h|ll|l|L|q|j|z|Z|t)?(?P<conversion><PRI[diouxX](?:8|16|32|64|"
                r"LEAST8|LEAST16|LEAST32|LEAST64|FAST8|FAST16|FAST32|FAST64|MAX|PTR)>|.?)", re.S)
_C_SIZES = {"q": "ll", "Z": "z"}


def _c_type(size: str, conversion: str) -> str | None:
    if conversion.startswith("<PRI"):
        return ("int" if conversion[4] in "di" else "uint") + conversion[5:-1]
    if conversion in ("d", "i"):
        return "int" + size
    if conversion in ("o", "u", "x", "X"):
        return "uint" + size
    if conversion in "eEfFgGaA" and conversion:
        return "double" + ("L" if size == "L" else "")
    if conversion == "c":
        return "wchar" if size == "l" else "char"
    if conversion == "s":
        return "wstring" if size == "l" else "string"
    if conversion == "p":
        return "pointer"
    if conversion == "n":
        return "count" + size
    return None


def _each_directive(text: str, read) -> None:
    """Call `read(at, number)` for each directive (a `%` that is not `%%`); it
    returns where the directive ends."""
    at, number = text.find("%"), 0
    while at != -1:
        if text.startswith("%%", at):
            at = text.find("%", at + 2)
            continue
        number += 1
        at = text.find("%", read(at, number))


def _parse_c(text: str) -> Spec:
    numbered: dict[int, str] = {}
    unnumbered: list[str] = []

    def read(at: int, directive: int) -> int:
        found = _C.match(text, at)
        conversion = found.group("conversion")
        if conversion in ("m", "%"):      # glibc's strerror(errno), and "% %": no argument
            return found.end()
        kind = _c_type(_C_SIZES.get(found.group("size") or "", found.group("size") or ""), conversion)
        if kind is None:
            what = f"the character '{conversion}' is not" if conversion else "the end of the string is not"
            raise Invalid(f"In the directive number {directive}, {what} a valid conversion specifier.")
        arguments = [(found.group(part), "int") for part in ("width", "precision")
                     if (found.group(part) or "").startswith("*")]
        arguments.append((found.group("number"), kind))
        for number, type_ in arguments:
            number = number.strip("*$") if number else ""
            if number:
                if numbered.get(int(number), type_) != type_:
                    raise Invalid(f"The string refers to argument number {number} in incompatible ways.")
                numbered[int(number)] = type_
            else:
                unnumbered.append(type_)
        return found.end()
    _each_directive(text, read)
    if numbered and unnumbered:
        raise Invalid("The string refers to arguments both through absolute argument numbers and "
                      "through unnumbered argument specifications.")
    for expected, number in enumerate(sorted(numbered), start=1):
        if number != expected:
            raise Invalid(f"The string refers to argument number {number} but ignores argument "
                          f"number {expected}.")
    return Spec(positional=tuple(numbered[n] for n in sorted(numbered)) or tuple(unnumbered))


# -- Python % -------------------------------------------------------------------

_PYTHON_TYPES = {**dict.fromkeys("c", "char"), **dict.fromkeys("sra", "any"),
                 **dict.fromkeys("diuoxX", "int"), **dict.fromkeys("eEfFgG", "float")}
_PYTHON_REST = re.compile(r"(?P<flags>[-+ #0]*)(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d*))?[hlL]?(?P<conversion>.?)",
                          re.S)


def _parse_python(text: str) -> Spec:
    named: dict[str, str] = {}
    unnamed: list[str] = []

    def read(at: int, directive: int) -> int:
        name, at = _python_name(text, at + 1, directive)
        found = _PYTHON_REST.match(text, at)
        kind = _PYTHON_TYPES.get(found.group("conversion"))
        if found.group("conversion") == "%" and name is None:     # "% %": a percent sign
            return found.end()
        if kind is None:
            if not found.group("conversion"):
                raise Invalid("The string ends in the middle of a directive.")
            raise Invalid(f"In the directive number {directive}, the character "
                          f"'{found.group('conversion')}' is not a valid conversion specifier.")
        stars = [part for part in ("width", "precision") if found.group(part) == "*"]
        if name is not None:
            if stars:
                raise Invalid("The string refers to a width or precision by '*' in a directive "
                              "with an argument name.")
            if named.get(name, kind) != kind:
                raise Invalid(f"The string refers to the argument named '{name}' in incompatible ways.")
            named[name] = kind
        else:
            unnamed.extend(["int"] * len(stars) + [kind])
        return found.end()
    _each_directive(text, read)
    if named and unnamed:
        raise Invalid("The string refers to arguments both through argument names and through "
                      "unnamed argument specifications.")
    return Spec(positional=tuple(unnamed), named=tuple(sorted(named.items())))


def _python_name(text: str, at: int, directive: int) -> tuple[str | None, int]:
    if not text.startswith("(", at):
        return None, at
    depth, end = 1, at + 1
    while end < len(text) and depth:
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        end += 1
    if depth:
        raise Invalid("The string ends in the middle of a directive.")
    return text[at + 1:end - 1], end


# -- Python {} -----------------------------------------------------------------

_BRACE_NAME = re.compile(r"[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+|\[[^\]{}]*\])*")
_BRACE_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?#?0?\d*(?:\.\d+)?[bcdoxXneEfFgG%s]?", re.S)


def _parse_brace(text: str) -> Spec:
    names: set[str] = set()
    at, directive = 0, 0
    while True:
        at = text.find("{", at)
        if at == -1:
            return Spec(named=tuple((name, "any") for name in sorted(names)))
        if text.startswith("{{", at):
            at += 2
            continue
        end = _brace_field(text, at + 1, directive, toplevel=True)
        if end == at + 1:
            raise Invalid(f"In the directive number {directive}, there is no argument name.")
        names.add(text[at + 1:end])    # as gettext 0.21 names it: the field with its spec
        directive += 1
        at = end + 1


def _brace_field(text: str, at: int, directive: int, *, toplevel: bool) -> int:
    """Where the field starting at `at` (after its `{`) ends: the index of its `}`."""
    end = _BRACE_NAME.match(text, at).end()
    if text.startswith(":", end):
        if not toplevel:
            raise Invalid(f"In the directive number {directive}, the format specification is nested too deep.")
        if text.startswith("{", end + 1):
            end = _brace_field(text, end + 2, directive, toplevel=False) + 1
        else:
            end = _BRACE_SPEC.match(text, end + 1).end()
    if not text.startswith("}", end):
        raise Invalid(f"In the directive number {directive}, there is an unterminated format directive.")
    return end


_PARSERS = {"c-format": _parse_c, "python-format": _parse_python, "python-brace-format": _parse_brace}
_TITLES = {"c-format": "C", "python-format": "Python", "python-brace-format": "Python brace"}
