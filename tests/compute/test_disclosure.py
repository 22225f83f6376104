"""No arithmetic over what a curator sees gives away another organisation's figures.

The attacks of issues 14 and 24, each on a territory built for it, then a property test:
random small territories and curators, every value the curator's View returns (every
territory and org-type filter, all periods, plans, decisions, quality findings) as a
linear system (tests/disclosure_model.py) whose unknowns are the other organisations'
answers, shared by the indicators built on them — before and after the curator sends
their own form again with other numbers (two equations per value) — and no other
organisation's numerator, denominator or value determined by it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.compute import lookups
from analytics.compute.trajectories import territory_scope
from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.meetings.decisions import Assignment
from analytics.meetings.meetings import Sitting
from analytics.model.contract import FormKind
from analytics.model.levels import Level
from analytics.operations.access import LOCAL_PRINCIPAL, Principal, View
from analytics.operations.users import Role
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.disclosure_model import System
from tests.filemakers import FULL_COLUMNS, csv_bytes, org, org_id, table

REGION = "Удмуртская Республика"
PERIOD = "2022/2023"
LATER = "2023/2024"
TYPES = {"school": "СОШ", "preschool": "ДОУ", "additional": "УДО", "vocational": "колледж"}


def load(db: Database, rows: list[dict[str, object]]) -> None:
    """Forms of ``rows`` (each with region, municipality, district, period) in one file."""
    ingest_bytes(
        db, "формы.csv", csv_bytes(table(rows, FULL_COLUMNS)), FormKind.ORG_FORM, Defaults()
    )


def form(name: str, municipality: str, district: str | None = None, **answers: object) -> dict:
    return org(
        name,
        region=answers.pop("region", REGION),
        municipality=municipality,
        district=district,
        period=answers.pop("period", PERIOD),
        **answers,
    )


def curator(db: Database, *names: str) -> View:
    return View(db, Principal("куратор", Role.CURATOR, frozenset(org_id(db, n) for n in names)))


def territory_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["level"] != str(Level.ORGANIZATION)]


def shown_value(frame: pd.DataFrame, indicator: str, level: Level) -> object:
    rows = frame[(frame["indicator"] == indicator) & (frame["level"] == str(level))]
    return rows["value"].iloc[0] if len(rows) else "нет строки"


# --- the attacks of the issue ---------------------------------------------------------


@pytest.fixture
def two_school_municipality(fresh_db: Database) -> Database:
    """г. Глазов: the curator's СОШ № 1 and one other school; г. Сарапул and г. Воткинск:
    three schools each, in the same region."""
    rows = [form("СОШ № 1", "г. Глазов"), form("СОШ № 2", "г. Глазов", mentors_trained=1)]
    for town in ("г. Сарапул", "г. Воткинск"):
        rows += [form(f"{town} СОШ № {n}", town, mentors_trained=n) for n in (2, 3, 4)]
    load(fresh_db, rows)
    return fresh_db


def test_region_minus_other_municipalities_minus_own_school_finds_nothing(
    two_school_municipality: Database,
):
    db = two_school_municipality
    frame = curator(db, "СОШ № 1").indicators(Scope(periods=(PERIOD,)))
    mentors = frame[frame["indicator"] == "mentors_trained"]

    # The attack needs the region's and the other municipalities' counts: none are given.
    assert set(territory_rows(mentors)["municipality"].dropna()) == {"г. Глазов"}
    assert territory_rows(mentors)["numerator"].isna().all()
    assert territory_rows(mentors)["denominator"].isna().all()
    assert shown_value(mentors, "mentors_trained", Level.MUNICIPALITY) is None
    # 4 (СОШ № 1) + 1 + 2 + 3 + 4 + 2 + 3 + 4 trained of 8 × 5 mentors: the region's
    # share, over seven other schools, is shown.
    assert shown_value(mentors, "mentors_trained", Level.REGION) == pytest.approx(57.5)


def test_the_other_school_of_a_two_school_municipality_is_not_determined(
    two_school_municipality: Database,
):
    db = two_school_municipality
    system = everything_a_curator_sees(db, frozenset({org_id(db, "СОШ № 1")}))

    assert system.determined() == []


def test_the_lone_organisation_of_a_type_in_a_district_is_not_determined(fresh_db: Database):
    """Before, the all-types district total minus the schools-only total gave the one
    additional-education organisation of the district."""
    rows = [form("СОШ № 1", "г. Ижевск", "Ленинский район")]
    rows += [form(f"СОШ № {n}", "г. Ижевск", "Ленинский район") for n in (2, 3, 4)]
    rows += [form("ДЮСШ", "г. Ижевск", "Ленинский район", org_type="УДО", mentors_trained=1)]
    rows += [form(f"СОШ № {n}", "г. Ижевск", "Первомайский район") for n in (5, 6, 7)]
    load(fresh_db, rows)
    own = frozenset({org_id(fresh_db, "СОШ № 1")})
    view = View(fresh_db, Principal("куратор", Role.CURATOR, own))

    district = Scope(periods=(PERIOD,), levels=(Level.DISTRICT,))
    all_types = view.indicators(district)
    schools = view.indicators(Scope(periods=(PERIOD,), levels=(Level.DISTRICT,), org_type="school"))

    assert territory_rows(all_types)["numerator"].isna().all()
    assert territory_rows(schools)["numerator"].isna().all()
    assert everything_a_curator_sees(fresh_db, own).determined() == []


def test_a_school_without_a_district_is_not_determined(fresh_db: Database):
    """Before, the municipality minus the sum of its districts gave the school that has
    no district."""
    rows = [form(f"СОШ № {n}", "г. Ижевск", "Ленинский район") for n in (1, 2, 3, 4)]
    rows += [form(f"СОШ № {n}", "г. Ижевск", "Первомайский район") for n in (5, 6, 7)]
    rows += [form("Лицей без района", "г. Ижевск", mentors_trained=1)]
    load(fresh_db, rows)
    own = frozenset({org_id(fresh_db, "СОШ № 1")})

    frame = View(fresh_db, Principal("к", Role.CURATOR, own)).indicators(Scope(periods=(PERIOD,)))

    districts = frame[frame["level"] == str(Level.DISTRICT)]
    assert set(districts["district"]) == {"Ленинский район"}
    assert everything_a_curator_sees(fresh_db, own).determined() == []


@pytest.fixture
def plans_and_decisions(two_school_municipality: Database) -> Database:
    """Two periods, a plan and a decision on г. Глазов (the curator's СОШ № 1 and one
    other school)."""
    db = two_school_municipality
    load(
        db,
        [
            form("СОШ № 1", "г. Глазов", period=LATER),
            form("СОШ № 2", "г. Глазов", period=LATER, mentors_trained=2),
        ],
    )
    admin = View(db, LOCAL_PRINCIPAL)
    municipality = int(
        db.scalar("SELECT municipality_id FROM municipalities WHERE name = ?", ["г. Глазов"])
    )
    admin.set_plan("mentors_trained", LATER, 90.0, Level.MUNICIPALITY, municipality)
    meeting = admin.create_meeting(
        Scope(periods=(PERIOD,), municipality_id=municipality), Sitting(date(2023, 6, 1))
    )
    admin.add_decision(
        meeting,
        Scope(municipality_id=municipality, indicators=("mentors_trained",)),
        Assignment("Обучить наставников", "Иванова А. П.", date(2023, 12, 1)),
    )
    return db


def test_plan_and_fact_of_a_two_school_municipality_shows_no_actual_value(
    plans_and_decisions: Database,
):
    db = plans_and_decisions
    municipality = int(
        db.scalar("SELECT municipality_id FROM municipalities WHERE name = ?", ["г. Глазов"])
    )

    series = curator(db, "СОШ № 1").plan_vs_actual(
        "mentors_trained", Scope(municipality_id=municipality)
    )
    everyone = View(db, LOCAL_PRINCIPAL).plan_vs_actual(
        "mentors_trained", Scope(municipality_id=municipality)
    )

    assert everyone["actual"].notna().all()
    assert everyone["period"].tolist() == [PERIOD, LATER]
    assert series["period"].tolist() == [LATER]
    assert series["planned"].tolist() == [90.0]
    assert series["actual"].isna().all()
    assert series["difference"].isna().all()


def test_decision_progress_of_a_two_school_municipality_shows_no_value(
    plans_and_decisions: Database,
):
    view = curator(plans_and_decisions, "СОШ № 1")

    progress = view.decision_progress(view.decisions())

    assert progress[["before", "after", "delta"]].isna().all().all()
    assert progress["verdict"].tolist() == ["новых данных пока нет"]


def test_plans_and_decisions_determine_nothing(plans_and_decisions: Database):
    db = plans_and_decisions
    system = everything_a_curator_sees(db, frozenset({org_id(db, "СОШ № 1")}))

    assert system.determined() == []


def test_a_curators_outlier_finding_gives_no_figures_of_the_other_colleges(fresh_db: Database):
    """Before: «медиана 253,0, модифицированная z-оценка 4,0» — the others' raw counts."""
    counts = {
        "Колледж 1": 900,
        "Колледж 2": 250,
        "Колледж 3": 253,
        "Колледж 4": 256,
        "Колледж 5": 251,
    }
    load(
        fresh_db,
        [
            form(name, "г. Ижевск", org_type="колледж", students_10_18=n, student_mentees=10)
            for name, n in counts.items()
        ],
    )
    view = curator(fresh_db, "Колледж 1")

    found = view.findings(Scope(periods=(PERIOD,)))
    everyone = View(fresh_db, LOCAL_PRINCIPAL).findings(Scope(periods=(PERIOD,)))

    outliers = found[found["rule"] == "outlier"]
    assert "медиана 253,0" in " ".join(everyone["detail"])
    assert outliers["detail"].tolist() == [
        "намного больше, чем обычно у профессиональных образовательных организаций муниципалитета"
    ]
    assert outliers["value"].tolist() == ["900"]
    assert set(found["org_id"]) == {org_id(fresh_db, "Колледж 1")}


