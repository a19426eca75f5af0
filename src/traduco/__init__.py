"""traduco: Italian sources to reviewed zh_CN and English through gettext catalogs.

The library is organised by domain noun; the CLI (`traduco.cli`) and the Prefect
flows (`flows/`) are thin shells over it, and only they import the flows
(tests/test_architecture.py holds that). Every module, one line each:

- `sources`: pull: read and validate source documents in `sources/`, document ids
- `dates`: a source's date as an Italian office writes it, read into ISO form
- `layout`: Markdown sources: blocks to units, and pages rebuilt from translated units
- `units`: extract: a document's translation units, written as a gettext template
- `catalogs`: `.po`/`.pot` reading, headers, provenance, atomic writing, locks
- `syntax`: PO syntax checked as strictly as GNU msgfmt, before a catalog is trusted
- `merging`: msgmerge-style update of a catalog from its template, keeping reviewers' work
- `memory`: translation memory: approved translations reused before paying MT
- `drafting`: one catalog brought up to date, its untranslated units drafted as fuzzy
- `batches`: one batch of documents through extract, machine translation and draft
- `runs`: one translate run, batch by batch, and its summary and exit code
- `reporting`: progress and announcements for whoever listens at the terminal
- `ledger`: what the last run saw of each source and catalog (fast unchanged reruns)
- `retirement`: the catalogs of removed sources, retired and brought back
- `interruption`: Ctrl-C, SIGTERM, a cancelled run: stop asking, save what is in
- `numbers`: numbers and dates as values, read the way each language writes them
- `glossary`: the project glossary: approved translations of names and terms
- `checks`: quality checks, one small function each, and their cache
- `review`: the review queue, the review page and the checks report
- `scorecard`: post-edit scorecard: how much reviewers changed each provider's drafts
- `snapshots`: one reading of a catalog: what publishing checks is what it publishes
- `publishing`: what to publish or withdraw; `.mo` files, pages, index, feed
- `pages`: what readers see: a page per document, an index and a JSON Feed per locale
- `approval`: the editor's approval gate before publishing (Prefect pause and resume)
- `config`: project settings: `[tool.traduco]` in pyproject.toml, overridable per run
- `errors`: errors meant for people: which file and line, what is wrong, what to do
- `storage`: the private `.traduco/` folder and the SQLite files in it
- `redaction`: keys (in every encoding) and URL query strings kept out of messages
- `feeds`: pull RSS/Atom feeds and article pages into `sources/`
- `fetcher`: HTTP GET for feeds and articles: deadline, size limit, redirects, charsets
- `addresses`: which addresses the web pull may reach (public ones, `allow_hosts`)
- `webstate`: what `traduco pull` remembers between runs
- `sync`: git around a run: bring in translators' pushes, commit and push the run's work
- `repository`: the project's git repository: settings, credentials, `init-git`
- `catalog_merge`: git's merge driver for `.po`/`.pot`: three-way, entry by entry
- `cluster`: the Dask cluster of `task_runner = "dask"`, loopback and TLS only
- `serving`: Prefect servers: serve's local one, a command's own API, deployments
- `cli`: the `traduco` command (thin)
- `mt`: machine translation, one module per job:
  - `mt.providers`: language codes, keys, limits and one adapter per provider
  - `mt.engine`: the engine: providers made fast, cheap and resilient
  - `mt.attempts`: one request to a provider: a connection slot, a deadline
  - `mt.transport`: what deep-translator's HTTP calls lack: a total deadline
  - `mt.limits`: pacing requests within a provider's limits, across threads
  - `mt.failures`: what went wrong with a request, in words, and what to do
  - `mt.cache`: every translation paid for, so no text is paid for twice
  - `mt.masking`: what MT must not touch, swapped for tokens and put back
  - `mt.segments`: long texts split at sentence boundaries and joined back
"""

__version__ = "0.1.0"
