"""The secrets the environment gives traduco (provider keys, the git token, the
SMTP password, the webhook address), for `traduco.redaction` to keep out of
every message."""

from __future__ import annotations

import os

from traduco.project.providers import PROVIDERS


def known_secrets() -> list[str]:
    """Every secret the environment gives traduco: provider keys, the git token, the
    SMTP password, the webhook address (which holds a token)."""
    names = ("TRADUCO_GIT_TOKEN", "GIT_TOKEN", "TRADUCO_SMTP_PASSWORD", "TRADUCO_NOTIFY_WEBHOOK")
    return [*environment_keys(), *(os.environ[name] for name in names if os.environ.get(name))]


def environment_keys() -> list[str]:
    """Every provider key set in the environment (for messages made far from the
    engine, which knows the keys it used, Secret blocks included)."""
    names = {name for spec in PROVIDERS.values() for name in spec.keys}
    return [value for name in names for value in (os.environ.get(name), os.environ.get(f"TRADUCO_{name}"))
            if value]
