"""The tables inside `[tool.traduco]`, declared as typed models, with what
each key accepts: `mt` and its providers, `memory`, `web`, `git`,
`schedule`, `notify`; and how locales and provider names are written. The
whole table and its one-line errors are `traduco.project.settings`.

>>> gettext_spelling("zh-cn"), canonical_provider("chatgpt")
('zh_CN', 'openai')
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Literal, Optional

from babel import Locale, UnknownLocaleError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from traduco.project.providers import PROVIDERS


class Table(BaseModel):
    # strict: TOML has real types, so a quoted "false" or "10" is a mistake to report, not to guess
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _names(value: object) -> object:
    """A single name may be written without brackets: chain = "google"."""
    return [value] if isinstance(value, str) else value


def check_locale(value: str) -> str:
    """A gettext locale name as catalogs' folders are named: zh_CN, never zh-cn."""
    spelled = gettext_spelling(value)
    try:
        parsed = Locale.parse(spelled)
    except (ValueError, UnknownLocaleError):
        raise ValueError(f"unknown locale {value!r}") from None
    language, *rest = spelled.split("_")
    # babel reads old or wrong codes as their aliases (en_UK as en_GB, iw as he):
    # the catalogs would be named after a code no tool or translator expects
    territory = rest[-1] if rest and len(rest[-1]) != 4 else None
    if parsed.language != language or (territory and parsed.territory != territory):
        middle = rest[:-1] if territory else rest
        canonical = "_".join([parsed.language, *middle, *([parsed.territory] if territory else [])])
        raise ValueError(f"unknown locale {value!r}: write {canonical!r}")
    if spelled != value:
        raise ValueError(f"write {spelled!r}: catalogs' folders are named in gettext's spelling")
    return value


def gettext_spelling(locale: str) -> str:
    """zh-cn, ZH_CN → zh_CN; sr-latn-rs → sr_Latn_RS."""
    language, *rest = locale.strip().replace("-", "_").split("_")
    return "_".join([language.lower(), *(part.title() if len(part) == 4 else part.upper() for part in rest)])


def provider_names() -> list[str]:
    """The MT providers traduco knows (docs/operating.md: Machine translation)."""
    return list(PROVIDERS)


# Older names still read: `chatgpt` was deep-translator's ChatGPT; it is now any OpenAI-compatible server.
PROVIDER_ALIASES = {"chatgpt": "openai"}


def canonical_provider(name: str) -> str:
    """A provider's name as traduco calls it: lower case, an older alias replaced."""
    name = name.strip().lower()
    return PROVIDER_ALIASES.get(name, name)


def unknown_provider(name: str) -> str | None:
    """What is wrong with a provider's name (with a did-you-mean), or None for a known one."""
    known = provider_names()
    if canonical_provider(name) in known:
        return None
    close = difflib.get_close_matches(name.strip().lower(), known, n=1)
    shown = name if len(name) <= 40 else name[:37] + "..."       # one line, whatever was pasted there
    return f"unknown provider {shown!r}" + (f" (did you mean {close[0]!r}?)" if close else "")


def _provider(name: str) -> str:
    """A known provider's name, in lower case ("Libre" is libre); else an
    `unknown_provider` error, which `_problem` reports with the known names."""
    wrong = unknown_provider(name)
    if wrong:
        raise PydanticCustomError("unknown_provider", "{wrong}", {"wrong": wrong})
    return canonical_provider(name)


ProviderName = Annotated[str, AfterValidator(_provider)]