@pytest.fixture
def colleges(fresh_db: Database) -> Database:
    """г. Ижевск, the region's only municipality: the curator's Колледж 0 and four other
    colleges; Колледж 4 left «Завершили программу» blank, so it takes part in «нагрузка»
    (mentees over mentors) but not in «завершили» (completed over mentees)."""
    rows = [form(f"Колледж {n}", "г. Ижевск", org_type="колледж", mentees=6 + n) for n in range(4)]
    rows.append(
        form("Колледж 4", "г. Ижевск", org_type="колледж", mentees=11, mentees_completed=None)
    )
    load(fresh_db, rows)
    return fresh_db


def test_two_indicators_sharing_mentees_are_not_both_shown_over_sets_one_college_apart(
    colleges: Database,
):
    """The issue's attack: «нагрузка» over four other colleges and «завершили» over three
    of them both shown; a curator who learns both sums of mentees (by sending their own
    form twice) subtracts them and has Колледж 4's mentees."""
    frame = curator(colleges, "Колледж 0").indicators(Scope(periods=(PERIOD,)))

    load_value = shown_value(frame, "mentor_load", Level.MUNICIPALITY)
    completion_value = shown_value(frame, "completion", Level.MUNICIPALITY)

    # (6 + 7 + 8 + 9 + 11) mentees of 5 × 5 mentors: 41 / 25.
    assert load_value == pytest.approx(1.6)
    assert completion_value is None


