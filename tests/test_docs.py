"""The documentation cannot drift from the code: the reference pages and the
module map are what docs/reference/generate.py writes from it today, every
relative link in the README and docs/ resolves (to a file, and to a heading
when it names one), and the README stays short."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LIBRARY = REPO / "src" / "traduco"
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
GENERATOR = REPO / "docs" / "reference" / "generate.py"


def generator():
    spec = importlib.util.spec_from_file_location("docs_generate", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated() -> dict[Path, str]:
    return generator().pages()


def test_the_generated_pages_are_what_the_code_says_today(generated):
    assert set(generated) == {REPO / "docs/reference/configuration.md", REPO / "docs/reference/cli.md",
                              REPO / "docs/development.md"}
    stale = [str(path.relative_to(REPO)) for path, text in generated.items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    assert stale == [], (f"out of date with the code: {', '.join(stale)}. Run `python docs/reference/generate.py` "
                         "and commit what it writes")


def test_the_configuration_reference_names_every_key_of_every_table(generated):
    from traduco.project.settings import TraducoTable
    page = generated[REPO / "docs/reference/configuration.md"]
    gen = generator()

    def keys(model, table):
        for key, info in model.model_fields.items():
            held, per_name = gen.table_model(info.annotation)
            if held is None:
                yield table, key
            else:
                yield from keys(held, f"{table}.{key}" + (f".{gen.PER_NAME.get(key, 'NAME')}" if per_name else ""))
    sections = dict(re.findall(r"^## `\[(.*?)\]`\n(.*?)(?=^## |\Z)", page, re.S | re.M))
    missing = [f"[{table}] {key}" for table, key in keys(TraducoTable, "tool.traduco")
               if f"| `{key}` |" not in sections.get(table, "")]
    assert len(sections) >= 10 and missing == []
    undescribed = re.findall(r"^\| `(\w+)` \| [^|]+ \| [^|]+ \|  \|", page, re.M)
    assert undescribed == [], "give these keys a docstring under their field in traduco.project.settings"


def test_the_cli_reference_names_every_command_option_and_exit_code(generated):
    import typer
    from traduco.cli import app
    page = generated[REPO / "docs/reference/cli.md"]
    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        section = page.split(f"## `traduco {name}`\n", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            shown = param.opts[0] if param.param_type_name == "option" else (param.metavar or param.name.upper())
            assert f"`{shown}" in section, f"traduco {name}: {shown} is not in docs/reference/cli.md"
    codes = re.findall(r"^\| (\d+) \|", page.split("## Exit codes", 1)[1], re.M)
    assert codes == ["0", "1", "2", "3", "130"]


def test_a_code_without_a_meaning_stops_the_generator(monkeypatch):
    gen = generator()
    monkeypatch.setattr(gen, "EXIT_MEANINGS", {code: text for code, text in gen.EXIT_MEANINGS.items() if code != 3})
    with pytest.raises(SystemExit, match=r"\[3\]"):
        gen.cli()


# -- links ---------------------------------------------------------------------------------------

def prose(text: str) -> str:
    """The text without fenced code blocks and inline code, where brackets are not links."""
    text = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", text, flags=re.S | re.M)
    return re.sub(r"(`+).*?\1", "", text, flags=re.S)


def anchors(text: str) -> set[str]:
    """The anchors GitHub makes for a page's headings."""
    made, seen = set(), {}
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", re.sub(r"^```.*?^```", "", text, flags=re.S | re.M), re.M):
        words = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
        slug = re.sub(r"[^\w\- ]", "", words).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        made.add(slug if count == 0 else f"{slug}-{count}")
    return made


def links(page: Path) -> list[str]:
    return [target for target in re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", prose(page.read_text(encoding="utf-8")))
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target)]


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in links(page):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file.read_text(encoding="utf-8")):
            broken.append(f"{target} (no such heading)")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(REPO)))
def test_every_relative_link_resolves(page):
    assert broken_links(page) == []


def test_the_link_check_sees_a_missing_file_and_a_missing_heading(tmp_path):
    (tmp_path / "other.md").write_text("# Other\n\n## Run on a schedule\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("# Page\n\n[ok](other.md#run-on-a-schedule), [here](#page), [web](https://example.org/x)\n"
                    "[gone](missing.md) and [nowhere](other.md#security); in code: `[x](y.md)`\n"
                    "```\n[z](z.md)\n```\n", encoding="utf-8")
    assert broken_links(page) == ["missing.md (no such file)", "other.md#security (no such heading)"]


def test_the_pages_link_to_each_other():
    """The README maps docs/, and every page of docs/ is reached from it."""
    reached = {(REPO / target.partition("#")[0]).resolve() for target in links(REPO / "README.md")}
    assert [page for page in PAGES[1:] if page not in reached and page.name != "generate.py"] == []


# -- the README and the module map ------------------------------------------------------------------

def test_the_readme_is_short():
    lines = (REPO / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= 300, f"README.md has {lines} lines: move the detail to docs/"


def test_the_module_map_names_every_module_of_the_package():
    page = (REPO / "docs" / "development.md").read_text(encoding="utf-8")
    start, end = generator().markers("module map")
    module_map = page.split(start, 1)[1].split(end, 1)[0]
    names = set()
    for path in LIBRARY.rglob("*.py"):
        parts = path.relative_to(LIBRARY).with_suffix("").parts
        if parts == ("__init__",):
            continue
        names.add(f"{parts[0]}/" if parts[-1] == "__init__" else ".".join(parts))
    assert len(names) > 50
    assert sorted(name for name in names if f"`{name}`" not in module_map) == []
