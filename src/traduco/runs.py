"""What one translate run did, in a form the CLI prints and Prefect records."""

from __future__ import annotations

from dataclasses import dataclass, field

from traduco.drafting import CatalogReport
from traduco.review import QueueRow

EXIT_OK, EXIT_ERRORS, EXIT_MT_PENDING = 0, 1, 3


@dataclass
class RunSummary:
    documents: int = 0
    source_problems: list[str] = field(default_factory=list)
    catalogs: list[CatalogReport] = field(default_factory=list)
    queue: list[QueueRow] = field(default_factory=list)
    usage: list[dict] = field(default_factory=list)
    outages: dict[str, str] = field(default_factory=dict)   # provider -> why it was given up
    mt_seconds: float = 0.0                                  # first request to last answer

    @property
    def drafted(self) -> int:
        return sum(report.drafted for report in self.catalogs)

    @property
    def reused(self) -> int:
        return sum(report.reused for report in self.catalogs)

    @property
    def failed_units(self) -> int:
        return sum(report.failed for report in self.catalogs)

    @property
    def catalog_errors(self) -> list[str]:
        return [report.error for report in self.catalogs if report.error]

    @property
    def exit_code(self) -> int:
        """1 for files a person must fix, 3 when only MT left units for the next run."""
        if self.source_problems or self.catalog_errors:
            return EXIT_ERRORS
        if self.failed_units:
            return EXIT_MT_PENDING
        return EXIT_OK

    def problem_lines(self) -> list[str]:
        """One line per thing a person should know: files to fix, each provider
        that failed, and the units left for the next run."""
        lines = [*self.source_problems, *self.catalog_errors]
        reasons = [r for report in self.catalogs for r in report.failures]
        for provider, why in self.outages.items():
            mine = sum(1 for r in reasons if r.startswith(f"{provider} ") or r.startswith(f"{provider}:"))
            lines.append(f"{why}; {_units(mine)} wait in the review queue and the next run retries them"
                         if mine else why)
        others = [r for r in reasons if not any(r.startswith(f"{p} ") or r.startswith(f"{p}:")
                                                for p in self.outages)]
        if others:
            detail = "; ".join(sorted(set(others))[:3])
            lines.append(f"{_units(len(others))} could not be drafted ({detail}): they wait in the "
                         "review queue and the next run retries them")
        return lines


def _units(count: int) -> str:
    return f"{count} unit{'s' * (count != 1)}"


# Who wants to hear about drafting progress (the CLI's progress bar).
# Each listener is called as listener(locale, total=None, advance=0).
progress_listeners: list = []


def report_progress(locale: str, *, total: int | None = None, advance: int = 0) -> None:
    for listener in progress_listeners:
        listener(locale, total=total, advance=advance)


# Who wants to hear what a flow has to tell the person at the terminal
# (the CLI prints it; Prefect's own console logging stays off).
announcement_listeners: list = []


def announce(message: str) -> None:
    for listener in announcement_listeners:
        listener(message)
