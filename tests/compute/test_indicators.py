"""The 15 indicators as ratios of sums, checked against values computed by hand at the
organisation, municipality, region and total levels; blanks and zero denominators; the
two sample files against expected.json; and the contract's seed checks."""

from __future__ import annotations

import math

import pytest

from analytics.compute.indicators import compute, counted_indicators, deficits
from analytics.compute.lookups import find_territory
from analytics.ingest.load import Decisions, ingest_bytes, ingest_file
from analytics.ingest.parse import Defaults
from analytics.model.catalogue import INDICATOR_IDS, INDICATORS_BY_ID
from analytics.model.contract import FormKind
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.wording import formatting
from tests.conftest import DATA, EXPECTED, sample_defaults
from tests.filemakers import FULL_COLUMNS, REGION, csv_bytes, located_org, table

ALPHA, BETA = "г. Альфа", "г. Бета"


# Four schools in two municipalities; the values below are chosen to make every indicator
# differ between them, with blank answers and a zero denominator among them.
A1 = located_org(
    "Школа А1",
    ALPHA,
    district="Северный",
    has_regulation="да",
    has_roadmap="да",
    has_curator="да",
    has_program="да",
    program_on_site="нет",
    has_mentor_db="да",
    has_mentee_db="да",
    has_incentives="да",
    teachers_total=100,
    young_specialists=10,
    young_with_mentor=8,
    mentors=10,
    mentees=20,
    mentors_trained=5,
    mentees_completed=10,
    students_10_18=500,
    student_mentees=200,
    satisfaction_pct=90,
)
A2 = located_org(
    "Школа А2",
    ALPHA,
    has_regulation="нет",
    has_roadmap=None,
    has_curator="да",
    has_program="нет",
    program_on_site="да",
    has_mentor_db="да",
    has_mentee_db="нет",
    has_incentives="нет",
    teachers_total=50,
    young_specialists=4,
    young_with_mentor=1,
    mentors=5,
    mentees=5,
    mentors_trained=5,
    mentees_completed=1,
    students_10_18=300,
    student_mentees=30,
    satisfaction_pct=60,
)
B1 = located_org(
    "Школа Б1",
    BETA,
    has_regulation="да",
    has_roadmap="нет",
    has_curator="нет",
    has_program="да",
    program_on_site="да",
    has_mentor_db=None,
    has_mentee_db="да",
    has_incentives="да",
    teachers_total=80,
    young_specialists=0,
    young_with_mentor=0,
    mentors=4,
    mentees=4,
    mentors_trained=4,
    mentees_completed=4,
    students_10_18=None,
    student_mentees=10,
    satisfaction_pct=None,
)
B2 = located_org(
    "Детский сад Б2",
    BETA,
    org_type="ДОУ",
    has_regulation="да",
    has_roadmap="да",
    has_curator="да",
    has_program="да",
    program_on_site="да",
    has_mentor_db="нет",
    has_mentee_db="нет",
    has_incentives="нет",
    teachers_total=20,
    young_specialists=2,
    young_with_mentor=2,
    mentors=2,
    mentees=8,
    mentors_trained=1,
    mentees_completed=2,
    students_10_18=100,
    student_mentees=100,
    satisfaction_pct=70,
)
# In the registry but sent no form.
B3 = located_org("Школа Б3", BETA)

