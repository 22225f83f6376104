"""The layering the rest relies on: the engine knows nothing of Streamlit, and the views
read data only through :class:`analytics.operations.access.View`, so roles cannot be bypassed."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import analytics
from analytics.store.db import Database

ROOT = Path(__file__).resolve().parents[1]
VIEW_FILES = [ROOT / "dashboard.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]


def engine_modules() -> list[str]:
    """Every engine module, dotted below ``analytics`` (``documents.note``)."""
    return [
        m.name.removeprefix("analytics.")
        for m in pkgutil.walk_packages(analytics.__path__, "analytics.")
        if not m.ispkg and m.name != "analytics.__main__"
    ]


ENGINE_MODULES = frozenset(engine_modules())

# The gate itself, the demo data the server builds on its very first start, and the
# snapshots a writer publishes for replicas (copies of the database, shown to nobody).
ALLOWED: frozenset[str] = frozenset({"operations.access", "operations.demo", "store.snapshot"})


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
            if node.module != "analytics" and not node.module.startswith("analytics."):
                continue
            package = node.module.removeprefix("analytics").removeprefix(".")
            for alias in node.names:
                dotted = f"{package}.{alias.name}" if package else alias.name
                if dotted in ENGINE_MODULES:
                    aliases[alias.asname or alias.name] = dotted
                elif package:
                    used.add((package, alias.name))
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
        path = ROOT / "analytics" / f"{name.replace('.', '/')}.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update((name, a.name) for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add((name, node.module))

    assert {(module, what) for module, what in imported if what.startswith("streamlit")} == set()


def test_the_rule_below_knows_the_engines_data_functions():
    functions = data_functions()

    assert {
        ("compute.indicators", "compute"),
        ("compute.lookups", "hierarchy"),
        ("compute.person_bases", "people"),
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
    # cursor then fails. analytics.store.db.first_row reads the result to its end instead.
    sources = [
        *(ROOT / "analytics").rglob("*.py"),
        *VIEW_FILES,
        *(ROOT / "benchmarks").glob("*.py"),
    ]
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
        for path in (ROOT / "analytics").rglob("*.py")
        if path.name != "db.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.(un)?register\(", line) and "atexit" not in line
    ]
    assert offenders == []


# --- disclosure control: every territory value a curator gets passes one path ----------

# View methods that return territory values (for a curator through their window).
TERRITORY_VIEW_METHODS = {
    "indicators",
    "distribution",
    "findings",
    "plan_vs_actual",
    "decision_progress",
    "school_note",
    "school_notes_zip",
}
# View methods that return every school's values and refuse curators outright.
REFUSED_TO_CURATORS = {
    "report",
    "deck",
    "meetings",
    "meeting",
    "frozen_values",
    "protocol",
    "round_templates_zip",
    "round_over_time",
    "round_not_submitted_xlsx",
    "round_letter",
}
# The rest: the principal's own organisations, logs, names, targets, or writes.
NO_TERRITORY_VALUES = {
    "periods",
    "rounds",
    "round",
    "open_round",
    "close_round",
    "round_orgs",
    "round_template",
    "round_check",
    "round_submit",
    "round_submissions",
    "review_submission",
    "round_completeness",
    "hierarchy",
    "territories",
    "organizations_under",
    "aliases",
    "add_alias",
    "remove_alias",
    "unregistered",
    "merge_organization",
    "remove_organization",
    "signoff",
    "set_signoff",
    "default_period",
    "organizations_in_monitoring",
    "non_reporting",
    "form_values",
    "submitted_values",
    "uploads",
    "audit",
    "targets",
    "person_base_summary",
    "form_distribution",
    "mentor_loads",
    "cross_check",
    "cross_check_totals",
    "people",
    "preview",
    "answers",
    "ingest",
    "rollback",
    "set_target",
    "remove_target",
    "delete_person_bases",
    "clear_database",
    "newer_data",
    "territory_name",
    "decisions",
    "create_meeting",
    "update_meeting",
    "mark_shown",
    "add_decision",
    "update_decision",
    "set_plan",
    "remove_plan",
    "entry_rounds",
    "entry_orgs",
    "entry_form",
    "entry_check",
    "save_draft",
    "entry_submit",
}


def view_methods() -> dict[str, ast.FunctionDef]:
    tree = ast.parse((ROOT / "analytics" / "operations" / "access.py").read_text(encoding="utf-8"))
    view = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "View")
    return {n.name: n for n in view.body if isinstance(n, ast.FunctionDef)}


def self_attributes(node: ast.AST) -> set[str]:
    return {
        n.attr
        for n in ast.walk(node)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self"
    }


def test_every_public_view_method_is_classified_for_disclosure():
    public = {name for name in view_methods() if not name.startswith("_")}

    assert public == TERRITORY_VIEW_METHODS | REFUSED_TO_CURATORS | NO_TERRITORY_VALUES


def test_the_view_methods_returning_territory_values_are_marked():
    from analytics.compute.disclosure import TERRITORY_METHODS
    from analytics.operations import access  # noqa: F401  (the decorators run on import

    assert TERRITORY_METHODS == TERRITORY_VIEW_METHODS


def test_each_territory_method_reads_through_the_curators_window():
    methods = view_methods()

    unguarded = {
        name
        for name in TERRITORY_VIEW_METHODS
        if not self_attributes(methods[name]) & {"_values", "_window"}
    }

    assert unguarded == set()


def test_the_methods_refused_to_curators_check_the_role_first():
    methods = view_methods()

    unchecked = {
        name
        for name in REFUSED_TO_CURATORS
        if "_require_every_organization" not in self_attributes(methods[name])
    }

    assert unchecked == set()


def test_the_view_reaches_compute_only_through_its_window_path():
    callers = {
        name
        for name, method in view_methods().items()
        for node in ast.walk(method)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "compute"
    }

    assert callers == {"_values"}


def listed(package) -> set[str]:
    """The names a package's docstring lists: a name, two spaces or more and what it holds,
    or ``:mod:`.name```."""
    text = package.__doc__ or ""
    return set(re.findall(r"^ *(\w+) {2,}\S", text, re.M)) | set(
        re.findall(r":mod:`\.(\w+)`", text)
    )


def test_the_engines_map_names_every_stage_package():
    stages = {name.split(".")[0] for name in engine_modules()}

    assert listed(analytics) == stages


@pytest.mark.parametrize("stage", sorted({name.split(".")[0] for name in engine_modules()}))
def test_every_stage_package_lists_each_of_its_modules(stage):
    package = importlib.import_module(f"analytics.{stage}")
    modules = {name.split(".")[1] for name in engine_modules() if name.startswith(f"{stage}.")}

    assert listed(package) == modules


# --- the stages import downwards only -------------------------------------------------

# The engine's stages, bottom first: each may import itself and the stages before it.
STAGES = (
    "model",
    "wording",
    "store",
    "ingest",
    "compute",
    "meetings",
    "documents",
    "operations",
    "cli",
)


def upward_imports(stage: str, source: str) -> list[str]:
    """The engine modules ``source`` (a module of ``stage``) imports from a stage above
    its own, at the top or inside a function."""
    rank = STAGES.index(stage)
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            above = parts[1:2] and parts[1] in STAGES and STAGES.index(parts[1]) > rank
            if parts[0] == "analytics" and above:
                found.append(name)
    return found


def test_the_engines_map_lists_the_stages_bottom_first():
    text = analytics.__doc__ or ""
    mapped = re.findall(r"^ {4}(\w+) {2,}\S", text, re.M)

    assert tuple(mapped) == STAGES


def test_no_stage_imports_a_stage_above_it():
    upward = {
        name: upward_imports(name.split(".")[0], path.read_text(encoding="utf-8"))
        for name in engine_modules()
        for path in [ROOT / "analytics" / f"{name.replace('.', '/')}.py"]
    }

    assert {name: found for name, found in upward.items() if found} == {}


def test_the_stage_check_finds_the_model_reading_a_normaliser_of_the_ingest():
    source = "from analytics.ingest.normalize import fold\n"

    assert upward_imports("model", source) == ["analytics.ingest.normalize"]


def test_the_stage_check_finds_an_import_inside_a_function():
    source = "def f():\n    from analytics.documents import outputs\n"

    assert upward_imports("compute", source) == ["analytics.documents"]


def test_the_stage_check_lets_a_stage_import_itself_and_below():
    source = "from analytics.meetings import rounds\nimport analytics.model.levels\n"

    assert upward_imports("documents", source) == []


# --- a cached read is declared once, on the View --------------------------------------

# What a View method calls when it writes or acts: never a cached read.
ACTING = {"_require_write", "_require_meetings", "_require_rounds", "_require_round_upload"}


def cached_calls(path: Path) -> set[str]:
    """The names a view calls as ``….cached.NAME(…)`` (the typed cached-read accessor)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Attribute | ast.Call)
        and (
            getattr(node.func.value, "attr", None) == "cached"
            or getattr(getattr(node.func.value, "func", None), "attr", None) == "cached"
        )
    }


