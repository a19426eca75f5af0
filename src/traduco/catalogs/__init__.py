"""Extract, and the catalogs themselves: gettext files read, judged as msgfmt judges them, updated, merged.

A document's units become its template (`extraction`); each locale's catalog is
updated from it (`update`), read once as a `Catalog` and edited only under its
lock (`Catalog.edit`, the one lock-read-change-write); git's merges go entry by
entry (`merge`).

- `catalogs.catalog`: one document's catalog in one locale (`Catalog`): read once, its state, edited under its lock (`Catalog.edit`); `each` for every one
- `catalogs.pofile`: `.po`/`.pot` reading, headers, entry state, the byte-preserving writer
- `catalogs.syntax`: PO syntax checked as strictly as GNU msgfmt, before a catalog is trusted
- `catalogs.formats`: c-, python- and python-brace-format strings compared as `msgfmt -c` compares them
- `catalogs.provenance`: where a translation came from, as one value (`format()`, `parse()`)
- `catalogs.extraction`: a document's translation units, written as a gettext template
- `catalogs.update`: a catalog updated from its template (msgmerge-style), keeping reviewers' work
- `catalogs.retirement`: the catalogs of removed sources, retired and brought back
- `catalogs.merge`: the three-way merge of two sides of a catalog, entry by entry (git's merge driver)
- `catalogs.blocks`: a catalog's text as blocks kept byte for byte, and its header's fields
- `catalogs.entries`: an entry's translation as a merge weighs it: forms, a person's work, the other side
"""
