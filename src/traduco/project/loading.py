"""Project settings: `[tool.traduco]` in pyproject.toml, overridable per run.

    project = load_project(".", provider="libre", provider_url="http://127.0.0.1:5000/")
    project.mt.chain_for("zh_CN")              # ("libre",)
    project.catalog_path("toscana", "zh_CN")   # <root>/locales/zh_CN/LC_MESSAGES/toscana.po
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from traduco.project.addresses import AddressPolicy, literal_refusal
from traduco.project.settings import DEFAULT_LOCALES, SettingsError, TraducoTable, parse_table
from traduco.project.tables import NotifyTable, canonical_provider, provider_names, unknown_provider

STATE_DIR = ".traduco"
# The project folder the process that runs a deployment's flow serves: set by
# `traduco serve` (its runs inherit it), by `traduco publish` for the run it
# starts, and by whoever starts a worker for prefect.yaml's deployments.
SERVED_PROJECT = "TRADUCO_PROJECT"


@dataclass(frozen=True)
class ProviderSettings:
    """One MT provider's settings; None means the provider's documented default
    (see `traduco.mt.adapters`). Keys never live here: they come from the
    environment or Prefect Secret blocks."""

    name: str
    url: str | None = None
    requests_per_second: float | None = None
    characters_per_minute: int | None = None
    connections: int | None = None
    budget_characters: int | None = None     # per run; None: no ceiling
    model: str | None = None                 # an LLM's model (the openai provider)
    temperature: float | None = None
    tokens_per_minute: int | None = None     # an LLM's volume limit, in place of characters
    budget_tokens_per_month: int | None = None


@dataclass(frozen=True)
class MTSettings:
    """Which providers draft each locale, in fallback order, and how patiently."""

    chain: tuple[str, ...] = ("google",)
    chains: tuple[tuple[str, tuple[str, ...]], ...] = ()   # per-locale chains
    providers: tuple[ProviderSettings, ...] = ()
    deadline_seconds: float = 30.0
    max_attempts: int = 4
    backoff_seconds: float = 0.5
    failures_before_skipping: int = 3
    second_opinion: str | None = None    # a provider asked too, to measure disagreement (costs characters)

    def chain_for(self, locale: str) -> tuple[str, ...]:
        return dict(self.chains).get(locale, self.chain)

    def provider(self, name: str) -> ProviderSettings:
        for settings in self.providers:
            if settings.name == name:
                return settings
        return ProviderSettings(name)

    def names(self) -> list[str]:
        """Every provider some locale may use, in first-use order (the second opinion last)."""
        return list(dict.fromkeys([*self.chain, *(n for _, c in self.chains for n in c),
                                   *([self.second_opinion] if self.second_opinion else [])]))


@dataclass(frozen=True)
class Project:
    root: Path
    name: str = "traduco"
    source_language: str = "it"
    locales: tuple[str, ...] = DEFAULT_LOCALES
    sources_dir: Path = Path("sources")
    catalogs_dir: Path = Path("locales")
    public_dir: Path = Path("public")
    glossary_path: Path | None = None
    site_url: str | None = None           # where public/ is served: absolute links in feeds
    require_approval: bool = False        # publishing waits for an editor's approval
    schedule: dict | None = None          # [tool.traduco.schedule]: cron for translate and publish
    task_runner: str = "threads"          # or "dask": batches in parallel on a Dask cluster
    dask_address: str | None = None       # an existing Dask scheduler; else a local cluster
    dask_workers: int = 2
    dask_dashboard: int | None = None     # a port for Dask's dashboard (on 127.0.0.1); none by default
    batch_size: int = 100                 # documents per task run
    web: dict | None = None               # [tool.traduco.web]: feeds, pages, delay_seconds, max_bytes
    git: dict | None = None               # [tool.traduco.git]: sync runs through git (traduco.git.sync)
    notify: NotifyTable = field(default_factory=NotifyTable)   # [tool.traduco.notify]: who hears about waiting work
    mt: MTSettings = field(default_factory=MTSettings)
    fuzzy_threshold: float = 75.0         # [tool.traduco.memory]: % similarity for a fuzzy match

    @property
    def state_dir(self) -> Path:
        """Working state that is not content (MT cache, locks); git-ignored."""
        return self.root / STATE_DIR

    @property
    def templates_dir(self) -> Path:
        return self.catalogs_dir / "templates"

    def template_path(self, doc_id: str) -> Path:
        return self.templates_dir / f"{doc_id}.pot"

    def catalog_path(self, doc_id: str, locale: str) -> Path:
        return self.catalogs_dir / locale / "LC_MESSAGES" / f"{doc_id}.po"

    def lock_path(self, path: Path) -> Path:
        """The lock file that serialises writers of `path` (inside the project)."""
        relative = path.resolve().relative_to(self.root.resolve())
        return self.state_dir / "locks" / relative.parent / f"{relative.name}.lock"

    @property
    def run_lock_path(self) -> Path:
        """Held by a translate run from start to end: two runs never pay MT twice."""
        return self.state_dir / "locks" / "translate-run.lock"

    def doc_ids(self) -> list[str]:
        """Documents that have a template, i.e. were extracted at least once."""
        if not self.templates_dir.is_dir():
            return []
        return sorted(p.stem for p in self.templates_dir.glob("*.pot"))


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` whose pyproject.toml has [tool.traduco]."""
    start = start.resolve()
    for folder in (start, *start.parents):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "traduco" in _read_toml(pyproject).get("tool", {}):
            return folder
    return None


