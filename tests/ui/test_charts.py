"""Chart drawing shared by the pages (``ui/charts.py``)."""

from __future__ import annotations

import pandas as pd
import pytest

from ui import charts


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
