"""Target trajectories: planned values per period and territory, plan against actual on
a fixture, and the verdict of a linear projection of the actual values."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.compute import lookups
from analytics.compute.trajectories import (
    PlanError,
    plan_vs_actual,
    plans,
    project,
    remove_plan,
    set_plan,
    territory_of,
)
from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.model.levels import Level
from analytics.store.db import Database
from tests import meetingfiles
from tests.meetingfiles import ALPHA, BETA

REGULATION = INDICATORS_BY_ID["regulation"]
LOAD = INDICATORS_BY_ID["mentor_load"]


@pytest.fixture
def db(fresh_db: Database) -> Database:
    meetingfiles.load(fresh_db)
    return fresh_db


def municipality(db: Database, name: str) -> int:
    return lookups.find_territory(db, "municipality", name)


def rows(frame: pd.DataFrame) -> list[tuple]:
    return [
        tuple(None if pd.isna(v) else v for v in row)
        for row in frame[["period", "planned", "actual", "difference", "met"]].itertuples(
            index=False
        )
    ]


def test_plan_and_actual_line_up_by_period_with_the_difference_and_whether_it_was_met(db):
    alpha = municipality(db, ALPHA)
    for period, planned in (("2022", 54.0), ("2023", 75.0), ("2024", 100.0)):
        set_plan(db, "regulation", period, planned, Level.MUNICIPALITY, alpha)
    assert rows(plan_vs_actual(db, "regulation", Level.MUNICIPALITY, alpha)) == [
        ("2022", 54.0, 40.0, -14.0, False),
        ("2023", 75.0, 60.0, -15.0, False),
        ("2024", 100.0, None, None, None),
    ]


def test_a_plan_belongs_to_its_own_territory_only(db):
    set_plan(db, "regulation", "2023", 75.0, Level.MUNICIPALITY, municipality(db, ALPHA))
    beta = plan_vs_actual(db, "regulation", Level.MUNICIPALITY, municipality(db, BETA))
    assert rows(beta) == [("2022", None, 100.0, None, None), ("2023", None, 80.0, None, None)]


def test_the_whole_set_has_its_own_plan(db):
    set_plan(db, "regulation", "2023", 70.0)
    frame = plan_vs_actual(db, "regulation", *territory_of())
    assert rows(frame)[-1] == ("2023", 70.0, 70.0, 0.0, True)


def test_a_plan_is_stored_under_the_canonical_period_and_can_be_replaced_and_removed(db):
    alpha = municipality(db, ALPHA)
    set_plan(db, "regulation", "2024/25", 90.0, Level.MUNICIPALITY, alpha)
    set_plan(db, "regulation", "2024/2025", 95.0, Level.MUNICIPALITY, alpha)
    assert plans(db, "regulation", Level.MUNICIPALITY, alpha)[
        ["period", "planned"]
    ].values.tolist() == [["2024/2025", 95.0]]
    remove_plan(db, "regulation", "2024/2025", Level.MUNICIPALITY, alpha)
    assert plans(db, "regulation", Level.MUNICIPALITY, alpha).empty


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("regulation", "2024", 120.0), "от 0 до 100"),
        (("unknown", "2024", 50.0), "неизвестный показатель"),
        (("regulation", "двадцатый", 50.0), "период «двадцатый»"),
    ],
)
def test_an_impossible_plan_is_refused_in_russian(db, arguments, message):
    with pytest.raises(PlanError, match=message):
        set_plan(db, *arguments)


def series(points: list[tuple[str, int, float | None, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(points, columns=["period", "start_year", "planned", "actual"])


def test_the_trend_that_falls_short_of_the_plan_says_so_with_the_projected_value(db):
    alpha = municipality(db, ALPHA)
    set_plan(db, "regulation", "2024", 100.0, Level.MUNICIPALITY, alpha)
    projection = project(plan_vs_actual(db, "regulation", Level.MUNICIPALITY, alpha), REGULATION)
    assert (projection.target_period, projection.reached) == ("2024", False)
    assert projection.projected == pytest.approx(80.0)
    assert projection.text == (
        "При сохранении текущего темпа (+20,0\u00a0п.\u00a0п. в год) в 2024 году значение "
        "составит 80,0\u00a0% — плановое значение 100\u00a0% не будет достигнуто."
    )


def test_a_trend_that_reaches_the_plan_is_reported_as_reaching_it():
    projection = project(
        series(
            [("2022", 2022, None, 54.0), ("2023", 2023, 75.0, 77.0), ("2024", 2024, 100.0, None)]
        ),
        REGULATION,
    )
    assert projection.reached is True
    assert projection.projected == 100.0  # 54 → 77 → 100, a share capped at 100 %
    assert projection.text.endswith("плановое значение 100\u00a0% будет достигнуто.")


def test_for_a_lower_is_better_indicator_reaching_means_going_down_to_the_plan():
    projection = project(
        series([("2022", 2022, None, 5.0), ("2023", 2023, None, 4.0), ("2025", 2025, 3.0, None)]),
        LOAD,
    )
    assert (projection.projected, projection.reached) == (pytest.approx(2.0), True)


def test_one_actual_value_is_not_enough_for_a_projection():
    projection = project(
        series([("2023", 2023, None, 60.0), ("2024", 2024, 100.0, None)]), REGULATION
    )
    assert (projection.reached, projection.text) == (
        None,
        "Для прогноза на 2024 год нужны фактические значения хотя бы за два периода.",
    )


def test_without_a_plan_ahead_there_is_nothing_to_project():
    projection = project(
        series([("2022", 2022, 50.0, 40.0), ("2023", 2023, None, 60.0)]), REGULATION
    )
    assert (projection.reached, projection.text) == (
        None,
        "Плановые значения на будущие периоды не заданы.",
    )