def load_project(start: Path | str = ".", *, provider: str | None = None,
                 provider_url: str | None = None,
                 locales: list[str] | None = None) -> Project:
    """Read settings for the project containing `start`; arguments override the file.

    `provider` is one provider or a comma-separated fallback chain for every
    locale; `provider_url` is the address of its first provider; `locales`
    picks some of the configured locales (zh-cn is read as zh_CN).
    """
    root = find_root(Path(start))
    if root is None:
        raise SettingsError(f"no traduco project in {Path(start).resolve()} or any folder above it: "
                            "no pyproject.toml with a [tool.traduco] table",
                            hint="Pass --project DIR, or make this folder a project: add [tool.traduco] to its "
                                 "pyproject.toml (docs/reference/configuration.md)")
    pyproject = root / "pyproject.toml"
    settings = parse_table(_read_toml(pyproject)["tool"]["traduco"], pyproject)
    return Project(
        root=root,
        name=settings.project if settings.project is not None else root.name,
        source_language=settings.source_language,
        locales=_chosen_locales(settings.locales, locales, pyproject),
        sources_dir=_inside(root, "sources", settings.sources, pyproject),
        catalogs_dir=_inside(root, "catalogs", settings.catalogs, pyproject),
        public_dir=_inside(root, "public", settings.public, pyproject),
        glossary_path=_glossary_path(root, settings.glossary, pyproject),
        site_url=settings.site_url or None,
        require_approval=settings.require_approval,
        schedule=settings.schedule.model_dump(exclude_unset=True),
        task_runner=settings.task_runner,
        dask_address=settings.dask_address or None,
        dask_workers=settings.dask_workers,
        dask_dashboard=settings.dask_dashboard,
        batch_size=settings.batch_size,
        web=settings.web.model_dump(exclude_unset=True),
        git=settings.git.model_dump(exclude_unset=True) if settings.git is not None else None,
        mt=_with_urls(with_provider(_mt_settings(settings, settings.locales, pyproject), provider, provider_url),
                      pyproject),
        notify=_notify_settings(settings, pyproject),
        fuzzy_threshold=settings.memory.fuzzy_threshold,
    )


def _notify_settings(settings: TraducoTable, pyproject: Path) -> NotifyTable:
    """[tool.traduco.notify]: a locale's table only for a locale the project has."""
    strays = [locale for locale in settings.notify.locales if locale not in settings.locales]
    if strays:
        raise SettingsError(f"[tool.traduco.notify.locales.{strays[0]}] is not one of the locales: "
                            f"{', '.join(settings.locales)}", path=pyproject,
                            hint="Name each table after a locale in [tool.traduco] locales")
    hooks = [(name, table.webhook) for name, table in [("[tool.traduco.notify]", settings.notify), *(
        (f"[tool.traduco.notify.locales.{locale}]", table) for locale, table in settings.notify.locales.items())]
        if table.webhook]
    try:
        policy = AddressPolicy.from_settings(settings.web.allow_hosts) if hooks else None
    except ValueError as wrong:
        raise SettingsError(str(wrong), path=pyproject, hint="Write host names or networks, e.g. allow_hosts = "
                                                            '["intranet.example.org", "10.0.0.0/8"]') from None
    for name, webhook in hooks:
        if why := literal_refusal(webhook, policy):
            raise SettingsError(f"{name} webhook goes to {why}: notifications are sent only to public addresses",
                                path=pyproject, hint="Use the chat server's public address, or list the host in "
                                                     "[tool.traduco.web] allow_hosts if it is one of yours")
    return settings.notify


def _chosen_locales(configured: list[str], chosen: list[str] | None, pyproject: Path) -> tuple[str, ...]:
    """`--locale` picks configured locales only: another one would grow a
    parallel catalog tree (locales/zh_cn/ beside locales/zh_CN/)."""
    if not chosen:
        return tuple(configured)
    spelled = {_loose(locale): locale for locale in configured}
    unknown = [locale for locale in chosen if _loose(locale) not in spelled]
    if unknown:
        raise SettingsError(f"locale {unknown[0]!r} is not one of this project's locales: {', '.join(configured)}",
                            path=pyproject, hint="Choose among them, or add it to [tool.traduco] locales")
    return tuple(dict.fromkeys(spelled[_loose(locale)] for locale in chosen))


