"""Chart drawing shared by the pages (``ui/charts.py``)."""

from __future__ import annotations

import pandas as pd
import pytest

from ui import charts, matrix


def test_a_school_at_zero_gets_a_bar_stub_and_its_value_beside_it():
    rows = pd.DataFrame(
        {
            "label": ["СОШ № 1", "СОШ № 2"],
            "value": [0.0, 80.0],
            "numerator": [0, 8],
            "denominator": [10, 10],
            "target": [100.0, 100.0],
            "status": ["red", "yellow"],
        }
    )
    bar = charts.indicator_bars(rows, "databases", "Базы", "2023/2024").data[0]
    assert list(bar.text) == ["0,0\u00a0%", "80,0\u00a0%"]
    assert list(bar.x) == pytest.approx([110 * charts.ZERO_STUB, 80.0])
    assert bar.textposition == "auto"
    assert bar.cliponaxis is False


def test_a_bar_charts_data_table_holds_each_bars_label_value_and_fraction():
    rows = pd.DataFrame(
        {
            "label": ["г. Ижевск", "г. Глазов"],
            "value": [54.0, 80.0],
            "numerator": [47, 8],
            "denominator": [87, 10],
            "target": [70.0, 70.0],
            "status": ["yellow", "green"],
        }
    )
    fig = charts.indicator_bars(rows, "databases", "Базы", "2023/2024")

    table = charts.figure_table(fig.to_dict())

    assert list(table.columns) == [charts.NAME, "Значение", "Подробнее"]
    row = table[table.iloc[:, 0] == "г. Ижевск"].iloc[0]
    assert row["Значение"] == "54,0\u00a0%"
    assert row["Подробнее"] == "54,0\u00a0% — 47 из 87 ОО · цель 70,0\u00a0%: близко к цели"
    # Top to bottom as the chart shows them: the higher value first.
    assert list(table[charts.NAME]) == ["г. Глазов", "г. Ижевск"]


def test_a_heatmaps_data_table_has_a_row_per_unit_and_a_column_per_indicator():
    rows = pd.DataFrame(
        {
            "label": ["г. Ижевск", "г. Ижевск"],
            "indicator": ["databases", "mentor_load"],
            "value": [54.0, 2.5],
            "numerator": [47, 5],
            "denominator": [87, 2],
            "target": [70.0, 3.0],
            "status": ["yellow", "green"],
        }
    )
    fig = matrix.status_heatmap(
        rows, ["databases", "mentor_load"], "Дефициты", "", show_values=False
    )

    table = charts.figure_table(fig.to_dict())

    assert table.to_dict("records") == [
        {
            charts.NAME: "г. Ижевск",
            "Базы наставников и наставляемых": "54",
            "Нагрузка на наставника": "2,5",
        }
    ]
