"""Tables and charts as files: formatted XLSX, safe CSV, slide-sized images, HTML."""

import io
import struct
from datetime import datetime

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics.documents.exports import indicator_columns, table_csv, table_xlsx
from analytics.documents.images import figure_html, figure_image, images_available
from analytics.model.catalogue import INDICATORS_BY_ID

HOSTILE = '=HYPERLINK("http://x")'


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Организация": [HOSTILE, "МБОУ «СОШ № 5»"],
            "Значение": [54.0229, 100.0],
            "Организаций": [47, 87],
            "Статус": ["значительно ниже цели", "цель достигнута"],
        }
    )


def _sheet():
    content = table_xlsx(
        _table(),
        "Базы наставников",
        ["Фильтры: 2023/2024 уч. год · г. Глазов", "Версия данных: 7"],
        percent_columns=["Значение"],
        status_column="Статус",
        statuses=["red", "green"],
        now=datetime(2026, 11, 22, 10, 15),
    )
    return openpyxl.load_workbook(io.BytesIO(content)).active


def _ranking_sheet():
    """A ranking of «Базы наставников» as the «Показатели» page exports it."""
    indicator = INDICATORS_BY_ID["databases"]
    numbers, formats = indicator_columns(
        indicator, [54.0229885, None], [47, None], [87, 0], [100, 100]
    )
    frame = pd.DataFrame({"Место": [1, 2], "Наименование": ["г. Глазов", "г. Нягань"], **numbers})
    content = table_xlsx(frame, "Рейтинг", ["Версия данных: 7"], cell_formats=formats)
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_a_school_named_like_a_formula_stays_text_in_xlsx():
    cell = _sheet()["A7"]
    assert (cell.value, cell.data_type) == (HOSTILE, "s")


def test_a_school_named_like_a_formula_is_defused_in_csv():
    text = table_csv(_table()).decode("utf-8-sig")
    assert text.splitlines()[1].startswith('"\'=HYPERLINK(""http://x"")";')


def test_csv_for_excel_has_a_bom_semicolons_and_decimal_commas():
    content = table_csv(_table())
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").splitlines()[2] == (
        "МБОУ «СОШ № 5»;100,0;87;цель достигнута"
    )


def test_the_xlsx_header_block_states_the_title_filters_version_and_time():
    sheet = _sheet()
    assert [sheet.cell(row=r, column=1).value for r in range(1, 7)] == [
        "Базы наставников",
        "Фильтры: 2023/2024 уч. год · г. Глазов",
        "Версия данных: 7",
        "Выгружено: 22.11.2026 10:15",
        None,
        "Организация",
    ]


def test_the_xlsx_table_header_is_bold_and_frozen():
    sheet = _sheet()
    assert sheet["A6"].font.bold is True
    assert sheet.freeze_panes == "A7"


def test_xlsx_numbers_carry_russian_friendly_formats():
    sheet = _sheet()
    assert (sheet["B7"].value, sheet["B7"].number_format) == (54.0229, '0.0" %"')
    assert (sheet["C7"].value, sheet["C7"].number_format) == (47, "#,##0")


def test_an_indicator_value_in_xlsx_is_a_number_shown_as_a_russian_percentage():
    cell = _ranking_sheet()["C6"]
    assert (cell.data_type, cell.value, cell.number_format) == ("n", 54.0229885, '0.0" %"')


def test_an_indicator_fraction_in_xlsx_is_two_whole_number_columns():
    sheet = _ranking_sheet()
    assert [sheet.cell(row=5, column=c).value for c in (4, 5)] == ["Числитель", "Знаменатель"]
    cells = [sheet["D6"], sheet["E6"]]
    assert [(c.data_type, c.value, c.number_format) for c in cells] == [
        ("n", 47, "#,##0"),
        ("n", 87, "#,##0"),
    ]


def test_an_indicator_target_in_xlsx_is_a_number_in_the_indicators_format():
    cell = _ranking_sheet()["F6"]
    assert (cell.data_type, cell.value, cell.number_format) == ("n", 100.0, '0.0" %"')


def test_a_missing_value_in_xlsx_is_an_empty_cell_not_text():
    sheet = _ranking_sheet()
    assert [sheet["C7"].value, sheet["D7"].value, sheet["E7"].value] == [None, None, 0]


def test_a_ratio_indicator_in_xlsx_has_one_decimal_without_a_percent_sign():
    numbers, formats = indicator_columns(INDICATORS_BY_ID["mentor_load"], [1.5], [3], [2], [3])
    frame = pd.DataFrame(numbers)
    content = table_xlsx(frame, "Нагрузка", cell_formats=formats)
    cell = openpyxl.load_workbook(io.BytesIO(content)).active["A5"]
    assert (cell.data_type, cell.value, cell.number_format) == ("n", 1.5, "#,##0.0")


def test_xlsx_status_cells_are_filled_by_status_code_whatever_their_words():
    sheet = _sheet()
    assert sheet["D7"].fill.fgColor.rgb == "00D55E00"
    assert sheet["D8"].fill.fgColor.rgb == "00009E73"


def _png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", content[16:24])


@pytest.mark.skipif(not images_available(), reason="нет chromium")
def test_a_chart_png_is_sized_for_a_slide_at_double_scale():
    fig = go.Figure(go.Bar(x=["г. Глазов", "г. Нягань"], y=[53.3, 62.5]))
    assert _png_size(figure_image(fig)) == (3200, 1800)


@pytest.mark.skipif(not images_available(), reason="нет chromium")
def test_a_chart_svg_is_vector_markup():
    fig = go.Figure(go.Bar(x=["г. Глазов"], y=[53.3]))
    assert figure_image(fig, "svg").lstrip().startswith(b"<svg")


def test_a_chart_html_is_self_contained_and_titled_in_russian():
    fig = go.Figure(go.Bar(x=["г. Глазов"], y=[53.3]))
    page = figure_html(fig, "Базы <наставников>").decode("utf-8")
    assert "<title>Базы &lt;наставников&gt;</title>" in page
    assert '<html lang="ru">' in page
    assert '<script src="https://cdn.plot.ly' not in page
    assert len(page) > 1_000_000  # plotly.js itself is inside
