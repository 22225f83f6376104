"""«План и факт» on the «Динамика» page: the plan against the actual values of the
territory of the filters, the projection's verdict, and the form that sets a plan.

Expectations come from the engine on a copy of the database, never from the page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.compute import lookups
from analytics.compute.trajectories import plan_vs_actual, plans, project, set_plan
from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.model.levels import Level
from analytics.model.periods import period_label
from analytics.store.db import Database
from analytics.wording import formatting
from tests.conftest import ROOT, snapshot
from ui import charts

PAGE = "pages/dynamics.py"
DATABASES = INDICATORS_BY_ID["databases"]


def open_page() -> AppTest:
    return AppTest.from_file(str(ROOT / PAGE), default_timeout=30).run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def plan_frame(at: AppTest):
    """The plan's table (not the chart's data table, whose first column is its name)."""
    return next(
        df.value
        for df in at.dataframe
        if "План" in df.value.columns and charts.NAME not in df.value.columns
    )


@pytest.fixture
def planned(demo_db_path: Path) -> list[str]:
    """Plans for the whole demo: 54 % in the first period, 75 % in the second, 100 % in
    the year after the last."""
    with Database(demo_db_path) as db:
        periods = lookups.periods(db)
        future = f"{int(periods[-1][:4]) + 1}/{int(periods[-1][:4]) + 2}"
        for period, value in zip([*periods[:2], future], (54.0, 75.0, 100.0), strict=True):
            set_plan(db, "databases", period, value)
        return [*periods[:2], future]


def test_the_plan_table_is_the_engines_plan_against_actual(
    planned: list[str], demo_db_path: Path, tmp_path: Path
):
    copy = snapshot(demo_db_path, tmp_path)
    series = plan_vs_actual(copy, "databases", Level.TOTAL, 0)
    at = open_page()
    at.selectbox(key="plan_indicator").set_value("databases").run()
    assert_clean(at)
    table = plan_frame(at)
    assert table.values.tolist() == [
        [
            period_label(row.period),
            "—" if row.planned != row.planned else formatting.percent(row.planned),
            "—" if row.actual != row.actual else formatting.percent(row.actual),
            "—"
            if row.difference != row.difference
            else formatting.indicator_difference(DATABASES, row.difference),
            {True: "да", False: "нет"}.get(row.met, "—"),
        ]
        for row in series.itertuples(index=False)
    ]
    assert table["Период"].tolist()[-1] == period_label(planned[-1])
    assert project(series, DATABASES).text in [m.value.replace("\\", "") for m in at.markdown]


def test_a_plan_typed_into_the_form_is_stored_for_the_filters_territory(
    demo_db_path: Path, tmp_path: Path
):
    at = open_page()
    at.selectbox(key="plan_indicator").set_value("databases").run()
    at.text_input(key="plan_period").input("2030")
    at.number_input(key="plan_value").set_value(90.0)
    next(b for b in at.button if b.label == "Сохранить план").click().run()
    assert_clean(at)
    stored = plans(snapshot(demo_db_path, tmp_path), "databases", Level.TOTAL, 0)
    assert stored[["period", "planned"]].values.tolist() == [["2030", 90.0]]
    assert plan_frame(at)["План"].tolist()[-1] == formatting.percent(90.0)


def test_an_impossible_period_is_refused_in_russian(demo_db_path: Path):
    at = open_page()
    at.text_input(key="plan_period").input("когда-нибудь")
    next(b for b in at.button if b.label == "Сохранить план").click().run()
    assert [e.value for e in at.error] == [
        "План не сохранён: период «когда-нибудь»: период — год (2022) или учебный год (2022/2023)."
    ]
