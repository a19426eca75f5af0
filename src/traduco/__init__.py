"""traduco: Italian sources to reviewed zh_CN and English through gettext catalogs.

The library is organised by domain noun; the CLI (`traduco.cli`) and the Prefect
flows (`flows/`) are thin shells over it, and only they import the flows
(tests/test_architecture.py holds that). Every module, one line each, in the
order of the workflow:

Pull and extract
- `sources`: read and validate source documents in `sources/`, document ids
- `dates`: a source's date as an Italian office writes it, read into ISO form
- `layout`: Markdown sources: blocks to units, and pages rebuilt from translated units
- `feeds`: pull RSS/Atom feeds and article pages into `sources/`
- `fetcher`: HTTP GET for feeds and articles: deadline, size limit, redirects, charsets
- `addresses`: which addresses the web pull may reach (public ones, `allow_hosts`)
- `webstate`: what `traduco pull` remembers between runs
- `units`: a document's translation units, written as a gettext template

Catalogs
- `catalogs`: `.po`/`.pot` reading, headers, entry state, the byte-preserving writer
- `files`: atomic file writes, cross-process locks, the clock
- `project_catalogs`: one document's catalog in one locale (`Catalog`): read once, its state, edited under its lock; `each` for every one
- `provenance`: where a translation came from, as one value (`format()`, `parse()`)
- `syntax`: PO syntax checked as strictly as GNU msgfmt, before a catalog is trusted
- `formats`: c-, python- and python-brace-format strings compared as `msgfmt -c` compares them
- `merging`: msgmerge-style update of a catalog from its template, keeping reviewers' work
- `retirement`: the catalogs of removed sources, retired and brought back
- `catalog_merge`: git's merge driver for `.po`/`.pot`: three-way, entry by entry
- `catalog_text`: a catalog's text as blocks kept byte for byte, and its header's fields
- `catalog_entries`: an entry's translation as a merge weighs it: forms, a person's work, the other side

Draft
- `runs`: the translate run (`translate_project`): batches in process or on Dask, its summary
- `batches`: one batch of documents through extract, machine translation and draft
- `drafting`: one catalog brought up to date, its untranslated units drafted as fuzzy
- `memory`: translation memory: exact and fuzzy matches reused before paying MT
- `ledger`: what the last run saw of each source and catalog (fast unchanged reruns)
- `interruption`: Ctrl-C, SIGTERM, a cancelled run: stop asking, save what is in
- `reporting`: progress and announcements for whoever listens at the terminal
- `mt`: machine translation, one module per job:
  - `mt.engine`: the provider chain: cache lookups, masking, splitting, batching
  - `mt.client`: one provider: connection slots, pace, deadlines, retries, breaker, budget
  - `mt.drafter`: an LLM drafts whole documents: windows, rounds of smaller requests, tokens per document
  - `mt.documents`: a document as an LLM sees it: title, date, units with ids, windows of context
  - `mt.prompt`: what an LLM is told: house style, glossary, document, examples, the units as JSON
  - `mt.llm`: one chat-completions request through the openai client (JSON schema or JSON mode)
  - `mt.verdicts`: whether an LLM's answer holds a translation of each unit, judged one by one
  - `mt.claims`: texts claimed in the cache while in flight, so no text is bought twice
  - `mt.usage`: requests, characters, hits and failures, counted under one lock
  - `mt.shared_limits`: a provider's rate limit shared across runs on a Prefect server
  - `mt.providers`: language codes, keys, limits and one adapter per provider
  - `mt.transport`: what deep-translator's HTTP calls lack: a total deadline
  - `mt.limits`: pacing requests within a provider's limits, across threads
  - `mt.failures`: what went wrong with a request, in words, and what to do
  - `mt.cache`: every translation paid for, so no text is paid for twice
  - `mt.masking`: what MT must not touch, swapped for tokens and put back
  - `mt.segments`: long texts split at sentence boundaries and joined back
- `cluster`: the Dask cluster of `task_runner = "dask"`, loopback and TLS only

Review
- `checks`: quality checks, one module per kind:
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
- `numbers`: numbers and dates as values, read the way each language writes them
- `languages`: where sentences end (sentencex, figures and abbreviations kept whole), lingua's detectors
- `glossary`: the project glossary: approved translations of names and terms
- `review`: the review queue, most urgent first
- `review_page`: the side-by-side review page (a Jinja2 template, autoescaped)
- `check_report`: every check finding of every catalog, for `traduco check`
- `check_notes`: a catalog's `#. check` and `#. risk:` notes rewritten to what was just found, nothing else
- `risk`: a draft's risk from its signals, and its note in the catalog
- `bulk_approval`: approve-low-risk: drafts below a bar approved in a named reviewer's name
- `scorecard`: post-edit scorecard: how much reviewers changed each provider's drafts
- `notify`: telling people that work waits: webhook, e-mail, Prefect notification blocks
- `automations`: the notify rules as Prefect automations on serve's server, and the runs' events

Publish
- `publishing`: what to publish or withdraw; `.mo` files, pages, index, feed
- `snapshots`: one reading of a catalog: what publishing checks is what it publishes
- `pages`: what readers see: a page per document, an index and a JSON Feed per locale
- `disclosure`: how a published translation was made (machine, memory, a person)
- `approval`: the editor's approval: Prefect suspension, waiting runs, decisions

Agencies and CAT tools
- `exchange`: XLIFF, TMX and TBX out and back, one module per job:
  - `exchange.safexml`: XML from outside read safely (no entities, no network, no huge trees)
  - `exchange.inline`: markup and placeholders as XLIFF/TMX inline codes
  - `exchange.selection`: the units to export: by document, locale, waiting, risk band
  - `exchange.xliff_out`: XLIFF 2.1 (with the glossary module) and 1.2 written
  - `exchange.xliff_in`: XLIFF read back: 2.x, 1.2, Trados's and memoQ's conventions
  - `exchange.xliff_merge`: a returned XLIFF merged into the catalogs as a person's save
  - `exchange.tmx`: TMX 1.4b: approved pairs out, an agency's memory in
  - `exchange.tbx`: the glossary as TBX-Basic, out and in

Around the workflow
- `config`: the project: folders, locales, MT settings, overrides per run
- `settings`: `[tool.traduco]` declared as typed models: one message per wrong key
- `errors`: errors meant for people: which file and line, what is wrong, what to do
- `exits`: how a command ends: exit codes, one line per problem, its environment restored
- `storage`: the private `.traduco/` folder and the SQLite files in it
- `trust`: what a run trusts on disk: folders inside the project, settings accepted on the server
- `redaction`: keys (in every encoding) and URL query strings kept out of messages
- `sync`: git around a run: bring in translators' pushes, commit and push the run's work
- `repository`: the project's git repository: settings, credentials, `init-git`
- `serving`: Prefect servers: serve's local one, a command's own API
- `front`: the roles on serve's server: reviewers read and decide, the operator does the rest
- `listeners`: who listens on a local port (the password goes only to this user's server)
- `deployments`: what serve serves: the flows' deployments, schedules, a line per run
- `cli`: the `traduco` command (thin); `cli.publishing`: its publish, approve and serve;
  `cli.exchange`: export-xliff, import-xliff, export-tmx, import-tmx, export-tbx, import-tbx;
  `cli.trusting`: its trust-settings; `cli.listing`: long lists at 80 columns
- `__main__`: the command's entry point: a Ctrl-C while it loads is said in words
"""

__version__ = "0.1.0"
