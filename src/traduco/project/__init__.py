"""The project: its settings, its folders and its private state.

What every step stands on: `[tool.traduco]` read and checked, the folders and
locales it names, the private `.traduco/` folder, atomic writes and locks, and
what a run trusts. Nothing here imports another sub-package.

- `project.settings`: `[tool.traduco]` declared as a typed model: one message per wrong key
- `project.tables`: the tables inside it (mt, memory, web, git, schedule, notify), how locales and providers are written
- `project.loading`: the project as loaded: folders, locales, MT settings, overrides per run (`load_project`)
- `project.providers`: the MT providers a project may name: language codes, keys, limits (imports nothing of ours)
- `project.secrets`: the secrets the environment gives traduco, for redaction
- `project.private`: the private `.traduco/` folder and the SQLite files in it
- `project.files`: atomic file writes, cross-process locks, the clock
- `project.trust`: what a run trusts on disk: folders inside the project, settings accepted on the server
- `project.addresses`: which addresses the web pull may reach (public ones, `allow_hosts`)
"""
