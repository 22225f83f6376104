"""A table sized for a projector's grid (1280×720): its columns add up to the grid's width
at most, long names wrap onto taller rows, short headers keep the full one in a tooltip."""

from __future__ import annotations

import pandas as pd

from ui.tables import GRID_PX, fitted

NAME = "Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 7»"


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Организация": [NAME, "МБОУ «СОШ № 5»"],
            "Муниципалитет": ["Завьяловский район", "г. Сарапул"],
            "Показателей с дефицитом": [8, 7],
            "Показатели с дефицитом": ["Положение о наставничестве, " * 20, "Дорожная карта"],
        }
    )


def test_the_columns_shown_add_up_to_the_grids_width_at_most():
    shape = fitted(
        _table(),
        ["Организация", "Муниципалитет"],
        short={"Показателей с дефицитом": "Дефицитов"},
        hide=["Показатели с дефицитом"],
    )
    widths = [c["width"] for c in shape["column_config"].values()]
    assert sum(widths) <= GRID_PX
    assert shape["column_order"] == ["Организация", "Муниципалитет", "Показателей с дефицитом"]


def test_a_name_wider_than_its_column_wraps_onto_a_taller_row():
    shape = fitted(_table(), ["Организация", "Муниципалитет"], hide=["Показатели с дефицитом"])
    # Streamlit's grid wraps only rows taller than 4rem (68 px).
    assert shape["row_height"] > 68


def test_a_short_header_keeps_the_full_one_in_its_tooltip():
    shape = fitted(_table(), ["Организация"], short={"Показателей с дефицитом": "Дефицитов"})
    column = shape["column_config"]["Показателей с дефицитом"]
    assert (column["label"], column["help"]) == ("Дефицитов", "Показателей с дефицитом")


def test_a_table_that_fits_keeps_its_rows_one_line_high():
    small = pd.DataFrame({"Место": [1, 2], "Регион": ["Удмуртская Республика", "ХМАО"]})
    shape = fitted(small, ["Регион"], height_limit=600)
    assert shape["row_height"] is None
    assert shape["height"] == 17 + 35 + 35 * 2
