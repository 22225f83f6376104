"""The domain's vocabulary is declared once: a level's key column, name column, table
and Russian words live in :mod:`analytics.model.levels` and nowhere else.

The scan reads every module of the engine, the pages and the shared views and reports
each literal that pairs a level with a string: a ``{Level.REGION: "region_id"}`` table,
a ``(Level.DISTRICT, "район")`` pair, a level passed with its key column
(``rows_of(Level.REGION, "region_id")``), a ``{"region": ("regions", "region_id")}``
lookup, a ``"регион" if level == "region" else …`` choice, or a table of levels keyed by
their strings (``{"regions": "region_id", …}``, ``(("district", scope.district_id), …)``).
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
# Each level's value, key column, name column and table, to the level they name.
LEVEL_STRINGS: dict[str, Level] = {
    word: info.level
    for info in LEVEL_INFO.values()
    for word in (str(info.level), info.key, info.name, info.table)
    if word
}


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


def _level_of(node: ast.AST) -> Level | None:
    """The level ``Level.REGION`` names, or a string literal by its value, key, name
    column or table."""
    if _names_level(node):
        while isinstance(node, ast.Call):
            node = node.args[0]
        return Level[node.attr]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return LEVEL_STRINGS.get(node.value)
    return None


def _of_a_level(node: ast.AST) -> bool:
    """A level's string or word, or a name or attribute called after one (``region_id``,
    ``scope.district_id``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value in LEVEL_STRINGS or node.value.casefold() in VOCABULARY
    if isinstance(node, ast.Attribute):
        return node.attr in LEVEL_STRINGS
    return isinstance(node, ast.Name) and node.id in LEVEL_STRINGS


def _copied(key: ast.AST, value: ast.AST) -> bool:
    """``"district": row.district``: a record's field filled from the same name, a
    frame's schema rather than a table of the levels."""
    name = value.attr if isinstance(value, ast.Attribute) else getattr(value, "id", None)
    return isinstance(key, ast.Constant) and key.value == name


def _string_pairs(node: ast.AST) -> list[tuple[ast.expr, ast.expr]]:
    """The (key, value) items of a dict literal, or the first two items of each pair in
    a tuple or list of pairs, a record's copied fields left out."""
    if isinstance(node, ast.Dict):
        return [
            (k, v) for k, v in zip(node.keys, node.values, strict=True) if k and not _copied(k, v)
        ]
    if isinstance(node, ast.Tuple | ast.List):
        return [
            (e.elts[0], e.elts[1])
            for e in node.elts
            if isinstance(e, ast.Tuple) and len(e.elts) >= 2
        ]
    return []


def string_keyed_level_tables(node: ast.AST) -> bool:
    """A dict or tuple of pairs keyed by the strings of two levels or more, each paired
    with another of its level's strings or a value called after one:
    ``{"regions": "region_id", "districts": "district_id"}``,
    ``(("region", scope.region_id), ("district", scope.district_id))``."""
    levels = {_level_of(k) for k, v in _string_pairs(node) if _of_a_level(v)}
    return len(levels - {None}) >= 2


def level_restatements(source: str) -> list[int]:
    """The lines of ``source`` where a literal pairs a level with a string."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if string_keyed_level_tables(node):
            found.append(node.lineno)
        elif isinstance(node, ast.Dict):
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


def test_the_scan_finds_a_table_of_levels_keyed_by_their_tables():
    source = '_ID = {\n    "regions": "region_id",\n    "districts": "district_id",\n}\n'
    assert level_restatements(source) == [1]


def test_the_scan_finds_a_scopes_territories_paired_with_their_columns():
    source = 'for c, v in (("region", s.region_id), ("district", s.district_id)):\n    pass\n'
    assert level_restatements(source) == [1]


def test_the_scan_finds_url_parameters_named_after_the_key_columns():
    source = 'names = {"region_id": "region", "municipality_id": "municipality"}\n'
    assert level_restatements(source) == [1]


def test_the_scan_leaves_a_records_fields_copied_from_the_same_names_alone():
    source = 'row = {"municipality": org.municipality, "district": org.district}\n'
    assert level_restatements(source) == []


def test_the_scan_leaves_reading_the_levels_record_alone():
    source = "by = LEVEL_INFO[level].by_units\nkeys = {i.level: i.key for i in UNIT_LEVELS}\n"
    assert level_restatements(source) == []
