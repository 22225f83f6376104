"""Tables with their downloads: every table on screen can be taken away as formatted
XLSX (header block with the filters, period and data version) or as CSV for Excel."""

from __future__ import annotations

import math
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


# A data grid's inner width on a meeting room's projector (1280×720, sidebar open; measured
# 808 px), and what a cell's text takes in it: Streamlit's grid draws 14 px text, about
# 7.6 px a character, with 10 px padding on either side; a wrapped line is 21 px high.
GRID_PX = 800
_CHAR_PX = 7.6
_CELL_PAD = 20
_LINE_PX = 21
_ROW_PX = 35  # a row's default height, the header's too
_SELECT_PX = 34
# Streamlit's grid wraps a cell's text only in rows taller than 4rem (68 px at the pages'
# 17 px font).
_WRAPPING_ROW_PX = 72
_MAX_LINES = 4


def _text_px(text: object) -> int:
    return int(len(str(text)) * _CHAR_PX) + _CELL_PAD


def fitted(
    frame: pd.DataFrame,
    wrap: Sequence[str],
    *,
    config: Mapping[str, object] | None = None,
    short: Mapping[str, str] | None = None,
    hide: Sequence[str] = (),
    selectable: bool = False,
    height_limit: int | None = None,
) -> dict[str, object]:
    """``st.dataframe``'s ``column_config`` and ``row_height`` that fit ``frame`` into a
    grid at 1280×720 instead of hiding its last columns beyond the right edge: every
    column keeps the width of its header and longest value, except the ``wrap`` columns
    (names, long wordings), which share the room left and wrap onto more lines (a grid's
    header does not wrap). ``short`` gives columns a shorter header on screen, the full one
    in its tooltip; ``hide`` columns are left to the downloads. ``config`` is the table's
    own column configuration, kept; ``selectable`` leaves room for the grid's row
    selection boxes. With ``height_limit`` the grid's ``height`` is given too:
    all rows without an inner scroll bar, up to that many pixels."""
    short = dict(short or {})
    shown = [str(c) for c in frame.columns if c not in hide]
    natural = {
        c: max([_text_px(short.get(c, c)), *(_text_px(v) for v in frame[c].head(500))])
        for c in shown
    }
    wrap = [c for c in wrap if c in natural]  # a table may go without a column (Район)
    room = GRID_PX - (_SELECT_PX if selectable else 0)
    room -= sum(w for c, w in natural.items() if c not in wrap)
    wanted = sum(natural[c] for c in wrap)
    widths, lines = dict(natural), 1
    if wanted > room:
        # Shares of the room by natural width; a column its header would not fit gets
        # its header's width, and the others share what is left.
        floor = {c: _text_px(short.get(c, c)) for c in wrap}
        sharing = list(wrap)
        while sharing:
            left = room - sum(floor[c] for c in wrap if c not in sharing)
            total = sum(natural[c] for c in sharing)
            narrow = [c for c in sharing if left * natural[c] / total < floor[c]]
            if not narrow:
                break
            sharing = [c for c in sharing if c not in narrow]
        for c in wrap:
            share = int(left * natural[c] / total) if c in sharing else 0
            widths[c] = max(floor[c], share)
            # Words do not break where the characters would: a fifth more lines.
            needed = (natural[c] - _CELL_PAD) * 1.2 / (widths[c] - _CELL_PAD)
            lines = max(lines, min(_MAX_LINES, math.ceil(needed)))
    own = dict(config or {})
    columns = {c: {**dict(own.get(c) or {}), "width": w} for c, w in widths.items()}
    for c, label in short.items():
        if c not in columns:
            continue
        columns[c]["label"] = label
        columns[c].setdefault("help", c)
    row = _ROW_PX if lines == 1 else max(_WRAPPING_ROW_PX, lines * _LINE_PX + 14)
    shape: dict[str, object] = {
        "column_config": {**own, **columns},
        "row_height": None if lines == 1 else row,
        "column_order": shown,
    }
    if height_limit is not None:
        shape["height"] = min(height_limit, 17 + _ROW_PX + row * max(len(frame), 1))
    return shape
