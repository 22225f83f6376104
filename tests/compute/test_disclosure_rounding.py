"""Territory values reach a curator at the precision the pages show, never as full doubles.

A share is ``k / n`` of the yes-answers and the organisations taking part: sent as a full
double (``54.83870967741935``), continued fractions give ``17/31`` back, the counts the
curator must not see. Rounded to 0,1 (``54.8``), its best rational approximations up to
any denominator bound below 10 000 are the decimal itself: its denominator divides 10
(1000 for the share as a fraction of 1), whatever the counts were. The status stays the
one judged on the exact value, the same a coordinator sees.
"""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.model.levels import Level
from analytics.operations.access import LOCAL_PRINCIPAL, Principal, View
from analytics.operations.users import Role
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.compute.test_disclosure import curator, form, load
from tests.filemakers import org_id

# The largest denominator continued fractions are asked for: far beyond any count of a
# district's or municipality's organisations or a region's yes-answers in the demo.
BOUND = 10_000
PERIOD = "2022/2023"
ZAVYALOVO_COLLEGE = "БПОУ УР «Завьяловский политехнический колледж»"
KEYS = ["indicator", "level", "period", "region_id", "municipality_id", "district_id"]


@pytest.fixture(scope="module")
def demo(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Database:
    """A copy of the demo database, only read by the tests of this module."""
    target = tmp_path_factory.mktemp("rounding") / "monitoring.duckdb"
    shutil.copy(demo_template, target)
    with Database(target) as db:
        yield db


def territory_values(frame: pd.DataFrame) -> pd.DataFrame:
    rows = frame[(frame["level"] != str(Level.ORGANIZATION)) & frame["value"].notna()]
    return rows.reset_index(drop=True)


def carries_only_its_decimal(value: float) -> bool:
    """True where ``value`` is a one-decimal number: ten times it is an integer, and the
    denominator continued fractions recover (up to :data:`BOUND`) divides 10."""
    recovered = Fraction(value).limit_denominator(BOUND)
    return 10 % recovered.denominator == 0 and abs(value * 10 - round(value * 10)) < 1e-9


def test_a_municipalitys_share_reaches_a_curator_without_its_counts(demo: Database):
    # The measured leak: «Базы наставников» of Завьяловский район in 2022/2023 is
    # 17 of the 31 organisations taking part, and the double 54.83870967741935 said so.
    scope = Scope(periods=(PERIOD,), indicators=("databases",))
    exact = View(demo, LOCAL_PRINCIPAL).indicators(scope)
    municipality = exact[
        (exact["level"] == str(Level.MUNICIPALITY))
        & (exact["municipality"] == "Завьяловский район")
    ]
    assert (municipality["numerator"].iloc[0], municipality["denominator"].iloc[0]) == (17, 31)

    seen = curator(demo, ZAVYALOVO_COLLEGE).indicators(scope)
    value = seen.loc[seen["level"] == str(Level.MUNICIPALITY), "value"].iloc[0]

    assert value == 54.8
    assert Fraction(value).limit_denominator(BOUND) == Fraction(274, 5)


@st.composite
def curators(draw: st.DrawFn, org_ids: list[int]) -> frozenset[int]:
    return frozenset(draw(st.lists(st.sampled_from(org_ids), min_size=1, max_size=3)))


def demo_org_ids(db: Database) -> list[int]:
    return [int(o) for o in db.query("SELECT org_id FROM organizations ORDER BY org_id")["org_id"]]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_no_territory_value_a_curator_sees_gives_back_its_fraction(demo: Database, data):
    own = data.draw(curators(demo_org_ids(demo)))
    view = View(demo, Principal("куратор", Role.CURATOR, own))
    org_type = data.draw(st.sampled_from([None, "school", "preschool", "additional", "vocational"]))
    frame = pd.concat(
        [territory_values(view.indicators(Scope(org_type=t))) for t in {None, org_type}]
    )
    municipality = int(view.territories()["municipality_id"].iloc[0])
    indicator = data.draw(st.sampled_from(sorted(INDICATORS_BY_ID)))
    plan = view.plan_vs_actual(indicator, Scope(municipality_id=municipality))

    assert not frame.empty
    for value in [*frame["value"], *frame["gap"].dropna(), *plan["actual"].dropna()]:
        assert carries_only_its_decimal(float(value)), value


def test_a_curator_sees_the_status_a_coordinator_sees_for_every_territory(demo: Database):
    admin = territory_values(View(demo, LOCAL_PRINCIPAL).indicators(Scope()))
    for name in (ZAVYALOVO_COLLEGE, "МАДОУ «Детский сад № 3»"):
        seen = territory_values(curator(demo, name).indicators(Scope()))
        both = seen.merge(admin, on=KEYS, suffixes=("", "_exact"))

        assert len(both) == len(seen) > 0
        assert both["status"].tolist() == both["status_exact"].tolist()
        assert both["deficit"].tolist() == both["deficit_exact"].tolist()
        assert (both["value"] - both["value_exact"]).abs().max() <= 0.05


def test_a_load_just_over_its_target_is_shown_rounded_onto_it_and_still_yellow(
    fresh_db: Database,
):
    # 76 mentees on 25 mentors: 3,04 against a target of at most 3 — yellow; shown as
    # 3,0, which a curator must not see turn green.
    mentors = {"СОШ № 1": 7, "СОШ № 2": 6, "СОШ № 3": 6, "СОШ № 4": 6}
    load(fresh_db, [form(n, "г. Глазов", mentors=m, mentees=19) for n, m in mentors.items()])
    admin = View(fresh_db, LOCAL_PRINCIPAL).indicators(Scope(indicators=("mentor_load",)))
    exact = admin[admin["level"] == str(Level.MUNICIPALITY)].iloc[0]
    assert (exact["value"], exact["status"]) == (pytest.approx(3.04), "yellow")

    frame = curator(fresh_db, "СОШ № 1").indicators(Scope(indicators=("mentor_load",)))
    seen = frame[frame["level"] == str(Level.MUNICIPALITY)].iloc[0]

    assert (seen["value"], seen["status"], bool(seen["deficit"])) == (3.0, "yellow", True)
    assert org_id(fresh_db, "СОШ № 1") in frame["org_id"].dropna().tolist()
