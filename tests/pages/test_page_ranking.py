"""One ranking of deficits on every page: Обзор lists the largest deficits in the order of
the ranking worked out apart from the engine (:mod:`tests.ranking`) with the key beside
each; «Показатели» and «Дефициты» open on the first deficit and «Территории» charts the
largest four. On the demo database, 2023/2024, all territories, the ranking is «Доля
обучающихся 10–18 лет …» (51 % of its target behind), «Доля молодых специалистов …»
(42 %), «Доля ОО, разместивших программы на сайте» (40 %), «Доля наставников, прошедших
обучение» (36 %), …"""

from __future__ import annotations

import pandas as pd

from analytics.compute import lookups
from analytics.compute.indicators import compute
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests import ranking
from tests.apptest import assert_clean, open_page

FIRST_FOUR = ["students_mentored", "young_mentored", "program_site", "mentors_trained"]


def expected(db: Database) -> pd.DataFrame:
    """The deficits of the whole demo region in the default period, ranked apart from the
    engine."""
    period = lookups.default_period(db)
    return ranking.ranked(compute(db, Scope(periods=(period,), levels=(Level.TOTAL,))))


def test_the_demo_ranking_worked_out_from_the_values_starts_with_pupils_aged_10_to_18(copy):
    found = expected(copy)
    assert list(found["indicator"].head(4)) == FIRST_FOUR
    assert [ranking.key_text(k) for k in found["key"].head(4)] == [
        "51\u00a0% от цели",
        "42\u00a0% от цели",
        "40\u00a0% от цели",
        "36\u00a0% от цели",
    ]


def test_the_overview_lists_the_five_largest_deficits_in_ranking_order_with_their_key(copy):
    at = open_page("dashboard.py")

    assert_clean(at)
    found = expected(copy).head(5)
    lines = [m.value for m in at.main.markdown if m.value[:3] in {f"{n}. " for n in range(1, 6)}]
    assert len(lines) == 5
    for n, (line, (_, row)) in enumerate(zip(lines, found.iterrows(), strict=True), start=1):
        assert line.startswith(f"{n}. ")
        assert f"**{row['name']}**" in line
        assert line.endswith(f"; отставание — {ranking.key_text(row['key'])}")


def test_the_overview_first_deficit_reads_as_measured(copy):
    at = open_page("dashboard.py")

    first = next(m.value for m in at.main.markdown if m.value.startswith("1. "))
    assert first.replace("\\", "") == (
        "1. :red[●] **Доля обучающихся 10–18 лет, вовлечённых в наставничество**: "
        "30\u00a0619 из 89\u00a0070 обучающихся (34,4\u00a0%) — цель 70\u00a0%; "
        "отставание — 51\u00a0% от цели"
    )


def test_the_indicators_page_opens_on_the_first_deficit(copy):
    at = open_page("pages/indicators.py")

    assert_clean(at)
    assert at.selectbox(key="indicator").value == expected(copy)["indicator"].iloc[0]
    assert at.selectbox(key="indicator").value == "students_mentored"


def test_the_deficits_page_opens_its_lists_on_the_first_deficit_and_says_its_place(copy):
    at = open_page("pages/deficits.py")

    assert_clean(at)
    assert at.selectbox(key="def_indicator").value == expected(copy)["indicator"].iloc[0]
    # The caption is Markdown: its punctuation is escaped.
    captions = [c.value.replace("\\", "") for c in at.main.caption]
    assert "Дефицит 1 из 13 по величине: отставание — 51\u00a0% от цели." in captions


def test_the_territories_page_charts_the_four_largest_deficits_in_ranking_order(copy):
    at = open_page("pages/territories.py")

    assert_clean(at)
    assert at.multiselect(key="terr_charts").value == list(expected(copy)["indicator"].head(4))
    assert at.multiselect(key="terr_charts").value == FIRST_FOUR


def test_the_dynamics_page_and_its_plan_open_on_the_first_deficit(copy):
    at = open_page("pages/dynamics.py")

    assert_clean(at)
    first = expected(copy)["indicator"].iloc[0]
    assert at.selectbox(key="dyn_indicator").value == first
    assert at.selectbox(key="plan_indicator").value == first
