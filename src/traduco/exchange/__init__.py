"""Exchange with agencies and CAT tools: XLIFF, TMX and TBX, one module per job.

- `exchange.safexml`: XML from outside read with lxml's safe settings (no entities, no network)
- `exchange.inline`: markup and placeholders as inline codes (the MT masking patterns)
- `exchange.selection`: which units to export, with their context, terms and fingerprint
- `exchange.xliff_out`: XLIFF 2.1 (glossary module) and 1.2 written for CAT tools
- `exchange.xliff_in`: XLIFF read back: 2.x, 1.2, Trados's and memoQ's conventions
- `exchange.xliff_merge`: a returned XLIFF merged into the catalogs under a person's rules
- `exchange.tmx`: TMX 1.4b: approved pairs out, an agency's memory in (locales/memory/)
- `exchange.tbx`: the glossary as TBX-Basic, out and in

lxml with a safe parser does the reading and writing: translate-toolkit's
storage classes read XLIFF 2 without inline codes or its modules
(`originalData`, `gls`), which traduco needs both ways.
"""
