"""traduco: Italian sources to reviewed zh_CN and English through gettext catalogs.

The library is organised by domain noun; the CLI (`traduco.cli`) and the Prefect
flows (`flows/`) are thin shells over it:

- `sources`: pull source documents from `sources/`
- `units`: split a document into translation units and write its template
- `catalogs`: read, merge and write the per-locale `.po` catalogs
- `mt`: machine translation: providers, limits, masking, cache, the engine
- `merging`, `memory`: msgmerge-style updates and translation memory
- `drafting`: fill untranslated units with fuzzy machine drafts
- `review`: the review queue
- `publishing`: compile and render what is fully approved
"""

__version__ = "0.1.0"
