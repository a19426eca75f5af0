"""The `[tool.traduco]` table of pyproject.toml, declared as typed models.

pydantic checks every key against its declaration (strict types: `"false"`
is not a boolean, `"ten"` not a number); `parse_table` turns what it finds
into one `SettingsError` naming pyproject.toml, the key and what it expects:

    >>> from pathlib import Path
    >>> try:
    ...     parse_table({"locale": ["zh_CN"]}, Path("pyproject.toml"))
    ... except SettingsError as error:
    ...     print(error.message)  # doctest: +ELLIPSIS
    pyproject.toml: [tool.traduco] has no setting 'locale' (did you mean 'locales'?). Known: ...
"""

from __future__ import annotations

import difflib
import json
import types
import typing
from pathlib import Path
import re
from typing import Annotated, Literal, Optional

from babel import Locale, UnknownLocaleError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from traduco.errors import ConfigError
from traduco.redaction import redact


DEFAULT_LOCALES = ("zh_CN", "en")


class SettingsError(ConfigError):
    """Wrong settings or command-line choices, found before any work: exit code 2.
    (Other ConfigErrors, such as a Prefect server that does not answer, exit 1.)"""


class _Table(BaseModel):
    # strict: TOML has real types, so a quoted "false" or "10" is a mistake to report, not to guess
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _names(value: object) -> object:
    """A single name may be written without brackets: chain = "google"."""
    return [value] if isinstance(value, str) else value


def _locale(value: str) -> str:
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
    from traduco.project.providers import PROVIDERS
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


class ProviderTable(_Table):
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


class MTTable(_Table):
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


class SingleProviderTable(_Table):
    """The short form for a single provider (`name = "google"`). A `[tool.traduco.mt] chain` takes over when
    both are given; without either, the provider is `google`."""

    name: Optional[ProviderName] = Field(None, description="a provider name such as \"google\"")
    """The one provider for every locale."""
    url: Optional[str] = Field(None, description="the server's address, e.g. \"http://127.0.0.1:5000/\"")
    """Its address, for URL-based providers such as `libre`."""


class MemoryTable(_Table):
    """Translation memory: how similar approved Italian must be to be reused as a draft (a fuzzy match)."""

    fuzzy_threshold: float = Field(75.0, ge=50, le=100, description="a percentage from 50 to 100 "
                                                                   "(100: exact matches only); the default is 75")
    """Per cent similarity (rapidfuzz's `fuzz.ratio`) at which approved Italian from another document is reused
    as a draft; 100: exact matches only."""


class WebTable(_Table):
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


class GitTable(_Table):
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


class ScheduleTable(_Table):
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


class NotifyChannels(_Table):
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


class TraducoTable(_Table):
    """`[tool.traduco]` itself: the project's name, its languages and folders, the editor's approval gate, and
    how translate batches run."""

    project: Optional[str] = Field(None, description="the project's name, as catalogs' Project-Id-Version")
    """The project's name: catalogs' `Project-Id-Version`, the index pages' title, the notifications'
    subject."""
    source_language: str = Field("it", description="a locale name such as \"it\"")
    """The language of the sources."""
    locales: list[str] = Field(list(DEFAULT_LOCALES), min_length=1, description="a list of gettext locale names, "
                                                                         "e.g. locales = [\"zh_CN\", \"en\"]")
    """The target locales: one catalog per document and locale. `--locale` chooses among them."""
    sources: str = Field("sources", description="a folder, relative to pyproject.toml")
    """Where the source documents are (`*.md`, `*.txt`)."""
    catalogs: str = Field("locales", description="a folder inside the project, relative to pyproject.toml")
    """Where the templates and catalogs are (`<catalogs>/<locale>/LC_MESSAGES/<doc>.po`)."""
    public: str = Field("public", description="a folder, relative to pyproject.toml")
    """Where `traduco publish` writes pages, feeds and `.mo` files."""
    glossary: str | Literal[False] | None = Field(None, description="a CSV file relative to pyproject.toml, "
                                                                   "or \"\" for none")
    """The glossary CSV (`it,en,zh_CN,note`). Default: `glossary.csv` when there is one."""
    site_url: Optional[str] = Field(None, description="the address public/ is served at, "
                                                      "e.g. \"https://example.org/traduzioni\"")
    """The address `public/` is served at: absolute links in the JSON Feed."""
    require_approval: bool = Field(False, description="true or false, without quotes")
    """The editor approves each publication (`traduco approve` or the Prefect UI) before anything goes
    online."""
    task_runner: Literal["threads", "dask"] = Field("threads", description="\"threads\" (the default) or \"dask\"")
    """Where translate batches run: one after another in the flow's process, or in parallel on a Dask
    cluster."""
    dask_address: Optional[str] = Field(None, description="a Dask scheduler's address, "
                                                          "e.g. \"tcp://scheduler:8786\"")
    """An existing Dask cluster's scheduler, instead of a local cluster."""
    dask_workers: int = Field(2, ge=1, description="a whole number of worker processes, at least 1 (default 2)")
    """Worker processes of the local Dask cluster."""
    dask_dashboard: Optional[int] = Field(None, ge=1, le=65535, description="a port number from 1 to 65535")
    """Port of Dask's dashboard on 127.0.0.1 (off when not set; unauthenticated for every local user)."""
    batch_size: int = Field(100, ge=1, description="a whole number of documents per task run, "
                                                   "at least 1 (default 100)")
    """Documents per batch, one Prefect task run each: memory stays bounded however large the corpus."""
    provider: SingleProviderTable = SingleProviderTable()
    """`[tool.traduco.provider]`, below."""
    mt: MTTable = MTTable()
    """`[tool.traduco.mt]`, below."""
    memory: MemoryTable = MemoryTable()
    """`[tool.traduco.memory]`, below."""
    web: WebTable = WebTable()
    """`[tool.traduco.web]`, below."""
    git: Optional[GitTable] = None
    """`[tool.traduco.git]`, below."""
    notify: NotifyTable = NotifyTable()
    """`[tool.traduco.notify]`, below."""
    schedule: ScheduleTable = ScheduleTable()
    """`[tool.traduco.schedule]`, below."""

    @field_validator("locales", mode="after")
    @classmethod
    def _locales(cls, value: list[str]) -> list[str]:
        for locale in value:
            _locale(locale)
        if len(set(value)) < len(value):
            raise ValueError("a locale is listed twice")
        return value

    @field_validator("source_language", mode="after")
    @classmethod
    def _source(cls, value: str) -> str:
        return _locale(value)


