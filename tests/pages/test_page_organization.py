"""The «Организация» page: the organisation picker, the profile, the comparison with its
territory, the history, the forms as entered and the data-quality findings.

Expectations come from the engine on a copy of the database, never from the page.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.compute import lookups, quality
from analytics.compute.indicators import compute
from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.model.levels import Level
from analytics.model.periods import period_of, sort_periods
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.wording import formatting
from tests import apptest
from tests.apptest import assert_clean

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/organization.py"


def open_page(query: dict[str, str] | None = None) -> AppTest:
    return apptest.open_page(PAGE, query)


def latest(db: Database) -> str:
    return lookups.periods(db)[-1]


def reporting_org(db: Database, period: str) -> pd.Series:
    """An organisation with a form for ``period`` (the first in the hierarchy's order)."""
    forms = lookups.form_values(db, period)
    hierarchy = lookups.hierarchy(db)
    return hierarchy[hierarchy["org_id"].isin(forms["org_id"])].iloc[0]


TABLES = {
    "comparison": lambda columns: "ОО" in columns and "Цель" in columns,
    "history": lambda columns: columns[0] == "Показатель" and "ОО" not in columns,
    "submitted": lambda columns: "Вопрос формы" in columns,
    "quality": lambda columns: "Замечание" in columns,
}


def table(at: AppTest, name: str) -> pd.DataFrame:
    """A table of the page, told apart by its columns (st.dataframe has no key here)."""
    frames = [df.value for df in at.dataframe]
    return next(f for f in frames if TABLES[name](list(f.columns)))


def test_without_a_chosen_organisation_the_page_offers_every_organisation_under_the_filters(
    copy: Database,
):
    expected = lookups.hierarchy(copy)

    at = open_page()

    assert_clean(at)
    picker = at.selectbox(key="org_choice")
    assert len(picker.options) == len(expected)
    assert picker.value is None


def test_a_municipality_filter_narrows_the_organisations_offered(copy: Database):
    hierarchy = lookups.hierarchy(copy)
    municipality_id = int(hierarchy["municipality_id"].iloc[-1])
    expected = hierarchy[hierarchy["municipality_id"] == municipality_id]

    at = open_page()
    at.selectbox(key="flt_municipality").set_value(municipality_id).run()

    assert_clean(at)
    assert len(at.selectbox(key="org_choice").options) == len(expected) < len(hierarchy)


def test_choosing_an_organisation_shows_its_profile_and_puts_it_in_the_url(copy: Database):
    org = reporting_org(copy, latest(copy))

    at = open_page()
    at.selectbox(key="org_choice").set_value(int(org["org_id"])).run()

    assert_clean(at)
    assert at.header[0].value.replace("\\", "") == org["organization"]
    assert at.query_params["org"] == str(int(org["org_id"]))
    facts = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "**Тип ОО:** " in facts
    assert org["municipality"] in facts
    if isinstance(org["inn"], str) and org["inn"]:
        assert f"**ИНН:** {org['inn']}" in facts


def test_a_link_with_an_organisation_opens_its_profile(copy: Database):
    org = reporting_org(copy, latest(copy))

    at = open_page({"org": str(int(org["org_id"]))})

    assert_clean(at)
    assert at.header[0].value.replace("\\", "") == org["organization"]


def test_the_organisation_indicators_are_shown_beside_its_municipality_region_and_target(
    copy: Database,
):
    period = latest(copy)
    org = reporting_org(copy, period)
    frame = compute(copy, Scope(periods=(period,), region_id=int(org["region_id"])))
    own = frame[(frame["level"] == Level.ORGANIZATION) & (frame["org_id"] == org["org_id"])]
    municipality = frame[
        (frame["level"] == Level.MUNICIPALITY)
        & (frame["municipality_id"] == org["municipality_id"])
    ].set_index("indicator")
    region = frame[
        (frame["level"] == Level.REGION) & (frame["region_id"] == org["region_id"])
    ].set_index("indicator")

    at = open_page({"org": str(int(org["org_id"])), "period": period})

    assert_clean(at)
    shown = table(at, "comparison").set_index("Показатель")
    checked = 0
    for row in own.itertuples(index=False):
        if row.indicator == "reporting":
            continue
        indicator = INDICATORS_BY_ID[row.indicator]
        line = shown.loc[indicator.short]
        value = None if pd.isna(row.value) else row.value
        assert line["ОО"] == formatting.indicator_value(indicator, value)
        assert line["Цель"] == formatting.target_bound(indicator, row.target)
        mun = municipality.loc[row.indicator, "value"]
        reg = region.loc[row.indicator, "value"]
        assert line["Муниципалитет"] == formatting.indicator_value(
            indicator, None if pd.isna(mun) else mun
        )
        assert line["Регион"] == formatting.indicator_value(
            indicator, None if pd.isna(reg) else reg
        )
        checked += 1
    assert checked == len(shown)


def test_the_comparison_chart_title_names_the_organisation_and_states_the_filters(
    copy: Database,
):
    period = latest(copy)
    org = reporting_org(copy, period)

    at = open_page({"org": str(int(org["org_id"])), "period": period})

    layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    title = html.unescape(layout["title"]["text"])
    subtitle = html.unescape(layout["title"]["subtitle"]["text"])
    assert title.startswith(org["organization"])
    assert subtitle == (
        f"{period_of(period).label} · {org['region']} · {org['municipality']} · все типы ОО"
    )


def test_changing_the_period_filter_changes_the_values_shown(copy: Database):
    periods = lookups.periods(copy)
    if len(periods) < 2:
        pytest.skip("the demo data has a single period")
    org = reporting_org(copy, periods[-1])

    at = open_page({"org": str(int(org["org_id"])), "period": periods[-1]})
    before = [s.value for s in at.subheader]
    at.selectbox(key="flt_period").set_value(periods[0]).run()

    assert_clean(at)
    after = [s.value for s in at.subheader]
    assert before != after
    form_periods = set(lookups.submitted_values(copy, int(org["org_id"])).columns[1:])
    facts = " ".join(m.value for m in at.markdown)
    expected = "представлена" if periods[0] in form_periods else "не представлена"
    assert f":** {expected}" in facts


def test_the_submitted_values_are_shown_as_entered(copy: Database):
    org = reporting_org(copy, latest(copy))
    expected = lookups.submitted_values(copy, int(org["org_id"]))

    at = open_page({"org": str(int(org["org_id"]))})

    shown = table(at, "submitted")
    assert shown["Вопрос формы"].tolist() == expected["Вопрос формы"].tolist()
    for period in expected.columns[1:]:
        assert shown[period_of(period).label].tolist() == expected[period].tolist()


def test_only_the_organisations_own_quality_findings_are_listed(copy: Database):
    findings = quality.findings(copy)
    if findings.empty:
        pytest.skip("the demo data has no quality findings")
    org_id = int(findings["org_id"].value_counts().index[0])
    expected = findings[findings["org_id"] == org_id]

    at = open_page({"org": str(org_id)})

    assert_clean(at)
    shown = table(at, "quality")
    assert len(shown) == len(expected)
    assert sorted(shown["Замечание"]) == sorted(expected["detail"])


def test_the_history_lists_every_period_with_a_value(copy: Database):
    org = reporting_org(copy, latest(copy))
    frame = compute(copy, Scope(region_id=int(org["region_id"])))
    own = frame[(frame["level"] == Level.ORGANIZATION) & (frame["org_id"] == org["org_id"])]
    periods = sort_periods(own.dropna(subset=["value"])["period"].unique().tolist())

    at = open_page({"org": str(int(org["org_id"]))})

    shown = table(at, "history")
    assert len(shown.columns) == 1 + len(periods)


def test_with_more_organisations_than_a_list_holds_the_page_searches_by_name_or_inn(
    copy: Database, monkeypatch: pytest.MonkeyPatch
):
    import ui.page

    monkeypatch.setattr(ui.page, "ORG_CHOICE_LIMIT", 5)
    hierarchy = lookups.hierarchy(copy)
    wanted = hierarchy[hierarchy["organization"].str.contains("№ 1", regex=False)]

    at = open_page()
    assert "org_choice" not in [s.key for s in at.selectbox]
    at.text_input(key="org_search").input("№ 1").run()

    options = at.selectbox(key="org_choice").options
    assert len(options) == min(5, len(wanted))
    sidebar = [c.value for c in at.sidebar.caption]
    assert any(
        c.startswith(f"Под фильтрами {formatting.organizations(len(hierarchy))}") for c in sidebar
    )
    assert at.sidebar.selectbox(key="flt_org").options == ["все организации"]