# (numerator, denominator, value) computed by hand from the rows above.
BY_MUNICIPALITY = {
    "reporting": {ALPHA: (2, 2, 100.0), BETA: (2, 3, 66.667)},
    "regulation": {ALPHA: (1, 2, 50.0), BETA: (2, 2, 100.0)},
    "roadmap": {ALPHA: (1, 1, 100.0), BETA: (1, 2, 50.0)},
    "curator": {ALPHA: (2, 2, 100.0), BETA: (1, 2, 50.0)},
    "program": {ALPHA: (1, 2, 50.0), BETA: (2, 2, 100.0)},
    "program_site": {ALPHA: (1, 2, 50.0), BETA: (2, 2, 100.0)},
    "databases": {ALPHA: (1, 2, 50.0), BETA: (0, 1, 0.0)},
    "incentives": {ALPHA: (1, 2, 50.0), BETA: (1, 2, 50.0)},
    # (10 + 20 + 5 + 5) / (100 + 50); (4 + 4 + 2 + 8) / (80 + 20)
    "teachers_involved": {ALPHA: (40, 150, 26.667), BETA: (18, 100, 18.0)},
    "young_mentored": {ALPHA: (9, 14, 64.286), BETA: (2, 2, 100.0)},
    "mentors_trained": {ALPHA: (10, 15, 66.667), BETA: (5, 6, 83.333)},
    "mentor_load": {ALPHA: (25, 15, 1.667), BETA: (12, 6, 2.0)},
    "completion": {ALPHA: (11, 25, 44.0), BETA: (6, 12, 50.0)},
    # Б1 has no count of students: it takes no part.
    "students_mentored": {ALPHA: (230, 800, 28.75), BETA: (100, 100, 100.0)},
    # (90 × 30 + 60 × 10) / 40; Б1 gave no satisfaction: only Б2's 70 × 10 / 10.
    "satisfaction": {ALPHA: (3300, 40, 82.5), BETA: (700, 10, 70.0)},
}
TOTAL = {
    "reporting": (4, 5, 80.0),
    "regulation": (3, 4, 75.0),
    "roadmap": (2, 3, 66.667),
    "curator": (3, 4, 75.0),
    "program": (3, 4, 75.0),
    "program_site": (3, 4, 75.0),
    "databases": (1, 3, 33.333),
    "incentives": (2, 4, 50.0),
    "teachers_involved": (58, 250, 23.2),
    "young_mentored": (11, 16, 68.75),
    "mentors_trained": (15, 21, 71.429),
    "mentor_load": (37, 21, 1.762),
    "completion": (17, 37, 45.946),
    "students_mentored": (330, 900, 36.667),
    "satisfaction": (4000, 50, 80.0),
}
SCHOOL_A1 = {
    "reporting": (1, 1, 100.0),
    "regulation": (1, 1, 100.0),
    "roadmap": (1, 1, 100.0),
    "curator": (1, 1, 100.0),
    "program": (1, 1, 100.0),
    "program_site": (0, 1, 0.0),
    "databases": (1, 1, 100.0),
    "incentives": (1, 1, 100.0),
    "teachers_involved": (30, 100, 30.0),
    "young_mentored": (8, 10, 80.0),
    "mentors_trained": (5, 10, 50.0),
    "mentor_load": (20, 10, 2.0),
    "completion": (10, 20, 50.0),
    "students_mentored": (200, 500, 40.0),
    "satisfaction": (2700, 30, 90.0),
}


def load_fixture(db: Database) -> None:
    registry = csv_bytes(
        table([A1, A2, B1, B2, B3], ["region", "municipality", "district", "org_name", "org_type"])
    )
    ingest_bytes(db, "реестр.csv", registry, FormKind.REGISTRY)
    forms = csv_bytes(table([A1, A2, B1, B2], FULL_COLUMNS), "cp1251")
    ingest_bytes(db, "формы.csv", forms)


@pytest.fixture(scope="module")
def fixture_frame(tmp_path_factory):
    with Database(tmp_path_factory.mktemp("indicators") / "m.duckdb") as db:
        load_fixture(db)
        return compute(db)


def the_row(frame, indicator, level, **where):
    rows = frame[(frame["indicator"] == indicator) & (frame["level"] == level)]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, (indicator, level, where, len(rows))
    return rows.iloc[0]


def triple(row) -> tuple[float, float, float]:
    return (row["numerator"], row["denominator"], row["value"])


def approx(expected):
    n, d, value = expected
    return (n, d, pytest.approx(value, abs=0.001))


@pytest.mark.parametrize("indicator", INDICATOR_IDS)
@pytest.mark.parametrize("municipality", [ALPHA, BETA])
def test_each_indicator_of_a_municipality_is_its_ratio_of_sums(
    fixture_frame, indicator, municipality
):
    row = the_row(fixture_frame, indicator, "municipality", municipality=municipality)
    assert triple(row) == approx(BY_MUNICIPALITY[indicator][municipality])


@pytest.mark.parametrize("indicator", INDICATOR_IDS)
@pytest.mark.parametrize("level", ["total", "region"])
def test_each_indicator_of_the_whole_region_is_its_ratio_of_sums(fixture_frame, indicator, level):
    assert triple(the_row(fixture_frame, indicator, level)) == approx(TOTAL[indicator])


@pytest.mark.parametrize("indicator", INDICATOR_IDS)
def test_each_indicator_of_an_organisation_is_its_own_ratio(fixture_frame, indicator):
    row = the_row(fixture_frame, indicator, "organization", organization="Школа А1")
    assert triple(row) == approx(SCHOOL_A1[indicator])


def test_the_catalogue_has_the_fifteen_indicators_of_the_contract():
    assert INDICATOR_IDS == (
        "reporting",
        "regulation",
        "roadmap",
        "curator",
        "program",
        "program_site",
        "databases",
        "incentives",
        "teachers_involved",
        "young_mentored",
        "mentors_trained",
        "mentor_load",
        "completion",
        "students_mentored",
        "satisfaction",
    )


