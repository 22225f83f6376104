"""The legend (green, yellow, red), deficits and gaps, and target overrides per period
and per territory, the most specific of which wins."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.compute.indicators import compute
from analytics.compute.lookups import find_territory
from analytics.compute.status import NO_STATUS, STATUS_BY_CODE, assess
from analytics.compute.targets import TargetError, list_targets, remove_target, set_target
from analytics.ingest.load import ingest_bytes
from analytics.model.legend import Better, Status
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.filemakers import FULL_COLUMNS, csv_bytes, org, table

REGION = "Удмуртская Республика"
ALPHA, BETA = "г. Альфа", "г. Бета"


def assessed(db: Database, value: float | None, target: float, better: Better):
    """The engine's (status, gap) of one value (:func:`analytics.compute.status.assess`)."""
    codes, gaps, _ = assess(
        db, [np.nan if value is None else value], [target], [better == "higher"]
    )
    status = None if codes[0] == NO_STATUS else STATUS_BY_CODE[codes[0]]
    return status, None if np.isnan(gaps[0]) else float(gaps[0])


def status_of(db: Database, value: float | None, target: float, better: Better) -> Status | None:
    return assessed(db, value, target, better)[0]


def gap_of(db: Database, value: float | None, target: float, better: Better) -> float | None:
    return assessed(db, value, target, better)[1]


def contract_status(value: float | None, target: float, better: str) -> Status | None:
    """The contract's rule, written here apart from the engine: green meets the target,
    yellow within 80 % of it (125 % where lower is better), red beyond."""
    if value is None:
        return None
    if better == "higher":
        return (
            Status.GREEN
            if value >= target
            else Status.YELLOW
            if value >= target * 0.8
            else Status.RED
        )
    return (
        Status.GREEN if value <= target else Status.YELLOW if value <= target * 1.25 else Status.RED
    )


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (100.0, Status.GREEN),
        (80.0, Status.YELLOW),
        (95.5, Status.YELLOW),
        (79.9, Status.RED),
        (0.0, Status.RED),
    ],
)
def test_a_higher_is_better_value_is_yellow_down_to_80_percent_of_its_target(
    fresh_db, value, status
):
    assert status_of(fresh_db, value, 100.0, Better.HIGHER) is status


@pytest.mark.parametrize(
    ("value", "status"),
    [(20.0, Status.GREEN), (25.0, Status.GREEN), (16.0, Status.YELLOW), (15.9, Status.RED)],
)
def test_the_yellow_band_is_relative_to_the_target_not_to_100(fresh_db, value, status):
    assert status_of(fresh_db, value, 20.0, Better.HIGHER) is status


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (1.0, Status.GREEN),
        (3.0, Status.GREEN),
        (3.5, Status.YELLOW),
        (3.75, Status.YELLOW),
        (3.76, Status.RED),
    ],
)
def test_a_lower_is_better_value_is_yellow_up_to_125_percent_of_its_target(fresh_db, value, status):
    assert status_of(fresh_db, value, 3.0, Better.LOWER) is status


def test_no_value_has_no_status_and_no_gap(fresh_db):
    assert status_of(fresh_db, None, 100.0, Better.HIGHER) is None
    assert gap_of(fresh_db, None, 100.0, Better.HIGHER) is None


@pytest.mark.parametrize(
    ("value", "target", "better", "gap"),
    [
        (54.0, 100.0, Better.HIGHER, 46.0),
        (100.0, 100.0, Better.HIGHER, 0.0),
        (25.0, 20.0, Better.HIGHER, 0.0),
        (3.75, 3.0, Better.LOWER, 0.75),
        (2.0, 3.0, Better.LOWER, 0.0),
    ],
)
def test_the_gap_is_the_distance_to_the_target_and_zero_once_it_is_met(
    fresh_db, value, target, better, gap
):
    assert gap_of(fresh_db, value, target, better) == gap


def schools(municipality: str, period: str, with_regulation: int, district: str | None = None):
    """Five schools, the first ``with_regulation`` of them with a regulation; in every
    school 4 mentors take 15 mentees (mentor_load 3,75)."""
    return [
        org(
            f"Школа {n}",
            region=REGION,
            municipality=municipality,
            district=district if n <= 2 else None,
            period=period,
            has_regulation="да" if n <= with_regulation else "нет",
            mentors=4,
            mentees=15,
            teachers_total=60,
        )
        for n in range(1, 6)
    ]


