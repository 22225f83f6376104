"""A sheet's column factorised into its distinct cells: every cell is its distinct
value again, by type and value, however the column is made up."""

from __future__ import annotations

from datetime import date

import pytest

from analytics.ingest.parse import _factorize, find_header
from analytics.model.contract import FormKind

COLUMNS = {
    "texts": ["Да", "Нет", "Да", "", "Да"],
    "texts and empty cells": [None, "Да", None, "Нет", "Да"],
    "empty cells only": [None, None],
    "no cells": [],
    "a text no UTF-8 holds": ["Да", "\udc80", "Да"],
    "numbers and flags": [1, True, 1.0, "1", None, False, 0],
    "dates and texts": [date(2024, 9, 1), "01.09.2024", date(2024, 9, 1)],
    "a missing number": ["12", float("nan"), "12"],
}


@pytest.mark.parametrize("cells", COLUMNS.values(), ids=COLUMNS.keys())
def test_each_cell_of_a_column_is_its_distinct_value_by_type_and_value(cells):
    codes, uniques = _factorize(cells)
    # A NaN cell is the same object again (NaN equals nothing, itself included).
    assert [(type(uniques[c]), uniques[c]) for c in codes] == [(type(c), c) for c in cells]


@pytest.mark.parametrize("cells", COLUMNS.values(), ids=COLUMNS.keys())
def test_a_columns_distinct_values_are_listed_once(cells):
    _, uniques = _factorize(cells)
    assert len({(type(u), repr(u)) for u in uniques}) == len(uniques)


def test_a_column_of_texts_lists_its_values_in_order_of_first_appearance_and_blank_last():
    assert _factorize([None, "Нет", "Да", None, "Нет"])[1] == ["Нет", "Да", None]


def test_the_header_is_the_row_naming_the_most_columns_even_below_rows_of_data():
    # A short header-like row, a row of figures, then the form's full header: rows that
    # cannot name more columns are passed over, the full header is not.
    rows = [
        ["Наименование ОО", "ИНН", "", ""],
        ["Школа № 1", 7701000001.0, 12.0, 3.0],
        ["Наименование ОО", "ИНН", "Педагогических работников", "Молодых специалистов"],
        ["Школа № 2", 7701000002.0, 40.0, 5.0],
    ]
    header = find_header(rows, FormKind.ORG_FORM)
    assert header.row_index == 2
    assert [f.code for f in header.columns.values()] == [
        "org_name",
        "inn",
        "teachers_total",
        "young_specialists",
    ]
