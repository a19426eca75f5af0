"""Who listens on a port of this machine.

Every local user can open a port on 127.0.0.1. When `traduco serve` dies
without a word (kill -9, out of memory, a reboot), the address it recorded
stays behind, and another user may start a program on that port that answers
Prefect's health check and waits for the project's password. So before a
command hands the password to a server on this machine, it makes sure that
server is run by the same user. Linux says who owns each listening socket in
/proc/net/tcp; elsewhere this cannot be told, and the check says yes.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

_TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))
_LISTEN = "0A"


def this_user() -> int:
    return os.getuid()


def owners(port: int) -> set[int] | None:
    """The users whose sockets listen on `port` (any address); None where the
    system does not say (not Linux)."""
    found, readable = set(), False
    for table in _TABLES:
        try:
            rows = table.read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        readable = True
        for row in rows:
            fields = row.split()
            if len(fields) > 7 and fields[3] == _LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                found.add(int(fields[7]))
    return found if readable else None


def local(url: str) -> bool:
    """Whether `url` is a server on this machine (where another user could be listening)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_by_this_user(url: str) -> bool:
    """Whether the program answering at `url` on this machine is this user's own
    (True for a server elsewhere: who runs it is not a question for this machine).

    >>> run_by_this_user("https://prefect.example.org/api")
    True
    """
    if not local(url):
        return True
    port = urlsplit(url).port or 80
    users = owners(port)
    return users is None or users == {this_user()}
