"""Text from elsewhere (a provider's error, an exception) made fit for a message:
no key in any encoding, no URL query string or credentials.

    >>> redact("... /translate?q=...&api_key=SEK%2FRET ... SEK/RET", {"LIBRE_API_KEY": "SEK/RET"})
    '... /translate?… ... ***'

A key travels in many forms: raw in a header or JSON body, percent-encoded in
a query string (`quote`, or `quote_plus` as form data), base64 in a Basic auth
header (at any offset of a longer string), escaped in JSON or HTML. Each form
of each key is replaced by `***`; query strings are dropped whole, since they
carry the text being translated as well as keys.
"""

from __future__ import annotations

import base64
import html
import json
import re
from urllib.parse import quote, quote_plus

MASK = "***"
_CREDENTIALS = re.compile(r"(?<=//)[^/\s@'\"<>]+@")             # scheme://user:password@host
_QUERY = re.compile(r"\?[^\s'\"<>)\]]+")                         # ?q=...&api_key=...
_MIN_BASE64 = 8      # shorter cores of a base64 form would match ordinary words


def redact(text: str, secrets=()) -> str:
    """`text` without URL credentials or query strings, and without any form of any
    of `secrets` (a dict of keys, or any iterable of them)."""
    values = secrets.values() if isinstance(secrets, dict) else secrets
    text = _CREDENTIALS.sub("", _QUERY.sub("?…", text))
    forms = sorted({form for secret in values if secret for form in encodings(secret)}, key=len, reverse=True)
    for form in forms:
        text = re.sub(re.escape(form), MASK, text, flags=re.IGNORECASE if "%" in form else 0)
    return text


def encodings(secret: str) -> set[str]:
    """Every form in which `secret` may travel (see the module help)."""
    raw = secret.encode("utf-8")
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret), quote_plus(secret, safe="/"),
             json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1], html.escape(secret),
             quote(quote(secret, safe=""), safe="")}                 # encoded twice (a URL inside a URL)
    for offset in range(3):
        # Inside a longer base64 text (`user:key`), the key's bytes fall at one of three
        # offsets; the characters made only of its bytes are the same whatever surrounds it.
        encoded = base64.b64encode(b"\0" * offset + raw).decode()
        core = encoded[4 if offset else 0:4 * ((offset + len(raw)) // 3)]
        for form in (core, core.replace("+", "-").replace("/", "_")):
            if len(form) >= _MIN_BASE64:
                forms.add(form)
    whole = base64.b64encode(raw).decode()
    forms |= {whole, whole.rstrip("="), base64.urlsafe_b64encode(raw).decode().rstrip("=")}
    return {form for form in forms if form}


def contains(text: str, forms: list[str]) -> bool:
    """Whether `text` holds any of `forms` (from `secret_forms`)."""
    lowered = text.lower()
    return any((form.lower() in lowered) if "%" in form else (form in text) for form in forms)


def secret_forms(secrets) -> list[str]:
    """Every encoding of every secret long enough to tell from ordinary words."""
    return sorted({form for secret in secrets if secret and len(secret) >= _MIN_BASE64
                   for form in encodings(secret)}, key=len, reverse=True)
