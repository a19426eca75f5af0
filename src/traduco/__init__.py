"""traduco: Italian sources to reviewed zh_CN and English through gettext catalogs.

One sub-package per step of the workflow, in the order a document goes
through them, then the ones that run the steps on a server. Each one's
docstring lists its modules; `docs/development.md` has the whole map.

Pull and extract
- `sources`: pull: source documents from `sources/` and from web feeds
- `catalogs`: extract, and the catalogs: templates, PO files read as msgfmt reads them, updated, merged

Draft
- `mt`: machine translation: the provider chain, clients, LLM drafting, cache, limits
- `drafting`: the translate run: batches, memory, each catalog's fuzzy drafts

Review
- `checks`: quality checks, a draft's risk, the notes written into catalogs
- `review`: the review queue, the review page, approve-low-risk, the scorecard

Publish
- `publishing`: what to publish or withdraw, the pages readers see

Running it
- `prefect_api`: the Prefect API traduco talks to (a command's own, serve's), and who may do what on it
- `notify`: telling people that work waits, or that a run failed
- `serve`: `traduco serve`: deployments, schedules, the editor's approval
- `git`: translators' pushes in, the run's work out
- `exchange`: XLIFF, TMX and TBX with agencies and CAT tools
- `cli`: the `traduco` command (thin)

Under every step
- `project`: the settings, folders and private state every step stands on
- `language`: sentences, numbers and dates, protected spans, the glossary
- `errors`: errors meant for people: which file and line, what is wrong, what to do
- `redaction`: keys (in every encoding) and URL query strings kept out of messages

Entry points
- `__main__`: the command's entry point: a Ctrl-C while it loads is said in words
- `catalog_merge`: the merge driver under the name older `traduco init-git` registered

Dependencies point one way, down this order (tests/test_architecture.py holds
it, imports inside functions included): errors, redaction, project, language,
sources, catalogs, checks, mt, review, drafting, publishing, prefect_api, notify,
serve, git, exchange, cli. Only the CLI imports the Prefect flows in `flows/`.
"""

__version__ = "0.2.0"
