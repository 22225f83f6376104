"""The indicators as SQL: the wide query of every level, period and territory
(:func:`indicator_sql`), the target lookup (:func:`target_joins`), one indicator's value
per organisation (:func:`org_values_sql`) and the long rows that DuckDB writes itself
(:func:`output_table`). No pandas here: ``indicators --format csv`` and the other table
outputs run without importing it (a third of a second of a command's start);
:mod:`analytics.compute.indicators` builds the frames from the same SQL.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import partial

import duckdb

from analytics.compute.status import (
    RANKING_SQL,
    STATUS_BY_CODE,
    deficit_sql,
    gap_sql,
    ratio_sql,
    shortfall_sql,
    status_code_sql,
)
from analytics.model.catalogue import INDICATORS, IndicatorKind
from analytics.model.levels import (
    LEVEL_INFO,
    LEVELS,
    TERRITORY_KEYS,
    TERRITORY_LEVELS,
    UNIT_LEVELS,
    Level,
)
from analytics.store.db import ALL_PERIODS, TOTAL_TERRITORY, Database
from analytics.store.rows import Cells, Query
from analytics.store.scope import ORG_PLACES, Scope

# Key column of each level, outermost first.
_LEVEL_KEYS: tuple[tuple[Level, str], ...] = tuple((i.level, str(i.key)) for i in UNIT_LEVELS)
# Levels at which targets can be overridden, most specific first.
TARGET_LEVELS: tuple[Level, ...] = (
    *reversed([i.level for i in TERRITORY_LEVELS]),
    Level.TOTAL,
)

OUTPUT_COLUMNS: tuple[str, ...] = (
    "indicator",
    "name",
    "level",
    "period",
    "org_type",
    "region",
    "municipality",
    "district",
    "org_id",
    "organization",
    "numerator",
    "denominator",
    "value",
    "target",
    "better",
    "status",
    "deficit",
    "gap",
)
# The deficits' output: each row with the key it is ranked by (the gap as a share of the
# target, see :mod:`analytics.compute.status`).
DEFICIT_COLUMNS: tuple[str, ...] = (*OUTPUT_COLUMNS, "shortfall")


def _row_expressions() -> str:
    """Each indicator's numerator and denominator for one organisation and period, from
    its stored per-form values (``org_values``), its registers and the registry."""
    parts = []
    for indicator in INDICATORS:
        if indicator.coverage:
            n, d = indicator.numerator_sql, indicator.denominator_sql
        else:
            n, d = f"n_{indicator.id}", f"d_{indicator.id}"
        if indicator.register_answer is not None:
            rn, rd = indicator.register_answer
            n = f"CASE WHEN has_person_bases THEN {rn} ELSE {n} END"
            d = f"CASE WHEN has_person_bases THEN {rd} ELSE {d} END"
        parts.append(f"{n} AS n_{indicator.id}, {d} AS d_{indicator.id}")
    return ",\n        ".join(parts)


def _sums() -> str:
    return ",\n    ".join(
        f"{_sum(f'n_{i.id}', exact=i.kind is IndicatorKind.MEAN)} AS n_{i.id}, "
        f"{_sum(f'd_{i.id}')} AS d_{i.id}, count(d_{i.id}) AS c_{i.id}"
        for i in INDICATORS
    )


def _sum(column: str, exact: bool = False) -> str:
    """The sum of ``column`` as DOUBLE. Counts add up exactly as integers. A mean's
    numerator (satisfaction × participants) is fractional: added in floating point, it
    depends on the order DuckDB's threads add it, so a mean on its target (80,0 %) could
    come out a hair under it and turn into a deficit on the next run; ``exact`` adds it
    as a decimal (six places hold every value a form gives)."""
    if exact:
        column = f"CAST({column} AS DECIMAL(18, 6))"
    return f"CAST(sum({column}) AS DOUBLE)"


def _own() -> str:
    """An organisation's row: its own values (the sums over itself)."""
    return ",\n    ".join(
        f"CAST(n_{i.id} AS DOUBLE) AS n_{i.id}, CAST(d_{i.id} AS DOUBLE) AS d_{i.id}, "
        f"CAST(d_{i.id} IS NOT NULL AS BIGINT) AS c_{i.id}"
        for i in INDICATORS
    )


