"""What deep-translator leaves out of its HTTP calls: a deadline, and a look at
the response (status, Retry-After) when it raises an exception that hides them.

deep-translator calls `requests.get/post` without a timeout. A hook on
`requests.Session.request` adds the deadline, but only inside `deadline(...)`:
the context variable is unset everywhere else, so other users of requests in
the process are unaffected.
"""

from __future__ import annotations

import contextvars
import threading
from contextlib import contextmanager

import requests

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "traduco_request_deadline", default=None)
_last = threading.local()
_original_request = requests.Session.request


def _request(self, method, url, **kwargs):
    seconds = _deadline.get()
    if seconds is None:
        return _original_request(self, method, url, **kwargs)
    if kwargs.get("timeout") is None:
        kwargs["timeout"] = seconds
    response = _original_request(self, method, url, **kwargs)
    _last.response = response
    return response


requests.Session.request = _request


@contextmanager
def deadline(seconds: float):
    """Every request made by this thread inside the block times out after `seconds`."""
    token = _deadline.set(seconds)
    _last.response = None
    try:
        yield
    finally:
        _deadline.reset(token)


def last_response() -> requests.Response | None:
    """The last response this thread received inside `deadline(...)`."""
    return getattr(_last, "response", None)
