"""A provider's limits shared by every run and worker that uses the same key,
through a Prefect server's global concurrency limits.

    paces = shared_paces(project.mt, secrets, salt)     # {} without a Prefect server
    paces["deepl"].wait(len(text), stop)          # blocks until every run together may send

With a Prefect server configured (PREFECT_API_URL, a Prefect profile, or the
server `traduco serve` runs), each provider gets two global concurrency limits
with slot decay, used through Prefect's `rate_limit`: requests
(`traduco-mt-<provider>-<digest>-requests`: one slot, decaying at the
provider's requests per second, so grants are at least 1/rate apart whoever
asks) and characters (`...-characters`: a bucket of a tenth of a minute's
characters, or one request's worth, decaying so that no minute sees more than
the limit). The digest is an HMAC of the provider, its URL and its key, keyed
with the project's own secret (`.traduco/limits-salt`): every run and worker
of the project shares it (two projects share it when they hold the same
salt file); neither the key nor a hash anyone could test a guessed key
against reaches the server. A limit is made the first time it is needed, with the
configured limits of that run; to change it later, edit or delete it in the
Prefect UI (Concurrency). Without a server (or on the API a single command
starts for itself, which nobody else uses) each run paces itself alone
(`limits.Pacer`), as it always does besides.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import logging
import sys
import threading
from pathlib import Path

from traduco.project.loading import MTSettings
from traduco.project.private import private_secret
from traduco.project.providers import PROVIDERS, Limits

WATCH_SECONDS = 0.1
SALT = "limits-salt"        # in .traduco/
log = logging.getLogger("traduco.mt")


def server_url() -> str | None:
    """The Prefect server runs share limits through, if one is configured here."""
    if "prefect" not in sys.modules:
        return None      # no flow run, no Prefect client in use: nothing to share through
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if not url:
        return None
    # The API a single `traduco run` starts for itself ends with it: nobody to share with.
    serving = sys.modules.get("traduco.prefect_api.servers")
    own = getattr(serving, "_command_api_running", None)
    return None if own is not None and own.url == str(url) else str(url)


def limits_of(settings: MTSettings, name: str) -> Limits:
    """The provider's limits; an LLM's volume is in tokens per minute, not characters."""
    own, default = settings.provider(name), PROVIDERS[name].limits
    volume = own.tokens_per_minute if PROVIDERS[name].documents else own.characters_per_minute
    return Limits(own.requests_per_second or default.requests_per_second,
                  volume or default.characters_per_minute,
                  own.connections or default.connections)


def limit_name(name: str, url: str | None, secrets: dict[str, str], salt: str) -> str:
    """Named from the provider and a salted hash of its URL and key, never the key."""
    digest = hmac.new(salt.encode(), "\0".join([name, url or "", *sorted(secrets.values())]).encode(),
                      hashlib.sha256).hexdigest()
    return f"traduco-mt-{name}-{digest[:16]}"


def project_salt(state_dir: Path) -> str:
    return private_secret(state_dir / SALT)


def shared_paces(settings: MTSettings, secrets: dict[str, dict[str, str]], salt: str) -> dict[str, "SharedPace"]:
    if server_url() is None:
        return {}
    paces = {}
    for name in settings.names():
        if name in PROVIDERS:
            paces[name] = SharedPace(limit_name(name, settings.provider(name).url, secrets.get(name, {}), salt),
                                     limits_of(settings, name), PROVIDERS[name].max_chars)
    return paces


class SharedPace:
    """One provider's shared limits, waited for by the engine's worker threads
    one at a time (Prefect serialises a process's acquisitions anyway)."""

    def __init__(self, name: str, limits: Limits, request_characters: int):
        self.requests_name, self.characters_name = f"{name}-requests", f"{name}-characters"
        per_minute = limits.characters_per_minute
        self.bucket = min(per_minute, max(request_characters, per_minute // 10))
        # Here, in the thread that builds the engine: Prefect's settings (its
        # server, its password) live in the run's context, not in worker threads.
        self._context = contextvars.copy_context()
        self._turn = threading.Lock()
        self.broken: str | None = None
        self._context.copy().run(self._ensure, limits)

    def wait(self, characters: int, stop: threading.Event) -> bool:
        """Block until every run together may send this request; False if `stop` came first."""
        while not self._turn.acquire(timeout=WATCH_SECONDS):
            if stop.is_set():
                return False
        try:
            if self.broken:
                return not stop.is_set()
            granted = threading.Event()
            # In a thread of its own: Prefect's rate_limit cannot be interrupted,
            # and a stopped run must not wait for its grant.
            threading.Thread(target=self._context.copy().run, args=(self._acquire, characters, granted),
                             name="traduco-shared-pace", daemon=True).start()
            while not granted.wait(WATCH_SECONDS):
                if stop.is_set():
                    return False
            return not stop.is_set()
        finally:
            self._turn.release()

    def _acquire(self, characters: int, granted: threading.Event) -> None:
        import httpx
        from prefect.concurrency.asyncio import ConcurrencySlotAcquisitionError
        from prefect.concurrency.sync import rate_limit

        try:
            rate_limit(self.requests_name, occupy=1, strict=True)
            rate_limit(self.characters_name, occupy=max(1, min(characters, self.bucket)), strict=True)
        except (ConcurrencySlotAcquisitionError, httpx.HTTPError, OSError) as exc:
            self._broken(exc)
        finally:
            granted.set()

    def _ensure(self, limits: Limits) -> None:
        """Make the two limits if the server does not have them yet."""
        import httpx
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
        from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

        per_minute = limits.characters_per_minute
        wanted = {self.requests_name: (1, float(limits.requests_per_second)),
                  self.characters_name: (self.bucket, (per_minute - self.bucket if per_minute > self.bucket
                                                       else per_minute) / 60.0)}
        try:
            with get_client(sync_client=True) as client:
                for name, (size, decay) in wanted.items():
                    try:
                        client.read_global_concurrency_limit_by_name(name)
                    except ObjectNotFound:
                        try:
                            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                                name=name, limit=size, slot_decay_per_second=decay, active=True))
                        except ObjectAlreadyExists:
                            pass     # another run made it a moment ago
        except (httpx.HTTPError, OSError) as exc:     # Prefect's HTTP errors are httpx's
            self._broken(exc)

    def _broken(self, exc: Exception) -> None:
        """The Prefect server failed us: this run's own limits still hold (and a
        provider's 429 is retried), so the run goes on, and says so once."""
        if self.broken is None:
            self.broken = f"{type(exc).__name__}: {exc}"[:300]
            log.warning("MT limits are not shared with other runs: the Prefect server failed (%s); "
                        "this run keeps to its own limits", self.broken)