def test_a_curator_who_sends_their_own_form_twice_determines_no_other_college(
    colleges: Database,
):
    """Two uploads of the curator's own form give two equations per shown value (the
    sums of its numerator and denominator over the others); across indicators that share
    mentees they still isolate no other college."""
    db = colleges
    own = frozenset({org_id(db, "Колледж 0")})
    system = everything_a_curator_sees(db, own, ("mentor_load", "completion"))
    load(
        db,
        [
            form(
                "Колледж 0",
                "г. Ижевск",
                org_type="колледж",
                mentors=2,
                mentors_trained=1,
                mentees=40,
                mentees_completed=35,
                teachers_total=90,
                satisfaction_pct=20,
            )
        ],
    )

    everything_a_curator_sees(db, own, ("mentor_load", "completion"), system)

    assert system.determined() == []


# --- everything a curator sees ----------------------------------------------------------


def everything_a_curator_sees(
    db: Database,
    own: frozenset[int],
    indicators: tuple[str, ...] | None = None,
    system: System | None = None,
) -> System:
    """Every value the curator's View returns, as equations: indicators under every
    territory filter (any id a URL can carry) and org type, for all periods; plan and
    fact for every territory; the progress of every decision; and their quality findings
    (which must hold no other organisation and no outlier figures). Added to ``system``
    where given: what the curator saw before, say, sending their own form again."""
    view = View(db, Principal("куратор", Role.CURATOR, own))
    system = system or System(db, own)
    hierarchy = lookups.hierarchy(db)
    types = [None, *sorted(set(hierarchy["org_type"]))]
    filters: list[dict[str, int]] = [{}]
    for r in hierarchy.drop_duplicates("region_id").itertuples():
        filters.append({"region_id": int(r.region_id)})
    for r in hierarchy.drop_duplicates("municipality_id").itertuples():
        filters.append({"region_id": int(r.region_id), "municipality_id": int(r.municipality_id)})
    for r in hierarchy.dropna(subset=["district_id"]).drop_duplicates("district_id").itertuples():
        filters.append(
            {
                "region_id": int(r.region_id),
                "municipality_id": int(r.municipality_id),
                "district_id": int(r.district_id),
            }
        )
    for chosen in filters:
        for org_type in types:
            scope = Scope(org_type=org_type, **chosen)
            frame = view.indicators(scope)
            released = territory_rows(frame)
            assert released[["numerator", "denominator", "orgs"]].isna().all().all()
            assert set(frame.loc[frame["level"] == "organization", "org_id"]) <= own
            system.observe_frame(frame, scope)
    territories = [(Level.TOTAL, 0)]
    for level, key in (
        (Level.REGION, "region_id"),
        (Level.MUNICIPALITY, "municipality_id"),
        (Level.DISTRICT, "district_id"),
    ):
        territories += [(level, int(v)) for v in hierarchy[key].dropna().drop_duplicates()]
    for indicator in indicators or ("mentors_trained",):
        for level, territory in territories:
            for org_type in types:
                series = view.plan_vs_actual(
                    indicator, territory_scope(level, territory, org_type=org_type)
                )
                for row in series.itertuples(index=False):
                    members = system.members(
                        indicator, row.period, Scope(org_type=org_type), level, territory
                    )
                    system.observe(indicator, row.period, members, row.actual)
    decisions = view.decisions()
    if len(decisions):
        progress = view.decision_progress(decisions)
        for decision, moved in zip(
            decisions.itertuples(index=False), progress.itertuples(index=False), strict=True
        ):
            scope = Scope(
                org_type=decision.org_type if isinstance(decision.org_type, str) else None
            )
            level = Level(decision.level)
            for period, value in (
                (decision.period, moved.before),
                (moved.after_period, moved.after),
            ):
                if period is not None and value is not None:
                    members = system.members(
                        decision.indicator, period, scope, level, int(decision.territory_id)
                    )
                    system.observe(decision.indicator, period, members, value)
    found = view.findings(Scope())
    assert set(found["org_id"]) <= own
    assert not found["detail"].str.contains("медиана").any()
    return system