def _loose(locale: str) -> str:
    return locale.strip().replace("-", "_").lower()


def _inside(root: Path, key: str, folder: str, pyproject: Path) -> Path:
    """A folder that must stay inside the project: a run never reads or writes
    outside it (and the catalogs' locks mirror their layout under .traduco/).
    The setting is judged as written; a link on disk that leads out is the
    run's to refuse (`traduco.project.trust.check_folders`), with its own advice."""
    path = root / folder
    if not Path(os.path.normpath(path)).is_relative_to(Path(os.path.normpath(root))):
        raise SettingsError(f'[tool.traduco] {key} = "{folder}" is outside the project', path=pyproject,
                            hint=f"Expected a folder inside {root}, relative to pyproject.toml")
    return path


def _glossary_path(root: Path, glossary: str | bool | None, pyproject: Path) -> Path | None:
    """`glossary = "file.csv"` in [tool.traduco]; by default glossary.csv if there is one."""
    if glossary is None:
        default = root / "glossary.csv"
        return default if default.is_file() else None
    if not glossary:
        return None
    path = root / glossary
    if not path.is_file():
        raise SettingsError(f"the glossary {path} does not exist", path=pyproject,
                            hint='Fix the path in [tool.traduco] glossary = "...", or remove the line')
    return path


def chain_option(chain: str) -> tuple[str, ...]:
    """`--provider deepl,google` as provider names; a ValueError says which is unknown."""
    names = tuple(canonical_provider(n) for n in chain.split(",") if n.strip())
    for name in names:
        if wrong := unknown_provider(name):
            raise ValueError(f"{wrong}. Known providers: {', '.join(provider_names())}")
    return names


def with_provider(mt: MTSettings, chain: str | None, url: str | None) -> MTSettings:
    """Command-line override: `--provider libre,google --provider-url URL`."""
    if not chain and not url:
        return mt
    try:
        names = chain_option(chain or ",".join(mt.chain))
    except ValueError as wrong:
        raise SettingsError(f"--provider {chain}: {wrong}") from None
    providers = {p.name: p for p in mt.providers}
    if url:
        providers[names[0]] = replace(providers.get(names[0], ProviderSettings(names[0])), url=url)
    return replace(mt, chain=names, chains=() if chain else mt.chains,
                   providers=tuple(providers.values()))


def _with_urls(mt: MTSettings, pyproject: Path) -> MTSettings:
    """A provider that lives at an address of your choosing (libre) needs it in the
    settings: refused when the project loads, not halfway through a run."""
    from traduco.project.providers import PROVIDERS
    for name in mt.names():
        if PROVIDERS[name].needs_url and not mt.provider(name).url:
            raise SettingsError(f"[tool.traduco.mt.providers.{name}] url is missing: the {name} provider needs "
                                "its server's address", path=pyproject,
                                hint=f'Set url = "http://host:port/" there (or pass --provider-url URL to '
                                     f"`traduco run --provider {name}`)")
        if PROVIDERS[name].documents and not mt.provider(name).model:
            raise SettingsError(f"[tool.traduco.mt.providers.{name}] model is missing: the {name} provider "
                                "needs the model's name", path=pyproject,
                                hint='Set model = "qwen-plus" (or the model your server runs) there; '
                                     "docs/llm.md lists the names for Ollama, vLLM, DeepSeek and Qwen")
    return mt


def _mt_settings(settings: TraducoTable, locales: list[str], pyproject: Path) -> MTSettings:
    """[tool.traduco.mt] (chains, per-provider limits), or the short form
    [tool.traduco.provider] name/url for a single provider."""
    mt, single = settings.mt, settings.provider
    providers = {name.lower(): ProviderSettings(name.lower(), **options.model_dump())
                 for name, options in mt.providers.items()}
    if single.name:
        name = single.name.lower()
        providers.setdefault(name, ProviderSettings(name))
        if single.url:
            providers[name] = replace(providers[name], url=single.url)
    strays = [locale for locale in mt.chains if locale not in locales]
    if strays:
        raise SettingsError(f"[tool.traduco.mt.chains] {strays[0]} is not one of the locales: {', '.join(locales)}",
                            path=pyproject, hint="Name each chain after a locale in [tool.traduco] locales")
    chain = mt.chain or [single.name or "google"]
    return MTSettings(
        chain=tuple(n.lower() for n in chain),
        chains=tuple((locale, tuple(n.lower() for n in names)) for locale, names in mt.chains.items()),
        providers=tuple(providers.values()), deadline_seconds=mt.deadline_seconds,
        max_attempts=mt.max_attempts, backoff_seconds=mt.backoff_seconds,
        failures_before_skipping=mt.failures_before_skipping,
        second_opinion=mt.second_opinion.lower() if mt.second_opinion else None)


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read settings: {exc}", path=path,
                            hint="Fix the TOML syntax") from None
