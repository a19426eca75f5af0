"""Project settings: `[tool.traduco]` in pyproject.toml, overridable per run.

    project = load_project(".", provider="libre", provider_url="http://127.0.0.1:5000/")
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
    """Which machine-translation provider drafts, and where it lives.

    Keys never live here: they come from the environment (see
    `machine_translation.api_key_for`).
    """

    name: str = "google"
    url: str | None = None


@dataclass(frozen=True)
class Project:
    root: Path
    name: str = "traduco"
    source_language: str = "it"
    locales: tuple[str, ...] = DEFAULT_LOCALES
    sources_dir: Path = Path("sources")
    catalogs_dir: Path = Path("locales")
    public_dir: Path = Path("public")
    provider: ProviderSettings = field(default_factory=ProviderSettings)

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
    """Read settings for the project containing `start`; arguments override the file."""
    root = find_root(Path(start))
    pyproject = root / "pyproject.toml"
    table = _read_toml(pyproject).get("tool", {}).get("traduco", {}) if pyproject.is_file() else {}
    where = pyproject if pyproject.is_file() else root

    provider_table = table.get("provider", {})
    if not isinstance(provider_table, dict):
        raise ConfigError("[tool.traduco.provider] must be a table", path=where,
                          hint='Write it as [tool.traduco.provider] with name = "google"')
    settings = ProviderSettings(
        name=str(provider or provider_table.get("name", "google")).lower(),
        url=provider_url or provider_table.get("url") or None,
    )
    project = Project(
        root=root,
        name=str(table.get("project", root.name)),
        source_language=str(table.get("source_language", "it")),
        locales=tuple(locales or table.get("locales", DEFAULT_LOCALES)),
        sources_dir=root / table.get("sources", "sources"),
        catalogs_dir=root / table.get("catalogs", "locales"),
        public_dir=root / table.get("public", "public"),
        provider=settings,
    )
    for locale in project.locales:
        _check_locale(locale, where)
    return project


def with_provider(project: Project, name: str | None, url: str | None) -> Project:
    if not name and not url:
        return project
    settings = ProviderSettings(name=(name or project.provider.name).lower(),
                                url=url or project.provider.url)
    return replace(project, provider=settings)


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
