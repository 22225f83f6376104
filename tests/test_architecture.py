"""The layering the rest relies on: the engine knows nothing of Streamlit, and the views
read data only through :class:`analytics.access.View`, so roles cannot be bypassed."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import analytics
from analytics.db import Database

ROOT = Path(__file__).resolve().parents[1]
VIEW_FILES = [ROOT / "dashboard.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]


def engine_modules() -> list[str]:
    return [m.name for m in pkgutil.iter_modules(analytics.__path__) if m.name != "__main__"]


# The gate itself, and the demo data the server builds on its very first start.
ALLOWED: frozenset[str] = frozenset({"access", "demo"})


def data_functions() -> set[tuple[str, str]]:
    """(module, function) of every public engine function that takes the database first,
    outside :data:`ALLOWED`."""
    found = set()
    for name in engine_modules():
        if name in ALLOWED:
            continue
        module = importlib.import_module(f"analytics.{name}")
        for attr, value in vars(module).items():
            if attr.startswith("_") or not inspect.isfunction(value):
                continue
            if value.__module__ != module.__name__:
                continue
            params = list(inspect.signature(value).parameters.values())
            if params and params[0].annotation in ("Database", Database):
                found.add((name, attr))
    return found


def references(path: Path) -> set[tuple[str, str]]:
    """(module, name) of every engine name a file imports or reaches as ``module.name``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}
    used: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "analytics":
                for alias in node.names:
                    aliases[alias.asname or alias.name] = alias.name
            elif node.module.startswith("analytics."):
                module = node.module.split(".", 1)[1]
                used.update((module, alias.name) for alias in node.names)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            used.add((aliases[node.value.id], node.attr))
    return used


def test_the_engine_never_imports_streamlit():
    imported = set()
    for name in engine_modules():
        tree = ast.parse((ROOT / "analytics" / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update((name, a.name) for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add((name, node.module))

    assert {(module, what) for module, what in imported if what.startswith("streamlit")} == set()


def test_the_rule_below_knows_the_engines_data_functions():
    functions = data_functions()

    assert {
        ("indicators", "compute"),
        ("lookups", "hierarchy"),
        ("registers", "people"),
    } <= functions


def test_the_views_read_data_only_through_the_access_view():
    forbidden = data_functions()
    offenders = {
        f"{path.relative_to(ROOT)}: analytics.{module}.{name}"
        for path in VIEW_FILES
        for module, name in references(path) & forbidden
    }

    assert offenders == set()


def test_no_code_leaves_a_result_open_with_fetchone():
    # DuckDB 2.0 keeps a result open after fetchone(); the next register on the same
    # cursor then fails. analytics.db.first_row reads the result to its end instead.
    sources = [*(ROOT / "analytics").glob("*.py"), *VIEW_FILES, *(ROOT / "benchmarks").glob("*.py")]
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sources
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ".fetchone()" in line
        and not line.lstrip().startswith(("#", "DuckDB"))
        and "``" not in line
    ]
    assert offenders == []


def test_frames_are_registered_only_through_the_helper_that_never_masks_an_error():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "analytics").glob("*.py")
        if path.name != "db.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.(un)?register\(", line) and "atexit" not in line
    ]
    assert offenders == []
