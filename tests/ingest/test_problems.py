"""Identical problems grouped into one line each, with their rows compressed, so that a
column of 1 229 bad numbers reads as one line, not 1 229."""

from __future__ import annotations

import pytest

from analytics.ingest.problems import Problem, group_problems, row_ranges
from analytics.wording.formatting import NBSP
from ui.upload import problems_frame


def not_a_number(row: int, value: str = "много", column: str = "Педагогов-наставников") -> Problem:
    return Problem("f.csv", "ожидается число", row=row, column=column, value=value)


def test_rows_are_compressed_into_runs_with_single_rows_and_pairs_listed():
    assert row_ranges([14, 5, 6, 7, 8, 9, 12, 15, 16, 17, 18, 19, 20, 22, 23]) == (
        "5–9, 12, 14–20, 22, 23"
    )


def test_a_long_scattered_list_of_rows_ends_after_ten_pieces():
    assert row_ranges(range(2, 40, 2)) == "2, 4, 6, 8, 10, 12, 14, 16, 18, 20, …"


def test_the_same_problem_in_one_column_on_1229_rows_is_one_line():
    problems = [not_a_number(r, value=f"н/д {r}") for r in range(5, 1234)]
    assert group_problems(problems) == [
        f"Файл «f.csv», столбец «Педагогов-наставников» — ожидается число — "
        f"1{NBSP}229{NBSP}строк: 5–1233"
    ]


@pytest.mark.parametrize(
    ("rows", "ending"),
    [(2, "2 строки: 2, 3"), (5, "5 строк: 2–6"), (21, "21 строка: 2–22")],
)
def test_the_count_of_rows_takes_the_russian_plural(rows, ending):
    problems = [not_a_number(r, value=str(r)) for r in range(2, 2 + rows)]
    assert group_problems(problems)[0].endswith(" — " + ending.replace(" ", NBSP, 1))


def test_a_value_every_row_shares_is_named_once():
    assert group_problems([not_a_number(3), not_a_number(4), not_a_number(9)]) == [
        "Файл «f.csv», столбец «Педагогов-наставников»: значение «много» — ожидается число — "
        f"3{NBSP}строки: 3, 4, 9"
    ]


def test_a_problem_met_once_reads_as_itself_and_whole_file_problems_stay_in_place():
    problems = [
        not_a_number(7),
        Problem("f.csv", "в файле нет столбца формы «ИНН»; его значения не будут загружены"),
        not_a_number(3, column="Молодых специалистов"),
        not_a_number(8),
    ]
    assert group_problems(problems) == [
        "Файл «f.csv», столбец «Педагогов-наставников»: значение «много» — ожидается число — "
        f"2{NBSP}строки: 7, 8",
        "Файл «f.csv» — в файле нет столбца формы «ИНН»; его значения не будут загружены",
        "Файл «f.csv», строка 3, столбец «Молодых специалистов»: значение «много» — "
        "ожидается число",
    ]


def test_the_same_message_on_two_sheets_is_two_lines():
    problems = [
        Problem("f.xlsx", "ожидается число", sheet=sheet, row=r, column="Педагогов-наставников")
        for sheet in ("Центральный", "Северный")
        for r in (4, 5, 6)
    ]
    assert group_problems(problems) == [
        f"Файл «f.xlsx», лист «{sheet}», столбец «Педагогов-наставников» — ожидается число — "
        f"3{NBSP}строки: 4–6"
        for sheet in ("Центральный", "Северный")
    ]


def test_the_upload_page_lists_a_group_as_one_row_with_its_rows_count_and_first_values():
    problems = [not_a_number(r, value=v) for r, v in [(5, "a"), (6, "b"), (7, "c"), (8, "d")]]
    problems.append(not_a_number(12, value="z", column="Молодых специалистов"))
    frame = problems_frame(problems)
    assert frame.values.tolist() == [
        [
            "f.csv",
            "",
            "5–8",
            "Педагогов-наставников",
            "a, b, c, …",
            f"ожидается число — 4{NBSP}строки",
        ],
        ["f.csv", "", "12", "Молодых специалистов", "z", "ожидается число"],
    ]


def test_a_problem_of_a_whole_file_leaves_its_sheet_row_column_and_value_cells_empty():
    frame = problems_frame([Problem("f.csv", "файл пуст")])
    assert frame.values.tolist() == [["f.csv", "", "", "", "", "файл пуст"]]
