"""«Обзор» with one organisation chosen in the sidebar: the overview is that
organisation's. Expectations come from the engine on a copy of the database."""

from __future__ import annotations

from analytics.compute import lookups
from analytics.compute.indicators import compute
from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.model.levels import Level
from analytics.model.periods import period_label
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.wording import formatting
from tests.apptest import assert_clean, open_page

PAGE = "dashboard.py"


def test_a_chosen_organisation_makes_the_overview_its_own_down_to_the_count_of_organisations(
    copy: Database,
):
    period = lookups.default_period(copy)
    org = lookups.hierarchy(copy).iloc[0]
    frame = compute(copy, Scope(periods=(period,), levels=(Level.ORGANIZATION,)))
    own = frame[frame["org_id"] == org["org_id"]].set_index("indicator")
    indicator = INDICATORS_BY_ID["databases"]

    at = open_page(PAGE, {"org": str(int(org["org_id"]))})

    assert_clean(at)
    captions = [c.value.replace("\\", "") for c in at.caption]
    assert f"{org['organization']} · {period_label(period)}" in captions
    metrics = {m.label.split(" :")[0]: m.value for m in at.metric}
    assert metrics["Организаций в мониторинге"] == "1"
    assert metrics[indicator.short] == formatting.indicator_value(
        indicator, own.loc["databases", "value"]
    )
