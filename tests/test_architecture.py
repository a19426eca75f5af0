"""Dependencies point one way: the CLI and the flows use the library, never the
reverse, and inside the library the sub-packages follow one order with no
import cycle (read from the source with ast, so a lazy import inside a
function counts as much as one at the top)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIBRARY = REPO / "src" / "traduco"
CLI = LIBRARY / "cli"        # the command line: a package of the library's shell, not of the library


def imported(source: str, package: str) -> set[str]:
    """Every module a module of `package` imports, absolute, with `from traduco import cli` as `traduco.cli`."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            names |= {module} | {f"{module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) \
                in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            names.add(str(node.args[0].value))          # importlib.import_module("traduco.x") counts too
    return names


def imports_of(path: Path) -> set[str]:
    root = REPO / "src" if LIBRARY in path.parents else REPO
    return imported(path.read_text(encoding="utf-8"), ".".join(path.parent.relative_to(root).parts))


def is_module(name: str, module: str) -> bool:
    return name == module or name.startswith(module + ".")


def library_modules() -> list[Path]:
    modules = sorted(LIBRARY.rglob("*.py"))
    assert len(modules) > 30 and CLI / "__init__.py" in modules     # the walk found the library
    # __main__.py is the command's entry point: the command line, as cli/ is
    return [path for path in modules if CLI not in path.parents and path != LIBRARY / "__main__.py"]


def test_the_library_does_not_import_the_flows():
    offenders = {str(path.relative_to(REPO)): sorted(name for name in imports_of(path) if is_module(name, "flows"))
                 for path in library_modules()}     # (the CLI runs the flows: it is not in the list)
    assert {path: names for path, names in offenders.items() if names} == {}


def test_only_the_command_line_imports_the_cli():
    users = [path for path in [*library_modules(), *sorted((REPO / "flows").glob("*.py"))]
             if any(is_module(name, "traduco.cli") for name in imports_of(path))]
    assert users == []


def test_imports_are_read_in_every_form():
    """The reader itself: aliased, lazy (inside a function), relative and
    `from package import module` imports all count."""
    source = ("import flows.translate as t\n"
              "def later():\n    from flows import publish\n"
              "from .. import cli\nfrom . import engine\nfrom .limits import shared\n")
    assert imported(source, "traduco.mt") >= {"flows.translate", "flows.publish", "traduco.cli",
                                              "traduco.mt.engine", "traduco.mt.limits"}
    assert is_module("flows.translate", "flows") and not is_module("flowsheet", "flows")
    assert "traduco.drafting.runs" in imported('import importlib\nimportlib.import_module("traduco.drafting.runs")\n',
                                               "traduco.project")


# The sub-packages from the bottom up: a module imports only from its own
# package or one listed before it (the package docstring says the same).
ORDER = ["errors", "redaction", "project", "language", "sources", "catalogs", "checks", "mt", "review",
         "drafting", "publishing", "prefect_api", "notify", "serve", "git", "exchange", "cli"]
ENTRY_POINTS = {"__main__", "catalog_merge"}     # top-level modules nothing imports: above everything
TOP_LEVEL_LIMIT = 8


def module_name(path: Path) -> str:
    return ".".join(("traduco", *path.relative_to(LIBRARY).with_suffix("").parts)).removesuffix(".__init__")


def import_graph() -> dict[str, set[str]]:
    """Module -> the library modules it imports (a name imported from a package
    that is not a module of it, `from traduco.mt import Engine`, counts as the package)."""
    modules = {module_name(path): path for path in sorted(LIBRARY.rglob("*.py"))}

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    def depends_on(names: set[str]) -> set[str]:
        # `from traduco.mt import llm` names traduco.mt only to reach its module llm
        bases = {n.rpartition(".")[0] for n in names if n in modules}
        return {owner(n) for n in names if n.startswith("traduco") and not (n in bases and n in modules)}

    return {name: depends_on(imports_of(path)) - {None, name} for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer(module: str) -> int:
    part = module.split(".")[1] if "." in module else ""
    return len(ORDER) if part in ENTRY_POINTS else ORDER.index(part) if part in ORDER else -1


def test_no_module_imports_itself_back():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle_through_a_lazy_import():
    graph = {"traduco.a": {"traduco.b"}, "traduco.b": {"traduco.c"}, "traduco.c": {"traduco.a"}, "traduco.d": set()}
    assert cycles(graph) == [["traduco.a", "traduco.b", "traduco.c"]]
    source = "def later():\n    from traduco.project import loading\n"
    assert imported(source, "traduco.mt") >= {"traduco.project.loading"}


def test_every_module_sits_in_a_known_layer():
    assert {name for name in import_graph() if name != "traduco" and layer(name) < 0} == set()


def test_the_sub_packages_depend_only_downwards():
    upward = sorted(f"{module} imports {other}" for module, others in import_graph().items() for other in others
                    if other != "traduco" and layer(other) > layer(module))
    assert upward == []


def test_the_top_level_keeps_few_modules():
    top = sorted(path.stem for path in LIBRARY.glob("*.py") if path.stem != "__init__")
    assert len(top) <= TOP_LEVEL_LIMIT, top
    assert set(top) <= set(ORDER) | ENTRY_POINTS, top


def test_each_docstring_names_its_modules():
    """The package docstring names every sub-package and top-level module; each
    sub-package's docstring names every module in it."""
    import importlib

    import traduco

    missing = []
    for path in sorted(LIBRARY.rglob("*.py")):
        name = module_name(path)
        if path.name == "__init__.py" and path.parent == LIBRARY:
            continue
        short = name.removeprefix("traduco.")
        parent = importlib.import_module(name.rpartition(".")[0]) if path.name != "__init__.py" \
            else traduco
        if f"`{short}`" not in (parent.__doc__ or ""):     # `catalogs.merge`, not a bare `merge`
            missing.append(name)
    assert missing == []


def test_plans_pickled_under_the_old_layout_name_existing_classes():
    """Prefect pickled publish plans as `traduco.publishing.PublishResult` and
    `traduco.publishing.Status`; a run suspended before the package was grouped
    by step must find them (the resume itself: tests/test_upgrade.py)."""
    import traduco.publishing
    from traduco.publishing.plan import PublishResult, Status

    assert traduco.publishing.PublishResult is PublishResult and traduco.publishing.Status is Status