@pytest.fixture
def db(fresh_db):
    """regulation: Альфа 60 % in 2023 and 40 % in 2022, Бета 80 % in 2023 and 100 % in 2022;
    the region 70 % in 2023. Школа 1 and 2 of Альфа are in the district «Северный»."""
    orgs = [
        *schools(ALPHA, "2023", 3, district="Северный"),
        *schools(ALPHA, "2022", 2, district="Северный"),
        *schools(BETA, "2023", 4),
        *schools(BETA, "2022", 5),
    ]
    ingest_bytes(fresh_db, "f.csv", csv_bytes(table(orgs, FULL_COLUMNS)))
    return fresh_db


def regulation(db, level: str, municipality: str | None = None, period: str = "2023", **more):
    frame = compute(db, Scope(indicators=("regulation",), periods=(period,)))
    rows = frame[frame["level"] == level]
    if municipality:
        rows = rows[rows["municipality"] == municipality]
    for column, value in more.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1
    row = rows.iloc[0]
    return row["value"], row["target"], row["status"], bool(row["deficit"]), row["gap"]


def test_values_are_coloured_against_the_default_target(db):
    assert regulation(db, "municipality", ALPHA) == (60.0, 100.0, "red", True, 40.0)
    assert regulation(db, "municipality", BETA) == (80.0, 100.0, "yellow", True, 20.0)
    assert regulation(db, "municipality", BETA, "2022") == (100.0, 100.0, "green", False, 0.0)


def test_a_lower_is_better_indicator_over_its_target_is_a_deficit(db):
    frame = compute(db, Scope(indicators=("mentor_load",), levels=(Level.TOTAL,)))
    row = frame[frame["period"] == "2023"].iloc[0]
    assert (row["value"], row["status"], bool(row["deficit"])) == (3.75, "yellow", True)
    assert row["gap"] == pytest.approx(0.75)


def test_the_status_of_every_computed_row_agrees_with_the_legend(db):
    frame = compute(db)
    for row in frame.itertuples(index=False):
        value = None if row.value != row.value else row.value
        expected = contract_status(value, row.target, row.better)
        assert row.status == (None if expected is None else str(expected))
        assert row.deficit == (expected in (Status.YELLOW, Status.RED))


def test_an_override_for_all_territories_and_periods_changes_every_status(db):
    set_target(db, "regulation", 60)
    assert regulation(db, "municipality", ALPHA) == (60.0, 60.0, "green", False, 0.0)
    assert regulation(db, "municipality", ALPHA, "2022") == (40.0, 60.0, "red", True, 20.0)
    assert regulation(db, "total") == (70.0, 60.0, "green", False, 0.0)


def test_an_override_for_one_period_leaves_other_periods_on_the_default(db):
    set_target(db, "regulation", 60, period="2023")
    assert regulation(db, "municipality", ALPHA, "2023")[1:3] == (60.0, "green")
    assert regulation(db, "municipality", ALPHA, "2022")[1:3] == (100.0, "red")


def test_an_override_for_a_municipality_applies_to_it_and_its_organisations_only(db):
    alpha = find_territory(db, "municipality", ALPHA)
    set_target(db, "regulation", 60, level=Level.MUNICIPALITY, territory_id=alpha)
    assert regulation(db, "municipality", ALPHA)[1:3] == (60.0, "green")
    assert regulation(db, "organization", ALPHA, organization="Школа 1")[1:3] == (60.0, "green")
    assert regulation(db, "organization", ALPHA, organization="Школа 5")[1:3] == (60.0, "red")
    assert regulation(db, "municipality", BETA)[1] == 100.0
    assert regulation(db, "region")[1] == 100.0
    assert regulation(db, "total")[1] == 100.0


def test_an_override_for_a_district_applies_to_its_organisations_only(db):
    alpha = find_territory(db, "municipality", ALPHA)
    north = db.scalar("SELECT district_id FROM districts WHERE municipality_id = ?", [alpha])
    set_target(db, "regulation", 50, level=Level.DISTRICT, territory_id=north)
    assert regulation(db, "district", ALPHA)[1] == 50.0
    assert regulation(db, "organization", ALPHA, organization="Школа 1")[1] == 50.0
    assert regulation(db, "organization", ALPHA, organization="Школа 3")[1] == 100.0
    assert regulation(db, "municipality", ALPHA)[1] == 100.0


