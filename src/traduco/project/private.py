"""The project's `.traduco/` folder: private to its owner, and the SQLite files in it.

    private_dir(project.state_dir / "locks")   # mkdir -p, every new folder 0700
    store = Store(path, "CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v TEXT)")
    store.db().execute(...)      # this thread's connection (sqlite3 objects are per thread)

`.traduco/` holds what other local users must not read: Prefect's database
(with the key that encrypts Secret blocks), the API's password, MT answers
for embargoed texts. Every folder in it is 0700 and every file 0600, made so
at creation (not by a process-wide umask: catalogs and public pages are meant
to be shared) and repaired once per process for files an older traduco, or
another tool, left readable.
"""

from __future__ import annotations

import os
import pwd
import secrets
import sqlite3
import stat
import threading
import time
from pathlib import Path

from traduco.errors import TraducoError

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
REPAIRED = ".private"     # in .traduco/: its whole tree was made private once
_repaired: set[Path] = set()
_repairing = threading.Lock()


class StateFolderUnsafe(TraducoError):
    """`.traduco/` is not a folder of this user's that only they can write."""


class BrokenStore(TraducoError):
    """A SQLite file in `.traduco/` that SQLite cannot read (damaged, or something else in its place)."""


def private_state(state_dir: Path) -> Path:
    """`.traduco/` exists, is private, and (once per process) so is everything in it."""
    check_state_dir(state_dir)
    private_dir(state_dir)
    key = state_dir.resolve()
    with _repairing:
        if key not in _repaired:
            _repair(state_dir)
            _repaired.add(key)
    return state_dir


def check_state_dir(state_dir: Path) -> None:
    """`.traduco/`, if it exists, is a real folder (not a link: a push could make it one
    to someone else's), owned by this user, that nobody else can write to. Only
    readable by others (made so by an older traduco) is repaired, not refused."""
    try:
        info = os.lstat(state_dir)
    except FileNotFoundError:
        return
    hint = (f"Move it away (mv {state_dir} {state_dir}.suspect) and run again: traduco makes a private one "
            "(keys and the Prefect password are made anew)")
    if stat.S_ISLNK(info.st_mode):
        wrong = f"is a symbolic link (to {os.readlink(state_dir)}), not a folder of its own"
    elif not stat.S_ISDIR(info.st_mode):
        wrong = "is not a folder"
    elif info.st_uid != os.geteuid():
        wrong = f"belongs to {_user(info.st_uid)}, not to {_user(os.geteuid())} who runs traduco"
    elif info.st_mode & 0o022:
        wrong = f"can be written by other users (mode {stat.S_IMODE(info.st_mode):04o}; it must be 0700)"
    else:
        return
    raise StateFolderUnsafe(f"the private state folder {wrong}: traduco keeps keys and passwords only in a folder "
                            "that is its own", path=state_dir, hint=hint)


def _user(uid: int) -> str:
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def private_dir(path: Path) -> Path:
    """`mkdir -p` whose new folders are 0700 (Path.mkdir gives parents the umask's mode)."""
    missing, folder = [], path
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            pass
    return path


def private_file(path: Path) -> Path:
    """Create `path` 0600 if it does not exist (SQLite gives its -wal and -shm files the
    database's mode), or make an existing one 0600."""
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        _chmod(path, PRIVATE_FILE)
    return path


def write_private(path: Path, text: str) -> Path:
    """Write a small file readable by its owner only, from its first byte."""
    private_file(path)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def private_secret(path: Path) -> str:
    """A random secret kept in `path` (0600), made the first time it is asked for;
    two processes asking at once get the same one."""
    private_dir(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        for _ in range(100):          # its maker may not have written it yet
            if text := path.read_text(encoding="utf-8").strip():
                return text
            time.sleep(0.01)
        raise
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()


def _repair(root: Path) -> None:
    """Every folder 0700 and file 0600. The whole tree once (a project from before
    this rule: 0.3 s for 20,000 lock files), then, as the marker says, only the top
    two levels, where files from other tools or older code would appear: below
    them traduco and its Prefect server create everything private already."""
    _chmod(root, PRIVATE_DIR)
    marker = root / REPAIRED
    depth_limit = 2 if marker.exists() else None
    for folder, dirs, files in os.walk(root):      # does not follow links
        depth = len(Path(folder).relative_to(root).parts)
        for name in dirs:
            _chmod(Path(folder, name), PRIVATE_DIR)
        for name in files:
            _chmod(Path(folder, name), PRIVATE_FILE)
        if depth_limit is not None and depth + 1 >= depth_limit:
            dirs.clear()
    if depth_limit is None:
        private_file(marker)


def _chmod(path: Path, mode: int) -> None:
    try:
        info = os.lstat(path)
        if not stat.S_ISLNK(info.st_mode) and stat.S_IMODE(info.st_mode) != mode:
            os.chmod(path, mode)
    except (FileNotFoundError, PermissionError):
        pass     # gone meanwhile (a lock, a temp file), or not ours: nothing to repair


class Store:
    def __init__(self, path: Path, schema: str):
        self.path = path
        self._schema = schema
        self._local = threading.local()
        self._opening = threading.Lock()

    def db(self) -> sqlite3.Connection:
        connection = getattr(self._local, "db", None)
        if connection is None:
            private_state(self.path.parent)
            private_file(self.path)
            connection = sqlite3.connect(self.path, timeout=60)
            try:
                with self._opening:
                    _prepare(connection, self._schema)
            except sqlite3.DatabaseError as exc:
                connection.close()
                if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                    raise
                raise BrokenStore(f"not a database traduco can read ({exc})", path=self.path,
                                  hint=f"Move it aside (mv {self.path} {self.path}.broken) and run again: traduco "
                                       "makes a new one (from an MT cache, the texts it held are asked for again)"
                                  ) from None
            self._local.db = connection
        return connection


def _prepare(connection: sqlite3.Connection, schema: str, seconds: float = 60.0) -> None:
    """WAL mode (readers never wait for a writer) and the table. Switching a new
    file to WAL needs a moment alone with it, and SQLite reports "locked" at once
    instead of waiting when another process or thread is opening it too: retry."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.executescript(schema)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
