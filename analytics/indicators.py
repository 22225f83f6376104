"""Indicator values for every level, period and territory, in one grouped query.

The query is generated from the catalogue: per organisation and period it evaluates each
indicator's numerator and denominator (kept only where both are present), sums them over
GROUPING SETS for the five levels, unnests the sums into one row per indicator, resolves
targets (per-territory and per-period overrides, then the catalogue default) and assigns
status, deficit and gap. Identifiers come from the catalogue and fixed lists; every value
is a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from .catalogue import (
    FORM_INDICATORS,
    INDICATORS,
    YELLOW_RATIO_HIGHER,
    YELLOW_RATIO_LOWER,
    Indicator,
)
from .db import ALL_PERIODS, TOTAL_TERRITORY, Database


class Level(StrEnum):
    TOTAL = "total"
    REGION = "region"
    MUNICIPALITY = "municipality"
    DISTRICT = "district"
    ORGANIZATION = "organization"


LEVEL_LABELS: dict[Level, str] = {
    Level.TOTAL: "Всего",
    Level.REGION: "Регион",
    Level.MUNICIPALITY: "Муниципалитет",
    Level.DISTRICT: "Район",
    Level.ORGANIZATION: "Организация",
}
LEVELS: tuple[Level, ...] = tuple(Level)

# Key column of each level, outermost first.
_LEVEL_KEYS: tuple[tuple[Level, str], ...] = (
    (Level.REGION, "region_id"),
    (Level.MUNICIPALITY, "municipality_id"),
    (Level.DISTRICT, "district_id"),
    (Level.ORGANIZATION, "org_id"),
)
# Levels at which targets can be overridden, most specific first.
TARGET_LEVELS: tuple[tuple[Level, str], ...] = (
    (Level.DISTRICT, "district_id"),
    (Level.MUNICIPALITY, "municipality_id"),
    (Level.REGION, "region_id"),
    (Level.TOTAL, str(TOTAL_TERRITORY)),
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


@dataclass(frozen=True)
class Scope:
    """Which data an indicator query covers; every field None means everything.

    ``org_ids`` restricts to a set of organisations (for example a curator's own).
    Every territory aggregate then covers only them.
    """

    periods: tuple[str, ...] | None = None
    levels: tuple[Level, ...] | None = None
    org_type: str | None = None
    region_id: int | None = None
    municipality_id: int | None = None
    district_id: int | None = None
    org_id: int | None = None
    indicators: tuple[str, ...] | None = None
    org_ids: frozenset[int] | None = None


def _pair(indicator: Indicator) -> tuple[str, str]:
    n, d = indicator.numerator_sql, indicator.denominator_sql
    both = f"({n}) IS NOT NULL AND ({d}) IS NOT NULL"
    return f"CASE WHEN {both} THEN ({n}) END", f"CASE WHEN {both} THEN ({d}) END"


# Indicators the person registers answer for an organisation and period where it uploaded
# both the base of mentors and the base of mentees (``has_registers``): then it has the
# databases, whatever its form said. Indicator id → (numerator, denominator) SQL.
REGISTER_ANSWERS: dict[str, tuple[str, str]] = {"databases": ("1", "1")}


def _row_expressions() -> str:
    parts = []
    for indicator in FORM_INDICATORS:
        n, d = _pair(indicator)
        if indicator.id in REGISTER_ANSWERS:
            rn, rd = REGISTER_ANSWERS[indicator.id]
            n = f"CASE WHEN has_registers THEN {rn} ELSE {n} END"
            d = f"CASE WHEN has_registers THEN {rd} ELSE {d} END"
        parts.append(f"{n} AS n_{indicator.id}, {d} AS d_{indicator.id}")
    parts.append(
        "CASE WHEN in_registry THEN CAST(reported AS INTEGER) END AS n_reporting, "
        "CASE WHEN in_registry THEN 1 END AS d_reporting"
    )
    return ",\n        ".join(parts)


def _sums() -> str:
    return ",\n    ".join(
        f"sum(n_{i.id}) AS n_{i.id}, sum(d_{i.id}) AS d_{i.id}, count(d_{i.id}) AS c_{i.id}"
        for i in INDICATORS
    )


def _unnest() -> str:
    items = ", ".join(
        f"{{'indicator': '{i.id}', 'numerator': CAST(n_{i.id} AS DOUBLE), "
        f"'denominator': CAST(d_{i.id} AS DOUBLE), 'orgs': c_{i.id}}}"
        for i in INDICATORS
    )
    return f"unnest([{items}], recursive := true)"


def _target_joins() -> tuple[str, str]:
    joins, candidates = [], []
    for level, key in TARGET_LEVELS:
        for suffix, period in (("p", "l.period"), ("a", f"'{ALL_PERIODS}'")):
            alias = f"t_{level}_{suffix}"
            # Rows above the scope's territory describe that territory: they take its
            # targets (the scope's ids fill the keys they lack).
            territory = key if key == str(TOTAL_TERRITORY) else f"coalesce(l.{key}, scope_{key})"
            joins.append(
                f"LEFT JOIN targets {alias} ON {alias}.indicator = l.indicator "
                f"AND {alias}.level = '{level}' AND {alias}.territory_id = {territory} "
                f"AND {alias}.period = {period}"
            )
            candidates.append(f"{alias}.target")
    return "\n".join(joins), ", ".join(candidates)


def _catalogue_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": [i.id for i in INDICATORS],
            "ord": range(len(INDICATORS)),
            "name": [i.name for i in INDICATORS],
            "factor": [i.factor for i in INDICATORS],
            "default_target": [i.target for i in INDICATORS],
            "better": [str(i.better) for i in INDICATORS],
        }
    )


def scope_filters(scope: Scope) -> tuple[str, list[object]]:
    clauses, params = [], []
    if scope.periods is not None:
        clauses.append("p.period IN (SELECT unnest(?))")
        params.append(list(scope.periods))
    if scope.org_type is not None:
        clauses.append("o.org_type = ?")
        params.append(scope.org_type)
    for column, value in (
        ("m.region_id", scope.region_id),
        ("o.municipality_id", scope.municipality_id),
        ("o.district_id", scope.district_id),
        ("o.org_id", scope.org_id),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if scope.org_ids is not None:
        clauses.append("o.org_id IN (SELECT unnest(?))")
        params.append(sorted(scope.org_ids))
    return "".join(f"\n      AND {c}" for c in clauses), params


def indicator_sql(scope: Scope) -> tuple[str, list[object]]:
    """The single grouped query for ``scope`` and its parameters."""
    where, params = scope_filters(scope)
    wanted = set(scope.levels) if scope.levels is not None else set(LEVELS)
    # Only the levels asked for are grouped: the organisation level is most of the work.
    grouping_sets = ["(period)"] if Level.TOTAL in wanted else []
    deepest = max((n for n, (level, _) in enumerate(_LEVEL_KEYS) if level in wanted), default=-1)
    grouped_keys = [key for _, key in _LEVEL_KEYS[: deepest + 1]]
    for n, (level, _) in enumerate(_LEVEL_KEYS):
        if level in wanted:
            grouping_sets.append(f"(period, {', '.join(grouped_keys[: n + 1])})")
    key_columns = ", ".join(
        key if key in grouped_keys else f"CAST(NULL AS BIGINT) AS {key}" for _, key in _LEVEL_KEYS
    )
    level_case = " ".join(
        f"WHEN GROUPING({key}) = 0 THEN '{level}'"
        for level, key in reversed(_LEVEL_KEYS)
        if key in grouped_keys
    )
    level_case = f"CASE {level_case} ELSE '{Level.TOTAL}' END" if level_case else f"'{Level.TOTAL}'"
    level_order = (
        "CASE v.level "
        + " ".join(f"WHEN '{level}' THEN {n}" for n, level in enumerate(LEVELS))
        + " END"
    )
    target_joins, target_candidates = _target_joins()
    value_sql = "CASE WHEN l.denominator > 0 THEN c.factor * l.numerator / l.denominator END"
    sql = f"""
WITH scope_keys AS (
    SELECT CAST(? AS BIGINT) AS scope_region_id, CAST(? AS BIGINT) AS scope_municipality_id,
        CAST(? AS BIGINT) AS scope_district_id
),
registers AS (
    SELECT org_id, period FROM mentors INTERSECT SELECT org_id, period FROM mentees
),
base AS (
    SELECT p.period, p.start_year, o.org_id, m.region_id, o.municipality_id, o.district_id,
        reg.org_id IS NOT NULL AS in_registry, f.org_id IS NOT NULL AS reported,
        rg.org_id IS NOT NULL AS has_registers,
        f.* EXCLUDE (org_id, period)
    FROM periods p
    CROSS JOIN organizations o
    JOIN municipalities m ON m.municipality_id = o.municipality_id
    LEFT JOIN form_values f ON f.org_id = o.org_id AND f.period = p.period
    LEFT JOIN registry reg ON reg.org_id = o.org_id
    LEFT JOIN registers rg ON rg.org_id = o.org_id AND rg.period = p.period
    WHERE (f.org_id IS NOT NULL OR reg.org_id IS NOT NULL OR rg.org_id IS NOT NULL){where}
),
per_org AS (
    SELECT period, region_id, municipality_id, district_id, org_id,
        {_row_expressions()}
    FROM base
),
grouped AS (
    SELECT period, {key_columns}, {level_case} AS level,
    {_sums()}
    FROM per_org
    GROUP BY GROUPING SETS ({", ".join(grouping_sets)})
),
long AS (
    SELECT period, region_id, municipality_id, district_id, org_id, level, {_unnest()}
    FROM grouped
    WHERE NOT (level = '{Level.DISTRICT}' AND district_id IS NULL)
),
valued AS (
    SELECT l.*, c.ord, c.name, c.better,
        {value_sql} AS value,
        coalesce({target_candidates}, c.default_target) AS target
    FROM long l
    CROSS JOIN scope_keys
    JOIN catalogue c ON c.indicator = l.indicator
    {target_joins}
)
SELECT v.indicator, v.name, v.level, v.period, ? AS org_type,
    r.name AS region, m.name AS municipality, d.name AS district,
    v.org_id, o.name AS organization, o.inn, o.org_type AS organization_type,
    v.numerator, v.denominator, v.orgs, v.value, v.target, v.better,
    CASE
        WHEN v.value IS NULL THEN NULL
        WHEN v.better = 'higher' THEN CASE WHEN v.value >= v.target THEN 'green'
            WHEN v.value >= v.target * {YELLOW_RATIO_HIGHER} THEN 'yellow' ELSE 'red' END
        ELSE CASE WHEN v.value <= v.target THEN 'green'
            WHEN v.value <= v.target * {YELLOW_RATIO_LOWER} THEN 'yellow' ELSE 'red' END
    END AS status,
    v.region_id, v.municipality_id, v.district_id, p.start_year, v.ord
FROM valued v
JOIN periods p ON p.period = v.period
LEFT JOIN regions r ON r.region_id = v.region_id
LEFT JOIN municipalities m ON m.municipality_id = v.municipality_id
LEFT JOIN districts d ON d.district_id = v.district_id
LEFT JOIN organizations o ON o.org_id = v.org_id
ORDER BY p.start_year, v.period, v.ord, {level_order}, r.name NULLS FIRST,
    m.name NULLS FIRST, d.name NULLS FIRST, o.name NULLS FIRST, v.org_id
"""
    scope_keys = [scope.region_id, scope.municipality_id, scope.district_id]
    return sql, [*scope_keys, *params, scope.org_type]


def compute(db: Database, scope: Scope | None = None) -> pd.DataFrame:
    """Every indicator value in ``scope``: one row per (indicator, level, unit, period).

    Columns are :data:`OUTPUT_COLUMNS` plus ``orgs`` (organisations taking part), ``inn``,
    ``organization_type``, the territory ids and ``start_year`` for sorting. ``deficit`` is
    True where the value misses its target; ``gap`` is the distance to the target in the
    indicator's units (0 where met, null where there is no value).
    """
    scope = scope or Scope()
    sql, params = indicator_sql(scope)
    cur = db.cursor()
    try:
        cur.register("catalogue", _catalogue_frame())
        # Through Arrow: several times faster than .df() for the name columns of a
        # national dataset.
        frame = cur.sql(sql, params=params).to_arrow_table().to_pandas()
    finally:
        cur.close()
    if scope.indicators is not None:
        frame = frame[frame["indicator"].isin(scope.indicators)]
    for key in ("org_id", "region_id", "municipality_id", "district_id"):
        frame[key] = frame[key].astype("Int64")
    # Names a row's level does not have are None, as callers test them.
    for column in (
        "region",
        "municipality",
        "district",
        "organization",
        "inn",
        "organization_type",
        "org_type",
    ):
        frame[column] = pd.Series(
            frame[column].to_numpy(dtype=object, na_value=None), index=frame.index, dtype=object
        )
    # None, not NaN, where there is no value: callers look statuses up in dicts.
    frame["status"] = frame["status"].astype(object).where(frame["status"].notna(), None)
    frame["deficit"] = frame["status"].isin(["yellow", "red"])
    higher = frame["better"] == "higher"
    distance = (frame["target"] - frame["value"]).where(higher, frame["value"] - frame["target"])
    frame["gap"] = distance.clip(lower=0.0)
    return frame


def deficits(frame: pd.DataFrame) -> pd.DataFrame:
    """Only the rows with a deficit, largest gap first."""
    rows = frame[frame["deficit"]]
    return rows.sort_values("gap", ascending=False, kind="stable").reset_index(drop=True)
