"""The «Динамика» page: what improved and what worsened since the previous period, every
indicator across periods, one indicator's path in each territory.

Expectations come from the engine on a copy of the database, never from the page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from plotly.subplots import make_subplots
from streamlit.testing.v1 import AppTest

from analytics.compute import lookups
from analytics.compute.indicators import compute
from analytics.ingest.load import ingest_file
from analytics.model.catalogue import INDICATORS, INDICATORS_BY_ID
from analytics.model.levels import Level
from analytics.model.periods import period_label
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.wording import formatting
from tests import apptest
from tests.apptest import assert_clean
from tests.conftest import DATA, sample_defaults
from ui import matrix

PAGE = "pages/dynamics.py"


def open_page() -> AppTest:
    return apptest.open_page(PAGE)


def expected_changes(db: Database, **scope: object) -> dict[str, dict[str, str]]:
    """Per indicator name: the two values, the change as the page writes it and whether
    it is better (lower is better for mentor_load)."""
    previous, current = lookups.periods(db)[-2:]
    frame = compute(db, Scope(levels=(Level.TOTAL,), **scope))
    result = {}
    for indicator in INDICATORS:
        rows = frame[frame["indicator"] == indicator.id].set_index("period")["value"]
        before, after = rows.get(previous), rows.get(current)
        if before is None or after is None or pd.isna(before) or pd.isna(after):
            continue
        delta = after - before
        if round(delta, 1) == 0:
            kind = "same"
        else:
            better = (delta > 0) == (indicator.better == "higher")
            kind = "improved" if better else "worsened"
        arrow = "▲ " if delta > 0 else "▼ "
        result[indicator.name] = {
            "kind": kind,
            period_label(previous): formatting.indicator_value(indicator, before),
            period_label(current): formatting.indicator_value(indicator, after),
            "Изменение": (arrow if kind != "same" else "")
            + formatting.indicator_difference(indicator, delta if kind != "same" else 0.0),
        }
    return result


HEADINGS = {"Что улучшилось": "improved", "Что ухудшилось": "worsened"}


def change_tables(at: AppTest) -> dict[str, pd.DataFrame]:
    """The «Что улучшилось» and «Что ухудшилось» tables, told apart by their first
    column's heading; the first column renamed «Показатель»."""
    tables = {}
    for frame in at.dataframe:
        heading = frame.value.columns[0]
        if heading in HEADINGS:
            tables[HEADINGS[heading]] = frame.value.rename(columns={heading: "Показатель"})
    return tables


def shown_changes(at: AppTest) -> dict[str, dict[str, str]]:
    result = {}
    for kind, table in change_tables(at).items():
        for record in table.drop(columns=["Цель", "Статус"]).to_dict("records"):
            name = record.pop("Показатель")
            result[name] = {"kind": kind, **record}
    return result


def test_the_change_tables_show_each_indicators_change_since_the_previous_period(
    copy: Database,
):
    expected = expected_changes(copy)

    at = open_page()

    assert_clean(at)
    moved = {name: row for name, row in expected.items() if row["kind"] != "same"}
    assert shown_changes(at) == moved
    assert len(moved) >= 2


def test_a_rise_in_mentor_load_counts_as_worsening(copy: Database):
    expected = expected_changes(copy)[INDICATORS_BY_ID["mentor_load"].name]
    assert expected["Изменение"].startswith("▲"), "демо-данные: нагрузка выросла"

    at = open_page()

    assert_clean(at)
    worsened = change_tables(at)["worsened"]
    row = worsened[worsened["Показатель"] == INDICATORS_BY_ID["mentor_load"].name]
    assert row["Изменение"].tolist() == [expected["Изменение"]]
    improved = change_tables(at)["improved"]
    assert INDICATORS_BY_ID["mentor_load"].name not in set(improved["Показатель"])


def test_percent_changes_are_in_percentage_points(copy: Database):
    at = open_page()

    assert_clean(at)
    improved = change_tables(at)["improved"]
    row = improved[improved["Показатель"] == INDICATORS_BY_ID["databases"].name].iloc[0]
    assert row["Изменение"].endswith("п.\u00a0п.")
    assert row["Изменение"][:3] in ("▲ +", "▼ −")


def test_a_municipality_filter_compares_that_municipalitys_values(copy: Database):
    hierarchy = lookups.hierarchy(copy)
    municipality_id = int(hierarchy["municipality_id"].iloc[-1])
    expected = expected_changes(copy, municipality_id=municipality_id)

    at = open_page()
    before = shown_changes(at)
    at.selectbox(key="flt_municipality").set_value(municipality_id).run()

    assert_clean(at)
    shown = shown_changes(at)
    assert shown == {name: row for name, row in expected.items() if row["kind"] != "same"}
    assert shown != before


def test_the_territory_table_follows_one_indicator_in_each_municipality(copy: Database):
    previous, current = lookups.periods(copy)[-2:]
    frame = compute(copy, Scope(levels=(Level.MUNICIPALITY,), indicators=("completion",)))
    values = frame.pivot_table(index="municipality", columns="period", values="value")
    indicator = INDICATORS_BY_ID["completion"]

    at = open_page()
    at.selectbox(key="dyn_indicator").set_value("completion").run()

    assert_clean(at)
    table = next(f.value for f in at.dataframe if "Оценка" in f.value.columns)
    shown = table.set_index("Территория")
    assert sorted(shown.index) == sorted(values.index)
    for name, row in values.iterrows():
        assert shown.loc[name, period_label(previous)] == formatting.percent(row[previous])
        assert shown.loc[name, period_label(current)] == formatting.percent(row[current])
        delta = row[current] - row[previous]
        assert shown.loc[name, "Изменение"].endswith(
            formatting.indicator_difference(indicator, delta)
        )