# --- the proof ----------------------------------------------------------------------------


@st.composite
def territories(draw: st.DrawFn) -> tuple[list[dict[str, object]], list[str]]:
    """Forms of a random small territory (1–2 regions, 1–3 municipalities each, 0–2
    districts, 1–6 organisations of 1–3 types, 1–2 periods, some answers blank, so that
    indicators sharing an answer have different organisations taking part) and the names
    of a random curator's organisations."""
    rows: list[dict[str, object]] = []
    names: list[str] = []
    periods = [PERIOD, LATER][: draw(st.integers(1, 2))]
    kinds = draw(st.lists(st.sampled_from(sorted(TYPES)), min_size=1, max_size=3, unique=True))
    for r in range(draw(st.integers(1, 2))):
        for m in range(draw(st.integers(1, 3))):
            districts = [None, *(f"Район {r}{m}{d}" for d in range(draw(st.integers(0, 2))))]
            for o in range(draw(st.integers(1, 6))):
                name = f"ОО {r}{m}{o}"
                names.append(name)
                kind = draw(st.sampled_from(kinds))
                district = draw(st.sampled_from(districts))
                present = draw(st.lists(st.sampled_from(periods), min_size=1, unique=True))
                for period in sorted(present):
                    mentors = draw(st.integers(1, 20))
                    mentees = draw(st.integers(1, 30))
                    answers: dict[str, object] = {
                        "mentors": mentors,
                        "mentees": mentees,
                        "mentors_trained": draw(st.integers(0, mentors)),
                        "mentees_completed": draw(st.integers(0, mentees)),
                        "teachers_total": mentors + mentees + draw(st.integers(0, 50)),
                        "has_regulation": draw(st.sampled_from(["да", "нет"])),
                        "satisfaction_pct": draw(st.integers(0, 100)),
                    }
                    for blank in draw(
                        st.lists(
                            st.sampled_from(
                                ["mentors_trained", "mentees_completed", "satisfaction_pct"]
                            ),
                            max_size=1,
                        )
                    ):
                        answers[blank] = None
                    rows.append(
                        org(
                            name,
                            region=f"Регион {r}",
                            municipality=f"Муниципалитет {r}{m}",
                            district=district,
                            org_type=TYPES[kind],
                            period=period,
                            **answers,
                        )
                    )
    own = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
    return rows, own


