"""HTTP GET for feeds and articles: polite, bounded, and only where allowed.

    fetcher = Fetcher(state, Limits(deadline=30), AddressPolicy())
    page = fetcher.get(url, conditional=True)   # a Fetched, or None if unchanged (304); raises FetchError
    html = page.text()                           # decoded by the declared or detected charset

Polite: a User-Agent naming traduco, conditional GET (ETag / Last-Modified), a
pause between requests to the same host, a few retries for server errors.
Bounded: every fetch has a total deadline (connection, redirects, headers and
body together; a server that trickles a byte every few seconds never resets
it) and a size limit counted while the body streams in. Only `http`/`https`,
only to addresses `traduco.project.addresses` allows, after every redirect too.
"""

from __future__ import annotations

import codecs
import re
import socket
import threading
import time
import weakref
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit

import requests

from traduco import __version__
from traduco.project.addresses import AddressPolicy, Refused, guarded_session

USER_AGENT = f"traduco/{__version__} (press-office translation workflow; polite: conditional GET, per-host delay)"
READ_TIMEOUT_SECONDS = 20     # a silent server is given up on sooner than the deadline
ATTEMPTS = 3
MAX_REDIRECTS = 5
WEB_SCHEMES = ("http", "https")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# WHATWG Encoding: browsers read these labels as windows-1252, and so do press-office pages
_AS_WINDOWS_1252 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii", "iso_8859-1"}


@dataclass(frozen=True)
class Limits:
    delay: float = 1.0              # seconds between requests to the same host
    max_bytes: int = 5_000_000
    deadline: float = 30.0          # seconds for a whole fetch
    budget: float = 300.0           # seconds for a whole pull: no fetch starts after it


@dataclass(frozen=True)
class Fetched:
    url: str                        # where it was finally found, after redirects
    body: bytes
    content_type: str = ""

    def text(self) -> str:
        return decode(self.body, self.content_type)


class FetchError(Exception):
    """One line for people, starting with the URL. `retry`: worth trying again next pull."""

    def __init__(self, message: str, retry: bool = True):
        super().__init__(message)
        self.retry = retry


def web_url_problem(url: str) -> str | None:
    """None for an absolute http(s) URL; otherwise why it is not fetched."""
    parts = urlsplit(url)
    if not parts.scheme:
        return "not an absolute address"
    if parts.scheme.lower() not in WEB_SCHEMES:
        return f"only http and https addresses are fetched, not {parts.scheme}: ones"
    if not parts.hostname:
        return "the address has no host"
    return None