def parse_table(table: dict, pyproject: Path) -> TraducoTable:
    """The validated `[tool.traduco]` table, or one SettingsError for what is wrong in it."""
    try:
        return TraducoTable.model_validate(table)
    except ValidationError as invalid:
        problems = {}         # one per key: a union's alternatives each complain about the same value
        for problem in invalid.errors(include_url=False):
            problems.setdefault(_key(problem["loc"]), problem)
        first, *others = problems.values()
        error = _problem(first, pyproject)
        if others:
            also = ", ".join(f"{table} {key}".strip() for table, key in list(problems)[1:4])
            error = SettingsError(error.what, path=pyproject,
                                  hint=f"{error.hint} (also wrong: {also}{', ...' if len(others) > 3 else ''})")
        raise error from None


def _problem(problem: dict, pyproject: Path) -> SettingsError:
    table, key, model, info = _locate(problem["loc"])
    if problem["type"] == "extra_forbidden":
        known = list(model.model_fields) if model else []
        close = difflib.get_close_matches(str(key), known, n=1)
        return SettingsError(f"{table} has no setting {key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""),
                             path=pyproject, hint="Known: " + ", ".join(known))
    if problem["type"] == "unknown_provider":
        where = table if key == "[key]" else f"{table} {key}"       # [key]: a [tool.traduco.mt.providers.X] table
        return SettingsError(f"{where}: {problem['msg']}", path=pyproject,
                             hint="Known providers: " + ", ".join(provider_names()))
    expected = f"Expected {info.description}" if info is not None and info.description else "See docs/reference/configuration.md"
    shown = _shown(problem["input"])
    if key == "":
        return SettingsError(f"{table} must be a table, not {shown}", path=pyproject,
                             hint=f"Write its settings under a {table} line")
    if problem["type"] == "value_error":
        return SettingsError(f"{table} {key} = {shown}: {problem['ctx']['error']}", path=pyproject, hint=expected)
    return SettingsError(f"{table} {key} = {shown} is not valid", path=pyproject, hint=expected)


def _key(loc: tuple) -> tuple[str, str]:
    table, key, _, _ = _locate(loc)
    return table, str(key)


def _locate(loc: tuple) -> tuple[str, object, type[BaseModel] | None, object]:
    """`("mt", "providers", "deepl", "connections")` → the table "[tool.traduco.mt.providers.deepl]",
    the key "connections", the model the key belongs to and the key's declaration."""
    tables, model, parts = ["tool", "traduco"], TraducoTable, list(loc)
    while parts:
        part = parts.pop(0)
        info = model.model_fields.get(part) if isinstance(part, str) else None
        if info is None:
            return f"[{'.'.join(tables)}]", part, model, None
        inner = _model_in(info.annotation)
        if inner is None and typing.get_origin(info.annotation) is dict and parts:
            return f"[{'.'.join([*tables, part])}]", parts[0], None, info     # chains.zh_CN
        if inner is None:
            return f"[{'.'.join(tables)}]", part, model, info
        tables.append(part)
        if typing.get_origin(info.annotation) is dict and parts:
            tables.append(str(parts.pop(0)))
        model = inner
    return f"[{'.'.join(tables)}]", "", model, None


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The table model inside `SomeTable`, `Optional[SomeTable]` or `dict[str, SomeTable]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (dict, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if found := _model_in(arg):
                return found
    return None


def _shown(value: object) -> str:
    """The value as it was written in TOML (near enough), kept short, without
    credentials or query strings (a git remote or provider URL may hold them)."""
    if isinstance(value, dict):
        return "a table"
    text = redact(json.dumps(value, ensure_ascii=False, default=str), ())
    return text if len(text) <= 60 else text[:57] + "..."