class ProviderTable(Table):
    """One provider's address, limits and budget. Limits left out follow the provider's documented ones (see the
    provider table in [Operating traduco](../operating.md#machine-translation-providers-keys-limits))."""

    url: Optional[str] = Field(None, description="the server's address, e.g. \"http://127.0.0.1:5000/\"")
    """Where the provider answers: required for `libre`, and for `openai` unless it is OpenAI's own API."""
    requests_per_second: Optional[float] = Field(None, gt=0, description="a number of requests per second above 0")
    """Requests sent per second at most, paced evenly (no bursts)."""
    characters_per_minute: Optional[int] = Field(None, ge=1, description="a whole number of characters, at least 1")
    """Characters sent per minute at most."""
    connections: Optional[int] = Field(None, ge=1, description="a whole number of parallel requests, at least 1")
    """Requests in flight at once."""
    budget_characters: Optional[int] = Field(None, ge=0, description="a whole number of characters per run, "
                                                                    "0 or more (leave it out for no ceiling)")
    """Characters a run may send to this provider; the run stops sending before it would cross it and the rest
    waits for the next run."""
    # An LLM (the openai provider) is chosen by model, metered in tokens, and may be told how freely to write.
    model: Optional[str] = Field(None, min_length=1, description="the model's name, e.g. \"qwen-plus\"")
    """The LLM's model name (required for `openai`)."""
    temperature: Optional[float] = Field(None, ge=0, le=2, description="a number from 0 to 2 (default 0.2)")
    """How freely an LLM writes (`openai` only)."""
    tokens_per_minute: Optional[int] = Field(None, ge=1, description="a whole number of tokens, at least 1")
    """An LLM's volume limit, in tokens per minute."""
    budget_tokens_per_month: Optional[int] = Field(None, ge=0, description="a whole number of tokens per "
                                                                           "calendar month, 0 or more")
    """Prompt and completion tokens an LLM may use per calendar month, across runs (optional)."""


class MTTable(Table):
    """Machine translation: which providers draft each locale, as an ordered fallback chain, and how hard a
    request is tried."""

    chain: Optional[list[ProviderName]] = Field(None, min_length=1, description="a list of provider names, "
                                                                                "e.g. chain = [\"deepl\", \"google\"]")
    """The providers tried in order for every locale without its own chain. Default: the single provider of
    `[tool.traduco.provider]`, else `google`."""
    chains: dict[str, list[ProviderName]] = Field({}, description="per locale, a list of provider names, "
                                                                  "e.g. zh_CN = [\"baidu\", \"google\"]")
    """A chain per locale (each key one of the project's `locales`), e.g. `zh_CN = [\"baidu\", \"google\"]`."""
    providers: dict[ProviderName, ProviderTable] = Field({}, description="one table per provider, "
                                                                         "e.g. [tool.traduco.mt.providers.deepl]")
    """One table per provider: `[tool.traduco.mt.providers.NAME]`, below."""
    deadline_seconds: float = Field(30.0, gt=0, description="a number of seconds above 0 (default 30)")
    """Total time one request may take, connection and answer included: a provider that hangs or trickles never
    hangs a run."""
    max_attempts: int = Field(4, ge=1, description="a whole number of attempts, at least 1 (default 4)")
    """Attempts per request for 429, 5xx, timeouts and garbage answers, with exponential backoff and jitter."""
    backoff_seconds: float = Field(0.5, ge=0, description="a number of seconds, 0 or more (default 0.5)")
    """The first wait before a retry; it doubles with each attempt (with jitter, at most 60 s), unless the
    provider's Retry-After says how long."""
    failures_before_skipping: int = Field(3, ge=1, description="a whole number of failed requests, "
                                                              "at least 1 (default 3)")
    """Failed requests in a row after which a provider sits out the rest of the run and the next one of the
    chain takes over."""
    second_opinion: Optional[ProviderName] = Field(None, description="one provider's name, "
                                                                     "e.g. second_opinion = \"deepl\" (off by default)")
    """A second provider every new machine draft is compared with, to weigh its risk (costs that provider's
    characters; its answer is never the draft)."""

    @field_validator("chain", mode="before")
    @classmethod
    def _chain(cls, value: object) -> object:
        return _names(value)

    @field_validator("chains", mode="before")
    @classmethod
    def _chains(cls, value: object) -> object:
        return {k: _names(v) for k, v in value.items()} if isinstance(value, dict) else value


