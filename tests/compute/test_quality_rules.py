"""The data-quality rules added after DHIS2's checks: outliers within a municipality and
type of school, sharp changes from the previous period, forms against the registers,
mentees whose mentor is missing from the base; each fires on data made to break it and
stays silent on clean data. Also the command line's list and the counted summary."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest

from analytics.cli.main import main
from analytics.compute import quality
from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.model.contract import FormKind
from tests.filemakers import csv_bytes, org, table
from tests.registerfiles import (
    DEFAULTS as REGISTER_DEFAULTS,
)
from tests.registerfiles import (
    MENTEE_HEADER,
    MENTEES_1,
    MENTOR_HEADER,
    MENTORS_1,
    SCHOOL_1,
    SCHOOL_2,
    load_registers,
    register_csv,
)

DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)
NEW_RULES = ("outlier", "sharp_change", "form_vs_register", "mentor_not_in_register")


def upload(db, orgs, period="2023", municipality="г. Глазов"):
    defaults = replace(DEFAULTS, period=period, municipality=municipality)
    ingest_bytes(db, f"{municipality}_{period}.csv", csv_bytes(table(orgs)), defaults=defaults)


def schools(teachers, **values):
    """One clean form per number of teachers: СОШ № 1, СОШ № 2, …"""
    return [org(f"МБОУ «СОШ № {n}»", teachers_total=t, **values) for n, t in enumerate(teachers, 1)]


def rows(found, *columns):
    return found[list(columns)].values.tolist()


# --- outliers ----------------------------------------------------------------------


def test_a_count_far_from_the_other_schools_of_the_municipality_is_an_outlier(fresh_db):
    # median 40,5; deviations 1,5 0,5 0,5 0,5 1,5 79,5 → MAD 1; 0,6745 · 79,5 / 1 = 53,6
    upload(fresh_db, schools([40, 41, 39, 42, 40, 120]))

    found = quality.outlier_findings(fresh_db)

    assert rows(found, "rule", "severity", "period", "organization", "field", "value") == [
        ["outlier", "warning", "2023", "МБОУ «СОШ № 6»", "Педагогических работников", "120"]
    ]
    assert found["detail"].tolist() == [
        "намного больше, чем обычно у общеобразовательных организаций муниципалитета: "
        "медиана 40,5, модифицированная z-оценка 53,6 при пороге 3,5"
    ]


def test_a_count_far_below_the_others_is_an_outlier_too(fresh_db):
    upload(fresh_db, schools([40, 41, 39, 42, 40, 2]))

    found = quality.outlier_findings(fresh_db)

    assert rows(found, "organization", "value") == [["МБОУ «СОШ № 6»", "2"]]
    assert found["detail"].iloc[0].startswith("намного меньше, чем обычно")


def test_counts_close_to_each_other_have_no_outlier(fresh_db):
    upload(fresh_db, schools([40, 41, 39, 42, 40, 44]))

    assert quality.outlier_findings(fresh_db).empty


def test_schools_giving_the_same_number_have_no_outlier_even_beside_one_that_differs(fresh_db):
    # MAD is 0 when most schools agree: the modified z-score is undefined, nothing fires.
    upload(fresh_db, schools([40, 40, 40, 40, 120]))

    assert quality.outlier_findings(fresh_db).empty


def test_a_school_is_compared_only_with_schools_of_its_own_type(fresh_db):
    upload(fresh_db, schools([40, 41, 39, 42, 40]))
    kindergarten = org("МБДОУ «Детский сад № 1»", org_type="ДОУ", teachers_total=120)
    upload(fresh_db, [kindergarten])

    assert quality.outlier_findings(fresh_db).empty


def test_a_school_is_compared_only_with_schools_of_its_own_municipality(fresh_db):
    upload(fresh_db, schools([40, 41, 39, 42, 40]))
    upload(fresh_db, [org("МБОУ «СОШ № 1»", teachers_total=120)], municipality="г. Сарапул")

    assert quality.outlier_findings(fresh_db).empty


# --- sharp changes -----------------------------------------------------------------


def test_a_count_that_more_than_doubles_since_the_previous_period_is_a_sharp_change(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 1»", mentees=10)], period="2022")
    upload(fresh_db, [org("МБОУ «СОШ № 1»", mentees=25)], period="2023")

    found = quality.change_findings(fresh_db)

    assert rows(found, "rule", "period", "organization", "field", "value", "detail") == [
        [
            "sharp_change",
            "2023",
            "МБОУ «СОШ № 1»",
            "Педагогов-наставляемых",
            "25",
            "за 2022 год — 10, за 2023 год — 25: рост в 2,5 раза",
        ]
    ]


def test_a_count_that_falls_below_half_is_a_sharp_change(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 1»", teachers_total=100)], period="2022")
    upload(fresh_db, [org("МБОУ «СОШ № 1»", teachers_total=40)], period="2023")

    assert quality.change_findings(fresh_db)["detail"].tolist() == [
        "за 2022 год — 100, за 2023 год — 40: снижение в 2,5 раза"
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [(10, 20), (20, 10), (4, 9), (9, 30), (30, 9)],
    ids=["exactly-double", "exactly-half", "small", "from-small", "to-small"],
)
def test_a_change_by_at_most_two_times_or_below_10_is_not_sharp(fresh_db, before, after):
    upload(fresh_db, [org("МБОУ «СОШ № 1»", mentees=before)], period="2022")
    upload(fresh_db, [org("МБОУ «СОШ № 1»", mentees=after)], period="2023")

    assert quality.change_findings(fresh_db).empty


def test_a_school_year_is_compared_with_the_previous_school_year_not_a_calendar_year(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 1»", mentees=10)], period="2022/2023")
    upload(fresh_db, [org("МБОУ «СОШ № 1»", mentees=40)], period="2023")
    upload(fresh_db, [org("МБОУ «СОШ № 1»", mentees=12)], period="2023/2024")

    assert quality.change_findings(fresh_db).empty


def test_sharp_changes_of_one_period_are_listed_for_that_period_only(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 1»", mentees=10)], period="2022")
    upload(fresh_db, [org("МБОУ «СОШ № 1»", mentees=25)], period="2023")

    assert quality.change_findings(fresh_db, "2022").empty
    assert len(quality.change_findings(fresh_db, "2023")) == 1


# --- forms against registers -------------------------------------------------------


def test_a_form_that_disagrees_with_its_register_is_a_finding(fresh_db):
    load_registers(fresh_db)

    found = quality.register_findings(fresh_db)
    disagreeing = found[found["rule"] == "form_vs_register"]

    assert rows(disagreeing, "organization", "field", "value", "detail") == [
        [
            SCHOOL_1,
            "Пар «наставник – наставляемый»",
            "5",
            "в форме — 5, в базе наставляемых — 3",
        ],
        [SCHOOL_2, "Педагогов-наставников", "12", "в форме — 12, в базе наставников — 7"],
    ]


def test_mentees_whose_mentor_is_missing_from_the_base_are_a_finding_with_a_count(fresh_db):
    load_registers(fresh_db)

    found = quality.register_findings(fresh_db)
    missing = found[found["rule"] == "mentor_not_in_register"]

    assert rows(missing, "organization", "field", "value", "detail") == [
        [
            SCHOOL_1,
            "ФИО наставника",
            "1",
            "у 1\u00a0наставляемого из базы наставляемых наставник не найден в базе наставников",
        ]
    ]


def test_registers_that_agree_with_the_forms_give_no_finding(fresh_db):
    mentees = [row for row in MENTEES_1 if row[3] != "Неизвестный Н. Н."]
    form = org(SCHOOL_1, mentors=4, mentors_trained=3, mentees=6, mentees_completed=2)
    form |= {"pairs": 2, "groups": 1}
    ingest_bytes(fresh_db, "форма.csv", csv_bytes(table([form])), defaults=REGISTER_DEFAULTS)
    for kind, header, data in (
        (FormKind.MENTORS, MENTOR_HEADER, MENTORS_1),
        (FormKind.MENTEES, MENTEE_HEADER, mentees),
    ):
        ingest_bytes(fresh_db, f"{kind}.csv", register_csv(header, data), kind, REGISTER_DEFAULTS)

    assert quality.register_findings(fresh_db).empty


# --- the whole list ----------------------------------------------------------------


def test_clean_data_over_two_periods_with_registers_breaks_no_rule(fresh_db):
    upload(fresh_db, schools([40, 41, 39, 42, 40]), period="2022")
    upload(fresh_db, schools([42, 41, 40, 43, 40]), period="2023")

    found = quality.findings(fresh_db)

    assert found.empty
    assert list(found.columns) == list(quality.QUALITY_COLUMNS)


def test_every_new_rule_appears_in_the_list_of_findings_with_its_kind(fresh_db):
    load_registers(fresh_db)
    upload(fresh_db, schools([40, 41, 39, 42, 40, 120]), period="2022", municipality="г. Сарапул")
    upload(fresh_db, schools([40, 41, 39, 42, 40, 30]), period="2023", municipality="г. Сарапул")

    found = quality.findings(fresh_db)

    assert set(NEW_RULES) <= set(found["rule"])
    assert {quality.finding_kind(r) for r in NEW_RULES} == set(NEW_RULES)


def test_the_summary_counts_findings_by_kind_in_russian(fresh_db):
    load_registers(fresh_db)

    assert quality.summary(quality.findings(fresh_db)) == (
        "1\u00a0противоречие · 2\u00a0расхождения с базами · 1\u00a0ненайденный наставник"
    )


def test_the_command_line_prints_outliers_as_csv(tmp_path, capsys):
    db = str(tmp_path / "m.duckdb")
    path = tmp_path / "формы.csv"
    path.write_bytes(csv_bytes(table(schools([40, 41, 39, 42, 40, 120]))))
    args = ["--region", "Удмуртская Республика", "--municipality", "г. Глазов"]
    assert main(["--db", db, "ingest", str(path), *args, "--period", "2023"]) == 0
    out = io.StringIO()

    code = main(["--db", db, "quality", "--period", "2023", "--format", "csv"], out=out)

    assert code == 0
    found = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["rule"], r["organization"], r["field"], r["value"]) for r in found] == [
        ("outlier", "МБОУ «СОШ № 6»", "Педагогических работников", "120")
    ]


def test_the_command_line_lists_register_findings_as_json(tmp_path):
    from analytics.store.db import Database

    path = tmp_path / "m.duckdb"
    with Database(path) as db:
        load_registers(db)
    out = io.StringIO()

    code = main(["--db", str(path), "quality", "--format", "json"], out=out)

    assert code == 0
    rules = [r["rule"] for r in json.loads(out.getvalue())]
    assert rules == [
        "mentor_db_when_mentors",
        "form_vs_register",
        "form_vs_register",
        "mentor_not_in_register",
    ]
