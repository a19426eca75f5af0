"""Where traduco may connect when it fetches from the web or sends a
notification: public addresses, and the intranet hosts a project allows.

    policy = AddressPolicy.from_settings(["intranet.regione.local", "10.20.0.0/16"])
    session = guarded_session(policy, on_socket=sockets.add)

A feed is written by someone else: its links, and the redirects its server
sends, must not make traduco fetch from this machine (127.0.0.1), the office
network or a cloud metadata service (169.254.169.254) and publish what it
finds. The host is resolved once, every address is checked, and the connection
goes to the address that was checked, so a DNS answer that changes between the
check and the connection (DNS rebinding) cannot swap it. Redirects open new
connections, so they are checked the same way.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_KINDS = (   # checked in this order: 127.0.0.1 and 169.254.x.x are also "private" to ipaddress
    ("is_loopback", "a loopback address (this machine)"),
    ("is_link_local", "a link-local address (where cloud metadata services answer)"),
    ("is_multicast", "a multicast address"),
    ("is_unspecified", "an unspecified address"),
    ("is_private", "a private network address"),
    ("is_reserved", "a reserved address"),
)


class Refused(Exception):
    """A connection the policy does not allow. Not an OSError on purpose: urllib3
    and requests let it through unwrapped, so the reason reaches the message."""


def why_not_public(address: Address) -> str | None:
    """None for a public address; otherwise what kind of address it is."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and why_not_public(embedded):
            return f"{why_not_public(embedded)}, inside an IPv6 address"
    for attribute, kind in _KINDS:
        if getattr(address, attribute):
            return kind
    return None if address.is_global else "not a public address"


@dataclass(frozen=True)
class AddressPolicy:
    hosts: frozenset[str] = frozenset()          # exact names, or "*.example.org" for its subdomains
    networks: tuple = ()                          # ip_network objects

    @classmethod
    def from_settings(cls, entries) -> AddressPolicy:
        """From `allow_hosts`: host names, "*.domain", IP addresses and networks. ValueError if one is neither."""
        if isinstance(entries, str) or not isinstance(entries, (list, tuple)):
            raise ValueError("allow_hosts must be a list of host names or IP networks")
        hosts, networks = set(), []
        for entry in entries:
            text = str(entry).strip().lower().rstrip(".")
            try:
                networks.append(ipaddress.ip_network(text.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            name = text[2:] if text.startswith("*.") else text
            if not name or not all(part and part.replace("-", "").isalnum() for part in name.split(".")):
                raise ValueError(f"allow_hosts: {entry!r} is neither a host name nor an IP address or network")
            hosts.add(text)
        return cls(frozenset(hosts), tuple(networks))

    def allows_host(self, host: str) -> bool:
        name = host.lower().rstrip(".")
        return name in self.hosts or any(
            pattern.startswith("*.") and name.endswith(pattern[1:]) for pattern in self.hosts)

    def check(self, host: str, address: Address) -> str | None:
        """None if traduco may connect to `address` for `host`; otherwise why not."""
        if self.allows_host(host) or any(address in network for network in self.networks
                                         if network.version == address.version):
            return None
        return why_not_public(address)

    def addresses_for(self, host: str, port: int) -> list[str]:
        """Resolve `host` once; the addresses the policy allows, in the resolver's order. Raises Refused."""
        allowed, refusal = [], None
        for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
            text = sockaddr[0]
            why = self.check(host, ipaddress.ip_address(text.split("%")[0]))
            if why is None:
                allowed.append(text)
            elif refusal is None:
                refusal = f"{host} is {why}" if text == host.strip("[]") else f"{host} is {text}, {why}"
        if not allowed:
            raise Refused(refusal or f"{host} has no address")
        return list(dict.fromkeys(allowed))


def literal_refusal(url: str, policy: AddressPolicy) -> str | None:
    """Why `url`'s host is refused before any lookup (an IP address or localhost that
    is not public and not allowed); None when only resolving it can tell."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return None if policy.allows_host(host) else "this machine (localhost)"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    return policy.check(host, address)


def guarded_session(policy: AddressPolicy, on_socket: Callable[[socket.socket], None]) -> requests.Session:
    """A requests session whose every connection goes through `policy`;
    `on_socket` sees each new socket (the fetcher's deadline closes them)."""
    session = requests.Session()
    session.trust_env = False    # a proxy from the environment would connect where no check can see
    session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True  # an office CA
    adapter = _GuardedAdapter(policy, on_socket)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, policy: AddressPolicy, on_socket):
        self._guard = {"policy": policy, "on_socket": staticmethod(on_socket)}
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        plain = type("GuardedHTTPConnection", (_GuardedConnection, HTTPConnection), self._guard)
        secure = type("GuardedHTTPSConnection", (_GuardedConnection, HTTPSConnection), self._guard)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": plain}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": secure}),
        }


class _GuardedConnection:
    """urllib3's `_new_conn`, connecting to the checked address instead of
    resolving the name again; TLS still verifies the certificate for the name."""

    policy: AddressPolicy
    on_socket: Callable

    def _new_conn(self) -> socket.socket:
        host = getattr(self, "_dns_host", self.host)
        try:
            addresses = self.policy.addresses_for(host, self.port)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        for number, address in enumerate(addresses, 1):
            try:
                sock = connection.create_connection((address, self.port), self.timeout,
                                                    source_address=self.source_address,
                                                    socket_options=self.socket_options)
            except socket.timeout as exc:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out") from exc
            except OSError as exc:
                if number < len(addresses):
                    continue      # as a browser does: the next address (localhost: ::1, then 127.0.0.1)
                raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc
            self.on_socket(sock)
            return sock
        raise NewConnectionError(self, "no address to connect to")

    def connect(self) -> None:
        super().connect()
        self.on_socket(self.sock)    # with TLS, the wrapped socket: the deadline must reach it too
