"""Quality checks: what machine translation (and people) break, caught before review ends.

Each check is a small function registered with an id and a severity; errors
block publishing, warnings do not. A reviewer silences one check on one entry
with a translator comment line (Poedit: "Comment"), never globally:

    ignore-check: numbers

    >>> check("Costa 1.500 euro", "It costs 1,600 euros", "en")  # doctest: +ELLIPSIS
    [Finding(check='numbers', severity='error', message='“1.500” in the Italian is missing or different...')]

One module per kind of check: figures (numbers, dates), terms (glossary,
tokens), chinese (punctuation, Traditional characters), untranslated
(Italian left in, identical), completeness (dropped sentences, by
alignment.py's sentence alignment; length; blank), negation. The order
they are imported in is the order findings are listed in.

- `checks.core`: findings, the registry of checks, ignore-check comments
- `checks.cache`: findings remembered per entry, glossary and checks version
- `checks.figures`: numbers and dates, as values
- `checks.terms`: glossary terms and protected tokens
- `checks.chinese`: Chinese punctuation and Traditional characters
- `checks.untranslated`: Italian left in a translation, names excepted
- `checks.completeness`: dropped sentences, length, empty translations
- `checks.alignment`: sentence alignment by length and anchors (Gale-Church)
- `checks.negation`: a negation lost in translation
- `checks.text`: sentences, names and language identification the checks share
- `checks.risk`: a draft's risk from its signals, and its note in the catalog
- `checks.judge`: a draft judged: its findings and risk in one place (`Judge`), written as the catalog's notes
- `checks.notes`: a catalog's `#. check` and `#. risk:` notes rewritten to what was just found, nothing else
- `checks.sweep`: every check finding of every catalog, for `traduco check` (`check_project`)
- `checks.ledger`: what was last seen and judged of each source and catalog (fast unchanged reruns)
"""

from traduco.checks.core import (CHECKS, CHECKS_VERSION, COMMENT_PREFIX, ERROR, IGNORE_PREFIX, WARNING,
                                 Check, Finding, Pair, annotate, check, check_entry, format_flags,
                                 ignored_checks, register)
from traduco.checks import figures, terms, chinese, untranslated, completeness, negation  # noqa: F401  (registers)
from traduco.checks.cache import CheckCache, catalog_findings
from traduco.checks.completeness import TYPICAL_RATIO
from traduco.checks.text import sentence_count, warm_up

__all__ = ["CHECKS", "CHECKS_VERSION", "COMMENT_PREFIX", "ERROR", "IGNORE_PREFIX", "WARNING", "Check", "CheckCache",
           "Finding", "Pair", "annotate", "catalog_findings", "check", "check_entry",
           "format_flags", "ignored_checks", "register", "sentence_count", "warm_up"]