def test_with_more_municipalities_than_a_chart_holds_it_follows_regions_and_says_why(
    copy: Database, monkeypatch: pytest.MonkeyPatch
):
    hierarchy = lookups.hierarchy(copy)
    municipalities = hierarchy["municipality_id"].nunique()
    monkeypatch.setattr(matrix, "UNIT_LIMIT", municipalities - 1)

    at = open_page()

    assert_clean(at)
    assert at.radio(key="dyn_level").value == "Регионы"
    assert "Муниципалитеты" not in at.radio(key="dyn_level").options
    assert (
        f"Муниципалитеты ({municipalities}) сравниваются после выбора региона или "
        "муниципалитета в боковой панели." in [c.value for c in at.caption]
    )
    table = next(f.value for f in at.dataframe if "Оценка" in f.value.columns)
    assert sorted(table["Территория"]) == sorted(hierarchy["region"].unique())


def chart(at: AppTest, title: str) -> dict:
    """The spec of the chart titled ``title``."""
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(s for s in specs if s["layout"]["title"]["text"] == title)


def test_the_overview_draws_each_indicators_values_in_its_own_cell_of_the_grid(copy: Database):
    total = compute(copy, Scope(levels=(Level.TOTAL,)))
    periods = lookups.periods(copy)
    drawn = [i for i in INDICATORS if total.loc[total["indicator"] == i.id, "value"].notna().any()]
    rows = -(-len(drawn) // 3)
    grid = make_subplots(
        rows=rows,
        cols=3,
        subplot_titles=[i.short for i in drawn],
        vertical_spacing=0.5 / rows / 2,
        horizontal_spacing=0.06,
    ).to_plotly_json()["layout"]

    at = open_page()

    assert_clean(at)
    spec = chart(at, "Показатели по периодам")
    for n in range(rows * 3):
        name = "" if n == 0 else str(n + 1)
        for axis in ("xaxis", "yaxis"):
            shown = spec["layout"][f"{axis}{name}"]
            made = grid[f"{axis}{name}"]
            assert (shown["anchor"], shown["domain"]) == (made["anchor"], made["domain"])
    assert [(a["text"], a["x"], a["y"]) for a in spec["layout"]["annotations"]] == [
        (a["text"], a["x"], a["y"]) for a in grid["annotations"]
    ]
    bars = [t for t in spec["data"] if t["type"] == "bar"]
    for n, (indicator, bar) in enumerate(zip(drawn, bars, strict=True)):
        values = total[total["indicator"] == indicator.id].set_index("period")["value"]
        assert bar["xaxis"] == ("x" if n == 0 else f"x{n + 1}")
        assert bar["x"] == [period_label(p) for p in periods]
        assert bar["y"] == pytest.approx([values[p] for p in periods], nan_ok=True)


def test_the_territory_chart_draws_a_line_per_municipality_with_its_values(copy: Database):
    frame = compute(copy, Scope(levels=(Level.MUNICIPALITY,), indicators=("completion",)))
    periods = lookups.periods(copy)
    values = frame.pivot_table(index="municipality", columns="period", values="value")

    at = open_page()
    at.selectbox(key="dyn_indicator").set_value("completion").run()

    assert_clean(at)
    spec = chart(at, f"{INDICATORS_BY_ID['completion'].short} по муниципалитетам: динамика")
    lines = {t["name"]: t["y"] for t in spec["data"] if t["name"] != "Цель"}
    assert sorted(lines) == sorted(values.index)
    for name, row in values.iterrows():
        assert lines[name] == pytest.approx([row.get(p) for p in periods], nan_ok=True)


def test_the_first_period_has_nothing_to_compare_with(copy: Database):
    first = lookups.periods(copy)[0]

    at = open_page()
    at.selectbox(key="flt_period").set_value(first).run()

    assert_clean(at)
    assert any("первый период в базе" in i.value for i in at.info)
    assert not change_tables(at)


def test_a_database_with_one_period_says_there_is_nothing_to_compare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "one.duckdb"
    with Database(path) as db:
        ingest_file(db, DATA / "glazov_2023.xlsx", defaults=sample_defaults("glazov_2023.xlsx"))
    monkeypatch.setenv("MONITORING_DB", str(path))

    at = open_page()

    assert_clean(at)
    assert any("только за один период" in i.value for i in at.info)
    assert not at.dataframe
    assert not at.get("plotly_chart")


def test_an_empty_database_asks_for_an_upload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "empty.duckdb"
    Database(path).close()
    monkeypatch.setenv("MONITORING_DB", str(path))

    at = open_page()

    assert_clean(at)
    assert "Загрузите файлы на странице «Данные»" in at.warning[0].value
    assert not at.dataframe


def test_a_chosen_organisation_is_named_with_where_its_own_dynamics_are(copy: Database):
    hierarchy = lookups.hierarchy(copy)
    org = hierarchy[hierarchy["municipality"] == "г. Сарапул"].iloc[0]

    at = apptest.open_page(PAGE, {"org": str(int(org["org_id"]))})

    assert_clean(at)
    assert [i.value.replace("\\", "") for i in at.info if "Выбрана" in i.value] == [
        f"Выбрана организация «{org['organization']}»: здесь динамика территорий по всем "
        "их организациям. Динамика самой организации по периодам — на странице «Организация»."
    ]