def indicator_sql(scope: Scope) -> tuple[str, list[object]]:
    """The grouped query for ``scope`` and its parameters: one wide row per unit and
    period (``n_<id>``, ``d_<id>``, ``c_<id>`` for every indicator), unsorted, with the
    level as its index in :data:`LEVELS` (``lvl``) and territory ids, without names."""
    org_where, org_params = scope.where("o")
    period_where, period_params = scope.period_where("p.period")
    wanted = set(scope.levels) if scope.levels is not None else set(LEVELS)
    grouping_sets = ["(period)"] if Level.TOTAL in wanted else []
    # The organisation level is each organisation's own row: no grouping needed.
    deepest = max(
        (n for n, (level, _) in enumerate(_LEVEL_KEYS[:-1]) if level in wanted), default=-1
    )
    grouped_keys = [key for _, key in _LEVEL_KEYS[: deepest + 1]]
    for n, (level, _) in enumerate(_LEVEL_KEYS[:-1]):
        if level in wanted:
            grouping_sets.append(f"(period, {', '.join(grouped_keys[: n + 1])})")
    key_columns = ", ".join(
        key if key in grouped_keys else f"CAST(NULL AS BIGINT) AS {key}"
        for _, key in _LEVEL_KEYS[:-1]
    )
    level_case = " ".join(
        f"WHEN GROUPING({key}) = 0 THEN {LEVELS.index(level)}"
        for level, key in reversed(_LEVEL_KEYS[:-1])
        if key in grouped_keys
    )
    level_case = f"CASE {level_case} ELSE 0 END" if level_case else "0"
    parts = []
    if grouping_sets:
        parts.append(f"""SELECT period, {key_columns}, CAST(NULL AS BIGINT) AS org_id,
        {level_case} AS lvl,
    {_sums()}
    FROM per_org
    GROUP BY GROUPING SETS ({", ".join(grouping_sets)})""")
    if Level.ORGANIZATION in wanted:
        parts.append(f"""SELECT period, region_id, municipality_id, district_id, org_id,
        {LEVELS.index(Level.ORGANIZATION)} AS lvl,
    {_own()}
    FROM per_org""")
    if not parts:  # no level asked for: the columns, no rows
        parts.append(
            f"SELECT period, NULL AS region_id, NULL AS municipality_id, "
            f"NULL AS district_id, NULL AS org_id, 0 AS lvl, {_sums()} "
            "FROM per_org GROUP BY period HAVING FALSE"
        )
    union = "\n    UNION ALL BY NAME\n    ".join(parts)
    district = LEVELS.index(Level.DISTRICT)
    sql = f"""
WITH orgs AS (
    SELECT o.org_id, o.region_id, o.municipality_id, o.district_id
    FROM {ORG_PLACES} o
    WHERE TRUE{org_where}
),
per AS (
    SELECT p.period FROM periods p WHERE TRUE{period_where}
),
person_bases AS (
    SELECT org_id, period FROM mentors INTERSECT SELECT org_id, period FROM mentees
),
listed AS (
    SELECT org_id FROM registry WHERE org_id IN (SELECT org_id FROM orgs)
),
keys AS (
    SELECT org_id, period FROM org_values
    WHERE org_id IN (SELECT org_id FROM orgs) AND period IN (SELECT period FROM per)
    UNION
    SELECT l.org_id, per.period FROM listed l CROSS JOIN per
    UNION
    SELECT org_id, period FROM person_bases
    WHERE org_id IN (SELECT org_id FROM orgs) AND period IN (SELECT period FROM per)
),
base AS (
    SELECT k.period, g.org_id, g.region_id, g.municipality_id, g.district_id,
        l.org_id IS NOT NULL AS in_registry, v.org_id IS NOT NULL AS reported,
        pb.org_id IS NOT NULL AS has_person_bases,
        v.* EXCLUDE (org_id, period)
    FROM keys k
    JOIN orgs g ON g.org_id = k.org_id
    LEFT JOIN org_values v ON v.org_id = k.org_id AND v.period = k.period
    LEFT JOIN listed l ON l.org_id = k.org_id
    LEFT JOIN person_bases pb ON pb.org_id = k.org_id AND pb.period = k.period
),
per_org AS (
    SELECT period, region_id, municipality_id, district_id, org_id,
        {_row_expressions()}
    FROM base
),
grouped AS (
    {union}
),
periods_known AS (
    SELECT period, start_year FROM periods
)
SELECT g.*, p.start_year
FROM grouped g
JOIN periods_known p ON p.period = g.period
WHERE NOT (g.lvl = {district} AND g.district_id IS NULL)
"""
    return sql, [*org_params, *period_params]


