"""Data quality: consistency rules that warn but let the data load, blank answers, and
registry organisations that sent no form."""

from __future__ import annotations

import pytest

from analytics.compute.quality import (
    QUALITY_COLUMNS,
    consistency_findings,
    findings,
    missing_answers,
    missing_forms,
)
from analytics.ingest.load import Decisions, ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.model.contract import FormKind
from tests.filemakers import csv_bytes, org, table

DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)


def upload(db, orgs, period="2023"):
    """Forms of ``orgs``; a school the registry does not list is confirmed as new."""
    defaults = Defaults(
        region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period=period
    )
    content = csv_bytes(table(orgs))
    return ingest_bytes(db, "f.csv", content, defaults=defaults, decisions=Decisions(new_orgs=True))


@pytest.mark.parametrize(
    ("rule", "broken", "field", "value", "detail"),
    [
        (
            "young_with_mentor_le_young",
            {"young_specialists": 4, "young_with_mentor": 5},
            "Молодых специалистов с наставником",
            "5",
            "молодых специалистов с наставником больше, чем молодых специалистов",
        ),
        (
            "mentors_le_teachers",
            {"teachers_total": 40, "mentors": 41, "mentors_trained": 4},
            "Педагогов-наставников",
            "41",
            "педагогов-наставников больше, чем педагогических работников",
        ),
        (
            "mentees_le_teachers",
            {"teachers_total": 40, "mentees": 45, "mentees_completed": 3},
            "Педагогов-наставляемых",
            "45",
            "педагогов-наставляемых больше, чем педагогических работников",
        ),
        (
            "trained_le_mentors",
            {"mentors": 5, "mentors_trained": 6},
            "Наставников, прошедших обучение",
            "6",
            "обученных наставников больше, чем наставников",
        ),
        (
            "completed_le_mentees",
            {"mentees": 6, "mentees_completed": 7},
            "Завершили программу",
            "7",
            "завершивших программу больше, чем наставляемых",
        ),
        (
            "student_mentees_le_students",
            {"students_10_18": 300, "student_mentees": 301},
            "Обучающихся-наставляемых 10–18 лет",
            "301",
            "обучающихся-наставляемых больше, чем обучающихся 10–18 лет",
        ),
        (
            "mentor_db_when_mentors",
            {"has_mentor_db": "нет", "mentors": 5},
            "База наставников",
            "нет",
            "база наставников отмечена как отсутствующая, хотя наставники есть",
        ),
    ],
)
def test_each_consistency_rule_fires_on_a_row_that_breaks_it_and_the_data_still_loads(
    fresh_db, rule, broken, field, value, detail
):
    result = upload(fresh_db, [org("МБОУ «СОШ № 1»"), org("МБОУ «СОШ № 2»", **broken)])
    assert result.rows == 2
    found = consistency_findings(fresh_db)
    assert found.drop(columns="org_id").values.tolist() == [
        [rule, "warning", "2023", "г. Глазов", "МБОУ «СОШ № 2»", field, value, detail]
    ]


