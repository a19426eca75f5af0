"""Long lists at the terminal: check findings, drafts to approve. Laid out to read
at 80 columns as well as at 200."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text


def print_findings(out: Console, report: list[dict]) -> None:
    """Each finding under its catalog and place, the message on its own line:
    a table's message column is a few characters wide on an 80-column terminal."""
    shown = None
    for item in report:
        if (item["document"], item["locale"]) != shown:
            shown = (item["document"], item["locale"])
            out.print(Text(f"{item['document']} {item['locale']}", style="bold"), highlight=False)
        colour = "red" if item["severity"] == "error" else "yellow"
        out.print(Text("  ") + Text(item["where"] or "(catalog)") + Text("  ")
                  + Text(f"{item['severity']} [{item['check']}]", style=colour), highlight=False)
        print_wrapped(out, item["message"], indent=4)


def print_candidates(out: Console, found, shown_rows: int) -> None:
    table = Table(title="Drafts to approve (lowest risk first)", title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("document", "locale", "risk", "Italian", "draft"):
        table.add_column(column, overflow="ellipsis", no_wrap=column not in ("Italian", "draft"))
    for c in sorted(found, key=lambda c: (c.risk.score, c.doc_id, c.locale))[:shown_rows]:
        table.add_row(Text(c.doc_id), c.locale, f"{c.risk.score:.2f}", Text(c.msgid[:80]), Text(c.msgstr[:80]))
    out.print(table)
    if len(found) > shown_rows:
        out.print(f"… and {len(found) - shown_rows:,} more.", highlight=False)


def print_wrapped(out, message: str, indent: int = 0) -> None:
    """`message` wrapped at the width (rich counts a Chinese character as two
    columns), with no spaces padding or ending a line: logs and CI keep what is said."""
    for line in Text(message).wrap(out, max(out.width - indent, 20)):
        line.rstrip()
        out.print(Text(" " * indent) + line, highlight=False, soft_wrap=True)
