"""How a value stands against its target — status, deficit, gap, shortfall — and the
ranking of deficits: each rule written once, in SQL, and read by everything else.

The legend's rule (:mod:`analytics.model.legend`): green meets the target; yellow is within
80 % of it (within 125 % where lower is better); red is beyond; no value, no status. A
deficit is a yellow or red value. The gap is the distance to the target in the indicator's
units (0 once met). The shortfall is the gap as a share of the target, the one measure that
compares indicators of different units («отставание — 46 % от цели»); where the target is 0,
the gap itself. Deficits are ranked by shortfall, largest first, the catalogue order on ties.

:func:`analytics.compute.indicators.compute` and its SQL output (``output_table``) build
their columns from these expressions; :func:`assess` applies them to any values and
targets (a meeting's frozen rows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analytics.model.legend import YELLOW_RATIO_HIGHER, YELLOW_RATIO_LOWER, Status
from analytics.store.db import Database, registered

# NumPy and pyarrow are imported by :func:`assess`: the SQL of the statuses is also that
# of the command line's table outputs, which start without them.
if TYPE_CHECKING:
    import numpy as np

# The statuses by code (``status_code`` 0, 1, 2); NO_STATUS where there is no value.
STATUS_BY_CODE: tuple[Status, ...] = (Status.GREEN, Status.YELLOW, Status.RED)
NO_STATUS = len(STATUS_BY_CODE)
# A deficit: a yellow or red value.
DEFICIT_CODES: tuple[int, ...] = (
    STATUS_BY_CODE.index(Status.YELLOW),
    STATUS_BY_CODE.index(Status.RED),
)
# The same as the statuses' names, for rows that carry a status but no code.
DEFICIT_STATUSES: frozenset[str] = frozenset(str(STATUS_BY_CODE[c]) for c in DEFICIT_CODES)
# The ranking of deficits: largest shortfall first, then the catalogue order (``ord``).
RANKING: tuple[tuple[str, bool], ...] = (("shortfall", False), ("ord", True))
RANKING_SQL = ", ".join(f"{column} {'ASC' if up else 'DESC'}" for column, up in RANKING)


def status_code_sql(value: str, target: str, higher: str, ratio: str) -> str:
    """SQL of the status code of ``value`` against ``target``; ``higher`` is a boolean
    expression (higher is better), ``ratio`` the edge of yellow as a share of the target."""

    def meets(bound: str) -> str:
        return f"(CASE WHEN {higher} THEN {value} >= {bound} ELSE {value} <= {bound} END)"

    green, yellow, red = range(NO_STATUS)
    return (
        f"CASE WHEN {value} IS NULL THEN {NO_STATUS} WHEN {meets(target)} THEN {green} "
        f"WHEN {meets(f'{target} * {ratio}')} THEN {yellow} ELSE {red} END"
    )


def deficit_sql(status_code: str) -> str:
    """SQL of «a deficit» for a status code column."""
    return f"({status_code} IN ({', '.join(map(str, DEFICIT_CODES))}))"


def gap_sql(value: str, target: str, higher: str) -> str:
    """SQL of the distance to the target in the indicator's units: 0 once met, null
    without a value."""
    distance = f"CASE WHEN {higher} THEN {target} - {value} ELSE {value} - {target} END"
    return f"CASE WHEN {value} IS NOT NULL THEN greatest({distance}, 0.0) END"


def shortfall_sql(gap: str, target: str) -> str:
    """SQL of the ranking key: the gap as a share of the target (the gap where the target
    is 0)."""
    return f"CASE WHEN abs({target}) > 0 THEN {gap} / abs({target}) ELSE {gap} END"


def ratio_sql(higher: str) -> str:
    """SQL of the edge of yellow as a share of the target."""
    edges = (f"CAST({ratio!r} AS DOUBLE)" for ratio in (YELLOW_RATIO_HIGHER, YELLOW_RATIO_LOWER))
    return f"CASE WHEN {higher} THEN {next(edges)} ELSE {next(edges)} END"


def assess(
    db: Database, value: np.ndarray, target: np.ndarray, higher: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(status code, gap, shortfall) of each value against its target, by the SQL above;
    NaN values have no status, gap or shortfall."""
    import numpy as np
    import pyarrow as pa

    rows = pa.table(
        {
            "value": pa.array(np.asarray(value, dtype=float), from_pandas=True),
            "target": pa.array(np.asarray(target, dtype=float), from_pandas=True),
            "higher": pa.array(np.asarray(higher, dtype=bool)),
        }
    )
    cur = db.cursor()
    try:
        with registered(cur, "assessed_rows", rows):
            gap = gap_sql("value", "target", "higher")
            result = cur.sql(
                f"SELECT code, gap, {shortfall_sql('gap', 'target')} AS shortfall FROM ("
                f"SELECT {status_code_sql('value', 'target', 'higher', ratio_sql('higher'))} "
                f"AS code, {gap} AS gap, target FROM assessed_rows)"
            ).fetchnumpy()
    finally:
        cur.close()

    def floats(column: str) -> np.ndarray:
        array = result[column]
        if np.ma.isMaskedArray(array):
            return array.astype(float).filled(np.nan)
        return np.asarray(array, dtype=float)

    return np.asarray(result["code"], dtype=np.int64), floats("gap"), floats("shortfall")
