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
        lines = [*self.source_problems, *self.catalog_errors]
        for provider, why in self.outages.items():
            waiting = self.failed_units
            lines.append(f"{why}; {waiting} unit{'s' * (waiting != 1)} stay "
                         "untranslated and the next run retries them")
        if self.failed_units and not self.outages:
            reasons = sorted({r for report in self.catalogs for r in report.failures})
            lines.append(f"{self.failed_units} units could not be drafted "
                         f"({'; '.join(reasons[:3])}); the next run retries them")
        return lines
