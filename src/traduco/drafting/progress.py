"""What the library has to tell the person at the terminal while it works.

Whoever shows it (the CLI: a progress bar, a line on stderr) listens for the
length of a block and stops hearing at its end; nobody listens by default (a
deployment's run, the tests): Prefect's logs and artifacts record the rest.

>>> with listening(Listener(announce=print)):
...     announce("Waiting for approval")
Waiting for approval
>>> announce("heard by nobody: the block is over")
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True, eq=False)
class Listener:
    """`progress(locale, more=0, advance=0)`: `more` units joined the drafting
    for the locale, `advance` were done. `announce(message)`: one line for the
    person who started the command."""

    progress: Callable[..., None] | None = None
    announce: Callable[[str], None] | None = None


# Module-wide because a flow's tasks run in threads of their own (and its
# parameters are recorded on the Prefect API, where a callback cannot go).
_listening: list[Listener] = []
_changing = threading.Lock()


@contextmanager
def listening(listener: Listener) -> Iterator[Listener]:
    with _changing:
        _listening.append(listener)
    try:
        yield listener
    finally:
        with _changing:
            _listening.remove(listener)


def tell_progress(locale: str, *, more: int = 0, advance: int = 0) -> None:
    for listener in list(_listening):
        if listener.progress:
            listener.progress(locale, more=more, advance=advance)


def announce(message: str) -> None:
    for listener in list(_listening):
        if listener.announce:
            listener.announce(message)
