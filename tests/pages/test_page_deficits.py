"""The «Дефициты» page: the status heatmap, deficit counts per organisation and per
territory, and the lists of organisations that miss an indicator.

Expectations come from the engine on a copy of the database, never from the page.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.compute import lookups
from analytics.compute.indicators import compute
from analytics.documents.exports import table_csv, table_xlsx
from analytics.model import legend
from analytics.model.catalogue import INDICATORS, INDICATORS_BY_ID
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.wording import formatting
from tests import apptest
from tests.apptest import assert_clean
from ui import matrix
from ui.page import BREAKDOWNS

PAGE = "pages/deficits.py"

TABLES = {
    "organizations": lambda columns: (
        "Организация" in columns and "Из них далеко от цели" in columns
    ),
    "territories": lambda columns: "Территория" in columns and "ОО с дефицитами" in columns,
    "shortfall": lambda columns: "Отставание" in columns,
}


def open_page(query: dict[str, str] | None = None) -> AppTest:
    return apptest.open_page(PAGE, query)


def table(at: AppTest, name: str) -> pd.DataFrame:
    """A table of the page, told apart by its columns."""
    frames = [df.value for df in at.dataframe]
    return next(f for f in frames if TABLES[name](list(f.columns)))


def figure(at: AppTest, n: int) -> dict:
    return json.loads(at.get("plotly_chart")[n].proto.spec)


def latest(db: Database) -> str:
    return lookups.periods(db)[-1]


def org_rows(db: Database, **scope: object) -> pd.DataFrame:
    frame = compute(db, Scope(periods=(latest(db),), levels=(Level.ORGANIZATION,), **scope))
    return frame[frame["level"] == Level.ORGANIZATION]


def test_the_list_for_an_indicator_names_every_organisation_that_misses_it(copy: Database):
    indicator = INDICATORS_BY_ID["databases"]
    rows = org_rows(copy)
    missed = rows[(rows["indicator"] == "databases") & rows["deficit"]]
    expected = sorted(
        (
            org,
            municipality,
            formatting.percent(value),
            formatting.fraction(indicator, n, d),
            formatting.points(gap),
        )
        for org, municipality, value, n, d, gap in zip(
            missed["organization"],
            missed["municipality"],
            missed["value"],
            missed["numerator"],
            missed["denominator"],
            missed["gap"],
            strict=True,
        )
    )

    at = open_page()
    at.selectbox(key="def_indicator").set_value("databases").run()

    assert_clean(at)
    shown = table(at, "shortfall")
    assert len(shown) == len(missed) > 0
    actual = sorted(
        zip(
            shown["Организация"],
            shown["Муниципалитет"],
            shown["Значение"],
            shown["Из чего"],
            shown["Отставание"],
            strict=True,
        )
    )
    assert actual == expected
    assert set(shown["Цель"]) == {"100\u00a0%"}


def test_the_list_puts_the_largest_gap_first(copy: Database):
    at = open_page()
    at.selectbox(key="def_indicator").set_value("teachers_involved").run()

    assert_clean(at)
    gaps = table(at, "shortfall")["Отставание"]
    numbers = [float(g.split("\u00a0")[0].replace(",", ".")) for g in gaps]
    assert numbers == sorted(numbers, reverse=True)


def test_the_deficit_counts_per_organisation_are_the_engines(copy: Database):
    rows = org_rows(copy)
    valued = rows[rows["value"].notna()]
    counts = valued.groupby(["organization", "municipality"])["deficit"].sum()
    expected = {key: int(n) for key, n in counts.items() if n > 0}

    at = open_page()

    assert_clean(at)
    shown = table(at, "organizations")
    actual = dict(
        zip(
            zip(shown["Организация"], shown["Муниципалитет"], strict=True),
            shown["Показателей с дефицитом"].astype(int),
            strict=True,
        )
    )
    assert actual == expected
    assert list(shown["Показателей с дефицитом"]) == sorted(
        shown["Показателей с дефицитом"], reverse=True
    )


def test_the_deficit_counts_per_municipality_are_the_engines(copy: Database):
    frame = compute(copy, Scope(periods=(latest(copy),), levels=(Level.MUNICIPALITY,)))
    valued = frame[frame["value"].notna()]
    expected = {
        name: f"{int(part['deficit'].sum())}/{len(part)}"
        for name, part in valued.groupby("municipality")
    }

    at = open_page()

    assert_clean(at)
    assert at.radio(key="count_level").value == "Муниципалитеты"
    shown = table(at, "territories")
    actual = {
        name: f"{n}/{of}"
        for name, n, of in zip(
            shown["Территория"],
            shown["Показателей с дефицитом"],
            shown["Показателей с данными"],
            strict=True,
        )
    }
    assert actual == expected


def test_the_heatmap_of_municipalities_shows_status_value_and_fraction_on_hover(
    copy: Database,
):
    frame = compute(copy, Scope(periods=(latest(copy),), levels=(Level.MUNICIPALITY,)))
    row = frame[frame["indicator"] == "databases"].iloc[0]
    indicator = INDICATORS_BY_ID["databases"]

    at = open_page()
    at.radio(key="heat_level").set_value("Муниципалитеты").run()

    assert_clean(at)
    heatmap = next(t for t in figure(at, 0)["data"] if t["type"] == "heatmap")
    assert row["municipality"] in heatmap["y"]
    y = heatmap["y"].index(row["municipality"])
    # Columns are numbered in the catalogue's order, their names in the key above.
    number = [i.id for i in INDICATORS].index("databases") + 1
    x = heatmap["x"].index(indicator.short)
    assert figure(at, 0)["layout"]["xaxis"]["ticktext"][x] == str(number)
    assert f"<b>{number}</b> — {indicator.short}</span>" in " ".join(c.value for c in at.caption)
    hover = heatmap["customdata"][y][x]
    assert formatting.fraction(indicator, row["numerator"], row["denominator"]) in hover
    assert formatting.percent(row["value"]) in hover
    assert indicator.name in hover
    assert heatmap["z"][y][x] == matrix.STATUS_CODES[row["status"]]
    colours = {c for _, c in heatmap["colorscale"]}
    assert colours == set(legend.STATUS_COLOURS.values())


def test_choosing_a_municipality_narrows_the_lists_to_its_organisations(copy: Database):
    hierarchy = lookups.hierarchy(copy)
    municipality_id = int(hierarchy["municipality_id"].iloc[-1])
    name = hierarchy.loc[hierarchy["municipality_id"] == municipality_id, "municipality"].iloc[0]
    rows = org_rows(copy, municipality_id=municipality_id)
    missed = rows[(rows["indicator"] == "databases") & rows["deficit"]]

    at = open_page()
    before = len(table(at, "organizations"))
    at.selectbox(key="flt_municipality").set_value(municipality_id).run()
    at.selectbox(key="def_indicator").set_value("databases").run()

    assert_clean(at)
    organizations = table(at, "organizations")
    assert set(organizations["Муниципалитет"]) == {name}
    assert len(organizations) < before
    shortfall = table(at, "shortfall")
    assert sorted(shortfall["Организация"]) == sorted(missed["organization"])
    assert name in at.caption[0].value.replace("\\", "")


def test_an_empty_database_asks_for_an_upload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "empty.duckdb"
    Database(path).close()
    monkeypatch.setenv("MONITORING_DB", str(path))

    at = open_page()

    assert_clean(at)
    assert "Загрузите файлы на странице «Данные»" in at.warning[0].value
    assert not at.dataframe


def empty_district_and_type(db: Database) -> tuple[int, int, str]:
    """A (municipality, district, org type) under which there is no organisation."""
    hierarchy = lookups.hierarchy(db).dropna(subset=["district_id"])
    present = set(zip(hierarchy["district_id"], hierarchy["org_type"], strict=True))
    for row in hierarchy.drop_duplicates("district_id").itertuples():
        for org_type in ("school", "preschool", "additional", "vocational"):
            if (row.district_id, org_type) not in present:
                return int(row.municipality_id), int(row.district_id), org_type
    pytest.skip("в демонстрационных данных в каждом районе есть ОО каждого типа")


def test_filters_that_match_no_organisation_say_to_change_the_filters(copy: Database):
    municipality_id, district_id, org_type = empty_district_and_type(copy)

    at = open_page()
    at.selectbox(key="flt_municipality").set_value(municipality_id).run()
    at.selectbox(key="flt_district").set_value(district_id).run()
    at.selectbox(key="flt_type").set_value(org_type).run()

    assert_clean(at)
    assert "Для выбранных фильтров нет данных" in at.warning[0].value
    assert "фильтрах слева" in at.warning[0].value
    assert not at.dataframe


def test_a_school_named_like_a_formula_shows_as_typed_and_exports_as_text(
    demo_db_path: Path, copy: Database
):
    rows = org_rows(copy)
    victim = rows[(rows["indicator"] == "databases") & rows["deficit"]].iloc[0]
    hostile = '=HYPERLINK("http://example.com";"<b>**жми**</b>")'
    rename = "UPDATE organizations SET name = ? WHERE org_id = ?"
    with Database(demo_db_path) as db, db.transaction() as cur:
        cur.execute(rename, [hostile, int(victim["org_id"])])
    with copy.transaction() as cur:
        cur.execute(rename, [hostile, int(victim["org_id"])])

    at = open_page()
    at.selectbox(key="def_indicator").set_value("databases").run()
    at.selectbox(key="heat_rows").set_value(0).run()

    assert_clean(at)
    assert hostile in set(table(at, "shortfall")["Организация"])
    heatmap = next(t for t in figure(at, 0)["data"] if t["type"] == "heatmap")
    # The row label is shortened to fit the projector's width; the hover names it whole.
    assert any(label.startswith("=HYPERLINK") for label in heatmap["y"])
    assert not any("<b>" in label for label in heatmap["y"])
    hovers = [cell for row in heatmap["customdata"] for cell in row]
    assert any("=HYPERLINK" in h and "&lt;b&gt;**жми**&lt;/b&gt;" in h for h in hovers)
    exported = matrix.shortfall_table(
        matrix.unit_rows(org_rows(copy), BREAKDOWNS[Level.ORGANIZATION]), "databases"
    )
    text = table_csv(exported).decode("utf-8-sig")
    assert "'" + hostile.replace('"', '""') in text
    assert table_csv(exported).startswith("\ufeff".encode())


def test_a_row_limit_the_new_filters_rule_out_falls_back_to_the_default(copy: Database):
    hierarchy = lookups.hierarchy(copy)
    sizes = hierarchy.groupby("municipality_id").size()
    municipality_id = int(sizes[(sizes > 30) & (sizes <= 120)].index[0])

    at = open_page()
    at.selectbox(key="heat_rows").set_value(120).run()
    at.selectbox(key="flt_municipality").set_value(municipality_id).run()

    assert_clean(at)
    assert at.selectbox(key="heat_rows").value == 30
    heatmap = next(t for t in figure(at, 0)["data"] if t["type"] == "heatmap")
    assert len(heatmap["y"]) == 30


def test_the_shortfall_xlsx_holds_values_and_gaps_as_numbers_coloured_by_status(copy: Database):
    rows = org_rows(copy)
    missed = rows[(rows["indicator"] == "databases") & rows["deficit"]]
    worst = missed.sort_values("gap", ascending=False, kind="stable").iloc[0]
    export, formats, statuses = matrix.shortfall_export(rows, "databases")
    content = table_xlsx(
        export, "Не достигли цели", cell_formats=formats, status_column="Статус", statuses=statuses
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[4]]
    first = {name: sheet.cell(row=5, column=n + 1) for n, name in enumerate(header)}
    assert (first["Значение"].data_type, first["Значение"].number_format) == ("n", '0.0" %"')
    assert first["Значение"].value == pytest.approx(float(worst["value"]))
    assert (first["Знаменатель"].value, first["Знаменатель"].number_format) == (
        int(worst["denominator"]),
        "#,##0",
    )
    assert first["Отставание"].value == pytest.approx(float(worst["gap"]))
    assert (
        first["Статус"].fill.fgColor.rgb
        == {"red": "00D55E00", "yellow": "00F0C24A"}[worst["status"]]
    )


def test_with_more_organisations_than_a_page_draws_it_shows_territories_and_says_why(
    copy: Database, monkeypatch: pytest.MonkeyPatch
):
    import ui.page

    monkeypatch.setattr(ui.page, "ORG_CHOICE_LIMIT", 5)
    under = len(lookups.hierarchy(copy))

    at = open_page()

    assert_clean(at)
    assert [i.value for i in at.info if i.value.startswith("Под фильтрами")] == [
        f"Под фильтрами {formatting.organizations(under)}: карта и списки организаций "
        "строятся после выбора региона или муниципалитета в боковой панели. Ниже — "
        "сводные значения территорий."
    ]
    assert [f for f in at.dataframe if "Организация" in f.value.columns] == []
    assert "def_indicator" not in [s.key for s in at.selectbox]
    assert len(at.get("plotly_chart")) == 1


def test_one_chosen_organisation_narrows_the_page_from_its_town_to_its_own_deficits(
    copy: Database,
):
    hierarchy = lookups.hierarchy(copy)
    town = hierarchy[hierarchy["municipality"] == "г. Сарапул"]
    municipality_id = int(town["municipality_id"].iloc[0])
    rows = org_rows(copy, municipality_id=municipality_id)
    missed = rows[rows["deficit"]]
    per_org = missed.groupby("org_id")["indicator"].nunique()
    org_id = int(per_org.sort_values(ascending=False, kind="stable").index[0])
    name = town.loc[town["org_id"] == org_id, "organization"].iloc[0]
    own = missed[missed["org_id"] == org_id]
    indicator = sorted(own["indicator"])[0]

    at = open_page()
    at.selectbox(key="flt_municipality").set_value(municipality_id).run()
    heatmap = next(t for t in figure(at, 0)["data"] if t["type"] == "heatmap")
    assert len(town) == 28
    assert len(heatmap["y"]) == 28
    at.selectbox(key="flt_org").set_value(org_id).run()
    at.selectbox(key="def_indicator").set_value(indicator).run()

    assert_clean(at)
    notes = [i.value.replace("\\", "") for i in at.info]
    assert any(n.startswith(f"Выбрана организация «{name}»: ниже только её") for n in notes)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Организаций в мониторинге"] == "1"
    assert metrics["Организаций с дефицитами"] == "1"
    heatmap = next(t for t in figure(at, 0)["data"] if t["type"] == "heatmap")
    assert len(heatmap["y"]) == 1
    organizations = table(at, "organizations")
    assert organizations["Организация"].tolist() == [name]
    assert organizations["Показателей с дефицитом"].tolist() == [len(own)]
    assert organizations["Из них далеко от цели"].tolist() == [
        int((own["status"] == legend.Status.RED).sum())
    ]
    assert table(at, "shortfall")["Организация"].tolist() == [name]
    assert not [f for f in at.dataframe if TABLES["territories"](list(f.value.columns))]
