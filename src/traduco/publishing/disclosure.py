"""How a published translation was made, said to readers and to machines.

The EU AI Act (art. 50(4)) spares text published to inform the public from an
AI disclosure only when a person reviewed it and holds editorial
responsibility: that is what publishing enforces (every unit approved), and
each page and feed item says so, in its own language:

- translated from the Italian original (a link when `source_url` is a web address);
- drafted by machine translation (which provider) and reviewed by a person
  (the catalog's `Last-Translator`), approved for publication on a day
  (publishing records it with the page, and keeps it while the page is unchanged);
- or, when no unit came from MT: reused from translations people approved for
  earlier releases, or translated entirely by a person.

    disclosure = disclose(catalog)        # from the catalog's provenance notes and header
    disclosure.as_dict()                  # machine-readable: the feed's `_traduco` extension, the manifest
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import polib

from traduco.catalogs import pofile, provenance

MACHINE, MEMORY, HUMAN = "machine", "memory", "human"
_UNSET_TRANSLATOR = "FULL NAME"            # gettext's template placeholder


@dataclass(frozen=True)
class Disclosure:
    kind: str                                # MACHINE, MEMORY or HUMAN: the most machine-made part wins
    providers: tuple[str, ...] = ()          # MACHINE: who drafted (unknown: empty)
    reviewer: str | None = None              # the catalog's Last-Translator, without the e-mail address
    approved_on: str | None = None           # YYYY-MM-DD: approved for publication
    source_language: str = "it"

    def as_dict(self) -> dict:
        return {**asdict(self), "providers": list(self.providers)}

    @classmethod
    def from_dict(cls, data: dict | None) -> "Disclosure | None":
        if not data:
            return None
        return cls(**{**data, "providers": tuple(data.get("providers") or ())})


def disclose(catalog: polib.POFile, approved_on: str | None = None) -> Disclosure:
    """What the catalog's approved entries say about their making."""
    origins = [_origin(entry) for entry in pofile.active_entries(catalog) if entry.msgstr]
    machine = [provider for kind, provider in origins if kind == MACHINE]
    kind = MACHINE if machine else MEMORY if any(k == MEMORY for k, _ in origins) else HUMAN
    return Disclosure(kind, tuple(sorted({p for p in machine if p})), _reviewer(catalog.metadata), approved_on)


def _origin(entry: polib.POEntry) -> tuple[str, str | None]:
    """Where one entry's translation came from, from traduco's note on it."""
    made = provenance.of(entry)
    if made.kind == provenance.MACHINE:
        return MACHINE, made.provider
    if made.kind == provenance.MEMORY:
        return MEMORY, None
    if made.kind == provenance.SOURCE_CHANGED:
        # A person updated an approved translation whose first draft may have been
        # machine-made (the note that said so is gone): disclose rather than not.
        return MACHINE, None
    return HUMAN, None


def _reviewer(meta: dict) -> str | None:
    """'Li Wei <li@example.org>' -> 'Li Wei' (a page names the person, not their address)."""
    name = re.sub(r"<[^>]*>", "", meta.get("Last-Translator") or "").strip()
    return name if name and not name.startswith(_UNSET_TRANSLATOR) else None
