"""Draft: the translate run, its batches, and each catalog's fuzzy drafts.

- `drafting.runs`: the translate run (`translate_project`): batches in process or on Dask, its summary
- `drafting.batches`: one batch of documents through extract, machine translation and draft
- `drafting.ahead`: the first batch's texts asked for while Prefect starts (`traduco run`), handed to the run
- `drafting.drafts`: one catalog brought up to date, its untranslated units drafted as fuzzy
- `drafting.memory`: translation memory: exact and fuzzy matches reused before paying MT
- `drafting.interruption`: Ctrl-C, SIGTERM, a cancelled run: stop asking, save what is in
- `drafting.progress`: progress and announcements for whoever listens at the terminal
- `drafting.cluster`: the Dask cluster of `task_runner = "dask"`, loopback and TLS only
- `drafting.unchanged`: whether a run would change nothing, from the ledger alone (an unchanged rerun in a second)
"""