def test_a_ratio_of_sums_is_not_the_mean_of_school_percentages(fixture_frame):
    # Школа А1 has 30 %, Школа А2 20 %: the mean would be 25 %, the ratio of sums 40 / 150.
    row = the_row(fixture_frame, "teachers_involved", "municipality", municipality=ALPHA)
    assert row["value"] == pytest.approx(100 * 40 / 150)


def test_a_district_level_covers_only_the_organisations_in_that_district(fixture_frame):
    row = the_row(fixture_frame, "teachers_involved", "district", district="Северный")
    assert (row["municipality"], triple(row)) == ("г. Альфа", (30, 100, 30.0))
    assert set(fixture_frame[fixture_frame["level"] == "district"]["district"]) == {"Северный"}


def test_an_organisation_with_a_blank_answer_takes_no_part_in_that_indicator(fixture_frame):
    # Школа А2 left «Дорожная карта» blank: Альфа's roadmap is 1 of 1, not 1 of 2.
    row = the_row(fixture_frame, "roadmap", "municipality", municipality=ALPHA)
    assert (row["numerator"], row["denominator"], row["orgs"]) == (1, 1, 1)
    a2 = the_row(fixture_frame, "roadmap", "organization", organization="Школа А2")
    assert math.isnan(a2["numerator"])
    assert math.isnan(a2["denominator"])
    assert math.isnan(a2["value"])


def test_an_organisation_missing_one_answer_of_a_pair_takes_no_part_in_databases(fixture_frame):
    b1 = the_row(fixture_frame, "databases", "organization", organization="Школа Б1")
    assert math.isnan(b1["denominator"])
    assert the_row(fixture_frame, "databases", "municipality", municipality=BETA)["orgs"] == 1


def test_a_zero_denominator_gives_no_value_no_status_and_no_deficit(fixture_frame):
    # Школа Б1 has no young specialists at all.
    row = the_row(fixture_frame, "young_mentored", "organization", organization="Школа Б1")
    assert (row["numerator"], row["denominator"]) == (0, 0)
    assert math.isnan(row["value"])
    assert row["status"] is None
    assert bool(row["deficit"]) is False
    assert math.isnan(row["gap"])


def test_a_municipality_whose_denominators_are_all_zero_has_no_value_and_no_deficit(fresh_db):
    rows = table(
        [
            located_org(
                "Школа 1", ALPHA, mentors=0, mentees=0, mentors_trained=0, mentees_completed=0
            )
        ],
        FULL_COLUMNS,
    )
    ingest_bytes(fresh_db, "f.csv", csv_bytes(rows))
    frame = compute(fresh_db, Scope(levels=(Level.MUNICIPALITY,)))
    for indicator in ("mentor_load", "mentors_trained", "completion"):
        row = the_row(frame, indicator, "municipality")
        assert math.isnan(row["value"])
        assert (row["status"], bool(row["deficit"])) == (None, False)
    assert deficits(frame)["indicator"].tolist().count("mentor_load") == 0


def test_a_weighted_mean_exactly_on_its_target_is_no_deficit(fresh_db):
    # 80,1 + 79,8 + 80,1 in floating point is 239,99999999999997: the mean would come
    # out a hair under 80,0 % and count as a deficit.
    schools = [
        located_org(f"Школа {n}", ALPHA, mentors=1, mentees=0, satisfaction_pct=pct)
        for n, pct in enumerate((80.1, 79.8, 80.1), 1)
    ]
    ingest_bytes(fresh_db, "f.csv", csv_bytes(table(schools, FULL_COLUMNS)))
    frame = compute(fresh_db, Scope(levels=(Level.MUNICIPALITY,), indicators=("satisfaction",)))
    row = the_row(frame, "satisfaction", "municipality")
    assert (row["numerator"], row["denominator"], row["value"]) == (240.0, 3.0, 80.0)
    assert (row["status"], bool(row["deficit"])) == ("green", False)


def test_a_registry_organisation_without_a_form_lowers_only_the_reporting_rate(fixture_frame):
    b3 = fixture_frame[fixture_frame["organization"] == "Школа Б3"]
    reporting = b3[b3["indicator"] == "reporting"].iloc[0]
    assert triple(reporting) == (0, 1, 0.0)
    others = b3[b3["indicator"] != "reporting"]
    assert others["value"].isna().all()