def test_the_cached_reads_are_the_view_methods_marked_so():
    from analytics.operations.access import CACHED_READS

    marked = {
        name
        for name, method in view_methods().items()
        if any(getattr(d, "id", None) == "cached_read" for d in method.decorator_list)
    }

    assert marked == CACHED_READS


def test_no_view_method_that_writes_or_acts_is_a_cached_read():
    from analytics.operations.access import CACHED_READS

    methods = view_methods()

    assert {name for name in CACHED_READS if self_attributes(methods[name]) & ACTING} == set()


def test_the_views_call_through_the_cache_only_the_reads_marked_cached():
    from analytics.operations.access import CACHED_READS

    called = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in VIEW_FILES
        for name in cached_calls(path)
        if name not in CACHED_READS
    }

    assert called == set()


def test_the_views_never_name_a_read_in_a_string():
    stringly = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in VIEW_FILES
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bread\(\s*(\*source|ctx|path|\")", line) or re.search(r'\.read\("', line)
    ]

    assert stringly == []


def test_the_cache_refuses_a_view_method_that_is_not_a_cached_read():
    from analytics.operations.access import LOCAL_PRINCIPAL
    from ui import state

    cached = state.cached("monitoring.duckdb", 1, LOCAL_PRINCIPAL)

    with pytest.raises(AttributeError, match="set_target is not a cached read"):
        cached.set_target  # noqa: B018 — the attribute itself is refused
