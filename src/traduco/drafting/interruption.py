"""Ctrl-C, SIGTERM and a cancelled flow run: stop asking, save what is in, go.

    with interruption.handled():
        ...                                   # the run
        if interruption.requested(): ...      # stop starting new work

A run cancelled from the Prefect UI is a SIGTERM: Prefect's worker (or
`traduco serve`'s runner) sends it to the flow run's process, then waits
before it kills it. The first signal stops every MT engine of the process (nothing more is sent;
answers in flight get a couple of seconds) and lets the run write the
catalogs whose texts are in; the run then ends with exit code 130. Before
any engine is drafting (waiting for another run's lock, say) there is
nothing to save, and the signal stops the run at once. A second
signal ends the process at once: every file on disk is whole either way
(catalogs are written to a temporary file and renamed, locks die with the
process, the MT cache is SQLite).
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager

from traduco.mt import Engine

EXIT_INTERRUPTED = 130
SIGNALS = (signal.SIGINT, signal.SIGTERM)

_requested = threading.Event()
_depth = 0      # handled() blocks open (the CLI's around the flow's)


def requested() -> bool:
    return _requested.is_set()


def request() -> None:
    """Stop the run: engines send nothing more, new batches do not start."""
    _requested.set()
    Engine.stop_all()


def reset() -> None:
    """A new run in the same process (tests, a long-lived worker) starts unstopped."""
    _requested.clear()


_outer: dict[int, object] = {}     # the handlers ours replaced (Prefect's, around a flow run)


def _on_signal(signum, frame) -> None:
    if not Engine.running():
        # Nothing to save yet (waiting for another run's lock, extracting):
        # stop right here, as the handler ours replaced would (Prefect's, in a
        # flow run: a SIGTERM from its runner is then a cancellation), or as Python would.
        outer = _outer.get(signum)
        if callable(outer):
            outer(signum, frame)
        raise KeyboardInterrupt
    if _requested.is_set():
        os.write(2, b"\nStopped at once. Every file on disk is whole; the next run picks up from here.\n")
        os._exit(EXIT_INTERRUPTED)
    os.write(2, b"\nStopping: nothing more is sent; saving the catalogs whose texts are in "
                b"(Ctrl-C again to quit at once).\n")
    request()


@contextmanager
def handled():
    """Handle SIGINT and SIGTERM as above for the duration of the block (only
    the main thread can: elsewhere, the block runs with the signals as they are)."""
    global _depth
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if _depth == 0:
        reset()
    _depth += 1
    previous = {sig: signal.signal(sig, _on_signal) for sig in SIGNALS}
    if _depth == 1:
        _outer.update(previous)
    try:
        yield
    finally:
        _depth -= 1
        for sig, handler in previous.items():
            signal.signal(sig, handler)
