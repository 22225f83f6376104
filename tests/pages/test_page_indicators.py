"""The «Показатели» page: what it says where chart images cannot be made."""

from __future__ import annotations

import json

import numpy as np

from analytics.compute import lookups
from analytics.compute.indicators import compute
from analytics.documents.images import CHROMIUM_VARIABLE, UNAVAILABLE_MESSAGE
from analytics.model import legend
from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.model.levels import Level
from analytics.store.scope import Scope
from analytics.wording import formatting
from tests.apptest import assert_clean, open_page

PAGE = "pages/indicators.py"


def test_without_chromium_the_page_says_once_that_chart_images_are_unavailable(copy, monkeypatch):
    monkeypatch.setenv(CHROMIUM_VARIABLE, "")  # as on a machine without chromium

    at = open_page(PAGE, {"ind": "databases"})

    assert_clean(at)
    assert len(at.get("plotly_chart")) >= 2
    assert [c.value for c in at.main.caption].count(UNAVAILABLE_MESSAGE) == 1
    assert "PNG" not in [b.label for b in at.get("download_button")]


def test_the_distribution_shows_numpys_histogram_of_the_organisations_values(copy):
    at = open_page(PAGE, {"ind": "teachers_involved"})

    assert_clean(at)
    period = lookups.default_period(copy)
    frame = compute(copy, Scope(periods=(period,), levels=(Level.ORGANIZATION,)))
    rows = frame[(frame["indicator"] == "teachers_involved") & frame["value"].notna()]
    counts, _ = np.histogram(rows["value"], bins=20, range=(0, 100))
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    bars = next(
        c["data"][0] for c in charts if "распределение организаций" in c["layout"]["title"]["text"]
    )
    assert bars["y"] == [int(c) for c in counts]
    assert bars["width"] == [5.0] * 20
    most = int(np.argmax(counts))
    assert bars["hovertext"][most] == (
        f"от {5 * most}\u00a0% до {5 * most + 5}\u00a0%: {counts[most]} ОО"
    )
    meets = int((rows["status"] == "green").sum())
    assert f"Достигли цели {meets} из {len(rows)} организаций." in [c.value for c in at.caption]


def test_a_chosen_organisation_is_shown_beside_its_town_with_its_place_in_the_ranking(copy):
    period = lookups.default_period(copy)
    hierarchy = lookups.hierarchy(copy)
    town = hierarchy[hierarchy["municipality"] == "г. Сарапул"]
    municipality_id = int(town["municipality_id"].iloc[0])
    frame = compute(
        copy,
        Scope(periods=(period,), levels=(Level.ORGANIZATION,), municipality_id=municipality_id),
    )
    rows = frame[(frame["indicator"] == "teachers_involved") & frame["value"].notna()]
    ranked = rows.sort_values("value", ascending=False, kind="stable").reset_index(drop=True)
    place = len(ranked) // 2
    chosen = ranked.iloc[place]
    name = chosen["organization"]
    # Ties would make the place depend on the order of equal values.
    assert (ranked["value"] == chosen["value"]).sum() == 1
    value = formatting.explanation(
        INDICATORS_BY_ID["teachers_involved"],
        chosen["numerator"],
        chosen["denominator"],
        chosen["value"],
        chosen["target"],
    )

    at = open_page(PAGE, {"ind": "teachers_involved", "municipality": str(municipality_id)})
    assert not at.info or all("Выбранная" not in i.value for i in at.info)
    at.selectbox(key="flt_org").set_value(int(chosen["org_id"])).run()

    assert_clean(at)
    notes = [i.value.replace("\\", "") for i in at.info]
    assert (
        f"Выбранная организация «{name}»: {value} — {legend.label_of(chosen['status'])}; "
        "в рейтинге ниже она среди всех организаций фильтра."
    ) in notes
    captions = [c.value.replace("\\", "") for c in at.caption]
    assert f"Выбранная организация «{name}» — место {place + 1} из {len(ranked)}." in captions
