"""Target trajectories: planned values of an indicator per period and territory, plan
against actual, and a plain linear projection of whether the trend reaches the plan.

A plan is set for one territory (the whole set, a region, a municipality, a district or
an organisation) and applies to that territory's own summary value only. Plans may name
periods that have no data yet (2024 while the data end in 2023): that is their point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from analytics.compute.indicators import Values, compute
from analytics.ingest.normalize import ValueProblem
from analytics.model.catalogue import INDICATORS_BY_ID, Indicator
from analytics.model.errors import MonitoringError
from analytics.model.legend import Better
from analytics.model.levels import LEVEL_INFO, Level
from analytics.model.periods import period_in, period_label, period_of, sort_periods
from analytics.store.db import TOTAL_TERRITORY, Database
from analytics.store.scope import Scope
from analytics.wording.formatting import indicator_difference, indicator_value, target_value

ALL_TERRITORIES = LEVEL_INFO[Level.TOTAL].noun.capitalize()


class PlanError(MonitoringError, ValueError):
    """A planned value that cannot be stored; the message is in Russian."""


def territory_of(
    region_id: int | None = None,
    municipality_id: int | None = None,
    district_id: int | None = None,
    org_id: int | None = None,
) -> tuple[Level, int]:
    """The most specific territory of a set of filters as (level, id); (total, 0) for all
    (see :meth:`~analytics.store.scope.Scope.unit`)."""
    return Scope(
        region_id=region_id,
        municipality_id=municipality_id,
        district_id=district_id,
        org_id=org_id,
    ).unit()


def territory_name(db: Database, level: Level, territory_id: int) -> str:
    """The territory's or organisation's name; «Все территории» for the total."""
    info = LEVEL_INFO[level]
    if info.key is None:
        return ALL_TERRITORIES
    name = db.scalar(f"SELECT name FROM {info.table} WHERE {info.key} = ?", [territory_id])
    return str(name) if name is not None else f"код {territory_id}"


def territory_exists(db: Database, level: Level, territory_id: int) -> bool:
    info = LEVEL_INFO[level]
    if info.key is None:
        return True
    return bool(
        db.scalar(f"SELECT count(*) FROM {info.table} WHERE {info.key} = ?", [territory_id])
    )


def territory_scope(
    level: Level,
    territory_id: int,
    *,
    org_type: str | None = None,
    indicators: tuple[str, ...] | None = None,
    periods: tuple[str, ...] | None = None,
) -> Scope:
    """The scope whose ``level`` rows are exactly this territory's summary values."""
    # A Scope's territory fields are named as the levels' key columns.
    key = LEVEL_INFO[level].key
    narrowed = {key: territory_id} if key else {}
    return Scope(
        periods=periods, levels=(level,), org_type=org_type, indicators=indicators, **narrowed
    )


def start_year(period: str) -> int:
    found = period_of(period)
    if found is None:
        raise PlanError("не указан период")
    return found.start_year


def set_plan(
    db: Database,
    indicator: str,
    period: str,
    planned: float,
    level: Level = Level.TOTAL,
    territory_id: int | None = None,
    user: str | None = None,
    now: datetime | None = None,
) -> None:
    """Set (or replace) the planned value of ``indicator`` for ``period`` (any usual
    spelling: 2024, 2024/2025) and territory."""
    if indicator not in INDICATORS_BY_ID:
        raise PlanError(f"неизвестный показатель «{indicator}»")
    try:
        found = period_of(period)
    except ValueProblem as problem:
        raise PlanError(f"период «{period}»: {problem}") from None
    if found is None:
        raise PlanError("не указан период")
    if (
        math.isnan(planned)
        or planned < 0
        or (INDICATORS_BY_ID[indicator].is_percent and planned > 100)
    ):
        raise PlanError("плановое значение доли должно быть от 0 до 100")
    territory = TOTAL_TERRITORY if level is Level.TOTAL else territory_id
    if territory is None:
        raise PlanError("не выбрана территория")
    with db.transaction() as cur:
        cur.execute(
            "INSERT OR REPLACE INTO trajectories VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                indicator,
                str(level),
                territory,
                found.code,
                float(planned),
                user,
                now or datetime.now(),
            ],
        )


def remove_plan(
    db: Database,
    indicator: str,
    period: str,
    level: Level = Level.TOTAL,
    territory_id: int | None = None,
    user: str | None = None,
) -> None:
    """Delete one planned value (``user`` is accepted for the audit the lead wires in)."""
    territory = TOTAL_TERRITORY if level is Level.TOTAL else territory_id
    with db.transaction() as cur:
        cur.execute(
            "DELETE FROM trajectories WHERE indicator = ? AND level = ? AND territory_id = ? "
            "AND period = ?",
            [indicator, str(level), territory, period],
        )


