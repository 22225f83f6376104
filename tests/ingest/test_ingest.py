"""Loading monitoring forms: every variant of what real files look like, and every
validation error, located and in Russian, with nothing written when a file is refused."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from analytics.ingest.load import ingest_bytes, ingest_file, parse_bytes, preview
from analytics.ingest.parse import Defaults
from analytics.ingest.problems import IngestError, Problem
from analytics.model.contract import FormKind
from tests.filemakers import (
    FORM_COLUMNS,
    FULL_COLUMNS,
    csv_bytes,
    org,
    state,
    table,
    write_csv,
    write_xlsx,
    xlsx_bytes,
)

DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)
NO_TYPE = Defaults(region="Удмуртская Республика", municipality="г. Глазов", period="2023")


def stored(db, column: str):
    """``column`` of the only form in the database."""
    assert db.scalar("SELECT count(*) FROM form_values") == 1
    return db.scalar(f"SELECT {column} FROM form_values")


def parsed(content: bytes, name: str = "f.csv", defaults: Defaults = DEFAULTS) -> list[dict]:
    """The canonical values of each organisation row a valid file holds."""
    return [r.values for r in parse_bytes(name, content, FormKind.ORG_FORM, defaults).records]


def problems_of(db, name: str, content: bytes, defaults: Defaults = DEFAULTS) -> list[str]:
    """The text of every problem that refuses the file; checks nothing was written."""
    before = state(db)
    with pytest.raises(IngestError) as error:
        ingest_bytes(db, name, content, defaults=defaults)
    assert state(db) == before
    return [str(p) for p in error.value.problems]


@pytest.fixture
def loaded_db(fresh_db):
    """A database that already holds one upload, so a refused file has something to spoil."""
    ingest_bytes(
        fresh_db, "earlier.csv", csv_bytes(table([org("МБОУ «СОШ № 1»")])), defaults=DEFAULTS
    )
    return fresh_db


# Shapes of real files ------------------------------------------------------------------


def test_title_rows_and_blank_rows_above_the_header_are_skipped(fresh_db, tmp_path):
    rows = [
        ["Мониторинг реализации программ наставничества, 2023"],
        [],
        ["г. Глазов"],
        [],
        *table([org("МБОУ «СОШ № 1»"), org("МБОУ «СОШ № 2»")]),
    ]
    ingest_file(fresh_db, write_csv(tmp_path / "f.csv", rows), defaults=DEFAULTS)
    frame = fresh_db.query(
        "SELECT o.name, f.source_row FROM form_values f JOIN organizations o USING (org_id) "
        "ORDER BY f.source_row"
    )
    assert frame.values.tolist() == [["МБОУ «СОШ № 1»", 6], ["МБОУ «СОШ № 2»", 7]]


def test_blank_rows_between_organisations_are_skipped(fresh_db, tmp_path):
    header, first, second = table([org("СОШ № 1"), org("СОШ № 2")])
    rows = [header, [], first, [None] * len(first), [], second]
    path = write_xlsx(tmp_path / "f.xlsx", {"ОО": rows})
    result = ingest_file(fresh_db, path, defaults=DEFAULTS)
    assert result.rows == 2
    assert fresh_db.query("SELECT source_row FROM form_values ORDER BY 1")[
        "source_row"
    ].tolist() == [3, 6]


def test_a_two_row_header_under_merged_group_cells_is_read(fresh_db, tmp_path):
    header, *data = table([org("МБОУ «СОШ № 1»", teachers_total=61, satisfaction_pct=72.5)])
    groups = [None] * len(header)
    groups[0] = "Общие сведения"
    groups[2] = "Локальные акты и базы"
    groups[10] = "Кадры и пары"
    groups[21] = "Результаты"
    rows = [["Мониторинг наставничества, 2023 год"], groups, header, *data]
    merges = {"ОО": ["A2:B2", "C2:J2", "K2:U2", "V2:X2", "A1:X1"]}
    assert len(header) == 24
    ingest_file(fresh_db, write_xlsx(tmp_path / "f.xlsx", {"ОО": rows}, merges), defaults=DEFAULTS)
    assert stored(fresh_db, "teachers_total") == 61
    assert stored(fresh_db, "satisfaction_pct") == 72.5
    assert stored(fresh_db, "source_row") == 4


def test_a_header_cell_merged_down_over_both_header_rows_is_read_from_the_upper_row(
    fresh_db, tmp_path
):
    header, *data = table([org("МБОУ «СОШ № 1»", has_roadmap="нет", mentors=7)])
    upper = [header[0], header[1], "Локальные акты", *[None] * (len(header) - 3)]
    lower = [None, None, *header[2:]]
    rows = [upper, lower, *data]
    merges = {"ОО": ["A1:A2", "B1:B2", "C1:J1"]}
    ingest_file(fresh_db, write_xlsx(tmp_path / "f.xlsx", {"ОО": rows}, merges), defaults=DEFAULTS)
    assert fresh_db.scalar("SELECT name FROM organizations") == "МБОУ «СОШ № 1»"
    assert stored(fresh_db, "has_roadmap") is False
    assert stored(fresh_db, "mentors") == 7
    assert stored(fresh_db, "source_row") == 3


@pytest.mark.parametrize(
    ("code", "written"),
    [
        ("has_regulation", "ПОЛОЖЕНИЕ О НАСТАВНИЧЕСТВЕ"),
        ("has_regulation", "Положение о\nнаставничестве"),
        ("has_curator", "  Куратор   назначен "),
        ("has_mentor_db", "база наставников:"),
        ("teachers_total", "Педагогических работников (чел.)"),
        ("teachers_total", "Педагогических работников, чел."),
        ("pairs", 'Пар "наставник - наставляемый"'),
        ("pairs", "Пар “наставник — наставляемый”"),
        ("groups", "Групп «Наставник — группа»"),
        ("students_10_18", "Обучающихся 10-18 лет"),
        ("student_mentees", "Обучающихся-наставляемых 10—18 лет"),
        ("satisfaction_pct", "Удовлетворенность участников, %"),
        ("satisfaction_pct", "Удовлетворённость участников (%)"),
        ("satisfaction_pct", "Удовлетворённость участников"),
        ("mentors", "Количество наставников"),
    ],
)
def test_a_header_spelled_differently_from_the_canonical_one_is_recognised(code, written):
    value = "нет" if code.startswith(("has_", "program")) else 17
    rows = table(
        [org("МБОУ «СОШ № 1»", **{code: value})], ["inn", *FORM_COLUMNS], headers={code: written}
    )
    result = parse_bytes("f.csv", csv_bytes(rows), FormKind.ORG_FORM, DEFAULTS)
    assert result.warnings == []
    assert result.records[0].values[code] == (False if value == "нет" else 17)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("да", True),
        ("Да", True),
        ("ДА", True),
        ("+", True),
        ("1", True),
        ("есть", True),
        ("имеется", True),
        ("true", True),
        ("нет", False),
        ("Нет", False),
        ("-", False),
        ("0", False),
        ("отсутствует", False),
        ("false", False),
        ("", None),
    ],
)
def test_yes_no_words_are_read_as_yes_or_no_and_a_blank_as_a_missing_answer(word, expected):
    rows = table([org("МБОУ «СОШ № 1»", has_program=word)])
    assert parsed(csv_bytes(rows))[0]["has_program"] is expected


def test_yes_no_answers_are_stored_as_booleans_and_a_blank_as_null(fresh_db):
    rows = table([org("МБОУ «СОШ № 1»", has_regulation="есть", has_roadmap="-", has_curator="")])
    ingest_bytes(fresh_db, "f.csv", csv_bytes(rows), defaults=DEFAULTS)
    assert [stored(fresh_db, c) for c in ("has_regulation", "has_roadmap", "has_curator")] == [
        True,
        False,
        None,
    ]


def test_yes_no_answers_stored_as_numbers_or_booleans_in_a_workbook_are_read(fresh_db, tmp_path):
    rows = table(
        [
            org(
                "МБОУ «СОШ № 1»",
                has_regulation=1,
                has_roadmap=0,
                has_curator=True,
                has_program=False,
            )
        ]
    )
    ingest_file(fresh_db, write_xlsx(tmp_path / "f.xlsx", {"ОО": rows}), defaults=DEFAULTS)
    assert [
        stored(fresh_db, c) for c in ("has_regulation", "has_roadmap", "has_curator", "has_program")
    ] == [True, False, True, False]


@pytest.mark.parametrize(
    ("code", "written", "expected"),
    [
        ("teachers_total", "1 234", 1234),
        ("teachers_total", "1\u00a0234", 1234),
        ("teachers_total", "34 чел.", 34),
        ("satisfaction_pct", "54,5", 54.5),
        ("satisfaction_pct", "54%", 54.0),
        ("satisfaction_pct", "54,5 %", 54.5),
    ],
)
def test_numbers_are_read_with_spaces_decimal_commas_percent_signs_and_units(
    code, written, expected
):
    rows = table([org("МБОУ «СОШ № 1»", **{code: written})])
    assert parsed(csv_bytes(rows))[0][code] == expected


def test_a_blank_count_is_stored_as_missing_not_zero(fresh_db):
    rows = table([org("МБОУ «СОШ № 1»", mentees=None)])
    ingest_bytes(fresh_db, "f.csv", csv_bytes(rows), defaults=DEFAULTS)
    assert stored(fresh_db, "mentees") is None


@pytest.mark.parametrize("total", ["Итого", "ИТОГО:", "Итого по муниципалитету", "Всего", "всего"])
def test_a_totals_row_is_not_an_organisation(total):
    rows = table([org("МБОУ «СОШ № 1»"), org("МБОУ «СОШ № 2»"), org(total, teachers_total=80)])
    assert [values["org_name"] for values in parsed(csv_bytes(rows))] == [
        "МБОУ «СОШ № 1»",
        "МБОУ «СОШ № 2»",
    ]


def test_a_totals_row_is_not_stored_as_an_organisation(fresh_db):
    rows = table([org("МБОУ «СОШ № 1»"), org("Итого", teachers_total=80)])
    result = ingest_bytes(fresh_db, "f.csv", csv_bytes(rows), defaults=DEFAULTS)
    assert result.rows == 1
    assert fresh_db.query("SELECT name FROM organizations")["name"].tolist() == ["МБОУ «СОШ № 1»"]


def test_an_unknown_column_is_ignored_with_a_warning(fresh_db, tmp_path):
    header, *data = table([org("МБОУ «СОШ № 1»")], ["inn", *FORM_COLUMNS])
    rows = [[*header, "Примечание"], *[[*row, "сдано вовремя"] for row in data]]
    result = ingest_file(fresh_db, write_xlsx(tmp_path / "f.xlsx", {"ОО": rows}), defaults=DEFAULTS)
    assert result.rows == 1
    assert result.warnings == [
        Problem(
            "f.xlsx",
            "столбец не входит в форму и не загружается",
            sheet="ОО",
            row=1,
            column="Примечание",
        )
    ]
    assert str(result.warnings[0]) == (
        "Файл «f.xlsx», лист «ОО», строка 1, столбец «Примечание» — "
        "столбец не входит в форму и не загружается"
    )


def test_an_instruction_sheet_without_a_header_is_skipped_with_a_warning(fresh_db, tmp_path):
    sheets = {
        "Инструкция": [["Заполните лист ОО. Да/нет; числа — целые."], ["Срок — 1 декабря"]],
        "ОО": table([org("МБОУ «СОШ № 1»")], ["inn", *FORM_COLUMNS]),
    }
    result = ingest_file(fresh_db, write_xlsx(tmp_path / "f.xlsx", sheets), defaults=DEFAULTS)
    assert result.rows == 1
    assert [str(w) for w in result.warnings] == [
        "Файл «f.xlsx», лист «Инструкция» — "
        "лист пропущен: на нём не найдена строка заголовков формы"
    ]


def test_the_instruction_sheet_of_the_projects_own_template_is_skipped_silently(fresh_db, tmp_path):
    sheets = {
        "Инструкция": [["Инструкция к шаблону формы мониторинга"], ["Заполните лист ОО"]],
        "ОО": table([org("МБОУ «СОШ № 1»")], ["inn", *FORM_COLUMNS]),
    }
    result = ingest_file(fresh_db, write_xlsx(tmp_path / "f.xlsx", sheets), defaults=DEFAULTS)
    assert result.warnings == []


def test_every_sheet_with_a_header_is_loaded(fresh_db, tmp_path):
    sheets = {
        "Школы": table([org("МБОУ «СОШ № 1»"), org("МБОУ «СОШ № 2»")]),
        "Детские сады": table([org("МБДОУ «Детский сад № 3»", org_type="ДОУ")]),
    }
    result = ingest_file(fresh_db, write_xlsx(tmp_path / "f.xlsx", sheets), defaults=DEFAULTS)
    assert result.rows == 3
    frame = fresh_db.query(
        "SELECT o.name, o.org_type, f.source_sheet, f.source_row FROM form_values f "
        "JOIN organizations o USING (org_id) ORDER BY o.name"
    )
    assert frame.values.tolist() == [
        ["МБДОУ «Детский сад № 3»", "preschool", "Детские сады", 2],
        ["МБОУ «СОШ № 1»", "school", "Школы", 2],
        ["МБОУ «СОШ № 2»", "school", "Школы", 3],
    ]


def test_columns_missing_from_the_file_take_the_values_given_at_upload(fresh_db):
    rows = table([org("МБОУ «СОШ № 1»")], columns=[c for c in FORM_COLUMNS if c != "org_type"])
    defaults = Defaults(
        region="Удмуртская Республика",
        municipality="г. Глазов",
        org_type="общеобразовательная",
        period="2022-23",
    )
    ingest_bytes(fresh_db, "f.csv", csv_bytes(rows), defaults=defaults)
    row = fresh_db.query(
        "SELECT r.name AS region, m.name AS municipality, o.org_type, f.period "
        "FROM form_values f JOIN organizations o USING (org_id) "
        "JOIN municipalities m USING (municipality_id) JOIN regions r USING (region_id)"
    )
    assert row.values.tolist() == [["Удмуртская Республика", "г. Глазов", "school", "2022/2023"]]


def test_a_value_in_the_file_beats_the_one_given_at_upload_and_a_blank_cell_takes_it(fresh_db):
    rows = table(
        [
            org("МБОУ «СОШ № 1»", municipality="г. Сарапул"),
            org("МБОУ «СОШ № 2»", municipality=None),
        ],
        columns=["municipality", *FORM_COLUMNS],
    )
    ingest_bytes(fresh_db, "f.csv", csv_bytes(rows), defaults=DEFAULTS)
    frame = fresh_db.query(
        "SELECT o.name, m.name AS municipality FROM organizations o "
        "JOIN municipalities m USING (municipality_id) ORDER BY o.name"
    )
    assert frame.values.tolist() == [
        ["МБОУ «СОШ № 1»", "г. Сарапул"],
        ["МБОУ «СОШ № 2»", "г. Глазов"],
    ]


@pytest.mark.parametrize(
    "written", ["2022/2023", "2022-2023", "2022–2023", "2022/23", "2022-23", "2022 - 2023"]
)
def test_a_school_year_written_any_usual_way_is_read_as_its_canonical_code(written):
    rows = table([org("МБОУ «СОШ № 1»", period=written)], columns=["period", *FORM_COLUMNS])
    assert parsed(csv_bytes(rows))[0]["period"] == "2022/2023"


def test_a_school_year_is_stored_under_its_canonical_code_with_its_first_year(fresh_db):
    rows = table([org("МБОУ «СОШ № 1»", period="2022–23")], columns=["period", *FORM_COLUMNS])
    ingest_bytes(fresh_db, "f.csv", csv_bytes(rows), defaults=DEFAULTS)
    assert stored(fresh_db, "period") == "2022/2023"
    assert fresh_db.query("SELECT * FROM periods").values.tolist() == [["2022/2023", 2022, True]]


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("school", "school"),
        ("СОШ", "school"),
        ("гимназия", "school"),
        ("общеобразовательная", "school"),
        ("ДОУ", "preschool"),
        ("детский сад", "preschool"),
        ("дошкольная", "preschool"),
        ("УДО", "additional"),
        ("дополнительного образования", "additional"),
        ("колледж", "vocational"),
        ("профессиональная", "vocational"),
    ],
)
def test_an_org_type_written_as_code_abbreviation_or_full_name_is_read_as_its_code(written, code):
    rows = table([org("МБОУ «СОШ № 1»", org_type=written)])
    assert parsed(csv_bytes(rows), defaults=NO_TYPE)[0]["org_type"] == code


def test_an_organisation_is_stored_with_its_org_type_code(fresh_db):
    rows = table([org("МБОУ «СОШ № 1»", org_type="гимназия"), org("МБДОУ № 2", org_type="ДОУ")])
    ingest_bytes(fresh_db, "f.csv", csv_bytes(rows), defaults=NO_TYPE)
    assert fresh_db.query(
        "SELECT name, org_type FROM organizations ORDER BY name"
    ).values.tolist() == [
        ["МБДОУ № 2", "preschool"],
        ["МБОУ «СОШ № 1»", "school"],
    ]


def test_a_file_with_every_column_of_the_contract_loads_without_defaults(fresh_db):
    rows = table(
        [
            org(
                "МБОУ «СОШ № 1»",
                region="Удмуртская Республика",
                municipality="г. Глазов",
                district="Северный",
                inn="1833383617",
                period="2023",
            )
        ],
        columns=FULL_COLUMNS,
    )
    result = ingest_bytes(fresh_db, "f.csv", csv_bytes(rows))
    assert (result.rows, result.warnings) == (1, [])
    assert fresh_db.query(
        "SELECT o.inn, d.name FROM organizations o JOIN districts d USING (district_id)"
    ).values.tolist() == [["1833383617", "Северный"]]


def test_what_was_typed_is_kept_beside_the_canonical_values(fresh_db):
    rows = table([org("МБОУ «СОШ № 1»", has_program="имеется", teachers_total="1 234")])
    ingest_bytes(fresh_db, "f.csv", csv_bytes(rows), defaults=DEFAULTS)
    entered = json.loads(stored(fresh_db, "entered"))
    assert entered["Программа наставничества"] == "имеется"
    assert entered["Педагогических работников"] == "1 234"


def test_the_cells_as_entered_are_stored_as_the_json_of_each_rows_typed_cells():
    first = table(
        [
            org('МБОУ "СОШ № 1" \\ корпус', teachers_total="1 234"),
            org(
                "МБОУ «СОШ № 2»", has_program="имеется", teachers_total=None, satisfaction_pct=0.545
            ),
        ]
    )
    second = table([org("МБДОУ «Детский сад № 3»\tфилиал")], ["org_name", "org_type"])
    records = parse_bytes(
        "f.xlsx", xlsx_bytes({"ОО": first, "Сады": second}), FormKind.ORG_FORM, DEFAULTS
    ).records
    assert [r.entered_json for r in records] == [
        json.dumps(dict(r.entered), ensure_ascii=False) for r in records
    ]
    assert json.loads(records[0].entered_json)["Наименование ОО"] == 'МБОУ "СОШ № 1" \\ корпус'
    assert list(json.loads(records[2].entered_json)) == ["Наименование ОО", "Тип ОО"]


def test_a_row_with_no_answer_at_all_is_skipped_with_a_warning(fresh_db):
    empty = {code: None for code in FORM_COLUMNS if code not in ("org_name", "org_type")}
    rows = table([org("МБОУ «СОШ № 1»"), org("МБОУ «СОШ № 2»", **empty)], ["inn", *FORM_COLUMNS])
    result = ingest_bytes(fresh_db, "f.csv", csv_bytes(rows), defaults=DEFAULTS)
    assert result.rows == 1
    assert [str(w) for w in result.warnings] == [
        "Файл «f.csv», строка 3, столбец «Наименование ОО»: значение «МБОУ «СОШ № 2»» — "
        "в строке нет ни одного ответа формы; строка пропущена"
    ]


def test_a_preview_reports_what_an_upload_would_do_and_writes_nothing(loaded_db):
    rows = table([org("МБОУ «СОШ № 1»"), org("МБОУ «СОШ № 2»")])
    before = state(loaded_db)
    result = preview(loaded_db, "f.csv", csv_bytes(rows), defaults=DEFAULTS)
    assert (result.rows, result.new_organizations, result.replaced) == (2, 1, 1)
    assert result.periods == ["2023"]
    assert result.municipalities == ["г. Глазов"]
    assert state(loaded_db) == before


def test_an_upload_reports_what_it_did(loaded_db):
    rows = table([org("МБОУ «СОШ № 1»"), org("МБОУ «СОШ № 2»")])
    result = ingest_bytes(loaded_db, "f.csv", csv_bytes(rows), defaults=DEFAULTS, user="методист")
    assert (result.rows, result.new_organizations, result.replaced) == (2, 1, 1)
    upload = loaded_db.query("SELECT * FROM uploads WHERE upload_id = ?", [result.upload_id])
    assert upload[["file_name", "kind", "rows", "uploaded_by"]].values.tolist() == [
        ["f.csv", "org-form", 2, "методист"]
    ]


# Validation errors ---------------------------------------------------------------------


def bad_workbook(cells: dict[str, object]) -> bytes:
    """A workbook «ОО» with a title row, a blank row, the header in row 3, schools in rows
    4 and 5; ``cells`` overrides values of the school in row 5."""
    rows = [
        ["Мониторинг наставничества, 2023"],
        [],
        *table([org("МБОУ «СОШ № 1»"), org("МБОУ «СОШ № 2»", **cells)]),
    ]
    return xlsx_bytes({"ОО": rows})


def test_a_negative_count_names_file_sheet_row_column_and_value(loaded_db):
    assert problems_of(loaded_db, "bad.xlsx", bad_workbook({"teachers_total": -3})) == [
        "Файл «bad.xlsx», лист «ОО», строка 5, столбец «Педагогических работников»: "
        "значение «-3» — количество не может быть отрицательным"
    ]


@pytest.mark.parametrize(
    ("cell", "shown"), [(10**23, "1E+23"), ("100000000000000000000000", "100000000000000000000000")]
)
def test_a_count_too_large_to_store_names_its_cell_as_excel_shows_it(loaded_db, cell, shown):
    assert problems_of(loaded_db, "bad.xlsx", bad_workbook({"teachers_total": cell})) == [
        "Файл «bad.xlsx», лист «ОО», строка 5, столбец «Педагогических работников»: "
        f"значение «{shown}» — слишком большое число — проверьте, нет ли лишних цифр"
    ]


def test_an_error_names_the_column_as_it_is_written_in_the_file(loaded_db):
    rows = [
        ["Мониторинг наставничества, 2023"],
        *table(
            [org("МБОУ «СОШ № 1»"), org("МБОУ «СОШ № 2»", has_curator="может быть")],
            headers={"has_curator": "КУРАТОР НАЗНАЧЕН (да/нет)"},
        ),
    ]
    assert problems_of(loaded_db, "bad.xlsx", xlsx_bytes({"ОО": rows})) == [
        "Файл «bad.xlsx», лист «ОО», строка 4, столбец «КУРАТОР НАЗНАЧЕН (да/нет)»: "
        "значение «может быть» — ожидается «да» или «нет»"
    ]


@pytest.mark.parametrize(
    ("cells", "column", "value", "message"),
    [
        ({"mentors": "много"}, "Педагогов-наставников", "много", "ожидается число"),
        ({"mentors": "2,5"}, "Педагогов-наставников", "2,5", "ожидается целое число"),
        (
            {"mentees": "-1"},
            "Педагогов-наставляемых",
            "-1",
            "количество не может быть отрицательным",
        ),
        (
            {"has_roadmap": "частично"},
            "Дорожная карта",
            "частично",
            "ожидается «да» или «нет»",
        ),
        (
            {"satisfaction_pct": "120"},
            "Удовлетворённость участников, %",
            "120",
            "доля должна быть от 0 до 100",
        ),
        (
            {"satisfaction_pct": "-5%"},
            "Удовлетворённость участников, %",
            "-5%",
            "доля должна быть от 0 до 100",
        ),
        (
            {"org_type": "интернат"},
            "Тип ОО",
            "интернат",
            "неизвестный тип ОО; допустимо: общеобразовательная, дошкольная, "
            "дополнительного образования, профессиональная",
        ),
    ],
)
def test_a_bad_value_refuses_the_file_with_its_place_and_reason(
    loaded_db, cells, column, value, message
):
    assert problems_of(loaded_db, "bad.xlsx", bad_workbook(cells), NO_TYPE) == [
        f"Файл «bad.xlsx», лист «ОО», строка 5, столбец «{column}»: значение «{value}» — {message}"
    ]


def test_an_unknown_org_type_is_refused_even_when_a_default_is_given(loaded_db):
    problems = problems_of(loaded_db, "bad.xlsx", bad_workbook({"org_type": "интернат"}))
    assert len(problems) == 1
    assert problems[0].startswith(
        "Файл «bad.xlsx», лист «ОО», строка 5, столбец «Тип ОО»: значение «интернат» — "
        "неизвестный тип ОО"
    )


def test_a_blank_org_type_with_no_default_refuses_the_file(loaded_db):
    assert problems_of(loaded_db, "bad.xlsx", bad_workbook({"org_type": None}), NO_TYPE) == [
        "Файл «bad.xlsx», лист «ОО», строка 5, столбец «Тип ОО»: значение «» — "
        "не заполнено обязательное поле «Тип ОО»"
    ]


def test_a_period_that_cannot_be_parsed_refuses_the_file(loaded_db):
    rows = table(
        [org("МБОУ «СОШ № 1»", period="2023"), org("МБОУ «СОШ № 2»", period="прошлый год")],
        columns=["period", *FORM_COLUMNS],
    )
    assert problems_of(loaded_db, "bad.csv", csv_bytes(rows)) == [
        "Файл «bad.csv», строка 3, столбец «Период»: значение «прошлый год» — "
        "период — год (2022) или учебный год (2022/2023)"
    ]


def test_a_school_year_of_two_non_adjacent_years_refuses_the_file(loaded_db):
    rows = table([org("МБОУ «СОШ № 1»", period="2022/2024")], columns=["period", *FORM_COLUMNS])
    assert problems_of(loaded_db, "bad.csv", csv_bytes(rows)) == [
        "Файл «bad.csv», строка 2, столбец «Период»: значение «2022/2024» — "
        "учебный год должен охватывать два соседних года, например 2022/2023"
    ]


def test_a_file_with_no_recognisable_header_is_refused(loaded_db):
    content = csv_bytes([["Школа", "Учителей", "Примечание"], ["СОШ № 1", "40", ""]])
    assert problems_of(loaded_db, "bad.csv", content) == [
        "Файл «bad.csv» — не найдена строка заголовков: ни один столбец не совпал с формой "
        "«Форма мониторинга ОО». Скачайте шаблон и сверьте заголовки"
    ]


def test_a_table_without_the_org_name_column_is_refused(loaded_db):
    rows = table([org("МБОУ «СОШ № 1»")], columns=[c for c in FORM_COLUMNS if c != "org_name"])
    rows = [["Мониторинг, 2023"], *rows]
    assert problems_of(loaded_db, "bad.xlsx", xlsx_bytes({"ОО": rows})) == [
        "Файл «bad.xlsx», лист «ОО», строка 2 — нет столбца «Наименование ОО»"
    ]


@pytest.mark.parametrize(
    ("missing", "header"),
    [
        ("region", "Регион"),
        ("municipality", "Муниципалитет"),
        ("org_type", "Тип ОО"),
        ("period", "Период"),
    ],
)
def test_a_column_missing_from_the_file_with_no_value_given_at_upload_is_refused(
    loaded_db, missing, header
):
    given = {"region": "Удмуртская Республика", "municipality": "г. Глазов", "period": "2023"}
    given["org_type"] = "school"
    given[missing] = None
    rows = table([org("МБОУ «СОШ № 1»")], columns=[c for c in FORM_COLUMNS if c != "org_type"])
    assert problems_of(loaded_db, "bad.xlsx", xlsx_bytes({"ОО": rows}), Defaults(**given)) == [
        f"Файл «bad.xlsx», лист «ОО» — нет столбца «{header}»; "
        "укажите значение для всего файла при загрузке"
    ]


def test_a_value_given_at_upload_that_cannot_be_parsed_refuses_the_file(loaded_db):
    rows = table([org("МБОУ «СОШ № 1»")])
    defaults = Defaults(region="Удмуртская Республика", municipality="г. Глазов", period="весна")
    assert problems_of(loaded_db, "bad.csv", csv_bytes(rows), defaults) == [
        "Файл «bad.csv»: значение «весна» — значение по умолчанию для «Период» не распознано: "
        "период — год (2022) или учебный год (2022/2023)"
    ]


def test_a_value_given_at_upload_that_cannot_be_parsed_is_reported_once_for_all_sheets(
    loaded_db,
):
    sheets = {"Школы": table([org("МБОУ «СОШ № 1»")]), "Сады": table([org("МБДОУ № 2")])}
    defaults = Defaults(region="Удмуртская Республика", municipality="г. Глазов", period="весна")
    assert problems_of(loaded_db, "bad.xlsx", xlsx_bytes(sheets), defaults) == [
        "Файл «bad.xlsx»: значение «весна» — значение по умолчанию для «Период» не распознано: "
        "период — год (2022) или учебный год (2022/2023)"
    ]


def test_an_inn_that_is_not_ten_digits_refuses_the_file(loaded_db):
    rows = table([org("МБОУ «СОШ № 1»", inn="18333836")], columns=["inn", *FORM_COLUMNS])
    assert problems_of(loaded_db, "bad.csv", csv_bytes(rows)) == [
        "Файл «bad.csv», строка 2, столбец «ИНН»: значение «18333836» — ИНН организации — 10 цифр"
    ]


def test_every_error_of_a_file_is_reported_together(loaded_db):
    rows = [
        ["Мониторинг наставничества, 2023"],
        *table(
            [
                org("МБОУ «СОШ № 1»", mentors="-2"),
                org("МБОУ «СОШ № 2»"),
                org("МБОУ «СОШ № 3»", has_regulation="не знаю", satisfaction_pct="101"),
            ]
        ),
    ]
    assert problems_of(loaded_db, "bad.xlsx", xlsx_bytes({"ОО": rows})) == [
        "Файл «bad.xlsx», лист «ОО», строка 3, столбец «Педагогов-наставников»: значение «-2» — "
        "количество не может быть отрицательным",
        "Файл «bad.xlsx», лист «ОО», строка 5, столбец «Положение о наставничестве»: "
        "значение «не знаю» — ожидается «да» или «нет»",
        "Файл «bad.xlsx», лист «ОО», строка 5, столбец «Удовлетворённость участников, %»: "
        "значение «101» — доля должна быть от 0 до 100",
    ]


def test_errors_on_several_sheets_are_reported_together(loaded_db):
    sheets = {
        "Школы": table([org("МБОУ «СОШ № 1»", pairs="пять")]),
        "Сады": table([org("МБДОУ «Детский сад № 2»", groups="-1")]),
    }
    assert problems_of(loaded_db, "bad.xlsx", xlsx_bytes(sheets)) == [
        "Файл «bad.xlsx», лист «Школы», строка 2, столбец «Пар «наставник – наставляемый»»: "
        "значение «пять» — ожидается число",
        "Файл «bad.xlsx», лист «Сады», строка 2, столбец «Групп «наставник – группа»»: "
        "значение «-1» — количество не может быть отрицательным",
    ]


def test_one_bad_row_keeps_the_good_rows_of_the_file_out_too(loaded_db):
    rows = table([org("МБОУ «СОШ № 7»"), org("МБОУ «СОШ № 8»", mentors="x")])
    problems_of(loaded_db, "bad.csv", csv_bytes(rows))
    assert loaded_db.query("SELECT name FROM organizations")["name"].tolist() == ["МБОУ «СОШ № 1»"]


def test_the_same_organisation_twice_in_one_file_is_refused(loaded_db):
    rows = table([org("МБОУ «СОШ № 5»"), org("МБОУ «Школа»"), org('мбоу "сош №5"')])
    assert problems_of(loaded_db, "bad.csv", csv_bytes(rows)) == [
        'Файл «bad.csv», строка 4, столбец «Наименование ОО»: значение «мбоу "сош №5"» — '
        "организация уже указана на листе «» в строке 2"
    ]


def test_a_registry_file_loads_the_organisations_expected_to_report(fresh_db):
    rows = table(
        [
            org("МБОУ «СОШ № 1»"),
            org("МБОУ «СОШ № 2»"),
            org("МБДОУ «Детский сад № 3»", org_type="ДОУ"),
        ],
        columns=["org_name", "inn", "org_type"],
    )
    result = ingest_bytes(fresh_db, "реестр.csv", csv_bytes(rows), FormKind.REGISTRY, DEFAULTS)
    assert result.rows == 3
    assert fresh_db.scalar("SELECT count(*) FROM registry") == 3
    assert fresh_db.scalar("SELECT count(*) FROM form_values") == 0


def test_a_registry_that_lists_only_organisation_names_loads_with_upload_defaults(fresh_db):
    rows = [["Наименование ОО"], ["МБОУ «СОШ № 1»"], ["МБОУ «СОШ № 2»"]]
    result = ingest_bytes(fresh_db, "реестр.csv", csv_bytes(rows), FormKind.REGISTRY, DEFAULTS)
    assert result.rows == 2
    assert fresh_db.scalar("SELECT count(*) FROM registry") == 2


def test_a_group_cell_merged_over_two_sub_headers_completes_both_of_their_names(fresh_db):
    # «База» is merged over «наставников» and «наставляемых»: the columns are «База
    # наставников» and «База наставляемых», not the counts «Наставников», «Наставляемых».
    upper = ["Наименование ОО", "Тип ОО", "База", None, "Педагогических работников"]
    lower = [None, None, "наставников", "наставляемых", None]
    data = ["МБОУ «СОШ № 1»", "СОШ", "да", "нет", 40]
    merges = {"ОО": ["A1:A2", "B1:B2", "C1:D1", "E1:E2"]}
    content = xlsx_bytes({"ОО": [upper, lower, data]}, merges)
    ingest_bytes(fresh_db, "f.xlsx", content, defaults=DEFAULTS)
    assert [stored(fresh_db, c) for c in ("has_mentor_db", "has_mentee_db", "mentors")] == [
        True,
        False,
        None,
    ]


def test_a_share_typed_as_a_percentage_in_excel_is_read_in_percent(fresh_db, tmp_path):
    # Excel stores «54,5 %» typed into a cell as 0.545 with a percent number format.
    path = write_xlsx(tmp_path / "f.xlsx", {"ОО": table([org("МБОУ «СОШ № 1»")])})
    workbook = load_workbook(path)
    cell = workbook["ОО"].cell(row=2, column=FORM_COLUMNS.index("satisfaction_pct") + 1)
    cell.value, cell.number_format = 0.545, "0.0%"
    workbook.save(path)
    ingest_file(fresh_db, path, defaults=DEFAULTS)
    assert stored(fresh_db, "satisfaction_pct") == pytest.approx(54.5)


def test_a_percentage_cell_among_plain_numbers_in_a_share_column_is_read_in_percent(
    fresh_db, tmp_path
):
    # A municipal file pasted together from schools' answers: one school typed «54,5 %»
    # (Excel keeps 0.545 with a percent format), the other typed 85.
    rows = table([org("МБОУ «СОШ № 1»"), org("МБОУ «СОШ № 2»", satisfaction_pct=85)])
    path = write_xlsx(tmp_path / "f.xlsx", {"ОО": rows})
    workbook = load_workbook(path)
    cell = workbook["ОО"].cell(row=2, column=FORM_COLUMNS.index("satisfaction_pct") + 1)
    cell.value, cell.number_format = 0.545, "0.0%"
    workbook.save(path)
    ingest_file(fresh_db, path, defaults=DEFAULTS)
    shares = fresh_db.query(
        "SELECT o.name, f.satisfaction_pct FROM form_values f JOIN organizations o "
        "USING (org_id) ORDER BY o.name"
    )
    assert shares.values.tolist() == [
        ["МБОУ «СОШ № 1»", pytest.approx(54.5)],
        ["МБОУ «СОШ № 2»", 85.0],
    ]


def test_a_signature_line_under_the_table_is_skipped_whatever_defaults_are_given(fresh_db):
    rows = [
        *table([org("МБОУ «СОШ № 1»"), org("МБОУ «СОШ № 2»")], [*FORM_COLUMNS, "inn"]),
        [],
        ["Исполнитель: Иванова А. П., тел. 8 (34141) 2-22-22"],
    ]
    result = ingest_bytes(fresh_db, "f.csv", csv_bytes(rows), defaults=NO_TYPE)
    assert result.rows == 2
    assert [str(w) for w in result.warnings] == [
        "Файл «f.csv», строка 5, столбец «Наименование ОО»: "
        "значение «Исполнитель: Иванова А. П., тел. 8 (34141) 2-22-22» — "
        "в строке нет ни одного ответа формы; строка пропущена"
    ]
