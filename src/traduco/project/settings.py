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
    """The MT providers traduco knows (README: Machine translation)."""
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
    url: Optional[str] = Field(None, description="the server's address, e.g. \"http://127.0.0.1:5000/\"")
    requests_per_second: Optional[float] = Field(None, gt=0, description="a number of requests per second above 0")
    characters_per_minute: Optional[int] = Field(None, ge=1, description="a whole number of characters, at least 1")
    connections: Optional[int] = Field(None, ge=1, description="a whole number of parallel requests, at least 1")
    budget_characters: Optional[int] = Field(None, ge=0, description="a whole number of characters per run, "
                                                                    "0 or more (leave it out for no ceiling)")
    # An LLM (the openai provider) is chosen by model, metered in tokens, and may be told how freely to write.
    model: Optional[str] = Field(None, min_length=1, description="the model's name, e.g. \"qwen-plus\"")
    temperature: Optional[float] = Field(None, ge=0, le=2, description="a number from 0 to 2 (default 0.2)")
    tokens_per_minute: Optional[int] = Field(None, ge=1, description="a whole number of tokens, at least 1")
    budget_tokens_per_month: Optional[int] = Field(None, ge=0, description="a whole number of tokens per "
                                                                           "calendar month, 0 or more")


class MTTable(_Table):
    chain: Optional[list[ProviderName]] = Field(None, min_length=1, description="a list of provider names, "
                                                                                "e.g. chain = [\"deepl\", \"google\"]")
    chains: dict[str, list[ProviderName]] = Field({}, description="per locale, a list of provider names, "
                                                                  "e.g. zh_CN = [\"baidu\", \"google\"]")
    providers: dict[ProviderName, ProviderTable] = Field({}, description="one table per provider, "
                                                                         "e.g. [tool.traduco.mt.providers.deepl]")
    deadline_seconds: float = Field(30.0, gt=0, description="a number of seconds above 0 (default 30)")
    max_attempts: int = Field(4, ge=1, description="a whole number of attempts, at least 1 (default 4)")
    backoff_seconds: float = Field(0.5, ge=0, description="a number of seconds, 0 or more (default 0.5)")
    failures_before_skipping: int = Field(3, ge=1, description="a whole number of failed requests, "
                                                              "at least 1 (default 3)")
    second_opinion: Optional[ProviderName] = Field(None, description="one provider's name, "
                                                                     "e.g. second_opinion = \"deepl\" (off by default)")

    @field_validator("chain", mode="before")
    @classmethod
    def _chain(cls, value: object) -> object:
        return _names(value)

    @field_validator("chains", mode="before")
    @classmethod
    def _chains(cls, value: object) -> object:
        return {k: _names(v) for k, v in value.items()} if isinstance(value, dict) else value


class SingleProviderTable(_Table):
    name: Optional[ProviderName] = Field(None, description="a provider name such as \"google\"")
    url: Optional[str] = Field(None, description="the server's address, e.g. \"http://127.0.0.1:5000/\"")


class MemoryTable(_Table):
    fuzzy_threshold: float = Field(75.0, ge=50, le=100, description="a percentage from 50 to 100 "
                                                                   "(100: exact matches only); the default is 75")


class WebTable(_Table):
    feeds: list[str] = Field([], description="a list of RSS or Atom addresses")
    pages: list[str] = Field([], description="a list of article addresses")
    delay_seconds: float = Field(1.0, ge=0, description="a number of seconds, 0 or more (default 1)")
    max_bytes: int = Field(5_000_000, ge=1, description="a whole number of bytes, at least 1")
    deadline_seconds: float = Field(30.0, gt=0, description="a number of seconds above 0 (default 30)")
    pull_budget_seconds: float = Field(300.0, gt=0, description="a number of seconds above 0 (default 300)")
    allow_hosts: list[str] = Field([], description="a list of host names or networks, "
                                                   "e.g. [\"intranet.example.org\", \"10.0.0.0/8\"]")


class GitTable(_Table):
    remote: Optional[str] = Field(None, description="a remote's name or URL")
    branch: Optional[str] = Field(None, description="a branch name")
    author: Optional[str] = Field(None, description="\"Name <email>\"")
    push_attempts: int = Field(3, ge=1, description="a whole number of attempts, at least 1 (default 3)")


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
    translate: Annotated[str, AfterValidator(_cron)] = Field(
        "0 * * * *", description="a cron expression such as \"0 * * * *\" (every hour)")
    publish: Annotated[str, AfterValidator(_cron)] = Field(
        "0 7 * * *", description="a cron expression such as \"0 7 * * *\" (every day at 7:00)")
    timezone: Annotated[str, AfterValidator(_timezone)] = Field(
        "Europe/Rome", description="a time zone name such as \"Europe/Rome\"")