def plans(db: Database, indicator: str, level: Level, territory_id: int) -> pd.DataFrame:
    """The planned values of one indicator and territory: ``period``, ``planned``,
    ``start_year``, oldest first."""
    frame = db.query(
        "SELECT period, planned FROM trajectories WHERE indicator = ? AND level = ? "
        "AND territory_id = ?",
        [indicator, str(level), territory_id],
    )
    frame["start_year"] = [start_year(p) for p in frame["period"]]
    return frame.sort_values(["start_year", "period"], kind="stable").reset_index(drop=True)


def plan_vs_actual(
    db: Database,
    indicator: str,
    level: Level,
    territory_id: int,
    org_type: str | None = None,
    values: Values = compute,
) -> pd.DataFrame:
    """Every period with a plan or an actual value, oldest first: ``period``,
    ``start_year``, ``planned``, ``actual``, ``difference`` (actual − planned) and
    ``met`` (True/False where both exist, else None), judged by which way is better.
    The actual values are read through ``values`` (a curator's window)."""
    planned = plans(db, indicator, level, territory_id).set_index("period")["planned"]
    frame = values(
        db, territory_scope(level, territory_id, org_type=org_type, indicators=(indicator,))
    )
    rows = frame[(frame["level"] == level) & frame["value"].notna()]
    actual = dict(zip(rows["period"], rows["value"].astype(float), strict=True))
    better = INDICATORS_BY_ID[indicator].better
    periods = sort_periods(set(planned.index) | set(actual))
    records = []
    for period in periods:
        plan = float(planned[period]) if period in planned.index else None
        value = actual.get(period)
        both = plan is not None and value is not None
        met = None
        if both:
            met = value >= plan if better is Better.HIGHER else value <= plan
        records.append(
            {
                "period": period,
                "start_year": start_year(period),
                "planned": plan,
                "actual": value,
                "difference": value - plan if both else None,
                "met": met,
            }
        )
    columns = ["period", "start_year", "planned", "actual", "difference", "met"]
    return pd.DataFrame(records, columns=columns)


@dataclass(frozen=True)
class Projection:
    """Where the linear trend of the actual values leads by the plan's last period.

    ``reached`` is None where there is nothing to project (no later plan, or fewer than
    two actual values); ``text`` says the verdict in Russian either way.
    """

    target_period: str | None
    planned: float | None
    projected: float | None
    slope: float | None
    reached: bool | None
    text: str


def project(series: pd.DataFrame, indicator: Indicator) -> Projection:
    """A least-squares line through the actual values (by the periods' first years),
    read at the last planned period after the latest actual one. Shares are kept within
    0–100 %."""
    actual = series[series["actual"].notna()]
    if actual.empty:
        return Projection(None, None, None, None, None, "Фактических значений пока нет.")
    last_actual = int(actual["start_year"].max())
    ahead = series[series["planned"].notna() & (series["start_year"] > last_actual)]
    if ahead.empty:
        return Projection(
            None, None, None, None, None, "Плановые значения на будущие периоды не заданы."
        )
    goal = ahead.iloc[-1]
    period, planned = str(goal["period"]), float(goal["planned"])
    when = period_in(period)
    goal_text = target_value(indicator, planned)
    if len(actual) < 2:
        return Projection(
            period,
            planned,
            None,
            None,
            None,
            f"Для прогноза на {period_label(period)} нужны фактические значения "
            "хотя бы за два периода.",
        )
    slope, intercept = np.polyfit(
        actual["start_year"].astype(float), actual["actual"].astype(float), 1
    )
    projected = float(intercept + slope * int(goal["start_year"]))
    if indicator.is_percent:
        projected = min(max(projected, 0.0), 100.0)
    shown = round(projected, 1)
    if indicator.better is Better.HIGHER:
        reached = shown >= round(planned, 1)
    else:
        reached = shown <= round(planned, 1)
    pace = indicator_difference(indicator, round(float(slope), 1))
    verdict = "будет достигнуто" if reached else "не будет достигнуто"
    text = (
        f"При сохранении текущего темпа ({pace} в год) {when} значение составит "
        f"{indicator_value(indicator, projected)} — плановое значение {goal_text} {verdict}."
    )
    return Projection(period, planned, projected, float(slope), reached, text)
