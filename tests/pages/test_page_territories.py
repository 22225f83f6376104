"""The «Территории» page: the scorecard of territories × indicators coloured by status,
and the charts comparing territories on chosen indicators.

Expectations come from the engine on a copy of the database, never from the page.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.compute import lookups
from analytics.compute.indicators import compute
from analytics.model import legend
from analytics.model.catalogue import INDICATORS
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.wording import formatting
from tests import apptest
from tests.apptest import assert_clean
from ui import matrix

PAGE = "pages/territories.py"
TOTAL_LABEL = "Всего по фильтрам"


def open_page() -> AppTest:
    return apptest.open_page(PAGE)


def periods(db: Database) -> list[str]:
    return lookups.periods(db)


def expected_scorecard(db: Database, period: str, level: Level, **scope: object) -> pd.DataFrame:
    """What the scorecard must show: a row per unit of ``level`` and the scope's total,
    a column of formatted values per indicator."""
    frame = compute(db, Scope(periods=(period,), levels=(Level.TOTAL, level), **scope))
    column = {Level.MUNICIPALITY: "municipality", Level.DISTRICT: "district"}[level]
    records = {}
    for label, part in [
        *frame[frame["level"] == level].groupby(column, sort=False),
        (TOTAL_LABEL, frame[frame["level"] == Level.TOTAL]),
    ]:
        values = part.set_index("indicator")["value"]
        records[label] = {
            i.short: formatting.indicator_value(i, None if pd.isna(values[i.id]) else values[i.id])
            for i in INDICATORS
        }
    return pd.DataFrame.from_dict(records, orient="index")


def scorecard_groups(at: AppTest) -> Iterator[pd.DataFrame]:
    """The scorecard's table for each group of indicators, as a person clicks through
    them (the page shows one group at a time)."""
    for title in at.radio(key="terr_group").options:
        at.radio(key="terr_group").set_value(title).run()
        yield at.table[0]


def shown_scorecard(at: AppTest) -> pd.DataFrame:
    parts = [table.value.set_index("Территория") for table in scorecard_groups(at)]
    return pd.concat(parts, axis=1)[[i.short for i in INDICATORS]]


def cell_backgrounds(table) -> dict[tuple[int, int], str]:
    """The background colour of each styled cell of a scorecard table, by (row, column)."""
    styles = table.proto.arrow_data.styler.styles
    colours: dict[tuple[int, int], str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", styles):
        colour = re.search(r"background-color:\s*(#[0-9A-Fa-f]{6})", body)
        if not colour:
            continue
        for row, col in re.findall(r"_row(\d+)_col(\d+)", selectors):
            colours[(int(row), int(col))] = colour.group(1)
    return colours


def numbers(data: object) -> list[float]:
    """A plotly array from a figure's JSON: a list, or base64 typed data."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def test_the_scorecard_shows_every_municipality_on_every_indicator(copy: Database):
    expected = expected_scorecard(copy, periods(copy)[-1], Level.MUNICIPALITY)

    at = open_page()

    assert_clean(at)
    assert at.radio(key="terr_level").value == "Муниципалитеты"
    shown = shown_scorecard(at)
    assert list(shown.index)[-1] == TOTAL_LABEL
    pd.testing.assert_frame_equal(
        shown.sort_index(), expected.sort_index(), check_names=False, check_dtype=False
    )


def test_each_scorecard_cell_is_coloured_by_its_status(copy: Database):
    period = periods(copy)[-1]
    frame = compute(copy, Scope(periods=(period,), levels=(Level.MUNICIPALITY,)))

    at = open_page()

    assert_clean(at)
    checked = 0
    for table in scorecard_groups(at):
        shown = table.value
        colours = cell_backgrounds(table)
        columns = list(shown.columns)
        for row, name in enumerate(shown["Территория"]):
            if name == TOTAL_LABEL:
                continue
            unit = frame[frame["municipality"] == name].set_index("indicator")
            for indicator in INDICATORS:
                if indicator.short not in columns:
                    continue
                status = unit.loc[indicator.id, "status"]
                status = None if status is None or pd.isna(status) else status
                column = columns.index(indicator.short)
                assert colours[(row, column)] == legend.STATUS_COLOURS[status], name
                checked += 1
        assert (0, columns.index("Территория")) not in colours
    assert checked == 15 * frame["municipality"].nunique()


