"""The `traduco` command: a thin shell over the library and the flows.

- `cli.shell`: the typer app, its consoles and options, how a command ends (`main`)
- `cli.workflow`: run, pull, status, check, review, approve-low-risk, report, merge-driver, init-git
- `cli.publishing`: publish, approve, serve
- `cli.exchange`: export-xliff, import-xliff, export-tmx, import-tmx, export-tbx, import-tbx
- `cli.trusting`: trust-settings
- `cli.listing`: long lists at 80 columns
- `cli.exits`: exit codes, one line per problem, the environment restored
"""

# Each module registers its commands; `traduco --help` lists them in this order.
from traduco.cli import workflow, publishing, trusting, exchange  # noqa: F401,I001
from traduco.cli.shell import app, commands_read_like_click, entry, main

commands_read_like_click()

__all__ = ["app", "entry", "main"]
