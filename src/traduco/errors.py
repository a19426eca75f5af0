"""Errors meant for people: which file, which line, what is wrong, what to do."""

from __future__ import annotations

from pathlib import Path


class TraducoError(Exception):
    """A problem a user can fix. `str()` is a complete, one-line message."""

    def __init__(self, what: str, *, path: Path | str | None = None,
                 line: int | None = None, hint: str | None = None):
        self.what = what
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint
        super().__init__(self.message)

    @property
    def where(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    @property
    def message(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        return f"{text}. {self.hint}" if self.hint else text


class SourceError(TraducoError):
    """A source document that cannot be read; the run skips it."""


class CatalogError(TraducoError):
    """A catalog that cannot be read or trusted; the run leaves it untouched."""


class ConfigError(TraducoError):
    """Bad `[tool.traduco]` settings or command-line options."""
