"""Every chart has a text alternative (issue 25, item 4): on every page, each chart is
followed by its figures as a table one click away, «Таблица данных»."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.compute import lookups
from analytics.compute.indicators import compute
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.wording import formatting
from tests.apptest import assert_clean, open_page
from ui import charts

# The pages that draw charts as they open (the organisation's once one is chosen); a
# meeting's chart is drawn by the same helper (``ui.charts.plot``).
CHARTED = [
    "pages/indicators.py",
    "pages/deficits.py",
    "pages/territories.py",
    "pages/dynamics.py",
    "pages/organization.py",
]


def data_tables(at) -> list:
    return [e for e in at.expander if e.label == charts.DATA_TABLE_LABEL]


@pytest.mark.parametrize("page", CHARTED)
def test_every_chart_on_a_page_has_its_data_table(demo_db_path: Path, page: str):
    with Database(demo_db_path) as db:
        org_id = int(lookups.hierarchy(db)["org_id"].iloc[0])

    at = open_page(page, {"org": str(org_id)} if page.endswith("organization.py") else None)

    assert_clean(at)
    drawn = len(at.get("plotly_chart"))
    assert drawn > 0
    assert len(data_tables(at)) == drawn


def test_the_municipalities_heatmaps_table_holds_a_municipalitys_value(demo_db_path: Path):
    with Database(demo_db_path) as db:
        period = lookups.periods(db)[-1]
        frame = compute(db, Scope(periods=(period,), levels=(Level.MUNICIPALITY,)))
    row = frame[frame["indicator"] == "databases"].dropna(subset=["value"]).iloc[0]

    at = open_page("pages/deficits.py")
    at.radio(key="heat_level").set_value("Муниципалитеты").run()

    assert_clean(at)
    table = data_tables(at)[0].dataframe[0].value
    shown = table.set_index(charts.NAME).loc[row["municipality"], "Базы наставников и наставляемых"]
    assert shown == formatting.number(row["value"], 0)
