"""Project settings: `[tool.traduco]` in pyproject.toml, overridable per run.

    project = load_project(".", provider="libre", provider_url="http://127.0.0.1:5000/")
    project.mt.chain_for("zh_CN")              # ("libre",)
    project.catalog_path("toscana", "zh_CN")   # <root>/locales/zh_CN/LC_MESSAGES/toscana.po
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from babel import Locale, UnknownLocaleError

from traduco.errors import ConfigError

DEFAULT_LOCALES = ("zh_CN", "en")
STATE_DIR = ".traduco"


@dataclass(frozen=True)
class ProviderSettings:
    """One MT provider's settings; None means the provider's documented default
    (see `traduco.mt.providers`). Keys never live here: they come from the
    environment or Prefect Secret blocks."""

    name: str
    url: str | None = None
    requests_per_second: float | None = None
    characters_per_minute: int | None = None
    connections: int | None = None
    budget_characters: int | None = None     # per run; None: no ceiling


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

    def chain_for(self, locale: str) -> tuple[str, ...]:
        return dict(self.chains).get(locale, self.chain)

    def provider(self, name: str) -> ProviderSettings:
        for settings in self.providers:
            if settings.name == name:
                return settings
        return ProviderSettings(name)

    def names(self) -> list[str]:
        """Every provider some locale may use, in first-use order."""
        return list(dict.fromkeys([*self.chain, *(n for _, c in self.chains for n in c)]))


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
    git: dict | None = None               # [tool.traduco.git]: sync runs through git (traduco.sync)
    notify: dict | None = None            # [tool.traduco.notify]: who hears about waiting work (traduco.notify)
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


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` whose pyproject.toml has [tool.traduco]."""
    start = start.resolve()
    for folder in (start, *start.parents):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "traduco" in _read_toml(pyproject).get("tool", {}):
            return folder
    return start


def load_project(start: Path | str = ".", *, provider: str | None = None,
                 provider_url: str | None = None,
                 locales: list[str] | None = None) -> Project:
    """Read settings for the project containing `start`; arguments override the file.

    `provider` is one provider or a comma-separated fallback chain for every
    locale; `provider_url` is the address of its first provider.
    """
    root = find_root(Path(start))
    pyproject = root / "pyproject.toml"
    table = _read_toml(pyproject).get("tool", {}).get("traduco", {}) if pyproject.is_file() else {}
    where = pyproject if pyproject.is_file() else root
    project = Project(
        root=root,
        name=str(table.get("project", root.name)),
        source_language=str(table.get("source_language", "it")),
        locales=tuple(locales or table.get("locales", DEFAULT_LOCALES)),
        sources_dir=root / table.get("sources", "sources"),
        catalogs_dir=root / table.get("catalogs", "locales"),
        public_dir=root / table.get("public", "public"),
        glossary_path=_glossary_path(root, table, where),
        site_url=table.get("site_url") or None,
        require_approval=bool(table.get("require_approval", False)),
        schedule=dict(table.get("schedule") or {}),
        task_runner=str(table.get("task_runner", "threads")),
        dask_address=table.get("dask_address") or None,
        dask_workers=int(table.get("dask_workers", 2)),
        dask_dashboard=int(table["dask_dashboard"]) if table.get("dask_dashboard") is not None else None,
        batch_size=max(1, int(table.get("batch_size", 100))),
        web=dict(table.get("web") or {}),
        git=dict(table["git"]) if isinstance(table.get("git"), dict) else None,
        notify=dict(table["notify"]) if isinstance(table.get("notify"), dict) else None,
        mt=with_provider(_mt_settings(table, where), provider, provider_url),
        fuzzy_threshold=_fuzzy_threshold(table, where),
    )
    for locale in project.locales:
        _check_locale(locale, where)
    if project.task_runner not in ("threads", "dask"):
        raise ConfigError(f"unknown task_runner {project.task_runner!r}", path=where,
                          hint='Use "threads" (the default) or "dask"')
    return project


