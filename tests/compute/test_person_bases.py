"""The person registers: loading the bases of mentors and mentees (every shape of date and
form of mentoring, every error located), what they add per school (hand-counted on
tests/registerfiles.py), the forms checked against them, and the databases indicator."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime

import pandas as pd
import pytest

from analytics.cli.main import main
from analytics.compute import person_bases
from analytics.compute.indicators import compute
from analytics.ingest.load import ingest_bytes, preview, rollback
from analytics.ingest.problems import IngestError
from analytics.model.contract import MENTORING_FORMS, FormKind
from analytics.model.levels import Level
from analytics.store.scope import Scope
from tests.filemakers import csv_bytes, write_csv, xlsx_bytes
from tests.registerfiles import (
    DEFAULTS,
    MENTEE_HEADER,
    MENTEES_1,
    MENTOR_HEADER,
    MENTORS_1,
    MENTORS_2,
    SCHOOL_1,
    SCHOOL_2,
    load_registers,
    org_id,
    register_csv,
)

ALLOWED_FORMS = (
    "допустимо: «педагог – педагог», «руководитель – педагог», «ученик – ученик», "
    "«студент – ученик», «работодатель – ученик», «работодатель – студент», "
    "«наставник – группа», «наставник – наставляемый»"
)


def mentor(name="Иванова Анна Петровна", form="педагог – педагог", start="01.09.2022", end=None):
    return [name, SCHOOL_1, "учитель", 10, form, 1, start, end, "да"]


def load_mentors(db, rows, name="наставники.csv"):
    return ingest_bytes(db, name, register_csv(MENTOR_HEADER, rows), FormKind.MENTORS, DEFAULTS)


def load_mentees(db, rows, name="наставляемые.csv"):
    return ingest_bytes(db, name, register_csv(MENTEE_HEADER, rows), FormKind.MENTEES, DEFAULTS)


def stored(db, table, column):
    return db.query(f"SELECT {column} FROM {table} ORDER BY source_row")[column].tolist()


def problems(error: pytest.ExceptionInfo[IngestError]) -> list[str]:
    return [str(p) for p in error.value.problems]


@pytest.fixture
def loaded(fresh_db):
    load_registers(fresh_db)
    return fresh_db


# --- loading -----------------------------------------------------------------------


def test_a_base_of_mentors_stores_one_row_per_mentor_with_canonical_values(fresh_db):
    result = load_mentors(fresh_db, MENTORS_1)

    assert result.rows == 4
    row = fresh_db.query(
        "SELECT full_name, name_key, position, experience_years, mentoring_form, "
        "planned_mentees, start_date, end_date, trained, period FROM mentors "
        "WHERE source_row = 2"
    ).to_dict("records")[0]
    assert {k: v for k, v in row.items() if k not in ("start_date", "end_date")} == {
        "full_name": "Иванова Анна Петровна",
        "name_key": "иванова анна петровна",
        "position": "учитель",
        "experience_years": 21,
        "mentoring_form": "teacher_teacher",
        "planned_mentees": 1,
        "trained": True,
        "period": "2022/2023",
    }
    assert (row["start_date"].date(), row["end_date"].date()) == (
        date(2022, 9, 1),
        date(2023, 5, 31),
    )


def test_a_base_of_mentees_stores_the_mentors_name_key_and_the_category(fresh_db):
    load_mentees(fresh_db, MENTEES_1)

    assert stored(fresh_db, "mentees", "mentor_key")[:3] == [
        "иванова анна петровна",
        "петров петр петрович",
        "петров петр петрович",
    ]
    assert stored(fresh_db, "mentees", "category") == [
        "young_specialist",
        "teacher",
        "teacher",
        "young_specialist",
        "teacher",
        "student",
        "teacher",
        "young_specialist",
    ]


@pytest.mark.parametrize(
    "cell",
    ["01.09.2022", "1.9.22", "2022-09-01", datetime(2022, 9, 1), 44805, 44805.0],
    ids=["russian", "short-russian", "iso", "excel-date-cell", "excel-serial", "excel-float"],
)
def test_a_date_is_read_from_the_russian_the_iso_and_the_excel_forms(fresh_db, cell):
    content = xlsx_bytes({"Наставники": [MENTOR_HEADER, mentor(start=cell)]})

    ingest_bytes(fresh_db, "наставники.xlsx", content, FormKind.MENTORS, DEFAULTS)

    assert fresh_db.scalar("SELECT start_date FROM mentors") == date(2022, 9, 1)


@pytest.mark.parametrize(
    "spelling",
    [
        "педагог – педагог",
        "педагог - педагог",
        "Педагог — Педагог",
        "ПЕДАГОГ-ПЕДАГОГ",
        "педагог ‐ педагог",
        "«Педагог−педагог»",
    ],
)
def test_any_dash_and_case_of_a_form_of_mentoring_is_the_same_form(fresh_db, spelling):
    load_mentors(fresh_db, [mentor(form=spelling)])

    assert fresh_db.scalar("SELECT mentoring_form FROM mentors") == "teacher_teacher"


def test_every_declared_form_of_mentoring_is_a_different_stored_value(fresh_db):
    rows = [mentor(name=f"Наставник {n}", form=f.label) for n, f in enumerate(MENTORING_FORMS)]

    load_mentors(fresh_db, rows)

    assert stored(fresh_db, "mentors", "mentoring_form") == [
        "teacher_teacher",
        "head_teacher",
        "student_student",
        "student_pupil",
        "employer_pupil",
        "employer_student",
        "mentor_group",
        "mentor_mentee",
    ]


def test_the_seed_notes_pair_form_is_accepted_in_any_case_and_dash(fresh_db):
    load_mentors(fresh_db, [mentor(name="Иванова И. И.", form="Наставник - Наставляемый")])

    assert stored(fresh_db, "mentors", "mentoring_form") == ["mentor_mentee"]


def test_an_unknown_form_of_mentoring_refuses_the_file_naming_its_sheet_row_column_and_value(
    fresh_db,
):
    content = xlsx_bytes(
        {
            "Наставники": [
                MENTOR_HEADER,
                mentor(),
                mentor("Петров П. П.", "наставник – ученик"),
            ]
        }
    )

    with pytest.raises(IngestError) as error:
        ingest_bytes(fresh_db, "наставники.xlsx", content, FormKind.MENTORS, DEFAULTS)

    assert problems(error) == [
        "Файл «наставники.xlsx», лист «Наставники», строка 3, столбец «Форма наставничества»: "
        "значение «наставник – ученик» — неизвестная форма наставничества; " + ALLOWED_FORMS
    ]
    assert fresh_db.scalar("SELECT count(*) FROM mentors") == 0
    assert fresh_db.scalar("SELECT count(*) FROM uploads") == 0


def test_an_impossible_date_refuses_the_file_with_its_location(fresh_db):
    with pytest.raises(IngestError) as error:
        load_mentors(fresh_db, [mentor(start="31.02.2023")])

    assert problems(error) == [
        "Файл «наставники.csv», строка 2, столбец «Дата начала»: значение «31.02.2023» — "
        "такой даты нет в календаре"
    ]


def test_a_word_in_a_date_column_refuses_the_file(fresh_db):
    with pytest.raises(IngestError) as error:
        load_mentors(fresh_db, [mentor(start="сентябрь")])

    assert problems(error) == [
        "Файл «наставники.csv», строка 2, столбец «Дата начала»: значение «сентябрь» — "
        "ожидается дата, например 01.09.2022"
    ]


def test_an_end_date_before_the_start_date_refuses_the_file(fresh_db):
    with pytest.raises(IngestError) as error:
        load_mentors(fresh_db, [mentor(start="01.09.2022", end="31.05.2022")])

    assert problems(error) == [
        "Файл «наставники.csv», строка 2, столбец «Дата окончания»: значение «31.05.2022» — "
        "дата раньше, чем «Дата начала» (01.09.2022)"
    ]


def test_an_unknown_category_of_mentee_refuses_the_file(fresh_db):
    row = ["Смирнова Дарья", SCHOOL_1, "стажёр", "Иванова Анна Петровна", None, None, None, None]

    with pytest.raises(IngestError) as error:
        load_mentees(fresh_db, [row])

    assert problems(error) == [
        "Файл «наставляемые.csv», строка 2, столбец «Категория»: значение «стажёр» — "
        "неизвестная категория наставляемого; допустимо: «молодой специалист», «педагог», "
        "«обучающийся»"
    ]


def test_a_row_without_a_name_refuses_the_file(fresh_db):
    with pytest.raises(IngestError) as error:
        load_mentors(fresh_db, [mentor(name=None)])

    assert problems(error) == [
        "Файл «наставники.csv», строка 2, столбец «ФИО наставника»: значение «» — "
        "не заполнено обязательное поле «ФИО наставника»"
    ]


def test_a_mentor_listed_twice_for_one_school_refuses_the_file(fresh_db):
    with pytest.raises(IngestError) as error:
        load_mentors(fresh_db, [mentor(), mentor(name="ИВАНОВА  анна петровна")])

    assert problems(error) == [
        "Файл «наставники.csv», строка 3, столбец «ФИО наставника»: значение «ИВАНОВА анна "
        "петровна» — этот человек уже указан для той же организации в строке 2"
    ]


def test_every_error_of_a_register_is_reported_together(fresh_db):
    rows = [mentor(form="наставник – ученик"), mentor(name="Петров П. П.", start="вчера")]

    with pytest.raises(IngestError) as error:
        load_mentors(fresh_db, rows)

    assert [(p.row, p.column, p.value) for p in error.value.problems] == [
        (2, "Форма наставничества", "наставник – ученик"),
        (3, "Дата начала", "вчера"),
    ]


def test_a_mentee_whose_mentor_is_not_in_the_base_of_mentors_is_a_located_warning(fresh_db):
    load_mentors(fresh_db, MENTORS_1)

    result = load_mentees(fresh_db, MENTEES_1)

    assert [str(w) for w in result.warnings] == [
        "Файл «наставляемые.csv» — в файле нет столбца базы наставляемых «ИНН»; его значения "
        "не будут загружены",
        "Файл «наставляемые.csv», строка 8, столбец «ФИО наставника»: значение «Неизвестный "
        "Н. Н.» — наставник не найден в базе наставников этой организации за период; "
        "проверьте, как написаны фамилия, имя и отчество",
    ]


def test_a_base_of_mentees_loaded_before_the_base_of_mentors_warns_once_per_school(fresh_db):
    result = load_mentees(fresh_db, MENTEES_1)

    assert [str(w) for w in result.warnings] == [
        "Файл «наставляемые.csv» — в файле нет столбца базы наставляемых «ИНН»; его значения "
        "не будут загружены",
        "Файл «наставляемые.csv» — «МБОУ «СОШ № 1»», 2022/2023: база наставников организации "
        "за этот период не загружена; наставники будут сопоставлены, когда она появится",
    ]


def test_a_base_of_mentors_that_leaves_stored_mentees_without_their_mentor_warns_with_a_count(
    fresh_db,
):
    load_mentees(fresh_db, MENTEES_1)

    result = load_mentors(fresh_db, MENTORS_1)

    assert [str(w) for w in result.warnings] == [
        "Файл «наставники.csv» — в файле нет столбца базы наставников «ИНН»; его значения "
        "не будут загружены",
        "Файл «наставники.csv» — «МБОУ «СОШ № 1»», 2022/2023: у 1 из 7 наставляемых из "
        "загруженной ранее базы наставляемых наставник не найден в этой базе наставников",
    ]


def test_a_preview_of_a_register_counts_its_rows_schools_and_the_bases_it_replaces(fresh_db):
    load_mentors(fresh_db, MENTORS_1)
    content = register_csv(MENTOR_HEADER, MENTORS_1 + MENTORS_2)

    result = preview(fresh_db, "наставники.csv", content, FormKind.MENTORS, DEFAULTS)

    assert (result.rows, result.organizations, result.new_organizations, result.replaced) == (
        11,
        2,
        1,
        1,
    )
    assert fresh_db.scalar("SELECT count(*) FROM mentors") == 4


def test_uploading_a_schools_register_again_for_the_period_replaces_it(fresh_db):
    load_mentors(fresh_db, MENTORS_1)

    result = load_mentors(fresh_db, MENTORS_1[:2], name="наставники_исправленные.csv")

    assert result.replaced == 1
    assert stored(fresh_db, "mentors", "full_name") == [
        "Иванова Анна Петровна",
        "Петров Пётр Петрович",
    ]
    assert fresh_db.scalar("SELECT count(*) FROM mentors_history") == 4


def test_a_register_for_another_period_does_not_replace_this_periods(fresh_db):
    load_mentors(fresh_db, MENTORS_1)
    other = register_csv(MENTOR_HEADER, MENTORS_1[:1])

    ingest_bytes(
        fresh_db, "2024.csv", other, FormKind.MENTORS, replace(DEFAULTS, period="2023/2024")
    )

    counts = fresh_db.query("SELECT period, count(*) AS n FROM mentors GROUP BY 1 ORDER BY 1")
    assert counts.values.tolist() == [["2022/2023", 4], ["2023/2024", 1]]


def test_rolling_back_a_replacing_register_restores_the_replaced_one(fresh_db):
    load_mentors(fresh_db, MENTORS_1)
    later = load_mentors(fresh_db, MENTORS_1[:1], name="наставники_исправленные.csv")

    rollback(fresh_db, later.upload_id)

    assert len(stored(fresh_db, "mentors", "full_name")) == 4
    assert fresh_db.scalar("SELECT count(*) FROM mentors_history") == 0


def test_the_command_line_loads_a_base_of_mentors_given_its_kind_and_period(tmp_path, capsys):
    path = write_csv(tmp_path / "наставники.csv", [MENTOR_HEADER, *MENTORS_1])
    out = io.StringIO()

    code = main(
        [
            "--db",
            str(tmp_path / "m.duckdb"),
            "ingest",
            str(path),
            "--kind",
            "mentors",
            "--period",
            "2022-23",
            "--region",
            "Удмуртская Республика",
            "--municipality",
            "г. Глазов",
            "--org-type",
            "СОШ",
        ],
        out=out,
    )

    assert code == 0
    assert out.getvalue() == (
        "наставники.csv: загружено строк — 4, новых организаций — 1, заменено баз — 0 "
        "(загрузка № 1)\n"
    )


def test_the_command_lines_kinds_are_the_contracts_upload_kinds(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(tmp_path / "m.duckdb"), "ingest", "f.csv", "--kind", "people"])

    assert exit_.value.code == 2
    assert capsys.readouterr().err.endswith(
        "Ошибка: аргумент --kind: недопустимое значение: 'people' "
        "(допустимо 'org-form', 'registry', 'mentors', 'mentees')\n"
    )


# --- what the registers add --------------------------------------------------------


def summary_row(db, name):
    frame = person_bases.person_base_summary(db)
    return frame[frame["organization"] == name].iloc[0]


def test_the_summary_counts_mentors_mentees_pairs_and_groups_as_counted_by_hand(loaded):
    row = summary_row(loaded, SCHOOL_1)

    assert [int(row[c]) for c in ("mentors", "mentees", "pairs", "groups")] == [4, 8, 3, 1]


def test_the_summary_counts_training_categories_and_completion(loaded):
    row = summary_row(loaded, SCHOOL_1)

    counts = (
        "mentors_trained",
        "teacher_mentees",
        "young_specialists",
        "student_mentees",
        "mentees_completed",
        "mentees_answered",
    )
    assert [int(row[c]) for c in counts] == [3, 7, 3, 1, 2, 6]
    assert round(row["completion_pct"], 1) == 33.3


def test_mentees_without_a_mentor_and_with_a_mentor_missing_from_the_base_are_counted_apart(
    loaded,
):
    row = summary_row(loaded, SCHOOL_1)

    assert (int(row["without_mentor"]), int(row["unmatched_mentor"])) == (1, 1)


def test_a_school_with_only_the_base_of_mentors_has_no_mentee_counts(loaded):
    row = summary_row(loaded, SCHOOL_2)

    assert (bool(row["mentors_listed"]), bool(row["mentees_listed"])) == (True, False)
    assert int(row["mentors"]) == 7
    assert pd.isna(row["mentees"]) and pd.isna(row["pairs"])


def test_a_group_mentor_with_a_single_mentee_makes_a_pair_not_a_group(fresh_db):
    load_mentors(fresh_db, [mentor(form="наставник – группа")])
    load_mentees(
        fresh_db,
        [["Смирнова Дарья", SCHOOL_1, "педагог", "Иванова Анна Петровна", None, None, None, None]],
    )

    row = person_bases.person_base_summary(fresh_db).iloc[0]

    assert (int(row["pairs"]), int(row["groups"])) == (1, 0)


def test_the_mentor_load_is_the_matched_mentees_or_the_plan_where_no_base_of_mentees(loaded):
    loads = person_bases.mentor_loads(loaded)

    by_school = loads.groupby("org_id")["load"].apply(list).to_dict()
    assert by_school == {
        org_id(loaded, SCHOOL_1): [1, 4, 1, 0],
        org_id(loaded, SCHOOL_2): [1, 1, 2, 2, 3, 5, 0],
    }
    assert loads.groupby("org_id")["counted"].all().tolist() == [True, False]


def test_mentors_with_more_than_three_mentees_are_flagged(loaded):
    row_1, row_2 = summary_row(loaded, SCHOOL_1), summary_row(loaded, SCHOOL_2)

    assert (int(row_1["overloaded_mentors"]), int(row_1["max_load"])) == (1, 4)
    assert (int(row_2["overloaded_mentors"]), int(row_2["max_load"])) == (1, 5)


def test_the_load_distribution_counts_mentors_by_their_number_of_mentees(loaded):
    rows = person_bases.load_distribution(person_bases.mentor_loads(loaded))

    assert rows[["label", "mentors", "overloaded"]].values.tolist() == [
        ["0", 2, False],
        ["1", 4, False],
        ["2", 2, False],
        ["3", 1, False],
        ["4", 1, True],
        ["5 и более", 1, True],
    ]


def test_the_distribution_of_forms_matches_a_hand_count(loaded):
    rows = person_bases.form_distribution(loaded, Scope(org_id=org_id(loaded, SCHOOL_1)))

    assert rows[["label", "mentors", "mentees", "pairs", "groups"]].values.tolist() == [
        ["педагог – педагог", 2, 2, 2, 0],
        ["руководитель – педагог", 1, 1, 1, 0],
        ["наставник – группа", 1, 4, 0, 1],
        ["форма не указана", 0, 1, 0, 0],
    ]


def test_programmes_run_from_8_months_to_a_school_year(loaded):
    row = summary_row(loaded, SCHOOL_1)

    assert [row["programmes"], row["months_min"], row["months_median"], row["months_max"]] == [
        5,
        8,
        12,
        12,
    ]


def test_a_school_without_a_base_of_mentees_has_its_mentors_programmes_measured(loaded):
    row = summary_row(loaded, SCHOOL_2)

    assert [row["programmes"], row["months_min"], row["months_max"]] == [1, 8, 8]


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2022, 9, 1), date(2023, 5, 31), 9),
        (date(2022, 9, 1), date(2023, 4, 30), 8),
        (date(2022, 9, 1), date(2023, 8, 31), 12),
        (date(2022, 9, 15), date(2023, 5, 14), 8),
        (date(2022, 9, 15), date(2023, 5, 10), 7),
        (date(2023, 1, 10), date(2023, 1, 20), 0),
    ],
)
def test_months_between_counts_whole_months_with_the_end_day_included(start, end, months):
    assert person_bases.months_between(start, end) == months


def test_the_register_summary_is_limited_by_the_scope(loaded):
    scoped = person_bases.person_base_summary(loaded, Scope(org_id=org_id(loaded, SCHOOL_2)))

    assert scoped["organization"].tolist() == [SCHOOL_2]


def test_an_empty_database_has_an_empty_register_summary(fresh_db):
    frame = person_bases.person_base_summary(fresh_db)

    assert frame.empty
    assert list(frame.columns) == list(person_bases.SUMMARY_COLUMNS)


# --- forms against registers -------------------------------------------------------


def test_a_form_stating_12_mentors_against_7_in_the_base_is_a_discrepancy_of_minus_5(loaded):
    found = person_bases.cross_check(loaded)

    row = found[found["field"] == "mentors"].iloc[0]
    assert (row["organization"], row["form_value"], row["register_value"], row["difference"]) == (
        SCHOOL_2,
        12,
        7,
        -5,
    )
    assert row["field_name"] == "Педагогов-наставников"


def test_the_cross_check_lists_only_the_counts_that_differ(loaded):
    found = person_bases.cross_check(loaded)

    assert found[["organization", "field", "form_value", "register_value"]].values.tolist() == [
        [SCHOOL_1, "pairs", 5, 3],
        [SCHOOL_2, "mentors", 12, 7],
    ]


def test_the_cross_check_is_summed_per_municipality(loaded):
    totals = person_bases.cross_check_totals(loaded, level=Level.MUNICIPALITY)

    mentors = totals[totals["field"] == "mentors"].iloc[0]
    assert [
        mentors["territory"],
        mentors["schools"],
        mentors["schools_differing"],
        mentors["form_value"],
        mentors["register_value"],
        mentors["difference"],
    ] == ["г. Глазов", 2, 1, 16, 11, -5]


def test_the_cross_check_compares_mentee_counts_only_where_the_base_of_mentees_exists(loaded):
    totals = person_bases.cross_check_totals(loaded, level=Level.TOTAL)

    schools = dict(zip(totals["field"], totals["schools"], strict=True))
    assert schools == {
        "mentors": 2,
        "mentors_trained": 2,
        "mentees": 1,
        "mentees_completed": 1,
        "pairs": 1,
        "groups": 1,
    }
    assert set(totals["territory"]) == {"Всего"}


# --- the databases indicator -------------------------------------------------------


def databases(db, level=Level.ORGANIZATION):
    frame = compute(db, Scope(levels=(level,), indicators=("databases",)))
    return frame[["organization", "numerator", "denominator", "value"]].values.tolist()


def test_a_school_with_both_registers_has_the_databases_whatever_its_form_said(loaded):
    assert databases(loaded) == [
        [SCHOOL_1, 1.0, 1.0, 100.0],
        [SCHOOL_2, 0.0, 1.0, 0.0],
    ]


def test_the_databases_of_a_municipality_count_the_registers_of_its_schools(loaded):
    assert databases(loaded, Level.MUNICIPALITY) == [[None, 1.0, 2.0, 50.0]]


def test_a_school_with_both_registers_and_no_form_counts_as_having_the_databases(fresh_db):
    load_mentors(fresh_db, MENTORS_1)
    load_mentees(fresh_db, MENTEES_1)

    assert databases(fresh_db) == [[SCHOOL_1, 1.0, 1.0, 100.0]]


def test_a_school_with_one_register_keeps_the_answer_of_its_form(fresh_db):
    ingest_bytes(
        fresh_db,
        "форма.csv",
        csv_bytes(
            [
                ["Наименование ОО", "Тип ОО", "База наставников", "База наставляемых"],
                [SCHOOL_1, "СОШ", "да", "нет"],
            ]
        ),
        FormKind.ORG_FORM,
        DEFAULTS,
    )
    load_mentors(fresh_db, MENTORS_1)

    assert databases(fresh_db) == [[SCHOOL_1, 0.0, 1.0, 0.0]]