class SingleProviderTable(Table):
    """The short form for a single provider (`name = "google"`). A `[tool.traduco.mt] chain` takes over when
    both are given; without either, the provider is `google`."""

    name: Optional[ProviderName] = Field(None, description="a provider name such as \"google\"")
    """The one provider for every locale."""
    url: Optional[str] = Field(None, description="the server's address, e.g. \"http://127.0.0.1:5000/\"")
    """Its address, for URL-based providers such as `libre`."""


class MemoryTable(Table):
    """Translation memory: how similar approved Italian must be to be reused as a draft (a fuzzy match)."""

    fuzzy_threshold: float = Field(75.0, ge=50, le=100, description="a percentage from 50 to 100 "
                                                                   "(100: exact matches only); the default is 75")
    """Per cent similarity (rapidfuzz's `fuzz.ratio`) at which approved Italian from another document is reused
    as a draft; 100: exact matches only."""


class WebTable(Table):
    """What `traduco pull` (and every `traduco run`, first) fetches from the web into `sources/`, and how
    politely."""

    feeds: list[str] = Field([], description="a list of RSS or Atom addresses")
    """RSS or Atom feeds whose items become sources."""
    pages: list[str] = Field([], description="a list of article addresses")
    """Single article pages that become sources."""
    delay_seconds: float = Field(1.0, ge=0, description="a number of seconds, 0 or more (default 1)")
    """Pause between requests to the same host."""
    max_bytes: int = Field(5_000_000, ge=1, description="a whole number of bytes, at least 1")
    """Larger answers are refused, counted as they stream in."""
    deadline_seconds: float = Field(30.0, gt=0, description="a number of seconds above 0 (default 30)")
    """Time for a whole fetch: connection, redirects, headers and body."""
    pull_budget_seconds: float = Field(300.0, gt=0, description="a number of seconds above 0 (default 300)")
    """Time for a whole pull: no new fetch starts after it; what was left is fetched next pull."""
    allow_hosts: list[str] = Field([], description="a list of host names or networks, "
                                                   "e.g. [\"intranet.example.org\", \"10.0.0.0/8\"]")
    """Hosts or networks on your intranet that feeds may reach (and webhooks may be sent to): a host name (`*.`
    for its subdomains) whatever its address, an IP address or network for any host. Everything else must be
    public."""


_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)


def git_remote(value: str | None) -> str | None:
    """A remote URL never carries a user name or password (they would sit in
    .git/config and in every message that names the remote)."""
    if value and _USERINFO.search(value):
        raise ValueError("a URL holding a user name or password: write it without them and put a token in "
                         "TRADUCO_GIT_TOKEN or a Prefect Secret block named traduco-git-token")
    return value


def git_author(value: str | None) -> str | None:
    if value and not re.fullmatch(r"[^<>]+<[^<>]+>", value.strip()):
        raise ValueError(f"{value!r} is not 'Name <email>'")
    return value


class GitTable(Table):
    """Sync through git: a run fetches and merges what translators pushed, commits its own work and pushes.
    Without this table runs work on the folder as it is; an empty table uses the branch's upstream."""

    remote: Annotated[Optional[str], AfterValidator(git_remote)] = Field(
        None, description="a remote's name or URL, without a user name or password")
    """The remote runs fetch from and push to: a name, or a URL (kept in `.git/config` as the remote `traduco`,
    without credentials; a URL with a password is refused). Default: the branch's upstream."""
    branch: Optional[str] = Field(None, description="a branch name")
    """The branch runs work on. Default: the current branch's upstream."""
    author: Annotated[Optional[str], AfterValidator(git_author)] = Field(None, description="\"Name <email>\"")
    """Author of the runs' commits."""
    push_attempts: int = Field(3, ge=1, description="a whole number of attempts, at least 1 (default 3)")
    """How many times a run merges and pushes again when someone pushed meanwhile."""


def _cron(value: str) -> str:
    """A cron string as Prefect's Cron schedule reads it (croniter), checked
    here so that `serve` does not die on it after starting."""
    from croniter import croniter
    # Prefect refuses croniter's random and hashed fields (R, H) too
    if not croniter.is_valid(value) or any(field.casefold() in ("r", "h") for field in value.split()):
        raise ValueError("not a cron expression (five fields: minute hour day month weekday)")
    return value


