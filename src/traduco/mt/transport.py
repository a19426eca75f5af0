"""What deep-translator leaves out of its HTTP calls: a total deadline, a way
to abandon a request, a look at the response (status, Retry-After) when it
raises an exception that hides them, and whether the request reached the
provider at all.

deep-translator calls `requests.get/post` without a timeout, and `requests`'
timeout is per read: a provider that trickles one byte every few seconds
never trips it. So every attempt runs in a thread of its own, and the caller
waits for it as long as it likes (`Attempt.wait`); `Attempt.abandon` shuts the
attempt's sockets down, so the thread ends at once and a hung socket holds
nothing. Hooks on `requests.Session.request` (a per-read timeout, the last
response) and on urllib3's `HTTPConnection.request` (the request went out
over an open connection; its socket) act only inside an attempt: the context
variable is unset everywhere else, so other users of requests in the process
are unaffected. The hooks are put in when an engine is built (`install`) and
taken out when the last one is closed: importing traduco patches nothing.
"""

from __future__ import annotations

import contextvars
import socket
import threading
import time
from collections.abc import Callable

import requests
import urllib3.connection

CONNECT_SECONDS = 10.0      # to open a connection: never longer, whatever the deadline


class Attempt:
    """One call to a provider, in its own thread."""

    def __init__(self, call: Callable[[], object], seconds: float):
        self.seconds = seconds          # per read; the caller enforces the total
        self.started = time.monotonic()
        self.reached = False            # a request went out over an open connection
        self.response: requests.Response | None = None
        self.value: object = None
        self.error: BaseException | None = None
        self.abandoned = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._done = threading.Event()
        context = contextvars.copy_context()
        context.run(_current.set, self)
        self._thread = threading.Thread(target=context.run, args=(self._run, call),
                                        name="traduco-attempt", daemon=True)
        self._thread.start()

    def _run(self, call) -> None:
        try:
            self.value = call()
        except BaseException as exc:     # handed to the caller, who classifies it
            self.error = exc
        finally:
            self._done.set()

    def wait(self, seconds: float) -> bool:
        """True when the attempt ended (answer or error) within `seconds`."""
        return self._done.wait(max(0.0, seconds))

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def abandon(self) -> None:
        """Give up on the attempt: its sockets are shut down, so the provider
        sees the connection close and the thread's blocked read ends now."""
        with self._lock:
            self.abandoned = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)

    def _opened(self, sock: socket.socket | None) -> None:
        with self._lock:
            self.reached = True
            if sock is None:
                return
            if self.abandoned:
                _shut(sock)
            else:
                self._sockets.append(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass     # already closed


_current: contextvars.ContextVar[Attempt | None] = contextvars.ContextVar("traduco_attempt", default=None)
_originals: tuple | None = None     # requests' and urllib3's own methods, while the hooks are in
_engines = 0                        # engines alive: the hooks are in while there is one
_hooking = threading.Lock()


def install() -> None:
    """Put the hooks in (an engine is built); `uninstall` when it is gone.
    Nothing is patched by importing traduco: only while an engine lives."""
    global _engines, _originals
    with _hooking:
        _engines += 1
        if _originals is None:
            _originals = (requests.Session.request, urllib3.connection.HTTPConnection.request)
            requests.Session.request = _request
            urllib3.connection.HTTPConnection.request = _send


def uninstall() -> None:
    global _engines, _originals
    with _hooking:
        _engines -= 1
        if _engines or _originals is None:
            return
        # Only our own hooks come out: something patched after us stays as it is.
        if requests.Session.request is _request:
            requests.Session.request = _originals[0]
        if urllib3.connection.HTTPConnection.request is _send:
            urllib3.connection.HTTPConnection.request = _originals[1]
        _originals = None


def _request(self, method, url, **kwargs):
    original = _originals[0] if _originals else _plain_request
    attempt = _current.get()
    if attempt is None:
        return original(self, method, url, **kwargs)
    if kwargs.get("timeout") is None:
        kwargs["timeout"] = (min(CONNECT_SECONDS, attempt.seconds), attempt.seconds)
    response = original(self, method, url, **kwargs)
    attempt.response = response
    return response


def _send(self, *args, **kwargs):
    attempt = _current.get()
    (_originals[1] if _originals else _plain_send)(self, *args, **kwargs)   # connects first: a DNS failure or a refusal raises here
    if attempt is not None:
        attempt._opened(getattr(self, "sock", None))


# What the hooks call once they are out again (an abandoned attempt's thread may still be in one).
_plain_request = requests.Session.request
_plain_send = urllib3.connection.HTTPConnection.request


def opened(sock: socket.socket | None) -> None:
    """A client that does not go through requests (httpx, for the openai
    client) opened `sock` for the current attempt: the attempt reached the
    provider, and abandoning it shuts the socket down."""
    attempt = _current.get()
    if attempt is not None:
        attempt._opened(sock)


def start(call: Callable[[], object], seconds: float) -> Attempt:
    """Run `call` (which makes HTTP requests through requests) as an attempt
    whose reads time out after `seconds`; the caller decides how long to wait."""
    return Attempt(call, seconds)
