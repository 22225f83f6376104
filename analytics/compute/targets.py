"""Target overrides per indicator, period and territory.

The catalogue's default applies where no override is set. An override for a territory
applies to it and everything below it; the most specific territory wins, and for the
same territory a period-specific override beats one set for all periods.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.model.errors import MonitoringError
from analytics.model.levels import Level
from analytics.store import audit
from analytics.store.db import (
    ALL_PERIODS,
    TOTAL_TERRITORY,
    Database,
    first_value,
    mark_data_changed,
)

OVERRIDABLE_LEVELS: tuple[Level, ...] = (
    Level.TOTAL,
    Level.REGION,
    Level.MUNICIPALITY,
    Level.DISTRICT,
)


class TargetError(MonitoringError, ValueError):
    """A target that cannot be set; the message is in Russian."""


def set_target(
    db: Database,
    indicator: str,
    target: float,
    period: str | None = None,
    level: Level = Level.TOTAL,
    territory_id: int | None = None,
    user: str | None = None,
) -> None:
    """Set (or replace) the target of ``indicator`` for a period (None: all) and territory."""
    if indicator not in INDICATORS_BY_ID:
        raise TargetError(f"неизвестный показатель «{indicator}»")
    if level not in OVERRIDABLE_LEVELS:
        raise TargetError("цель задаётся для всей совокупности, региона, муниципалитета или района")
    if target < 0 or (INDICATORS_BY_ID[indicator].is_percent and target > 100):
        raise TargetError("целевое значение доли должно быть от 0 до 100")
    territory = TOTAL_TERRITORY if level is Level.TOTAL else territory_id
    if territory is None:
        raise TargetError("не выбрана территория")
    key = [indicator, period or ALL_PERIODS, str(level), territory]
    with db.transaction() as cur:
        mark_data_changed(cur)
        previous = _current(cur, key)
        now = datetime.now()
        cur.execute(
            "INSERT OR REPLACE INTO targets VALUES (?, ?, ?, ?, ?, ?, ?)",
            [*key, float(target), user, now],
        )
        audit.record(
            cur,
            audit.Action.TARGET_SET,
            _object(key),
            user,
            {**_details(key), "target": float(target), "previous": previous},
            now,
        )


def remove_target(
    db: Database,
    indicator: str,
    period: str | None = None,
    level: Level = Level.TOTAL,
    territory_id: int | None = None,
    user: str | None = None,
) -> None:
    """Remove an override (the catalogue's default or a wider override applies again)."""
    territory = TOTAL_TERRITORY if level is Level.TOTAL else territory_id
    key = [indicator, period or ALL_PERIODS, str(level), territory]
    with db.transaction() as cur:
        mark_data_changed(cur)
        previous = _current(cur, key)
        cur.execute(
            "DELETE FROM targets WHERE indicator = ? AND period = ? AND level = ? "
            "AND territory_id = ?",
            key,
        )
        if previous is not None:
            audit.record(
                cur,
                audit.Action.TARGET_REMOVED,
                _object(key),
                user,
                {**_details(key), "previous": previous},
            )


def _current(cur: duckdb.DuckDBPyConnection, key: list[object]) -> float | None:
    target = first_value(
        cur,
        "SELECT target FROM targets WHERE indicator = ? AND period = ? AND level = ? "
        "AND territory_id = ?",
        key,
    )
    return float(target) if target is not None else None


def _object(key: list[object]) -> str:
    return "target:" + "/".join(str(part) for part in key)


def _details(key: list[object]) -> dict[str, object]:
    indicator, period, level, territory = key
    return {
        "indicator": indicator,
        "period": None if period == ALL_PERIODS else period,
        "level": level,
        "territory_id": territory,
    }


def list_targets(db: Database) -> pd.DataFrame:
    """Every override with the territory's name; ``period`` is None for all periods."""
    frame = db.query(
        """
        SELECT t.indicator, nullif(t.period, ?) AS period, t.level, t.territory_id,
            CASE t.level
                WHEN 'region' THEN (SELECT name FROM regions WHERE region_id = t.territory_id)
                WHEN 'municipality' THEN (SELECT name FROM municipalities
                                          WHERE municipality_id = t.territory_id)
                WHEN 'district' THEN (SELECT name FROM districts
                                      WHERE district_id = t.territory_id)
                ELSE 'Все территории'
            END AS territory,
            t.target, t.set_by, t.set_at
        FROM targets t
        ORDER BY t.indicator, t.level, t.period
        """,
        [ALL_PERIODS],
    )
    frame["name"] = frame["indicator"].map(lambda i: INDICATORS_BY_ID[i].name)
    return frame