PROOF = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROOF
@given(territory=territories())
def test_no_other_organisations_figure_is_determined_by_everything_a_curator_sees(
    tmp_path_factory: pytest.TempPathFactory, territory
):
    rows, own_names = territory
    directory = Path(tmp_path_factory.mktemp("territory"))
    with Database(directory / "monitoring.duckdb") as db:
        load(db, rows)
        admin = View(db, LOCAL_PRINCIPAL)
        hierarchy = lookups.hierarchy(db)
        first = hierarchy.iloc[0]
        meeting = admin.create_meeting(
            Scope(periods=(PERIOD if PERIOD in admin.periods() else LATER,)),
            Sitting(date(2023, 6, 1)),
        )
        for level, key in ((Level.MUNICIPALITY, "municipality_id"), (Level.REGION, "region_id")):
            admin.add_decision(
                meeting,
                territory_scope(level, int(first[key]), indicators=("completion",)),
                Assignment("Поручение", "Иванова", date(2024, 1, 1)),
            )
        own = frozenset(org_id(db, name) for name in own_names)

        system = everything_a_curator_sees(db, own, ("mentors_trained",))
        # The curator sends their first organisation's forms again with other answers:
        # every value they saw gives a second equation.
        again = [
            {
                **row,
                "mentors": 1,
                "mentors_trained": 1,
                "mentees": 60,
                "mentees_completed": 7,
                "teachers_total": 200,
            }
            for row in rows
            if row["org_name"] == own_names[0]
        ]
        load(db, again)
        everything_a_curator_sees(db, own, ("mentors_trained",), system)

        assert system.determined() == []
