"""Files: the clock, atomic writes and cross-process locks.

    files.atomic_write_bytes(path, data)          # readers see the old file or the new one
    with files.locked(path, project.lock_path(path)): ...
    files.now()                                   # UTC, to the second

Every file traduco writes for people (catalogs, templates, pages, sources)
goes through `atomic_write_bytes`, so a killed run never leaves half a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import errno
import os
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from traduco.errors import CatalogError
from traduco.project.private import PRIVATE_FILE, private_dir

LOCK_WAIT_SECONDS = 600
STOP_POLL_SECONDS = 0.2     # how often a lock's waiter looks whether it was told to stop


def sha256(data: bytes) -> str:
    """The hex SHA-256 of `data`: how catalogs, templates and pages are told apart."""
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str | None:
    """The hex SHA-256 of the file's bytes, or None if it does not exist."""
    data = contents(path)
    return sha256(data) if data is not None else None


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class ChangedOnDisk(Exception):
    """The file changed since it was read (a translator saved it): merge again."""


def contents(path: Path) -> bytes | None:
    """The file's exact bytes, or None if it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def write_problem(exc: OSError, path: Path) -> CatalogError:
    """What a person needs to know when a catalog cannot be written: a full
    disk, or a folder traduco may not write in; either way nothing was lost."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return CatalogError(f"the disk is full (or your quota is spent): {path.name} could not be "
                            "written", path=path.parent,
                            hint="Nothing was lost: the file on disk is exactly as it was. Free some "
                                 "space and run again")
    return CatalogError(f"{path.name} cannot be written here ({exc.strerror or exc})", path=path.parent,
                        hint="Make this folder writable for traduco (permissions, a read-only or immutable "
                             "folder, a file where the folder should be). Nothing was lost: the file on "
                             "disk is as it was; the other documents went on")


@contextmanager
def exclusive(lock_path: Path, what: str, wait: float = LOCK_WAIT_SECONDS,
              stopped: Callable[[], bool] | None = None):
    """Hold a lock across processes (the OS releases it if the holder dies).
    `stopped`: a lock held by another is waited for only until it is true, then
    KeyboardInterrupt (a run told to stop has nothing to wait for)."""
    from filelock import FileLock, Timeout    # here: git's merge driver writes files but takes no lock
    private_dir(lock_path.parent)      # under .traduco/: private to its owner
    lock = FileLock(str(lock_path), mode=PRIVATE_FILE)
    deadline = time.monotonic() + wait
    while True:
        left = deadline - time.monotonic()
        try:
            lock.acquire(timeout=max(0.0, left if stopped is None else min(left, STOP_POLL_SECONDS)))
            break
        except Timeout:
            if stopped is not None and stopped():
                raise KeyboardInterrupt from None
            if time.monotonic() >= deadline:
                raise CatalogError(f"another traduco run has held {what} for {wait:g} s", path=lock_path,
                                   hint="Let it finish; the next run picks up from there") from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def locked(path: Path, lock_path: Path, wait: float = LOCK_WAIT_SECONDS):
    """Hold the one-writer lock for `path` (works across processes; the OS
    releases it if the holder dies) and clear temporary files a killed writer
    left beside it."""
    with exclusive(lock_path, str(path), wait):
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            stale.unlink(missing_ok=True)
        yield


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes, *, expected: bytes | None | type(...) = ...) -> None:
    """Readers see the old file or the new one, never half of one, even if the
    process is killed mid-write: write a temporary file beside it, flush it to
    disk, then rename it over the old one.

    With `expected`, the file is compared with those bytes once more right
    before the rename (after the slow part, flushing), and ChangedOnDisk is
    raised instead of renaming over a save that landed meanwhile. Only the
    instant between that comparison and the rename stays open: POSIX has no
    rename-if-unchanged.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if expected is not ... and contents(path) != expected:
            raise ChangedOnDisk(str(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