def _glossary_path(root: Path, table: dict, where: Path) -> Path | None:
    """`glossary = "file.csv"` in [tool.traduco]; by default glossary.csv if there is one."""
    if "glossary" not in table:
        default = root / "glossary.csv"
        return default if default.is_file() else None
    if not table["glossary"]:
        return None
    path = root / str(table["glossary"])
    if not path.is_file():
        raise ConfigError(f"the glossary {path} does not exist", path=where,
                          hint='Fix the path in [tool.traduco] glossary = "...", or remove the line')
    return path


def _fuzzy_threshold(table: dict, where: Path) -> float:
    """[tool.traduco.memory] fuzzy_threshold: how similar (per cent) an approved
    Italian text must be to offer its translation instead of an MT draft."""
    memory = table.get("memory", {})
    value = memory.get("fuzzy_threshold", 75) if isinstance(memory, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 50 <= value <= 100:
        raise ConfigError(f"bad fuzzy_threshold in [tool.traduco.memory]: {value!r}", path=where,
                          hint="Use a percentage from 50 to 100 (100: exact matches only); the default is 75")
    return float(value)


def with_provider(mt: MTSettings, chain: str | None, url: str | None) -> MTSettings:
    """Command-line override: `--provider libre,google --provider-url URL`."""
    if not chain and not url:
        return mt
    names = tuple(n.strip().lower() for n in (chain or ",".join(mt.chain)).split(",") if n.strip())
    providers = {p.name: p for p in mt.providers}
    if url:
        providers[names[0]] = replace(providers.get(names[0], ProviderSettings(names[0])), url=url)
    return replace(mt, chain=names, chains=() if chain else mt.chains,
                   providers=tuple(providers.values()))


def _mt_settings(table: dict, where: Path) -> MTSettings:
    """[tool.traduco.mt] (chains, per-provider limits), or the short form
    [tool.traduco.provider] name/url for a single provider."""
    mt = table.get("mt", {})
    single = table.get("provider", {})
    if not isinstance(mt, dict) or not isinstance(single, dict):
        raise ConfigError("[tool.traduco.mt] and [tool.traduco.provider] must be tables", path=where,
                          hint='Write for example [tool.traduco.mt] with chain = ["google"]')
    providers = {}
    for name, options in (mt.get("providers") or {}).items():
        providers[name.lower()] = _provider_settings(name, options, where)
    if single.get("name"):
        name = str(single["name"]).lower()
        providers.setdefault(name, ProviderSettings(name))
        if single.get("url"):
            providers[name] = replace(providers[name], url=single["url"])
    chain = mt.get("chain") or ([single["name"]] if single.get("name") else ["google"])
    chains = tuple((locale, tuple(_names(names, where)))
                   for locale, names in (mt.get("chains") or {}).items())
    try:
        return MTSettings(
            chain=tuple(_names(chain, where)), chains=chains, providers=tuple(providers.values()),
            deadline_seconds=float(mt.get("deadline_seconds", 30.0)),
            max_attempts=int(mt.get("max_attempts", 4)),
            backoff_seconds=float(mt.get("backoff_seconds", 0.5)),
            failures_before_skipping=int(mt.get("failures_before_skipping", 3)))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"bad value in [tool.traduco.mt]: {exc}", path=where,
                          hint="Use numbers for seconds and counts") from None


def _provider_settings(name: str, options: object, where: Path) -> ProviderSettings:
    if not isinstance(options, dict):
        raise ConfigError(f"[tool.traduco.mt.providers.{name}] must be a table", path=where)
    unknown = set(options) - {"url", "requests_per_second", "characters_per_minute",
                              "connections", "budget_characters"}
    if unknown:
        raise ConfigError(f"unknown setting {sorted(unknown)[0]!r} for provider {name}", path=where,
                          hint="Known: url, requests_per_second, characters_per_minute, "
                               "connections, budget_characters")
    return ProviderSettings(name=name.lower(), **options)


def _names(value: object, where: Path) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConfigError("a provider chain must be a list of provider names", path=where,
                          hint='For example chain = ["deepl", "google"]')
    return [v.lower() for v in value]


def _check_locale(locale: str, where: Path) -> None:
    try:
        Locale.parse(locale)
    except (ValueError, UnknownLocaleError):
        raise ConfigError(f"unknown locale {locale!r} in the target locales", path=where,
                          hint="Use gettext locale names such as zh_CN or en") from None


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read settings: {exc}", path=path,
                          hint="Fix the TOML syntax") from None
