"""The «Настройки» page: target overrides per indicator, period and territory.

The app keeps its own connection to the database, so the tests read copies of the file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.compute import lookups
from analytics.compute.indicators import compute
from analytics.compute.targets import list_targets
from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.model.legend import label_of as status_label
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.store.signoff import SignOff, get_signoff
from analytics.wording import formatting
from tests import apptest
from tests.conftest import snapshot

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/settings.py"


def open_page(query: dict[str, str] | None = None, page: str = PAGE) -> AppTest:
    return apptest.open_page(page, query)


def effective(at: AppTest) -> pd.DataFrame:
    frame = next(df.value for df in at.dataframe if "Действующая цель" in df.value.columns)
    return frame.set_index("Показатель")


def total_row(db: Database, period: str, indicator: str) -> pd.Series:
    frame = compute(db, Scope(periods=(period,), indicators=(indicator,)))
    return frame[frame["level"] == Level.TOTAL].iloc[0]


def a_red_indicator(db: Database, period: str) -> pd.Series:
    """A share below 80 % of its target for everything in ``period``."""
    frame = compute(db, Scope(periods=(period,)))
    rows = frame[(frame["level"] == Level.TOTAL) & (frame["status"] == "red")]
    rows = rows[[INDICATORS_BY_ID[i].is_percent for i in rows["indicator"]]]
    if rows.empty:
        pytest.skip("no red share in the demo data")
    return rows.iloc[0]


def set_form(at: AppTest, indicator: str, value: str, level: Level = Level.TOTAL) -> None:
    at.selectbox(key="target_indicator").set_value(indicator).run()
    at.selectbox(key="target_level").set_value(level).run()
    at.text_input(key="target_value").input(value)


def save(at: AppTest) -> AppTest:
    return next(b for b in at.button if b.label == "Сохранить цель").click().run()


def test_the_settings_page_shows_the_targets_in_force_for_the_filters(copy: Database):
    period = lookups.periods(copy)[-1]
    frame = compute(copy, Scope(periods=(period,)))
    total = frame[frame["level"] == Level.TOTAL]

    at = open_page({"period": period})

    assert not at.exception
    assert not at.error
    shown = effective(at)
    for row in total.itertuples(index=False):
        indicator = INDICATORS_BY_ID[row.indicator]
        line = shown.loc[indicator.name]
        value = None if pd.isna(row.value) else row.value
        assert line["Значение"] == formatting.indicator_value(indicator, value)
        assert line["Действующая цель"] == formatting.target_bound(indicator, row.target)
        status = None if pd.isna(row.status) else row.status
        assert line["Статус"] == status_label(status)
    assert any("Цели не менялись" in i.value for i in at.info) == list_targets(copy).empty


def test_setting_a_target_changes_the_status_shown(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    period = lookups.periods(copy)[-1]
    red = a_red_indicator(copy, period)
    indicator = INDICATORS_BY_ID[red["indicator"]]
    at = open_page({"period": period})
    assert effective(at).loc[indicator.name, "Статус"] == "значительно ниже цели"

    set_form(at, indicator.id, formatting.number(red["value"] / 2, 1))
    save(at)

    assert not at.error, [e.value for e in at.error]
    line = effective(at).loc[indicator.name]
    assert line["Статус"] == "цель достигнута"
    after = snapshot(demo_db_path, tmp_path)
    assert total_row(after, period, indicator.id)["status"] == "green"
    overrides = list_targets(after)
    assert overrides[["indicator", "level"]].values.tolist() == [[indicator.id, "total"]]
    assert pd.isna(overrides["period"].iloc[0])


def test_a_target_for_a_territory_reaches_the_organisation_page(copy: Database, demo_db_path: Path):
    period = lookups.periods(copy)[-1]
    forms = lookups.form_values(copy, period)
    org = forms.iloc[0]
    indicator = INDICATORS_BY_ID["teachers_involved"]
    at = open_page({"period": period, "municipality": str(int(org["municipality_id"]))})
    set_form(at, indicator.id, "12,5", Level.MUNICIPALITY)
    assert at.selectbox(key="target_territory_municipality").value == org["municipality_id"]
    save(at)

    profile = open_page(
        {"period": period, "org": str(int(org["org_id"]))}, page="pages/organization.py"
    )

    table = next(df.value for df in profile.dataframe if "Цель" in df.value.columns)
    line = table.set_index("Показатель").loc[indicator.short]
    assert line["Цель"] == f"12,5{formatting.NBSP}%"


def test_a_share_target_above_100_is_refused_with_an_error(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    at = open_page()
    set_form(at, "databases", "150")

    save(at)

    assert any("от 0 до 100" in e.value for e in at.error)
    after = snapshot(demo_db_path, tmp_path)
    assert after.data_version() == copy.data_version()


def test_a_target_that_is_not_a_number_is_refused(copy: Database):
    at = open_page()
    set_form(at, "databases", "сто")

    save(at)

    assert any("числом" in e.value for e in at.error)


def test_removing_a_target_brings_back_the_default(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    period = lookups.periods(copy)[-1]
    at = open_page({"period": period})
    set_form(at, "databases", "10")
    save(at)
    assert effective(at).loc[INDICATORS_BY_ID["databases"].name, "Действующая цель"] == (
        f"10{formatting.NBSP}%"
    )

    at.selectbox(key="remove_choice").set_value(0).run()
    next(b for b in at.button if b.label == "Удалить цель").click().run()

    assert effective(at).loc[INDICATORS_BY_ID["databases"].name, "Действующая цель"] == (
        f"100{formatting.NBSP}%"
    )
    assert list_targets(snapshot(demo_db_path, tmp_path)).empty


def test_choosing_a_region_shows_the_targets_in_force_there(copy: Database):
    period = lookups.periods(copy)[-1]
    hierarchy = lookups.hierarchy(copy)
    region_id = int(hierarchy["region_id"].iloc[0])
    at = open_page({"period": period})
    before = effective(at).loc[INDICATORS_BY_ID["curator"].name, "Действующая цель"]
    set_form(at, "curator", "55", Level.REGION)
    at.selectbox(key="target_territory_region").set_value(region_id).run()
    save(at)
    assert effective(at).loc[INDICATORS_BY_ID["curator"].name, "Действующая цель"] == before

    at.selectbox(key="flt_region").set_value(region_id).run()

    assert effective(at).loc[INDICATORS_BY_ID["curator"].name, "Действующая цель"] == (
        f"55{formatting.NBSP}%"
    )


def test_the_sign_off_typed_on_settings_is_stored_for_the_note(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    at = open_page()
    typed = {
        "organization": "МАУ ИМЦ «Альтернатива»",
        "position": "Директор",
        "signatory": "С. М. Давыдова",
        "executor": "Кардакова Е. А.",
        "contacts": "8(3412)57-31-56",
    }
    for name, value in typed.items():
        at.text_input(key=f"signoff_{name}").input(value)
    next(b for b in at.button if b.label == "Сохранить подпись").click().run()

    assert not at.error, [e.value for e in at.error]
    assert at.success[0].value == "Подпись справки сохранена."
    assert at.text_input(key="signoff_signatory").value == "С. М. Давыдова"
    assert get_signoff(snapshot(demo_db_path, tmp_path)) == SignOff(**typed)