def _timezone(value: str) -> str:
    """An IANA time zone name, as Prefect's schedules take it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(value, _zone_names(), n=1)
        raise ValueError("unknown time zone" + (f" (did you mean {close[0]!r}?)" if close else "")) from None
    return value


def _zone_names() -> list[str]:
    from zoneinfo import available_timezones
    return sorted(available_timezones())


class ScheduleTable(Table):
    """When `traduco serve` runs the translate and publish flows (cron strings, checked when the project
    loads)."""

    translate: Annotated[str, AfterValidator(_cron)] = Field(
        "0 * * * *", description="a cron expression such as \"0 * * * *\" (every hour)")
    """When new press releases are drafted."""
    publish: Annotated[str, AfterValidator(_cron)] = Field(
        "0 7 * * *", description="a cron expression such as \"0 7 * * *\" (every day at 7:00)")
    """When approved translations are published."""
    timezone: Annotated[str, AfterValidator(_timezone)] = Field(
        "Europe/Rome", description="a time zone name such as \"Europe/Rome\"")
    """The time zone the cron strings are read in."""


# -- [tool.traduco.notify]: who hears about waiting work, and when (traduco.notify.channels) --------------

NOTIFY_EVENTS = ("drafts", "approval", "failure", "waiting")


class NotifyChannels(Table):
    """Where messages go: any of the three, in the notify table or in one locale's table."""

    webhook: Optional[str] = Field(None, pattern=r"^https?://\S+$",
                                   description="a webhook address, \"https://...\" (or leave it out and set "
                                               "TRADUCO_NOTIFY_WEBHOOK: the address holds a token)")
    """A webhook that receives JSON (`text`, `event`, `locale`, `project`, `link`); Slack, Mattermost and Teams
    show `text`."""
    email: Optional[str] = Field(None, pattern=r"^[^@\s]+@[^@\s]+$",
                                 description="an e-mail address such as \"redazione@example.org\"")
    """An e-mail address, reached through `smtp_host` after STARTTLS."""
    block: Optional[str] = Field(None, pattern=r"^[a-z0-9-]+/[a-z0-9-]+$",
                                 description="a Prefect notification block as type/name, "
                                             "e.g. \"slack-webhook/redazione\"")
    """Any Prefect notification block, as type/name."""


class NotifyTable(NotifyChannels):
    """Who hears about waiting work, and when: reviewers about drafts, the editor about a plan, everyone about a
    failed run."""

    on: list[Literal["drafts", "approval", "failure", "waiting"]] = Field(
        list(NOTIFY_EVENTS), description="a list of events among \"drafts\", \"approval\", \"failure\", "
                                         "\"waiting\" (the default: all four), e.g. on = [\"drafts\", \"failure\"]")
    """The events people are told about: `drafts` waiting too long, a plan waiting for `approval`, a run's
    `failure`, work `waiting` for the next run."""
    drafts_waiting_hours: float = Field(24.0, gt=0, description="a number of hours above 0 (default 24)")
    """How long drafts wait for review before reviewers are told."""
    smtp_host: str = Field("localhost", description="the SMTP server's host name (default localhost)")
    """The SMTP server e-mail goes through."""
    smtp_port: int = Field(587, ge=1, le=65535, description="a port number from 1 to 65535, without quotes "
                                                            "(default 587)")
    """Its port (STARTTLS)."""
    smtp_user: Optional[str] = Field(None, description="the SMTP login (its password in TRADUCO_SMTP_PASSWORD)")
    """The SMTP login; the password comes from `TRADUCO_SMTP_PASSWORD`."""
    smtp_from: Optional[str] = Field(None, pattern=r"^[^@\s]+@[^@\s]+$",
                                     description="the sender's e-mail address")
    """The sender's address."""
    locales: dict[str, NotifyChannels] = Field({}, description="one table per locale, "
                                                               "e.g. [tool.traduco.notify.locales.zh_CN]")
    """Channels for one locale's people, besides the table's own: `[tool.traduco.notify.locales.zh_CN]`."""