def test_the_most_specific_territory_wins(db):
    region = find_territory(db, "region", REGION)
    alpha = find_territory(db, "municipality", ALPHA)
    set_target(db, "regulation", 90)
    set_target(db, "regulation", 75, level=Level.REGION, territory_id=region)
    set_target(db, "regulation", 55, level=Level.MUNICIPALITY, territory_id=alpha)
    assert regulation(db, "total")[1] == 90.0
    assert regulation(db, "region")[1] == 75.0
    assert regulation(db, "municipality", BETA)[1:3] == (75.0, "green")
    assert regulation(db, "municipality", ALPHA)[1:3] == (55.0, "green")
    assert regulation(db, "organization", ALPHA, organization="Школа 2")[1] == 55.0


def test_for_the_same_territory_a_period_override_beats_an_all_periods_one(db):
    alpha = find_territory(db, "municipality", ALPHA)
    set_target(db, "regulation", 50, level=Level.MUNICIPALITY, territory_id=alpha)
    set_target(db, "regulation", 65, "2023", level=Level.MUNICIPALITY, territory_id=alpha)
    assert regulation(db, "municipality", ALPHA, "2023")[1:3] == (65.0, "yellow")
    assert regulation(db, "municipality", ALPHA, "2022")[1:3] == (50.0, "yellow")


def test_a_territory_override_for_all_periods_beats_a_period_override_above_it(db):
    alpha = find_territory(db, "municipality", ALPHA)
    set_target(db, "regulation", 95, period="2023")
    set_target(db, "regulation", 60, level=Level.MUNICIPALITY, territory_id=alpha)
    assert regulation(db, "municipality", ALPHA)[1] == 60.0
    assert regulation(db, "municipality", BETA)[1] == 95.0


def test_setting_a_target_again_replaces_it_and_removing_it_restores_the_default(db):
    set_target(db, "regulation", 60)
    set_target(db, "regulation", 70)
    assert regulation(db, "total")[1:3] == (70.0, "green")
    remove_target(db, "regulation")
    assert regulation(db, "total")[1:3] == (100.0, "red")


def test_an_override_of_one_indicator_leaves_the_others_alone(db):
    set_target(db, "mentor_load", 4)
    frame = compute(db, Scope(periods=("2023",), levels=(Level.TOTAL,)))
    targets = dict(zip(frame["indicator"], frame["target"], strict=True))
    assert (targets["mentor_load"], targets["regulation"], targets["teachers_involved"]) == (
        4.0,
        100.0,
        20.0,
    )
    load = frame[frame["indicator"] == "mentor_load"].iloc[0]
    assert (load["status"], bool(load["deficit"])) == ("green", False)


def test_the_overrides_are_listed_with_their_territory_names(db):
    alpha = find_territory(db, "municipality", ALPHA)
    set_target(db, "regulation", 60, "2023", level=Level.MUNICIPALITY, territory_id=alpha)
    set_target(db, "completion", 40, user="методист")
    listed = list_targets(db)
    listed = listed.astype(object).where(listed.notna(), None)
    columns = ["indicator", "period", "level", "territory", "target", "set_by"]
    assert listed[columns].values.tolist() == [
        ["completion", None, "total", "Все территории", 40.0, "методист"],
        ["regulation", "2023", "municipality", ALPHA, 60.0, None],
    ]
    assert listed["name"].tolist() == [
        "Доля наставляемых, завершивших программу",
        "Доля ОО с утверждённым положением о наставничестве",
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"indicator": "nonexistent", "target": 50}, "неизвестный показатель «nonexistent»"),
        (
            {"indicator": "regulation", "target": 120},
            "целевое значение доли должно быть от 0 до 100",
        ),
        (
            {"indicator": "regulation", "target": -1},
            "целевое значение доли должно быть от 0 до 100",
        ),
        (
            {"indicator": "regulation", "target": 50, "level": Level.MUNICIPALITY},
            "не выбрана территория",
        ),
        (
            {
                "indicator": "regulation",
                "target": 50,
                "level": Level.ORGANIZATION,
                "territory_id": 1,
            },
            "цель задаётся для всей совокупности, региона, муниципалитета или района",
        ),
    ],
)
def test_a_target_that_makes_no_sense_is_refused_in_russian(db, arguments, message):
    version = db.data_version()
    with pytest.raises(TargetError) as error:
        set_target(db, **arguments)
    assert str(error.value) == message
    assert db.data_version() == version


def test_a_ratio_target_may_exceed_100(db):
    set_target(db, "mentor_load", 150)
    assert list_targets(db)["target"].tolist() == [150.0]