def output_table(db: Database, scope: Scope | None = None, only_deficits: bool = False) -> Query:
    """The :data:`OUTPUT_COLUMNS` of :func:`indicators.compute` (or the
    :data:`DEFICIT_COLUMNS` of :func:`indicators.deficits` of it when ``only_deficits``) as
    rows DuckDB produces and writes itself (see :func:`analytics.documents.outputs.write`):
    the same rows, order and values, nulls for missing numbers.

    The wide rows of :func:`indicator_sql` are sorted once, with their names and targets,
    into a temporary table; each (period, indicator) is then one scan of its period's rows,
    and ``UNION ALL`` keeps the scans in the order of :func:`indicators.compute`, so the
    millions of long rows are never sorted (the deficits are, as :func:`indicators.deficits`
    ranks them). Text cells are spelled by the writer's :class:`~analytics.store.rows.Cells`
    where they are made: names once per wide row, the catalogue's texts once per scan.
    """
    chosen = scope or Scope()
    return Query(db, partial(_output_rows, scope=chosen, only_deficits=only_deficits))


def _output_rows(
    cur: duckdb.DuckDBPyConnection, cells: Cells, scope: Scope, only_deficits: bool
) -> tuple[str, dict[str, object]]:
    """Create the temporary tables of :func:`output_table` on ``cur``; return the SELECT
    of its rows and the SELECT's named parameters."""
    sql, params = indicator_sql(scope)
    cur.execute(f"CREATE OR REPLACE TEMP TABLE output_wide AS {sql}", params)
    ords = [
        n for n, i in enumerate(INDICATORS) if scope.indicators is None or i.id in scope.indicators
    ]
    named: dict[str, object] = {
        **cells.params,
        "levels": [str(level) for level in LEVELS],
        "org_type": scope.org_type,
        **{str(status): str(status) for status in STATUS_BY_CODE},
    }
    for n in ords:
        indicator = INDICATORS[n]
        named |= {
            f"indicator_{n}": indicator.id,
            f"name_{n}": indicator.name,
            f"better_{n}": str(indicator.better),
            f"factor_{n}": float(indicator.factor),
            f"default_{n}": float(indicator.target),
        }
    rows_sql = _rows_sql(scope, cells, ords, named)
    cur.execute(rows_sql, used_params(rows_sql, named))
    blocks = [
        b
        for (b,) in cur.execute("SELECT DISTINCT block FROM output_rows ORDER BY block").fetchall()
    ]
    scans = [_scan(n, block, cells, named, only_deficits) for block in blocks for n in ords]
    if not scans:  # no period or no indicator: the columns, no rows
        empty = DEFICIT_COLUMNS if only_deficits else OUTPUT_COLUMNS
        return f"SELECT {', '.join(f'NULL AS {c}' for c in empty)} WHERE FALSE", {}
    union = "\nUNION ALL\n".join(scans)
    if only_deficits:
        # As :func:`indicators.deficits` (counted rows only), then the order of
        # :func:`indicators.compute`.
        columns = ", ".join(DEFICIT_COLUMNS)
        union = (
            f"SELECT {columns} FROM ({union}) WHERE is_deficit AND counted "
            f"ORDER BY {RANKING_SQL}, block, seq"
        )
    return union, used_params(union, named)


