"""Tables with their downloads: every table on screen can be taken away as formatted
XLSX (header block with the filters, period and data version) or as CSV for Excel."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import pandas as pd
import streamlit as st

from analytics.documents.exports import table_csv, table_xlsx

from .charts import slug

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_downloads(
    frame: pd.DataFrame | Callable[[], pd.DataFrame],
    name: str,
    context: Iterable[str],
    key: str,
    *,
    percent_columns: Iterable[str] = (),
    status_column: str | None = None,
    export: pd.DataFrame | None = None,
    cell_formats: Mapping[str, Sequence[str]] | None = None,
    statuses: Sequence[str | None] = (),
    wholes: Mapping[str, str] | None = None,
) -> None:
    """XLSX and CSV buttons for ``frame``; the files are made only when clicked.

    ``frame`` may be a function that builds the table, for a table too long to build on
    every run (a country's registry): it is called only when a button is clicked.
    ``export`` is the same table with numbers as numbers (the screen shows them as
    Russian text), written to the files instead of ``frame``; ``cell_formats`` and
    ``statuses`` (status codes per row) and ``wholes`` (the names of the second columns of
    «N из M» columns) are passed on to :func:`table_xlsx`."""
    lines = list(context)
    source = frame if export is None else export

    def data() -> pd.DataFrame:
        return source() if callable(source) else source

    base = slug(name)
    percent = list(percent_columns)
    xlsx, csv = st.columns([1, 1], width=280, gap="small")
    xlsx.download_button(
        "XLSX",
        lambda: table_xlsx(
            data(),
            name,
            lines,
            percent_columns=percent,
            cell_formats=cell_formats,
            status_column=status_column,
            statuses=statuses,
            wholes=wholes,
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
        lambda: table_csv(data()),
        f"{base}.csv",
        "text/csv",
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
        help="Текст с разделителем «;» для Excel",
    )