def test_the_reporting_rate_counts_only_organisations_in_the_registry(fresh_db):
    registry = csv_bytes(table([A1, B3], ["region", "municipality", "org_name", "org_type"]))
    ingest_bytes(fresh_db, "реестр.csv", registry, FormKind.REGISTRY)
    # А2 and Б1 are not in the registry: the coordinator confirms them as organisations.
    forms = csv_bytes(table([A1, A2, B1], FULL_COLUMNS))
    ingest_bytes(fresh_db, "формы.csv", forms, decisions=Decisions(new_orgs=True))
    frame = compute(fresh_db, Scope(levels=(Level.TOTAL,), indicators=("reporting",)))
    assert triple(frame.iloc[0]) == (1, 2, 50.0)


def test_without_a_registry_the_reporting_rate_has_no_value(fresh_db):
    ingest_bytes(fresh_db, "формы.csv", csv_bytes(table([A1, A2], FULL_COLUMNS)))
    frame = compute(fresh_db, Scope(levels=(Level.TOTAL,), indicators=("reporting",)))
    assert len(frame) == 1
    assert math.isnan(frame.iloc[0]["value"])
    assert bool(frame.iloc[0]["deficit"]) is False


def test_an_org_type_filter_keeps_only_organisations_of_that_type(fresh_db):
    load_fixture(fresh_db)
    frame = compute(fresh_db, Scope(org_type="school", levels=(Level.MUNICIPALITY,)))
    # Детский сад Б2 drops out of Бета: only Школа Б1 (and Б3 in the registry) remain.
    assert triple(the_row(frame, "teachers_involved", "municipality", municipality=BETA)) == (
        8,
        80,
        10.0,
    )
    assert triple(the_row(frame, "reporting", "municipality", municipality=BETA)) == approx(
        (1, 2, 50.0)
    )
    assert set(frame["org_type"]) == {"school"}


def test_a_territory_scope_keeps_only_its_organisations_and_its_total(fresh_db):
    load_fixture(fresh_db)
    alpha = find_territory(fresh_db, "municipality", ALPHA)
    frame = compute(fresh_db, Scope(municipality_id=alpha))
    assert set(frame["municipality"].dropna()) == {ALPHA}
    assert triple(the_row(frame, "teachers_involved", "total")) == approx((40, 150, 26.667))


def test_each_period_has_its_own_values(fresh_db):
    earlier = {**A1, "period": "2022", "teachers_total": 120, "mentors": 3, "mentees": 3}
    ingest_bytes(fresh_db, "формы.csv", csv_bytes(table([A1, earlier], FULL_COLUMNS)))
    frame = compute(fresh_db, Scope(levels=(Level.TOTAL,), indicators=("teachers_involved",)))
    assert frame[["period", "numerator", "denominator"]].values.tolist() == [
        ["2022", 6, 120],
        ["2023", 30, 100],
    ]
    only = compute(fresh_db, Scope(periods=("2022",), levels=(Level.TOTAL,)))
    assert set(only["period"]) == {"2022"}


def test_level_and_indicator_filters_keep_only_those_rows(fresh_db):
    load_fixture(fresh_db)
    frame = compute(
        fresh_db, Scope(levels=(Level.MUNICIPALITY,), indicators=("regulation", "mentor_load"))
    )
    assert frame[["indicator", "municipality"]].values.tolist() == [
        ["regulation", ALPHA],
        ["regulation", BETA],
        ["mentor_load", ALPHA],
        ["mentor_load", BETA],
    ]


def test_targets_default_to_the_catalogue(fixture_frame):
    totals = fixture_frame[fixture_frame["level"] == "total"]
    assert dict(zip(totals["indicator"], totals["target"], strict=True)) == {
        "reporting": 100,
        "regulation": 100,
        "roadmap": 100,
        "curator": 100,
        "program": 100,
        "program_site": 100,
        "databases": 100,
        "incentives": 100,
        "teachers_involved": 20,
        "young_mentored": 100,
        "mentors_trained": 100,
        "mentor_load": 3,
        "completion": 50,
        "students_mentored": 70,
        "satisfaction": 80,
    }


def test_deficits_are_the_rows_below_target_largest_share_of_the_target_first(fixture_frame):
    found = deficits(fixture_frame)
    assert found["deficit"].all()
    shares = (found["gap"] / found["target"]).tolist()
    assert shares == sorted(shares, reverse=True)
    # An organisation's own reporting rate is no deficit of it (counted_indicators).
    assert len(found) == int(counted_indicators(fixture_frame)["deficit"].sum())
    top = found.iloc[0]
    assert (top["gap"], top["value"]) == (100.0, 0.0)


