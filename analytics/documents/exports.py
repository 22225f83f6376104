"""Tables as files people open in Excel: formatted XLSX and safe CSV.

Every text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
written as text, never as a formula: in XLSX as a string cell, in CSV with a leading
apostrophe (the usual guard against formula injection).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from analytics.documents.numeric_text import numeric_frame
from analytics.documents.outputs import FORMULA_PREFIXES
from analytics.model.catalogue import Indicator
from analytics.model.legend import LEGEND, Status
from analytics.wording.formatting import moment

# Format codes are stored in the file in Excel's invariant (en-US) notation; Excel and
# LibreOffice show them in the reader's locale, so in Russian «1 234», «1 234,5», «54,0 %».
# Percentages are kept as points (54.0, not 0.54) with a literal « %», the way the dashboard
# shows them, so the number a user types into a formula is the number they see.
INTEGER_FORMAT = "#,##0"
NUMBER_FORMAT = "#,##0.0"
PERCENT_FORMAT = '0.0" %"'
# A change with its sign, in percentage points (for shares) or in units (for ratios).
CHANGE_FORMAT = '+0.0" п. п.";"−"0.0" п. п.";0.0" п. п."'
SIGNED_FORMAT = '+0.0;"−"0.0;0.0'
# A distance to the target: percentage points for shares, units for ratios.
GAP_FORMAT = '0.0" п. п."'

NUMERATOR_COLUMN = "Числитель"
DENOMINATOR_COLUMN = "Знаменатель"


def value_format(indicator: Indicator) -> str:
    """The XLSX number format of an indicator's value and target."""
    return PERCENT_FORMAT if indicator.is_percent else NUMBER_FORMAT


def gap_format(indicator: Indicator) -> str:
    """The XLSX number format of an indicator's distance to its target."""
    return GAP_FORMAT if indicator.is_percent else NUMBER_FORMAT


def indicator_columns(
    indicator: Indicator | Sequence[Indicator],
    values: Iterable[object],
    numerators: Iterable[object],
    denominators: Iterable[object],
    targets: Iterable[object],
) -> tuple[dict[str, list[float | int | None]], dict[str, list[str]]]:
    """The value, its fraction and the target of an indicator as numbers for an XLSX sheet —
    columns «Значение», «Числитель», «Знаменатель», «Цель» (missing values ``None``) —
    and the per-row formats of value and target for :func:`table_xlsx`'s ``cell_formats``.
    ``indicator`` is one indicator for every row or one per row."""
    columns: dict[str, list[float | int | None]] = {
        "Значение": [_number(v, whole=False) for v in values],
        NUMERATOR_COLUMN: [_number(v) for v in numerators],
        DENOMINATOR_COLUMN: [_number(v) for v in denominators],
        "Цель": [_number(v, whole=False) for v in targets],
    }
    rows = len(columns["Значение"])
    each = [indicator] * rows if isinstance(indicator, Indicator) else list(indicator)
    formats = [value_format(i) for i in each]
    return columns, {"Значение": formats, "Цель": formats}


def number_or_none(value: object) -> float | None:
    """A value as a float for an XLSX cell, ``None`` when missing."""
    number = _number(value, whole=False)
    return None if number is None else float(number)


def _number(value: object, whole: bool = True) -> float | int | None:
    """A cell's number, ``None`` when missing; whole numbers as ``int`` where ``whole``."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    number = float(value)  # type: ignore[arg-type]
    return int(number) if whole and number.is_integer() else number


def defuse(value: object) -> object:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def table_csv(frame: pd.DataFrame) -> bytes:
    """CSV for Excel: UTF-8 with BOM, ``;``-separated, decimal comma, formulas defused."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(defuse)
    text = safe.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
    return text.encode("utf-8-sig")


def table_xlsx(
    frame: pd.DataFrame,
    title: str,
    context: Sequence[str] = (),
    *,
    percent_columns: Iterable[str] = (),
    cell_formats: Mapping[str, Sequence[str]] | None = None,
    status_column: str | None = None,
    statuses: Sequence[str | None] = (),
    sheet_name: str = "Таблица",
    now: datetime | None = None,
    wholes: Mapping[str, str] | None = None,
) -> bytes:
    """A formatted workbook: a header block (title, filters, period, data version, time of
    export), then the table with a bold frozen header and fitted widths.

    Numbers stay numbers: integers get ``#,##0``, other numbers ``#,##0.0``, the
    ``percent_columns`` ``0.0" %"``; ``cell_formats`` gives a column one format per row
    (a column mixing percentages and ratios). ``statuses`` holds one status code per row
    (``green``, ``yellow``, ``red`` or ``None``) and colours that row's ``status_column``.

    A table built for the screen may hold its numbers as Russian texts; they are written as
    numbers in the format that shows them the same way, and a column of «N из M» as two
    columns, the second named by ``wholes`` (:func:`~analytics.documents.numeric_text.
    numeric_frame`)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name[:31]
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    lines = [*context, f"Выгружено: {moment(now or datetime.now())}"]
    for offset, line in enumerate(lines, start=2):
        _text_cell(sheet, offset, 1, line)
    header_row = len(lines) + 3
    percent = set(percent_columns)
    per_cell = dict(cell_formats or {})
    keep = {*per_cell, *percent}
    if status_column is not None:
        keep.add(status_column)
    frame, read = numeric_frame(frame, keep, dict(wholes or {}))
    per_cell.update(read)
    for c, column in enumerate(frame.columns, start=1):
        cell = sheet.cell(row=header_row, column=c)
        _set_text(cell, str(column))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    codes = list(statuses)
    for n, row in enumerate(frame.itertuples(index=False)):
        r = header_row + 1 + n
        for c, (column, value) in enumerate(zip(frame.columns, row, strict=True), start=1):
            cell = sheet.cell(row=r, column=c)
            if column == status_column and n < len(codes):
                colour = LEGEND[Status(codes[n])].colour if codes[n] in LEGEND else None
                if colour:
                    cell.fill = PatternFill("solid", fgColor=colour)
                    cell.font = Font(color="FFFFFF", bold=True)
            if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
                continue
            if isinstance(value, str):
                _set_text(cell, value)
                continue
            cell.value = value.item() if hasattr(value, "item") else value
            if column in per_cell:
                cell.number_format = per_cell[column][n]
            else:
                cell.number_format = _number_format(column, value, percent)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    _fit_widths(sheet, frame, header_row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number_format(column: str, value: object, percent: set[str]) -> str:
    if column in percent:
        return PERCENT_FORMAT
    if isinstance(value, bool):
        return "General"
    if isinstance(value, int) or (hasattr(value, "is_integer") and float(value).is_integer()):
        return INTEGER_FORMAT
    return NUMBER_FORMAT


def _set_text(cell, value: str) -> None:
    # openpyxl turns a string starting with "=" into a formula unless told otherwise.
    cell.value = value
    cell.data_type = "s"


def _text_cell(sheet, row: int, column: int, value: str) -> None:
    _set_text(sheet.cell(row=row, column=column), value)


def _fit_widths(sheet, frame: pd.DataFrame, header_row: int) -> None:
    for c, column in enumerate(frame.columns, start=1):
        values = [str(column)] + [str(v) for v in frame[column].head(500)]
        width = min(max(len(v) for v in values) + 2, 60)
        sheet.column_dimensions[get_column_letter(c)].width = max(width, 8)
