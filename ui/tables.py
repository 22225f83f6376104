"""Tables with their downloads: every table on screen can be taken away as formatted
XLSX (header block with the filters, period and data version) or as CSV for Excel."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from analytics.exports import table_csv, table_xlsx

from .charts import slug

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_downloads(
    frame: pd.DataFrame,
    name: str,
    context: Iterable[str],
    key: str,
    *,
    percent_columns: Iterable[str] = (),
    status_column: str | None = None,
) -> None:
    """XLSX and CSV buttons for ``frame``; the files are made only when clicked."""
    lines = list(context)
    base = slug(name)
    percent = list(percent_columns)
    xlsx, csv = st.columns([1, 1], width=280, gap="small")
    xlsx.download_button(
        "XLSX",
        lambda: table_xlsx(
            frame, name, lines, percent_columns=percent, status_column=status_column
        ),
        f"{base}.xlsx",
        XLSX_MIME,
        key=f"{key}_xlsx",
        on_click="ignore",
        icon=":material/download:",
        help="Таблица Excel с оформлением и описанием фильтров",
    )
    csv.download_button(
        "CSV",
        lambda: table_csv(frame),
        f"{base}.csv",
        "text/csv",
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
        help="Текст с разделителем «;» для Excel",
    )