# The sample files ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples_frame(tmp_path_factory):
    with Database(tmp_path_factory.mktemp("samples") / "m.duckdb") as db:
        for item in EXPECTED["load"]:
            ingest_file(db, DATA / item["file"], defaults=sample_defaults(item["file"]))
        return compute(db, Scope(levels=(Level.MUNICIPALITY,)))


@pytest.mark.parametrize(
    "expected",
    EXPECTED["municipality_indicators"],
    ids=[f"{e['municipality']}-{e['indicator']}" for e in EXPECTED["municipality_indicators"]],
)
def test_the_samples_give_the_values_of_expected_json(samples_frame, expected):
    row = the_row(
        samples_frame,
        expected["indicator"],
        "municipality",
        municipality=expected["municipality"],
        period=expected["period"],
    )
    assert row["numerator"] == pytest.approx(expected["numerator"])
    assert row["denominator"] == pytest.approx(expected["denominator"])
    assert row["value"] == pytest.approx(expected["value"])
    assert (row["target"], row["better"]) == (expected["target"], expected["better"])


def test_the_glazov_sample_has_thirty_schools_and_nyagan_eight(samples_db):
    counts = samples_db.query(
        "SELECT m.name, count(*) AS n FROM form_values f JOIN organizations o USING (org_id) "
        "JOIN municipalities m USING (municipality_id) GROUP BY m.name ORDER BY m.name"
    )
    assert counts.values.tolist() == [["г. Глазов", 30], ["г. Нягань", 8]]


# The seed checks of the contract -------------------------------------------------------


def test_47_of_87_schools_with_both_databases_is_a_54_percent_deficit(fresh_db):
    schools = [
        located_org(
            f"МБОУ «СОШ № {n}»",
            ALPHA,
            has_mentor_db="да",
            has_mentee_db="да" if n <= 47 else "нет",
        )
        for n in range(1, 88)
    ]
    ingest_bytes(fresh_db, "f.csv", csv_bytes(table(schools, FULL_COLUMNS)))
    frame = compute(fresh_db, Scope(levels=(Level.MUNICIPALITY,), indicators=("databases",)))
    row = frame.iloc[0]
    assert (row["numerator"], row["denominator"]) == (47, 87)
    assert formatting.percent(row["value"]) == "54,0\u00a0%"
    assert bool(row["deficit"]) is True
    assert row["status"] == "red"
    assert formatting.number(row["gap"]) == "46,0"
    databases = INDICATORS_BY_ID["databases"]
    assert formatting.fraction(databases, row["numerator"], row["denominator"]) == "47 из 87 ОО"


def test_362_and_52_teachers_with_34_and_3_in_mentoring_is_8_9_percent(fresh_db):
    orgs = [
        located_org("МБОУ «СОШ № 1»", ALPHA, teachers_total=362, mentors=14, mentees=20),
        located_org("МБДОУ «Детский сад № 2»", ALPHA, org_type="ДОУ", teachers_total=52, mentors=1),
    ]
    orgs[1]["mentees"] = 2
    ingest_bytes(fresh_db, "f.csv", csv_bytes(table(orgs, FULL_COLUMNS)))
    frame = compute(
        fresh_db, Scope(levels=(Level.MUNICIPALITY,), indicators=("teachers_involved",))
    )
    row = frame.iloc[0]
    assert (row["numerator"], row["denominator"]) == (37, 414)
    assert formatting.percent(row["value"]) == "8,9\u00a0%"
    assert bool(row["deficit"]) is True


def test_a_file_without_mentees_gives_no_teachers_involved_rather_than_mentors_only(fresh_db):
    rows = [
        ["Информационно-аналитическая справка"],
        [],
        ["Наименование ОО", "Тип ОО", "Педагогических работников (чел.)", "Педагогов-наставников"],
        ["МБОУ «СОШ № 1»", "СОШ", "362", "34 чел."],
        ["МБДОУ «Детский сад № 2»", "детский сад", "52", "3"],
        ["Итого", "", "414", "37"],
    ]
    defaults = Defaults(region=REGION, municipality=ALPHA, period="2022/23")
    ingest_bytes(fresh_db, "справка.csv", csv_bytes(rows, "cp1251"), defaults=defaults)
    # Mentees are not given: the indicator has no data rather than a wrong 37 / 414.
    frame = compute(fresh_db, Scope(indicators=("teachers_involved",), levels=(Level.TOTAL,)))
    assert math.isnan(frame.iloc[0]["value"])
    assert fresh_db.scalar("SELECT sum(mentors) FROM form_values") == 37