def test_a_legend_under_the_scorecard_explains_the_colours(copy: Database):
    at = open_page()

    assert_clean(at)
    shown = next(c.value for c in at.caption if c.value.startswith("Цвета:"))
    for status, colour in legend.STATUS_COLOURS.items():
        assert colour in shown
        assert legend.label_of(status) in shown


def test_choosing_districts_compares_the_districts(copy: Database):
    expected = expected_scorecard(copy, periods(copy)[-1], Level.DISTRICT)

    at = open_page()
    at.radio(key="terr_level").set_value("Районы").run()

    assert_clean(at)
    pd.testing.assert_frame_equal(
        shown_scorecard(at).sort_index(),
        expected.sort_index(),
        check_names=False,
        check_dtype=False,
    )


def test_choosing_an_earlier_period_shows_that_periods_values(copy: Database):
    first = periods(copy)[0]
    expected = expected_scorecard(copy, first, Level.MUNICIPALITY)

    at = open_page()
    before = shown_scorecard(at)
    at.selectbox(key="flt_period").set_value(first).run()

    assert_clean(at)
    shown = shown_scorecard(at)
    assert not shown.equals(before)
    pd.testing.assert_frame_equal(
        shown.sort_index(), expected.sort_index(), check_names=False, check_dtype=False
    )


def test_a_region_filter_compares_only_its_municipalities(copy: Database):
    hierarchy = lookups.hierarchy(copy)
    region_id = int(hierarchy["region_id"].iloc[-1])
    expected = expected_scorecard(copy, periods(copy)[-1], Level.MUNICIPALITY, region_id=region_id)

    at = open_page()
    at.selectbox(key="flt_region").set_value(region_id).run()

    assert_clean(at)
    shown = shown_scorecard(at)
    assert len(shown) < len(hierarchy["municipality_id"].unique()) + 1
    pd.testing.assert_frame_equal(
        shown.sort_index(), expected.sort_index(), check_names=False, check_dtype=False
    )


def test_with_more_municipalities_than_a_page_compares_it_compares_regions_and_says_why(
    copy: Database, monkeypatch: pytest.MonkeyPatch
):
    hierarchy = lookups.hierarchy(copy)
    municipalities = hierarchy["municipality_id"].nunique()
    monkeypatch.setattr(matrix, "UNIT_LIMIT", municipalities - 1)

    at = open_page()

    assert_clean(at)
    assert at.radio(key="terr_level").value == "Регионы"
    assert "Муниципалитеты" not in at.radio(key="terr_level").options
    assert (
        f"Муниципалитеты ({municipalities}) сравниваются после выбора региона или "
        "муниципалитета в боковой панели." in [c.value for c in at.caption]
    )
    shown = shown_scorecard(at)
    assert sorted(shown.index) == sorted([*hierarchy["region"].unique(), TOTAL_LABEL])


def test_the_charts_compare_the_territories_on_the_chosen_indicator(copy: Database):
    frame = compute(copy, Scope(periods=(periods(copy)[-1],), levels=(Level.MUNICIPALITY,)))
    rows = frame[frame["indicator"] == "mentor_load"]

    at = open_page()
    at.multiselect(key="terr_charts").set_value(["mentor_load"]).run()

    assert_clean(at)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = spec["data"][0]
    shown = dict(zip(bars["y"], numbers(bars["x"]), strict=True))
    assert shown == pytest.approx(dict(zip(rows["municipality"], rows["value"], strict=True)))
    assert "Нагрузка на наставника по муниципалитетам" in spec["layout"]["title"]["text"]


def test_an_empty_database_asks_for_an_upload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "empty.duckdb"
    Database(path).close()
    monkeypatch.setenv("MONITORING_DB", str(path))

    at = open_page()

    assert_clean(at)
    assert "Загрузите файлы на странице «Данные»" in at.warning[0].value
    assert not at.table


def test_a_chosen_organisation_is_named_with_why_the_territories_are_compared_whole(
    copy: Database,
):
    hierarchy = lookups.hierarchy(copy)
    org = hierarchy[hierarchy["municipality"] == "г. Сарапул"].iloc[0]

    at = apptest.open_page(PAGE, {"org": str(int(org["org_id"]))})

    assert_clean(at)
    assert [i.value.replace("\\", "") for i in at.info if "Выбрана" in i.value] == [
        f"Выбрана организация «{org['organization']}»: здесь сравниваются территории по "
        "всем их организациям. Её показатели рядом с показателями её территорий — на "
        "странице «Организация», её дефициты — на странице «Дефициты»."
    ]
