"""«План и факт» and the progress of decisions for a curator (issue 24, item 8): the
values are the territory's shares at the page's precision, so neither the values nor
their differences give back the count behind them (15 of 35 trained mentors is 42,857…
%, which names its 35; 42,9 names only 429/10)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from analytics.meetings.decisions import Assignment
from analytics.meetings.meetings import Sitting
from analytics.model.levels import Level
from analytics.operations.access import LOCAL_PRINCIPAL, Principal, View
from analytics.operations.users import Role
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.compute.test_disclosure import LATER, PERIOD, form, load
from tests.filemakers import org_id


@pytest.fixture
def glazov(fresh_db: Database) -> tuple[View, int]:
    """Five schools of г. Глазов, seven mentors each; trained: 1, 2, 3, 4, 5 (15 of 35)
    in 2022/2023 and 2, 3, 4, 5, 6 (20 of 35) in 2023/2024; a plan of 90 % for 2023/2024
    and a decision on the town; the curator's view of СОШ № 1."""
    rows = [
        form(f"СОШ № {n}", "г. Глазов", period=period, mentors=7, mentors_trained=n + shift)
        for period, shift in ((PERIOD, 0), (LATER, 1))
        for n in range(1, 6)
    ]
    load(fresh_db, rows)
    admin = View(fresh_db, LOCAL_PRINCIPAL)
    town = int(
        fresh_db.scalar("SELECT municipality_id FROM municipalities WHERE name = 'г. Глазов'")
    )
    admin.set_plan("mentors_trained", LATER, 90.0, Level.MUNICIPALITY, town)
    meeting = admin.create_meeting(
        Scope(periods=(PERIOD,), municipality_id=town), Sitting(date(2023, 6, 1))
    )
    admin.add_decision(
        meeting,
        Scope(municipality_id=town, indicators=("mentors_trained",)),
        Assignment("Обучить наставников", "Иванова А. П.", date(2023, 12, 1)),
    )
    own = frozenset({org_id(fresh_db, "СОШ № 1")})
    return View(fresh_db, Principal("куратор", Role.CURATOR, own)), town


def tenths(values) -> list[Fraction]:
    """Each value as its closest fraction with a denominator up to 1000 (a full double
    of 15 of 35 would give 300/7)."""
    return [Fraction(float(v)).limit_denominator(1000) for v in values]


def test_a_curators_plan_and_fact_carries_the_towns_shares_in_tenths(glazov):
    view, town = glazov

    series = view.plan_vs_actual("mentors_trained", Scope(municipality_id=town))

    assert series["actual"].tolist() == [42.9, 57.1]
    assert series["difference"].tolist()[1] == pytest.approx(-32.9)
    assert all(f.denominator in (1, 2, 5, 10) for f in tenths(series["actual"]))


def test_a_curators_decision_progress_carries_the_towns_shares_in_tenths(glazov):
    view, _ = glazov

    progress = view.decision_progress(view.decisions())

    row = progress.iloc[0]
    assert (row["before"], row["after"]) == (42.9, 57.1)
    assert row["delta"] == pytest.approx(14.2)
    assert row["summary"] == (
        "42,9\u00a0% → 57,1\u00a0% (+14,2\u00a0п.\u00a0п., 2023/2024 уч. год): улучшился, "
        "цель не достигнута"
    )
    assert all(
        f.denominator in (1, 2, 5, 10) for f in tenths([row["before"], row["after"], row["delta"]])
    )