class Fetcher:
    def __init__(self, state: dict, limits: Limits, policy: AddressPolicy, sleep=time.sleep, clock=time.monotonic):
        self.state, self.limits = state, limits
        self._watchdog = _Watchdog()
        self.session = guarded_session(policy, self._watchdog.add)
        self.session.headers["User-Agent"] = USER_AGENT
        self._last: dict[str, float] = {}
        self._too_slow: set[str] = set()
        self._sleep, self._clock = sleep, clock

    def get(self, url: str, conditional: bool = False) -> Fetched | None:
        """The page, or None if unchanged since last time (304). Raises FetchError."""
        if why := web_url_problem(url):
            raise FetchError(f"{url}: {why}", retry=False)
        host = urlsplit(url).netloc
        if host in self._too_slow:
            raise FetchError(f"{url}: not fetched, {host} was too slow earlier in this pull")
        self._wait_for_host(url)     # the politeness pause is not the server's time
        deadline = time.monotonic() + self.limits.deadline
        for attempt in range(1, ATTEMPTS + 1):
            try:
                status, page = self._attempt(url, self._conditions(url) if conditional else {}, deadline)
            except (requests.RequestException, OSError) as exc:   # OSError: a socket shut under TLS
                if attempt == ATTEMPTS or not self._pause(2 ** attempt, deadline):
                    raise FetchError(f"{url}: cannot fetch ({type(exc).__name__}) after {attempt} attempt(s)") from None
                self._last[urlsplit(url).netloc] = self._clock()
                continue
            if status == 304:
                return None
            if status >= 500 and attempt < ATTEMPTS and self._pause(2 ** attempt, deadline):
                self._last[urlsplit(url).netloc] = self._clock()
                continue
            if status != 200:
                raise FetchError(f"{url}: the server answered HTTP {status}")
            return page
        raise FetchError(f"{url}: no answer")

    def _conditions(self, url: str) -> dict:
        known = self.state.get("http", {}).get(url) or {}
        headers = {}
        if isinstance(known.get("etag"), str):
            headers["If-None-Match"] = known["etag"]
        if isinstance(known.get("last_modified"), str):
            headers["If-Modified-Since"] = known["last_modified"]
        return headers

    def _attempt(self, url: str, headers: dict, deadline: float) -> tuple[int, Fetched | None]:
        """One try, redirects followed by hand (each target checked), under the deadline."""
        self._watchdog.arm(deadline - time.monotonic())
        try:
            return self._follow(url, headers, deadline)
        except (requests.RequestException, OSError):
            if self._watchdog.expired:
                raise self._too_slow_error(url) from None
            raise
        finally:
            self._watchdog.disarm()

    def _follow(self, url: str, headers: dict, deadline: float) -> tuple[int, Fetched | None]:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            timeout = max(0.1, min(READ_TIMEOUT_SECONDS, deadline - time.monotonic()))
            try:
                response = self.session.get(current, headers=headers, timeout=timeout, stream=True,
                                            allow_redirects=False)
            except Refused as refusal:
                hop = "" if current == url else f"redirected to {current}, "
                raise FetchError(f"{url}: {hop}refused, {refusal}; traduco fetches only public addresses "
                                 f"(an intranet host can be listed in [tool.traduco.web] allow_hosts)",
                                 retry=False) from None
            with response:
                if response.is_redirect:
                    target = urljoin(current, response.headers["Location"])
                    if why := web_url_problem(target):
                        raise FetchError(f"{url}: redirected to {target}: {why}", retry=False)
                    current = target
                    continue
                if response.status_code != 200:
                    return response.status_code, None
                body = self._read(response, url, deadline)
                self.state.setdefault("http", {})[url] = {
                    "etag": response.headers.get("ETag"), "last_modified": response.headers.get("Last-Modified")}
                return 200, Fetched(current, body, response.headers.get("Content-Type", ""))
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects", retry=False)

    def _read(self, response: requests.Response, url: str, deadline: float) -> bytes:
        limit = self.limits.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"{url}: the response is {int(declared):,} bytes, over the {limit:,}-byte limit", retry=False)
        chunks, size = [], 0
        for chunk in response.iter_content(16384):
            size += len(chunk)
            if size > limit:
                raise FetchError(f"{url}: the response is over the {limit:,}-byte limit", retry=False)
            if time.monotonic() > deadline:
                break
            chunks.append(chunk)
        if self._watchdog.expired or time.monotonic() > deadline:   # a cut-off body may look complete
            raise self._too_slow_error(url)
        return b"".join(chunks)

    def _too_slow_error(self, url: str) -> FetchError:
        self._too_slow.add(urlsplit(url).netloc)
        return FetchError(f"{url}: too slow, no complete answer within the {self.limits.deadline:g}-second deadline "
                          f"([tool.traduco.web] deadline_seconds); its host is not asked again this pull")

    def _pause(self, seconds: float, deadline: float) -> bool:
        """Sleep before a retry, if the deadline leaves time for it."""
        if time.monotonic() + seconds >= deadline:
            return False
        self._sleep(seconds)
        return True

    def _wait_for_host(self, url: str) -> None:
        host = urlsplit(url).netloc
        if host in self._last:
            pause = self._last[host] + self.limits.delay - self._clock()
            if pause > 0:
                self._sleep(pause)
        self._last[host] = self._clock()


class _Watchdog:
    """Ends a fetch at its deadline: a socket read can only time out when the
    server goes silent, so a timer shuts the sockets down and the blocked read
    returns at once."""

    def __init__(self):
        self.sockets: weakref.WeakSet = weakref.WeakSet()
        self.expired = False
        self._timer: threading.Timer | None = None
        self._generation = 0

    def add(self, sock: socket.socket) -> None:
        self.sockets.add(sock)

    def arm(self, seconds: float) -> None:
        self.expired = False
        self._generation += 1
        self._timer = threading.Timer(max(0.0, seconds), self._expire, args=(self._generation,))
        self._timer.daemon = True
        self._timer.start()

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def _expire(self, generation: int) -> None:
        if generation != self._generation:
            return      # a late timer of an earlier fetch
        self.expired = True
        for sock in list(self.sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass     # already closed, or detached into its TLS wrapper (which is registered too)


def decode(body: bytes, content_type: str = "") -> str:
    """Text by the byte-order mark, then the HTTP charset, then <meta charset>,
    then UTF-8 if it is valid, then detection (the order browsers use)."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(codec, errors="replace")
    message = Message()
    message["Content-Type"] = content_type or "application/octet-stream"
    meta = _META_CHARSET.search(body[:4096])
    for label in (message.get_content_charset(), meta and meta.group(1).decode("ascii")):
        if codec := _codec(label):
            return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes
    best = from_bytes(body).best()
    return str(best) if best is not None else body.decode("windows-1252", errors="replace")


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in _AS_WINDOWS_1252:
        return "windows-1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return None if name.startswith("utf-16") else name   # declared inside ASCII-compatible bytes: a mistake
