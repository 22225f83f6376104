"""How the organisations' values of one indicator are distributed: bins and their counts.

The bins follow the indicator's rule (:attr:`analytics.model.catalogue.Indicator.bins`)
and are counted by DuckDB in one query over the organisations' values
(:func:`~analytics.compute.indicator_sql.org_values_sql`), so a country's 100,000 values
never reach Python. Values read already (a curator's own organisations, through their
window) are binned by the same query over a registered frame: one binning definition.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import pandas as pd

from analytics.compute.indicator_sql import org_values_sql
from analytics.model.catalogue import INDICATORS_BY_ID, Bins
from analytics.model.legend import Status
from analytics.store.db import Database, registered
from analytics.store.scope import Scope


@dataclass(frozen=True)
class Distribution:
    """Organisations' values binned: ``counts[i]`` organisations lie from ``edges[i]``
    to ``edges[i + 1]`` (a value on an edge in the upper bin, but for the last edge);
    ``meets`` of the ``count`` organisations with a value meet their target. No
    organisation with a value: no edges and no counts."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]
    meets: int
    count: int


EMPTY = Distribution(edges=(), counts=(), meets=0, count=0)


def binned(db: Database, scope: Scope, period: str, indicator_id: str) -> Distribution:
    """The distribution of ``indicator_id`` over the organisations of ``scope`` in
    ``period``, counted in DuckDB."""
    sql, params = org_values_sql(replace(scope, periods=(period,)), indicator_id)
    cur = db.cursor()
    try:
        return _count(cur, sql, params, INDICATORS_BY_ID[indicator_id].bins)
    finally:
        cur.close()


def binned_rows(db: Database, rows: pd.DataFrame, indicator_id: str) -> Distribution:
    """The distribution of organisation rows already read (``value`` and ``status`` of
    :func:`~analytics.compute.indicators.compute`'s rows of one indicator and period),
    binned by the query of :func:`binned` (meeting the target: a green status)."""
    rows = rows[rows["value"].notna()]
    values = pd.DataFrame(
        {
            "value": rows["value"].to_numpy(dtype="float64"),
            "meets": (rows["status"] == str(Status.GREEN)).to_numpy(dtype=bool),
        }
    )
    cur = db.cursor()
    try:
        with registered(cur, "distribution_values", values):
            source = "SELECT value, meets FROM distribution_values"
            return _count(cur, source, [], INDICATORS_BY_ID[indicator_id].bins)
    finally:
        cur.close()


def _rule(bins: Bins) -> tuple[str, list[object]]:
    """The first edge, width and number of bins (``start``, ``width``, ``bins``) of
    ``bins`` over values from ``lo`` to ``hi``, as SQL and its parameters."""
    if bins.width is not None:
        return (
            "CAST(? AS DOUBLE) AS start, CAST(? AS DOUBLE) AS width, "
            "greatest(?, CAST(ceil((hi - ?) / ?) AS BIGINT)) AS bins",
            [bins.start, bins.width, bins.count, bins.start, bins.width],
        )
    return (
        "lo AS start, (hi - lo) / ? AS width, CASE WHEN hi > lo THEN ? ELSE 1 END AS bins",
        [float(bins.count), bins.count],
    )


def _count(
    cur: duckdb.DuckDBPyConnection, source: str, params: list[object], bins: Bins
) -> Distribution:
    """Bin the ``value`` of the rows of ``source`` (a query with ``value`` and ``meets``)
    by ``bins``: the one binning of every distribution."""
    rule, rule_params = _rule(bins)
    # A value goes to the bin whose edges (start + i × width, as reported) hold it: the
    # division's guess is moved by one where rounding put it next to an edge.
    sql = f"""
WITH v AS MATERIALIZED (
    SELECT CAST(value AS DOUBLE) AS value, coalesce(meets, false) AS meets
    FROM ({source}) WHERE value IS NOT NULL
),
r AS (
    SELECT count(*) AS n, count(*) FILTER (WHERE meets) AS m, min(value) AS lo,
        max(value) AS hi
    FROM v
),
b AS (SELECT n, m, {rule} FROM r),
k AS (
    SELECT v.value, b.start, b.width, b.bins,
        CASE WHEN b.width > 0 THEN least(greatest(
            CAST(floor((v.value - b.start) / b.width) AS BIGINT), 0), b.bins - 1)
        ELSE 0 END AS guess
    FROM v CROSS JOIN b
),
j AS (
    SELECT CASE
        WHEN guess > 0 AND value < start + guess * width THEN guess - 1
        WHEN guess < bins - 1 AND value >= start + (guess + 1) * width THEN guess + 1
        ELSE guess END AS bin
    FROM k
)
SELECT n, m, start, width, bins,
    (SELECT list([bin, c] ORDER BY bin) FROM (SELECT bin, count(*) AS c FROM j GROUP BY bin))
FROM b"""
    ((n, meets, start, width, count, found),) = cur.execute(sql, [*params, *rule_params]).fetchall()
    if not n:
        return EMPTY
    counts = [0] * int(count)
    for bin_, c in found:
        counts[int(bin_)] = int(c)
    return Distribution(
        edges=tuple(start + i * width for i in range(int(count) + 1)),
        counts=tuple(counts),
        meets=int(meets),
        count=int(n),
    )
