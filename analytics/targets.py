"""Target overrides per indicator, period and territory.

The catalogue's default applies where no override is set. An override for a territory
applies to it and everything below it; the most specific territory wins, and for the
same territory a period-specific override beats one set for all periods.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from .catalogue import INDICATORS_BY_ID
from .db import ALL_PERIODS, TOTAL_TERRITORY, Database
from .indicators import Level

OVERRIDABLE_LEVELS: tuple[Level, ...] = (
    Level.TOTAL,
    Level.REGION,
    Level.MUNICIPALITY,
    Level.DISTRICT,
)


class TargetError(ValueError):
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
    with db.transaction() as cur:
        cur.execute(
            "INSERT OR REPLACE INTO targets VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                indicator,
                period or ALL_PERIODS,
                str(level),
                territory,
                float(target),
                user,
                datetime.now(),
            ],
        )


def remove_target(
    db: Database,
    indicator: str,
    period: str | None = None,
    level: Level = Level.TOTAL,
    territory_id: int | None = None,
) -> None:
    territory = TOTAL_TERRITORY if level is Level.TOTAL else territory_id
    with db.transaction() as cur:
        cur.execute(
            "DELETE FROM targets WHERE indicator = ? AND period = ? AND level = ? "
            "AND territory_id = ?",
            [indicator, period or ALL_PERIODS, str(level), territory],
        )


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