# -- [tool.traduco.notify]: who hears about waiting work, and when (traduco.notify.channels) --------------

NOTIFY_EVENTS = ("drafts", "approval", "failure", "waiting")


class NotifyChannels(_Table):
    """Where messages go: any of the three, in the notify table or in one locale's table."""

    webhook: Optional[str] = Field(None, pattern=r"^https?://\S+$",
                                   description="a webhook address, \"https://...\" (or leave it out and set "
                                               "TRADUCO_NOTIFY_WEBHOOK: the address holds a token)")
    email: Optional[str] = Field(None, pattern=r"^[^@\s]+@[^@\s]+$",
                                 description="an e-mail address such as \"redazione@example.org\"")
    block: Optional[str] = Field(None, pattern=r"^[a-z0-9-]+/[a-z0-9-]+$",
                                 description="a Prefect notification block as type/name, "
                                             "e.g. \"slack-webhook/redazione\"")


class NotifyTable(NotifyChannels):
    on: list[Literal["drafts", "approval", "failure", "waiting"]] = Field(
        list(NOTIFY_EVENTS), description="a list of events among \"drafts\", \"approval\", \"failure\", "
                                         "\"waiting\" (the default: all four), e.g. on = [\"drafts\", \"failure\"]")
    drafts_waiting_hours: float = Field(24.0, gt=0, description="a number of hours above 0 (default 24)")
    smtp_host: str = Field("localhost", description="the SMTP server's host name (default localhost)")
    smtp_port: int = Field(587, ge=1, le=65535, description="a port number from 1 to 65535, without quotes "
                                                            "(default 587)")
    smtp_user: Optional[str] = Field(None, description="the SMTP login (its password in TRADUCO_SMTP_PASSWORD)")
    smtp_from: Optional[str] = Field(None, pattern=r"^[^@\s]+@[^@\s]+$",
                                     description="the sender's e-mail address")
    locales: dict[str, NotifyChannels] = Field({}, description="one table per locale, "
                                                               "e.g. [tool.traduco.notify.locales.zh_CN]")


class TraducoTable(_Table):
    """`[tool.traduco]` itself."""

    project: Optional[str] = Field(None, description="the project's name, as catalogs' Project-Id-Version")
    source_language: str = Field("it", description="a locale name such as \"it\"")
    locales: list[str] = Field(list(DEFAULT_LOCALES), min_length=1, description="a list of gettext locale names, "
                                                                         "e.g. locales = [\"zh_CN\", \"en\"]")
    sources: str = Field("sources", description="a folder, relative to pyproject.toml")
    catalogs: str = Field("locales", description="a folder inside the project, relative to pyproject.toml")
    public: str = Field("public", description="a folder, relative to pyproject.toml")
    glossary: str | Literal[False] | None = Field(None, description="a CSV file relative to pyproject.toml, "
                                                                   "or \"\" for none")
    site_url: Optional[str] = Field(None, description="the address public/ is served at, "
                                                      "e.g. \"https://example.org/traduzioni\"")
    require_approval: bool = Field(False, description="true or false, without quotes")
    task_runner: Literal["threads", "dask"] = Field("threads", description="\"threads\" (the default) or \"dask\"")
    dask_address: Optional[str] = Field(None, description="a Dask scheduler's address, "
                                                          "e.g. \"tcp://scheduler:8786\"")
    dask_workers: int = Field(2, ge=1, description="a whole number of worker processes, at least 1 (default 2)")
    dask_dashboard: Optional[int] = Field(None, ge=1, le=65535, description="a port number from 1 to 65535")
    batch_size: int = Field(100, ge=1, description="a whole number of documents per task run, "
                                                   "at least 1 (default 100)")
    provider: SingleProviderTable = SingleProviderTable()
    mt: MTTable = MTTable()
    memory: MemoryTable = MemoryTable()
    web: WebTable = WebTable()
    git: Optional[GitTable] = None
    notify: NotifyTable = NotifyTable()
    schedule: ScheduleTable = ScheduleTable()

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
    expected = f"Expected {info.description}" if info is not None and info.description else "See README: Configuration"
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
