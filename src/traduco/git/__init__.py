"""Git around a run: translators' pushes in, the run's work out, the merge driver registered.

The merge itself, catalog by catalog and entry by entry, is `traduco.catalogs.merge`.

- `git.sync`: git around a run: bring in translators' pushes, commit and push the run's work
- `git.repository`: the project's git repository: settings, credentials, `init-git`
"""
