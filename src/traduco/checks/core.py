"""What a check is, how checks are run on one translation, and how a reviewer
silences one on one entry."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import polib

from traduco.language.glossary import Glossary
from traduco.language.masking import FORMAT_FLAGS

ERROR, WARNING = "error", "warning"
CHECKS_VERSION = "5"   # bump when a check changes, so cached findings are recomputed
IGNORE_PREFIX = "ignore-check:"
COMMENT_PREFIX = "check "


@dataclass(frozen=True)
class Finding:
    check: str
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity} [{self.check}]: {self.message}"


@dataclass(frozen=True)
class Pair:
    source: str
    target: str
    locale: str
    glossary: Glossary | None
    flags: frozenset[str] = frozenset()   # the unit's format flags (python-format, ...)

    @property
    def language(self) -> str:
        return self.locale.split("_")[0]


@dataclass(frozen=True)
class Check:
    severity: str
    function: Callable[[Pair], list]
    description: str
    silence: str = ""   # what else, besides `ignore-check: <id>`, keeps it quiet

    def __iter__(self):   # (severity, function, description), as callers unpack it
        return iter((self.severity, self.function, self.description))


CHECKS: dict[str, Check] = {}


def register(check_id: str, severity: str, description: str, silence: str = ""):
    """A check returns messages; a message may be (severity, text) to override its level."""
    def add(function: Callable[[Pair], list]):
        CHECKS[check_id] = Check(severity, function, description, silence)
        return function
    return add


def check(source: str, target: str, locale: str, glossary: Glossary | None = None,
          ignored: set[str] = frozenset(), flags: Iterable[str] = ()) -> list[Finding]:
    """Every finding for one translation; nothing for an empty (untranslated) one.
    `flags` are the unit's gettext flags: placeholders count only in format strings."""
    if target == "":
        return []
    pair = Pair(source, target, locale, glossary, format_flags(flags))
    findings = []
    for check_id, (severity, function, _) in CHECKS.items():
        if check_id in ignored:
            continue
        for message in function(pair):
            level, text = message if isinstance(message, tuple) else (severity, message)
            findings.append(Finding(check_id, level, text))
    return findings


def check_entry(entry: polib.POEntry, locale: str, glossary: Glossary | None = None) -> list[Finding]:
    ignored = ignored_checks(entry)
    findings = check(entry.msgid, entry.msgstr, locale, glossary, ignored, entry.flags)
    unknown = sorted(ignored - set(CHECKS))
    if unknown:
        findings.append(Finding("ignore-check", WARNING, f"unknown check id {', '.join(unknown)} in "
                                f"'{IGNORE_PREFIX}': known ids are {', '.join(CHECKS)}"))
    return findings


def format_flags(flags: Iterable[str]) -> frozenset[str]:
    """The flags that make a unit a format string (a software catalog's)."""
    return frozenset(flags) & FORMAT_FLAGS


def ignored_checks(entry: polib.POEntry) -> set[str]:
    ids: set[str] = set()
    for line in (entry.tcomment or "").splitlines():
        if line.strip().lower().startswith(IGNORE_PREFIX):
            ids |= {part.strip() for part in line.split(":", 1)[1].split(",") if part.strip()}
    return ids


def annotate(entry: polib.POEntry, findings: list[Finding]) -> None:
    """Show findings to the reviewer as extracted comments (Poedit: "Notes for
    translators"), replacing the previous ones; the template's note stays."""
    kept = [line for line in (entry.comment or "").splitlines() if not line.startswith(COMMENT_PREFIX)]
    entry.comment = "\n".join([*kept, *(COMMENT_PREFIX + str(f) for f in findings)])


def quote(text: str, width: int = 60) -> str:
    """A piece of the translation as the reviewer will find it, in quotes."""
    text = " ".join(text.split())
    return f"“{text if len(text) <= width else text[:width - 1] + '…'}”"