def _rows_sql(scope: Scope, cells: Cells, ords: list[int], named: dict[str, object]) -> str:
    """The temporary table ``output_rows``: the wide rows of ``output_wide`` in the order
    of :func:`indicators._order` (``seq``), with their period's rank (``block``), level, period and
    names as text cells, and each chosen indicator's ``n_<ord>``, ``d_<ord>`` and
    ``target_<ord>``."""
    aliases = {str(i.key): f"u_{i.key}" for i in UNIT_LEVELS}
    name_joins = "\n    ".join(
        f"LEFT JOIN {i.table} {aliases[str(i.key)]} ON {aliases[str(i.key)]}.{i.key} = w.{i.key}"
        for i in UNIT_LEVELS
    )
    # As :func:`indicators._order`: period, level, names outermost first (nulls first), the
    # organisation id; the territories' ids break ties between namesakes.
    order = ", ".join(
        [
            "w.start_year",
            "w.period",
            "w.lvl",
            *(f"{aliases[str(i.key)]}.name NULLS FIRST" for i in UNIT_LEVELS),
            "w.org_id NULLS FIRST",
            *(f"w.{key}" for key in TERRITORY_KEYS),
        ]
    )
    labels = "".join(
        f", {cells.text(f'{aliases[str(i.key)]}.name')} AS {i.name}" for i in UNIT_LEVELS
    )
    joins, overrides = target_joins(scope, ords, named)
    measures = "".join(
        f", w.n_{INDICATORS[n].id} AS n_{n}, w.d_{INDICATORS[n].id} AS d_{n}, "
        f"coalesce({', '.join([*column, f'$default_{n}'])}) AS target_{n}"
        for n, column in zip(ords, overrides, strict=True)
    )
    return f"""CREATE OR REPLACE TEMP TABLE output_rows AS
SELECT dense_rank() OVER (ORDER BY w.start_year, w.period) AS block,
    row_number() OVER (ORDER BY {order}) AS seq,
    {cells.text("$levels[w.lvl + 1]")} AS level, {cells.text("w.period")} AS period,
    w.org_id{labels}{measures}
FROM output_wide w
    {name_joins}
    {joins}
ORDER BY seq"""


def target_joins(
    scope: Scope, ords: list[int], named: dict[str, object]
) -> tuple[str, list[list[str]]]:
    """LEFT JOINs on the wide rows ``w`` that find each chosen indicator's stored targets
    (the one target lookup of :func:`indicators.compute` and :func:`output_table`): the joins' SQL
    and, per indicator, the joined columns most specific first (district, municipality,
    region, total; for the period, then for every period). Rows above the scope's
    territory take its targets."""
    named |= {"all_periods": ALL_PERIODS, "total_territory": TOTAL_TERRITORY}
    joins: list[str] = []
    columns: list[list[str]] = [[] for _ in ords]
    pivot = ", ".join(
        f"max(target) FILTER (WHERE indicator = $indicator_{n}) AS target_{n}" for n in ords
    )
    for level in TARGET_LEVELS:
        key = LEVEL_INFO[level].key
        named[f"level_{level}"] = str(level)
        if key is None:
            territory = "$total_territory"
        else:
            named[f"scope_{key}"] = getattr(scope, key)
            territory = f"coalesce(w.{key}, CAST($scope_{key} AS BIGINT))"
        for every_period in (False, True):
            alias = f"o_{level}_{'every' if every_period else 'one'}"
            same = "=" if every_period else "<>"
            period = "" if every_period else f" AND {alias}.period = w.period"
            joins.append(
                f"LEFT JOIN (SELECT period, territory_id, {pivot} FROM targets "
                f"WHERE level = $level_{level} AND period {same} $all_periods "
                f"GROUP BY period, territory_id) {alias} "
                f"ON {alias}.territory_id = {territory}{period}"
            )
            for column, n in zip(columns, ords, strict=True):
                column.append(f"{alias}.target_{n}")
    if not ords:
        return "", columns
    return "\n    ".join(joins), columns


def _value_sql(n: int, numerator: str, denominator: str) -> str:
    """SQL of indicator ``n``'s value from the columns ``numerator`` and ``denominator``
    (its factor is the named parameter ``factor_<n>``): none where nothing is counted."""
    return f"CASE WHEN {denominator} > 0 THEN $factor_{n} * {numerator} / {denominator} END"


def _meets(n: int) -> str:
    """The SQL comparison of a ``value`` that meets its ``target`` for indicator ``n``."""
    return ">=" if INDICATORS[n].better == "higher" else "<="


