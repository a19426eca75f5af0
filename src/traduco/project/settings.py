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
from typing import Literal, Optional

from pydantic import BaseModel, Field, ValidationError, field_validator

from traduco.errors import ConfigError
from traduco.project.tables import GitTable, MemoryTable, MTTable, NotifyTable, ScheduleTable, SingleProviderTable, \
    Table, WebTable, check_locale, provider_names
from traduco.redaction import redact

DEFAULT_LOCALES = ("zh_CN", "en")


class SettingsError(ConfigError):
    """Wrong settings or command-line choices, found before any work: exit code 2.
    (Other ConfigErrors, such as a Prefect server that does not answer, exit 1.)"""



class TraducoTable(Table):
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
            check_locale(locale)
        if len(set(value)) < len(value):
            raise ValueError("a locale is listed twice")
        return value

    @field_validator("source_language", mode="after")
    @classmethod
    def _source(cls, value: str) -> str:
        return check_locale(value)


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
