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
"""

from traduco.checks.core import (CHECKS, CHECKS_VERSION, COMMENT_PREFIX, ERROR, IGNORE_PREFIX, WARNING,
                                 Check, Finding, Pair, annotate, check, check_entry, format_flags,
                                 ignored_checks, register)
from traduco.checks import figures, terms, chinese, untranslated, completeness, negation  # noqa: F401  (registers)
from traduco.checks.cache import CheckCache, annotate_catalog, catalog_findings
from traduco.checks.completeness import TYPICAL_RATIO
from traduco.checks.text import sentence_count, warm_up

__all__ = ["CHECKS", "CHECKS_VERSION", "COMMENT_PREFIX", "ERROR", "IGNORE_PREFIX", "WARNING", "Check", "CheckCache",
           "Finding", "Pair", "annotate", "annotate_catalog", "catalog_findings", "check", "check_entry",
           "format_flags", "ignored_checks", "register", "sentence_count", "warm_up"]
