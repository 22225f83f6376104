"""Views of many units against many indicators (``ui/matrix.py``)."""

from __future__ import annotations

import pandas as pd
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.ArrowData_pb2 import ArrowData

from ui import matrix


def _sent(styler) -> bytes:
    """What ``st.dataframe`` sends of a Styler."""
    styler.set_uuid("scorecard")
    proto = ArrowData()
    marshall_styler(proto, styler, "scorecard")
    return proto.SerializeToString()


def test_the_scorecard_sends_the_same_text_and_colours_as_a_plain_styler():
    table = pd.DataFrame(
        {
            "Территория": ["г. Глазов", "Всего по фильтрам"],
            "Дефицитов": ["1 из 2", "0 из 2"],
            "Базы": ["54,0\u00a0%", "—"],
            "Нагрузка": ["3,5", "2,0"],
        }
    )
    statuses = pd.DataFrame({"Базы": ["red", None], "Нагрузка": ["yellow", "green"]})
    css = matrix.cell_styles(table, statuses)

    plain = table.style.apply(lambda _: css, axis=None)

    assert _sent(matrix.with_styles(table, css)) == _sent(plain)
