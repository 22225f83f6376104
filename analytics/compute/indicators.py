"""Indicator values for every level, period and territory, in one grouped query.

Each form's per-indicator numerator and denominator (kept only where both are present)
is stored with the form in ``org_values`` (:mod:`analytics.store.aggregates`). The query
(:func:`analytics.compute.indicator_sql.indicator_sql`) adds
the registry (reporting rate) and the person registers (databases), sums over GROUPING
SETS for the levels asked for (an organisation's own row needs no grouping) and returns
one wide row per unit and period. :func:`compute` sorts it, unnests it into one row per
indicator and gives it names, targets (per-territory and per-period overrides, then the
catalogue default), status, deficit and gap, vectorised. Identifiers come from the
catalogue and fixed lists; every value is a parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.compute.indicator_sql import indicator_sql, target_joins, used_params
from analytics.compute.status import (
    DEFICIT_CODES,
    RANKING,
    STATUS_BY_CODE,
    assess,
)
from analytics.model.catalogue import INDICATORS
from analytics.model.levels import (
    LEVELS,
    TERRITORY_KEYS,
    TERRITORY_LEVELS,
    UNIT_LEVELS,
    Level,
)
from analytics.store.db import Database, registered
from analytics.store.scope import Scope

# Indicator values of a scope: :func:`compute` itself, or a reader's window on it (a
# curator's, :class:`analytics.compute.disclosure.CuratorWindow`). Functions that build on
# indicator values take one, so that what they show passes the same disclosure control.
Values = Callable[[Database, Scope], pd.DataFrame]


def _targets(db: Database, scope: Scope, wide: pd.DataFrame) -> np.ndarray:
    """Each wide row's target of each indicator (a row per wide row, a column per
    catalogue indicator), found by :func:`target_joins` — the one target lookup, also
    that of :func:`indicator_sql.output_table` — once per distinct period and territory,
    not per row."""
    keys = ["period", *TERRITORY_KEYS]
    typed = wide[keys].astype({key: "Int64" for key in TERRITORY_KEYS})
    unique = typed.drop_duplicates().reset_index(drop=True)
    unique["unit"] = np.arange(len(unique))
    # A left merge keeps the wide rows' order and matches null keys to null keys.
    position = typed.merge(unique, how="left", on=keys)["unit"].to_numpy()
    ords = list(range(len(INDICATORS)))
    named: dict[str, object] = {}
    for n in ords:
        named |= {f"indicator_{n}": INDICATORS[n].id, f"default_{n}": float(INDICATORS[n].target)}
    joins, overrides = target_joins(scope, ords, named)
    targets = ", ".join(
        f"coalesce({', '.join([*column, f'$default_{n}'])}) AS target_{n}"
        for n, column in zip(ords, overrides, strict=True)
    )
    sql = f"SELECT {targets} FROM target_keys w\n    {joins}\nORDER BY w.unit"
    cur = db.cursor()
    try:
        with registered(cur, "target_keys", unique):
            found = cur.execute(sql, used_params(sql, named)).fetchnumpy()
    finally:
        cur.close()
    matrix = np.column_stack([np.asarray(found[f"target_{n}"], dtype=float) for n in ords])
    return matrix[position]


class _Names:
    """Names of the units of one result: looked up by id once per query, each table read
    once and only for the ids ``wide`` holds (a country's totals name no organisation);
    ``rank`` orders names as DuckDB does (by code point), nulls first."""

    def __init__(self, db: Database, wide: pd.DataFrame):
        self.tables: dict[str, pd.DataFrame] = {}
        cur = db.cursor()
        try:
            for i in UNIT_LEVELS:
                # Organisations also bring their ИНН and type into the result.
                more = ", inn, org_type" if i.level is Level.ORGANIZATION else ""
                # Registered, not a list parameter: 100,000 ids as a parameter cost more
                # than reading the whole table.
                ids = pd.DataFrame({"id": wide[str(i.key)].dropna().unique().astype("int64")})
                with registered(cur, "wanted_units", ids):
                    self.tables[str(i.key)] = cur.execute(
                        f"SELECT {i.key} AS id, name{more} FROM {i.table} "
                        f"WHERE {i.key} IN (SELECT id FROM wanted_units)"
                    ).df()
        finally:
            cur.close()

    def position(self, key: str, ids: np.ndarray) -> np.ndarray:
        """Row of each id in its table; -1 for a null or unknown id."""
        return pd.Index(self.tables[key]["id"]).get_indexer(ids)

    def rank(self, key: str, position: np.ndarray) -> np.ndarray:
        codes, _ = pd.factorize(self.tables[key]["name"], sort=True)
        return np.r_[codes, -1][position]

    def labels(self, key: str, column: str, position: np.ndarray) -> np.ndarray:
        """``column`` for each position, as objects; None for -1 and for nulls."""
        values = self.tables[key][column]
        labels = np.array([*values.astype(object).where(values.notna(), None), None], dtype=object)
        return labels[position]


def _order(wide: pd.DataFrame, names: _Names, positions: dict[str, np.ndarray]) -> np.ndarray:
    """Row order of the wide result: period, level, then names outermost first (nulls
    first) and the organisation id."""
    period_rank, _ = pd.factorize(wide["period"], sort=True)
    keys = [
        wide["start_year"].to_numpy(),
        period_rank,
        wide["lvl"].to_numpy(),
        *(names.rank(key, positions[key]) for key in positions),
        wide["org_id"].to_numpy(dtype=float, na_value=-1.0),
    ]
    return np.lexsort(keys[::-1])


@dataclass(frozen=True)
class _Long:
    """The long result of a scope as arrays, one entry per (indicator, unit, period) row:
    ``rows`` indexes the sorted wide result, ``ords`` the catalogue; ``positions`` are each
    row's place in the name tables; ``status_code``, ``gap`` and ``shortfall`` are those of
    :mod:`analytics.compute.status`."""

    wide: pd.DataFrame
    names: _Names
    positions: dict[str, np.ndarray]
    rows: np.ndarray
    ords: np.ndarray
    period_names: list[str]
    period_of_row: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    orgs: np.ndarray
    value: np.ndarray
    target: np.ndarray
    status_code: np.ndarray
    gap: np.ndarray
    shortfall: np.ndarray


def _long(db: Database, scope: Scope) -> _Long:
    """Run the scope's query and unnest it into long rows (see :func:`compute`)."""
    sql, params = indicator_sql(scope)
    cur = db.cursor()
    try:
        wide = cur.sql(sql, params=params).to_arrow_table().to_pandas()
    finally:
        cur.close()
    names = _Names(db, wide)
    keys = tuple(str(i.key) for i in UNIT_LEVELS)
    positions = {k: names.position(k, wide[k].to_numpy(dtype=float, na_value=np.nan)) for k in keys}
    order = _order(wide, names, positions)
    wide = wide.iloc[order].reset_index(drop=True)
    positions = {k: p[order] for k, p in positions.items()}
    chosen = [
        n for n, i in enumerate(INDICATORS) if scope.indicators is None or i.id in scope.indicators
    ]
    # Long order: within a period, indicator by indicator, each over the sorted units.
    period_codes, period_names = pd.factorize(wide["period"], sort=False)
    starts = np.flatnonzero(np.r_[True, period_codes[1:] != period_codes[:-1]])
    rows_parts, ord_parts = [], []
    for a, b in pairwise([*starts.tolist(), len(wide)]):
        block = np.arange(a, b)
        for n in chosen:
            rows_parts.append(block)
            ord_parts.append(np.full(b - a, n, dtype=np.int64))
    rows = np.concatenate(rows_parts) if rows_parts else np.zeros(0, dtype=np.int64)
    ords = np.concatenate(ord_parts) if ord_parts else np.zeros(0, dtype=np.int64)
    ids = [i.id for i in INDICATORS]

    def matrix(prefix: str, dtype: str) -> np.ndarray:
        columns = [wide[f"{prefix}_{i}"].to_numpy(dtype=dtype, na_value=np.nan) for i in ids]
        return np.column_stack(columns)

    numerator = matrix("n", "float")[rows, ords]
    denominator = matrix("d", "float")[rows, ords]
    orgs = np.column_stack([wide[f"c_{i}"].to_numpy(dtype="int64") for i in ids])[rows, ords]
    factor = np.array([i.factor for i in INDICATORS])[ords]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(denominator > 0, factor * numerator / denominator, np.nan)
    period_of_row = period_codes[rows]
    target = _targets(db, scope, wide)[rows, ords]
    higher = np.array([i.better == "higher" for i in INDICATORS])[ords]
    status_code, gap, shortfall = assess(db, value, target, higher)
    return _Long(
        wide=wide,
        names=names,
        positions={k: p[rows] for k, p in positions.items()},
        rows=rows,
        ords=ords,
        period_names=[str(p) for p in period_names],
        period_of_row=period_of_row,
        numerator=numerator,
        denominator=denominator,
        orgs=orgs,
        value=value,
        target=target,
        status_code=status_code,
        gap=gap,
        shortfall=shortfall,
    )


def compute(db: Database, scope: Scope | None = None) -> pd.DataFrame:
    """Every indicator value in ``scope``: one row per (indicator, level, unit, period).

    Columns are :data:`OUTPUT_COLUMNS` plus ``orgs`` (organisations taking part), ``inn``,
    ``organization_type``, the territory ids and ``start_year`` for sorting. ``deficit`` is
    True where the value misses its target; ``gap`` is the distance to the target in the
    indicator's units (0 where met, null where there is no value) and ``shortfall`` the
    gap as a share of the target, the key deficits are ranked by
    (:mod:`analytics.compute.status`). Rows are sorted by
    period, indicator, level and names.

    The query returns one wide row per unit and period (numbers only, a few hundred
    thousand rows for a country); it is sorted, unnested into indicators and given names,
    targets and statuses here, vectorised: a national result has millions of rows.
    """
    scope = scope or Scope()
    long = _long(db, scope)
    rows, ords, wide, names = long.rows, long.ords, long.wide, long.names
    status_code = long.status_code
    ids = [i.id for i in INDICATORS]

    def text(values: list[str], codes: np.ndarray) -> pd.Series:
        dictionary = pa.array(values, pa.large_string())
        array = pa.DictionaryArray.from_arrays(pa.array(codes), dictionary)
        return pd.Series(pd.array(array.cast(pa.large_string()), dtype="str"), copy=False)

    def category(values: list[str], codes: np.ndarray) -> pd.Categorical:
        # A long catalogue text repeated on millions of rows: stored once.
        unique = sorted(set(values))
        remap = np.array([unique.index(v) for v in values], dtype=np.int8)
        return pd.Categorical.from_codes(remap[codes], categories=unique)

    def ids_of(column: str) -> pd.Series:
        return pd.Series(wide[column].to_numpy()[rows], dtype="Int64")

    def objects(values: np.ndarray) -> pd.Series:
        return pd.Series(values, dtype=object, copy=False)

    def labels(key: str, column: str = "name") -> pd.Series:
        return objects(names.labels(key, column, long.positions[key]))

    columns = {
        "indicator": text(ids, ords),
        "name": category([i.name for i in INDICATORS], ords),
        "level": text([str(level) for level in LEVELS], wide["lvl"].to_numpy()[rows]),
        "period": text(long.period_names, long.period_of_row),
        "org_type": objects(np.full(len(rows), scope.org_type, dtype=object)),
        **{str(i.name): labels(str(i.key)) for i in TERRITORY_LEVELS},
        "org_id": ids_of("org_id"),
        "organization": labels("org_id"),
        "inn": labels("org_id", "inn"),
        "organization_type": labels("org_id", "org_type"),
        "numerator": long.numerator,
        "denominator": long.denominator,
        "orgs": long.orgs,
        "value": long.value,
        "target": long.target,
        "better": category([str(i.better) for i in INDICATORS], ords),
        "status": objects(np.array([*map(str, STATUS_BY_CODE), None], dtype=object)[status_code]),
        **{key: ids_of(key) for key in TERRITORY_KEYS},
        "start_year": wide["start_year"].to_numpy()[rows],
        "ord": ords,
        "deficit": np.isin(status_code, DEFICIT_CODES),
        "gap": long.gap,
        "shortfall": long.shortfall,
    }
    # copy=False: no consolidation of same-typed columns into blocks (a second copy of
    # every column of a national result).
    return pd.DataFrame(columns, copy=False)


def deficits(frame: pd.DataFrame) -> pd.DataFrame:
    """The deficits among :func:`counted_indicators` of ``frame`` (compute's columns),
    ranked: «наибольшие дефициты» first, by :data:`analytics.compute.status.RANKING`
    (largest shortfall, then the catalogue order). Every screen and document that lists
    or leads with deficits takes their order from here."""
    rows = counted_indicators(frame)
    rows = rows[rows["deficit"].astype(bool)]
    columns = [column for column, _ in RANKING]
    ascending = [up for _, up in RANKING]
    return rows.sort_values(columns, ascending=ascending, kind="stable").reset_index(drop=True)


def counted_indicators(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows a unit's deficits are counted among («дефициты по 6 из 14 показателей»):
    those with a value, but for an organisation not «Доля ОО, представивших данные» (one
    school's own reporting rate says nothing about it)."""
    rows = rows[rows["value"].notna()]
    own = rows["level"].astype(str) == str(Level.ORGANIZATION)
    coverage = rows["indicator"].isin([i.id for i in INDICATORS if i.coverage])
    return rows[~(own & coverage)]


def deficit_tally(rows: pd.DataFrame) -> tuple[int, int]:
    """(deficits, indicators counted) of one unit and period: the «N из M» of every screen
    and document (see :func:`counted_indicators`)."""
    counted = counted_indicators(rows)
    return int(counted["deficit"].astype(bool).sum()), len(counted)
