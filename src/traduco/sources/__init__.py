"""Pull: the Italian source documents, from `sources/` and from the web.

- `sources.documents`: read and validate source documents in `sources/`, document ids
- `sources.dates`: a source's date as an Italian office writes it, read into ISO form
- `sources.markup`: Markdown sources: blocks to units, and pages rebuilt from translated units
- `sources.feeds`: pull RSS/Atom feeds and article pages into `sources/`
- `sources.fetcher`: HTTP GET for feeds and articles: deadline, size limit, redirects, charsets
- `sources.webstate`: what `traduco pull` remembers between runs
"""
