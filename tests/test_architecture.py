"""Dependencies point one way: the CLI and the flows use the library, never the
reverse (read from the source with ast, so a lazy import inside a function
counts as much as one at the top)."""

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


def test_the_package_docstring_names_every_module():
    import traduco

    modules = {".".join(path.relative_to(LIBRARY).with_suffix("").parts).removesuffix(".__init__")
               for path in library_modules() if path != LIBRARY / "__init__.py"}
    assert {name for name in modules if f"`{name}`" not in traduco.__doc__} == set()