def _scan(n: int, block: int, cells: Cells, named: dict[str, object], only_deficits: bool) -> str:
    """The long rows of indicator ``n`` in period ``block`` of ``output_rows``, in its
    order, as :data:`OUTPUT_COLUMNS` (with the deficits' sort keys when
    ``only_deficits``)."""
    higher = "true" if INDICATORS[n].better == "higher" else "false"
    named[f"block_{block}"] = block
    # Each status spelled once per scan, not once per row.
    texts = (cells.text(f"${s}") for s in STATUS_BY_CODE)
    status = f"CASE status_code {' '.join(f'WHEN {c} THEN {t}' for c, t in enumerate(texts))} END"
    keys = ""
    if only_deficits:
        named[f"ord_{n}"] = n
        # As :func:`indicators.counted_indicators`: an organisation's own reporting rate is none of
        # its deficits (only organisation rows have an org_id).
        counted = "org_id IS NULL" if INDICATORS[n].coverage else "true"
        keys = f", is_deficit, {counted} AS counted, shortfall, $ord_{n} AS ord, block, seq"
    indicator, name = cells.text(f"$indicator_{n}"), cells.text(f"$name_{n}")
    org_type, better = cells.text("CAST($org_type AS VARCHAR)"), cells.text(f"$better_{n}")
    return f"""SELECT {indicator} AS indicator, {name} AS name, level, period,
    {org_type} AS org_type, region, municipality, district, org_id, organization,
    numerator, denominator, value, target, {better} AS better, {status} AS status,
    {cells.flag("is_deficit")} AS deficit, gap{keys}
FROM (
    SELECT *, {deficit_sql("status_code")} AS is_deficit,
        {shortfall_sql("gap", "target")} AS shortfall
    FROM (
        SELECT *, {status_code_sql("value", "target", higher, ratio_sql(higher))} AS status_code,
            {gap_sql("value", "target", higher)} AS gap
        FROM (
            SELECT block, seq, level, period, region, municipality, district, org_id,
                organization, n_{n} AS numerator, d_{n} AS denominator,
                target_{n} AS target, {_value_sql(n, f"n_{n}", f"d_{n}")} AS value
            FROM output_rows WHERE block = $block_{block})))"""


def org_values_sql(scope: Scope, indicator_id: str) -> tuple[str, list[object]]:
    """One indicator's value for each organisation of ``scope`` in each of its periods, as
    SQL and its positional parameters, for queries that go on in DuckDB: columns ``org_id``,
    ``period``, ``value`` (null where the organisation has none), ``target`` and
    ``meets`` (the value meets the target). Values, targets and ``meets`` are those of
    :func:`indicators.compute`'s organisation rows (``meets`` where their status is green)."""
    n = next(k for k, i in enumerate(INDICATORS) if i.id == indicator_id)
    indicator = INDICATORS[n]
    wide, params = indicator_sql(replace(scope, levels=(Level.ORGANIZATION,)))
    named: dict[str, object] = {
        f"indicator_{n}": indicator.id,
        f"factor_{n}": float(indicator.factor),
        f"default_{n}": float(indicator.target),
    }
    joins, (overrides,) = target_joins(scope, [n], named)
    # The wide query's parameters are positional, so the named ones below become
    # positional too, in the order they are written after it.
    tail = f"""
SELECT org_id, period, value, target, value {_meets(n)} target AS meets
FROM (
    SELECT w.org_id, w.period,
        {_value_sql(n, f"w.n_{indicator.id}", f"w.d_{indicator.id}")} AS value,
        coalesce({", ".join([*overrides, f"$default_{n}"])}) AS target
    FROM w
    {joins})"""
    names = re.findall(r"\$(\w+)", tail)
    sql = f"WITH w AS ({wide})" + re.sub(r"\$\w+", "?", tail)
    return sql, [*params, *(named[name] for name in names)]


def used_params(sql: str, named: dict[str, object]) -> dict[str, object]:
    """The parameters of ``named`` that ``sql`` uses (DuckDB refuses any other)."""
    return {key: named[key] for key in dict.fromkeys(re.findall(r"\$(\w+)", sql))}
