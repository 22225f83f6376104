"""The domain's vocabulary is declared once: a level's key column, name column, table
and Russian words live in :mod:`analytics.model.levels` and nowhere else.

The scan reads every module of the engine, the pages and the shared views and reports
each literal that pairs a level with a string: a ``{Level.REGION: "region_id"}`` table,
a ``(Level.DISTRICT, "район")`` pair, a level passed with its key column
(``rows_of(Level.REGION, "region_id")``), a ``{"region": ("regions", "region_id")}``
lookup or a ``"регион" if level == "region" else …`` choice.
"""

from __future__ import annotations

import ast
from pathlib import Path

from analytics.model.levels import LEVEL_INFO, Level

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "analytics" / "model" / "levels.py"
SCANNED = [
    ROOT / "dashboard.py",
    *sorted((ROOT / "analytics").rglob("*.py")),
    *sorted((ROOT / "ui").glob("*.py")),
    *sorted((ROOT / "pages").glob("*.py")),
]
LEVEL_VALUES = frozenset(str(level) for level in Level)
# The tables and Russian words of the levels, compared case-folded. Their key and name
# columns are not here: a frame's columns name them side by side («organization» from
# «org_id») as its schema, not as a table of the levels.
VOCABULARY = frozenset(
    word.casefold()
    for info in LEVEL_INFO.values()
    for word in (
        info.table,
        info.label,
        info.noun,
        info.genitive,
        info.plural,
        info.genitive_plural,
        info.by_units,
    )
    if word
)
KEYS = frozenset(str(info.key) for info in LEVEL_INFO.values() if info.key)


def _names_level(node: ast.AST) -> bool:
    """``Level.REGION`` or ``str(Level.REGION)``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str":
        return len(node.args) == 1 and _names_level(node.args[0])
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Level"
        and node.attr in Level.__members__
    )


def _level_value(node: ast.AST) -> bool:
    """A string literal that is a level's value: ``"region"``."""
    return isinstance(node, ast.Constant) and node.value in LEVEL_VALUES


def _strings(node: ast.AST) -> list[str]:
    """The string literals in ``node`` (f-strings' literal parts included)."""
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def _literals(node: ast.AST) -> list[str]:
    """The strings ``node`` is written as: a literal, an f-string's literal parts, or those
    of a tuple or list of them (not strings used inside an expression)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr | ast.Tuple | ast.List):
        parts = node.values if isinstance(node, ast.JoinedStr) else node.elts
        return [s for part in parts for s in _literals(part)]
    return []


def _vocabulary(node: ast.AST) -> bool:
    return any(s.casefold() in VOCABULARY for s in _strings(node))


def _pairs_a_level_with_a_column(parts: list[ast.expr]) -> bool:
    """One of ``parts`` names a level and another is its key column or one of its words."""
    if not any(_names_level(part) for part in parts):
        return False
    return any(
        s in KEYS or s.casefold() in VOCABULARY
        for part in parts
        if not _names_level(part)
        for s in _strings(part)
    )


def _mentions_level(node: ast.AST) -> bool:
    return any(_names_level(n) or _level_value(n) for n in ast.walk(node))


def level_restatements(source: str) -> list[int]:
    """The lines of ``source`` where a literal pairs a level with a string."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            pairs = [(k, v) for k, v in zip(node.keys, node.values, strict=True) if k]
            if any(_names_level(k) and _literals(v) for k, v in pairs) or any(
                _level_value(k) and _vocabulary(v) for k, v in pairs
            ):
                found.append(node.lineno)
        elif isinstance(node, ast.Tuple | ast.List) and len(node.elts) > 1:
            first, *rest = node.elts
            if (_names_level(first) and any(_literals(e) for e in rest)) or (
                _pairs_a_level_with_a_column(node.elts)
            ):
                found.append(node.lineno)
        elif isinstance(node, ast.Call):
            if _pairs_a_level_with_a_column([*node.args, *(k.value for k in node.keywords)]):
                found.append(node.lineno)
        elif isinstance(node, ast.IfExp):
            chosen = ast.Tuple(elts=[node.body, node.orelse])
            if _mentions_level(node.test) and _vocabulary(chosen):
                found.append(node.lineno)
    return sorted(found)


def test_no_module_but_levels_pairs_a_level_with_its_columns_or_words():
    found = {
        f"{path.relative_to(ROOT)}:{line}": path.read_text(encoding="utf-8").splitlines()[line - 1]
        for path in SCANNED
        if path != HOME
        for line in level_restatements(path.read_text(encoding="utf-8"))
    }
    assert found == {}


def test_the_scan_finds_a_level_keyed_table_of_columns():
    source = 'KEYS = {\n    Level.REGION: "region_id",\n    Level.DISTRICT: "district_id",\n}\n'
    assert level_restatements(source) == [1]


def test_the_scan_finds_a_pair_of_a_level_and_a_word():
    source = 'WORDS = (\n    (Level.DISTRICT, "района"),\n)\n'
    assert level_restatements(source) == [2]


def test_the_scan_finds_a_lookup_keyed_by_a_levels_value():
    source = 'table, key = {"region": ("regions", "region_id")}[level]\n'
    assert level_restatements(source) == [1]


def test_the_scan_finds_a_level_passed_with_its_key_column():
    source = 'mine = rows_of(frame, Level.MUNICIPALITY, "municipality_id")\n'
    assert level_restatements(source) == [1]


def test_the_scan_finds_a_word_chosen_by_comparing_a_level():
    source = 'what = "регион" if level == "region" else "муниципалитет"\n'
    assert level_restatements(source) == [1]


def test_the_scan_leaves_reading_the_levels_record_alone():
    source = "by = LEVEL_INFO[level].by_units\nkeys = {i.level: i.key for i in UNIT_LEVELS}\n"
    assert level_restatements(source) == []