def test_clean_data_breaks_no_rule_and_misses_no_answer(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 1»"), org("МБОУ «СОШ № 2»")])
    assert consistency_findings(fresh_db).empty
    assert missing_answers(fresh_db).empty


def test_clean_data_has_an_empty_list_of_findings(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 1»"), org("МБОУ «СОШ № 2»")])
    found = findings(fresh_db, "2023")
    assert found.empty
    assert list(found.columns) == list(QUALITY_COLUMNS)


def test_an_empty_database_has_an_empty_list_of_findings(fresh_db):
    found = findings(fresh_db)
    assert found.empty
    assert list(found.columns) == list(QUALITY_COLUMNS)


def test_a_rule_whose_values_are_blank_does_not_fire(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 1»", has_mentor_db=None, teachers_total=None)])
    assert consistency_findings(fresh_db).empty


def test_a_row_breaking_two_rules_is_listed_under_both(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 1»", mentors=50, mentors_trained=51, teachers_total=40)])
    assert consistency_findings(fresh_db)["rule"].tolist() == [
        "mentors_le_teachers",
        "trained_le_mentors",
    ]


def test_blank_answers_are_listed_one_per_question(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 1»", has_roadmap=None, pairs=None), org("МБОУ «СОШ № 2»")])
    found = missing_answers(fresh_db)
    assert found[["rule", "severity", "organization", "field", "detail"]].values.tolist() == [
        [
            "missing_answer",
            "missing",
            "МБОУ «СОШ № 1»",
            "Дорожная карта",
            "нет ответа на вопрос «Дорожная карта»",
        ],
        [
            "missing_answer",
            "missing",
            "МБОУ «СОШ № 1»",
            "Пар «наставник – наставляемый»",
            "нет ответа на вопрос «Пар «наставник – наставляемый»»",
        ],
    ]


def test_a_column_missing_from_the_file_is_a_missing_answer_for_every_school(fresh_db):
    rows = [["Наименование ОО", "Педагогических работников"], ["СОШ № 1", "40"], ["СОШ № 2", "30"]]
    ingest_bytes(fresh_db, "f.csv", csv_bytes(rows), defaults=DEFAULTS)
    found = missing_answers(fresh_db)
    assert len(found) == 2 * 21
    assert "Педагогических работников" not in set(found["field"])


def registry(db, names):
    content = csv_bytes(table([org(n) for n in names], ["org_name", "org_type"]))
    ingest_bytes(db, "реестр.csv", content, FormKind.REGISTRY, DEFAULTS)


def test_registry_organisations_without_a_form_are_listed(fresh_db):
    registry(fresh_db, ["МБОУ «СОШ № 1»", "МБОУ «СОШ № 2»", "МБОУ «СОШ № 3»"])
    upload(fresh_db, [org("МБОУ «СОШ № 2»")])
    found = missing_forms(fresh_db, "2023")
    assert found[["rule", "period", "municipality", "organization", "detail"]].values.tolist() == [
        [
            "not_reported",
            "2023",
            "г. Глазов",
            name,
            "организация из реестра не представила форму мониторинга",
        ]
        for name in ("МБОУ «СОШ № 1»", "МБОУ «СОШ № 3»")
    ]


def test_a_form_for_another_period_does_not_count_as_reported(fresh_db):
    registry(fresh_db, ["МБОУ «СОШ № 1»"])
    upload(fresh_db, [org("МБОУ «СОШ № 1»")], period="2022")
    upload(fresh_db, [org("МБОУ «СОШ № 9»")], period="2023")
    assert missing_forms(fresh_db, "2023")["organization"].tolist() == ["МБОУ «СОШ № 1»"]
    assert missing_forms(fresh_db, "2022").empty


def test_all_findings_of_a_period_come_rule_violations_first(fresh_db):
    registry(fresh_db, ["МБОУ «СОШ № 1»", "МБОУ «СОШ № 2»"])
    upload(fresh_db, [org("МБОУ «СОШ № 1»", young_with_mentor=9, has_incentives=None)])
    assert findings(fresh_db, "2023")[["rule", "organization"]].values.tolist() == [
        ["young_with_mentor_le_young", "МБОУ «СОШ № 1»"],
        ["missing_answer", "МБОУ «СОШ № 1»"],
        ["not_reported", "МБОУ «СОШ № 2»"],
    ]


def test_findings_can_be_limited_to_one_period(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 1»", mentees_completed=99)], period="2022")
    upload(fresh_db, [org("МБОУ «СОШ № 1»", mentors_trained=99)], period="2023")
    assert findings(fresh_db, "2022")["rule"].tolist() == ["completed_le_mentees"]
    assert sorted(findings(fresh_db)[["period", "rule"]].values.tolist()) == [
        ["2022", "completed_le_mentees"],
        ["2023", "trained_le_mentors"],
    ]
