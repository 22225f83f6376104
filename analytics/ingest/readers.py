"""Reading uploaded files into sheets of raw cells.

CSV is decoded in Python (UTF-8 with or without BOM, or Windows-1251, detected) and its
delimiter sniffed; spreadsheets (.xlsx, .xlsm, .xls, .ods) are read with python-calamine.
Hostile files are refused before parsing: over the size limit, or a zip container whose
parts would inflate past the limit.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import overload
from xml.etree import ElementTree

import pyarrow as pa
from charset_normalizer import from_bytes
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from analytics.model.errors import MonitoringError
from analytics.wording import formatting

MB = 1024 * 1024
DEFAULT_MAX_FILE_BYTES = 50 * MB
DEFAULT_MAX_INFLATED_BYTES = 200 * MB

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".ods")
ACCEPTED_SUFFIXES = (*SPREADSHEET_SUFFIXES, ".csv", ".txt")


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES

    @classmethod
    def from_env(cls) -> Limits:
        """Limits from ``MONITORING_MAX_FILE_MB`` and ``MONITORING_MAX_INFLATED_MB``."""
        return cls(
            int(float(os.environ.get("MONITORING_MAX_FILE_MB", 50)) * MB),
            int(float(os.environ.get("MONITORING_MAX_INFLATED_MB", 200)) * MB),
        )


# A CSV file has one table and no sheet name; problems in it name no sheet.
CSV_SHEET = ""


class Grid(Sequence[list[object]]):
    """The rows of a table every row of which has the same cells, kept as its columns
    (Arrow arrays of texts): a large CSV file is read into columns by DuckDB
    (:func:`_split_unquoted`), which the parser reads whole; a row is built only when one
    is asked for (the header search reads the first few)."""

    def __init__(self, columns: list[pa.Array]):
        self.columns = columns
        self._count = len(columns[0]) if columns else 0

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> list[object]: ...

    @overload
    def __getitem__(self, index: slice) -> list[list[object]]: ...

    def __getitem__(self, index: int | slice) -> list[object] | list[list[object]]:
        if isinstance(index, slice):
            return [self[n] for n in range(*index.indices(self._count))]
        if not -self._count <= index < self._count:
            raise IndexError(index)
        return [column[index % self._count].as_py() for column in self.columns]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Grid({list(self)!r})"


@dataclass(frozen=True)
class Sheet:
    """One table of a file: ``rows[i]`` is the row the user sees as number ``i + 1``.

    A ``hidden`` sheet (hidden in the workbook, as an archive of last year often is) is
    not read: its ``rows`` are empty, and the parser skips it with a warning.
    """

    name: str
    rows: list[list[object]] | Grid
    hidden: bool = False


class UnreadableFile(MonitoringError):
    """The file cannot be read at all; the message is in Russian."""


def check_size(size: int, limits: Limits) -> None:
    """Refuse a file over the size limit before reading it."""
    if size > limits.max_file_bytes:
        raise UnreadableFile(
            f"файл больше допустимого размера ({size / MB:.1f} МБ при пределе "
            f"{limits.max_file_bytes / MB:.0f} МБ)".replace(".", ",")
        )


def read_sheets(name: str, content: bytes, limits: Limits | None = None) -> list[Sheet]:
    """Every sheet of the file ``name`` with bytes ``content``."""
    limits = limits or Limits()
    check_size(len(content), limits)
    if not content:
        raise UnreadableFile("файл пустой")
    suffix = Path(name).suffix.casefold()
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_spreadsheet(suffix, content, limits)
    if suffix in (".csv", ".txt"):
        return [Sheet(CSV_SHEET, _read_csv(content))]
    raise UnreadableFile(
        "неподдерживаемый формат файла; принимаются .xlsx, .xlsm, .xls, .ods и .csv"
    )


def _read_spreadsheet(suffix: str, content: bytes, limits: Limits) -> list[Sheet]:
    if suffix in ZIP_SUFFIXES:
        _check_zip(content, limits)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        # calamine reports no merged cells for ODS: they are read from its content.xml.
        ods_merges = _ods_merged_ranges(content) if suffix == ".ods" else None
        sheets = []
        for meta in workbook.sheets_metadata:
            sheet_name = meta.name
            if meta.visible != SheetVisibleEnum.Visible:
                sheets.append(Sheet(sheet_name, [], hidden=True))
                continue
            sheet = workbook.get_sheet_by_name(sheet_name)
            rows = sheet.to_python(skip_empty_area=False)
            if ods_merges is None:
                merged = sheet.merged_cell_ranges or []
            else:
                merged = ods_merges.get(sheet_name, [])
            _spread_merged_cells(rows, merged)
            sheets.append(Sheet(sheet_name, rows))
        return sheets
    except UnreadableFile:
        raise
    except Exception:  # calamine raises several unrelated types for a corrupt file
        raise UnreadableFile(
            "файл повреждён или не является электронной таблицей указанного формата"
        ) from None


def _spread_merged_cells(rows: list[list[object]], ranges: list) -> None:
    """Give every cell of a merged range its top-left value, as the user sees it (a group
    header merged over several columns names each of them)."""
    for (top, left), (bottom, right) in ranges:
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            for c in range(left, min(right, len(rows[r]) - 1) + 1):
                rows[r][c] = value


_ODS_TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_TABLE = f"{_ODS_TABLE_NS}table"
_ODS_ROW = f"{_ODS_TABLE_NS}table-row"
_ODS_CELLS = (f"{_ODS_TABLE_NS}table-cell", f"{_ODS_TABLE_NS}covered-table-cell")
_ODS_NAME = f"{_ODS_TABLE_NS}name"
_ODS_ROWS_REPEATED = f"{_ODS_TABLE_NS}number-rows-repeated"
_ODS_COLUMNS_REPEATED = f"{_ODS_TABLE_NS}number-columns-repeated"
_ODS_ROWS_SPANNED = f"{_ODS_TABLE_NS}number-rows-spanned"
_ODS_COLUMNS_SPANNED = f"{_ODS_TABLE_NS}number-columns-spanned"

MergedRange = tuple[tuple[int, int], tuple[int, int]]


def _ods_merged_ranges(content: bytes) -> dict[str, list[MergedRange]]:
    """The merged ranges of every sheet of an ODS file by sheet name, 0-based
    ``((top, left), (bottom, right))`` as calamine gives them for XLSX.

    A merged cell of ODS is a ``table:table-cell`` with ``number-columns-spanned`` or
    ``number-rows-spanned``; the cells it covers follow as ``covered-table-cell``. Rows
    and cells may stand for several (``number-*-repeated``). The XML is streamed; the
    zip's inflated size was checked before. A table nested in a cell (a rare sub-table)
    is not a sheet, and its rows do not count.
    """
    merges: dict[str, list[MergedRange]] = {}
    current: list[MergedRange] = []
    row = column = 0
    row_repeat = 1
    cell_depth = 0
    with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open("content.xml") as xml:
        for event, element in ElementTree.iterparse(xml, events=("start", "end")):
            tag = element.tag
            if tag in _ODS_CELLS:
                if event == "end":
                    cell_depth -= 1
                    continue
                if cell_depth == 0:
                    rows = int(element.get(_ODS_ROWS_SPANNED, 1))
                    columns = int(element.get(_ODS_COLUMNS_SPANNED, 1))
                    if rows > 1 or columns > 1:
                        current.append(((row, column), (row + rows - 1, column + columns - 1)))
                    column += int(element.get(_ODS_COLUMNS_REPEATED, 1))
                cell_depth += 1
            elif cell_depth > 0:
                continue
            elif tag == _ODS_TABLE and event == "start":
                current = merges.setdefault(element.get(_ODS_NAME, ""), [])
                row = 0
            elif tag == _ODS_ROW and event == "start":
                column = 0
                row_repeat = int(element.get(_ODS_ROWS_REPEATED, 1))
            elif tag == _ODS_ROW:
                row += row_repeat
                element.clear()  # a row's cells are no longer needed: keep memory flat
    return merges


def _check_zip(content: bytes, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise UnreadableFile(
            "файл повреждён или не является электронной таблицей указанного формата"
        ) from None
    if inflated > limits.max_inflated_bytes:
        raise UnreadableFile(
            f"после распаковки файл занимает {inflated / MB:.0f} МБ, больше допустимых "
            f"{limits.max_inflated_bytes / MB:.0f} МБ; файл отклонён"
        )


def decode_text(content: bytes) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM) first, then detection, then cp1251."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in content[:4096]:
        raise UnreadableFile("файл не является текстовым CSV")
    best = from_bytes(content[: 256 * 1024], cp_isolation=["cp1251", "koi8_r", "cp866"]).best()
    encoding = best.encoding if best else "cp1251"
    return content.decode(encoding, errors="replace")


# Characters of each sample line the delimiter is told from.
_SAMPLE_WIDTH = 4096


def _read_csv(content: bytes) -> list[list[object]] | Grid:
    """The rows of a CSV file; broken quoting is refused at the line where it starts
    (see :func:`_swallowed_lines`), never read as something else."""
    text = decode_text(content)
    if "\x00" in text:
        raise UnreadableFile("файл не является текстовым CSV")
    # Cells cut short: the delimiter shows in the first characters of a line, and a cell
    # longer than the csv module takes is refused by the reading below, at its line.
    sample = "\n".join(line[:_SAMPLE_WIDTH] for line in _first_lines(text, 50) if line.strip())
    delimiter = _sniff_delimiter(sample)
    if '"' not in text:
        return _split_unquoted(text, delimiter)
    return _read_quoted(text, delimiter)


def _read_quoted(text: str, delimiter: str) -> list[list[object]]:
    """The rows of a CSV text as the csv module reads them; see :func:`_read_csv`."""
    # newline="": a line may end in "\r", "\n" or "\r\n", as the csv module expects.
    # strict: a quote closed in the middle of a cell («"СОШ" № 5») is an error, not
    # silently dropped.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[object]] = []
    # The records read over more than one line: only their cells can hold a line break.
    spanning: list[tuple[list[object], int]] = []
    start = 1
    try:
        for row in reader:
            rows.append(list(row))
            if reader.line_num > start:
                spanning.append((rows[-1], start))
            start = reader.line_num + 1
    except csv.Error as error:
        raise UnreadableFile(_csv_error_message(str(error), start, reader.line_num)) from None
    _refuse_swallowed_lines(rows, spanning, delimiter)
    return rows


def _first_lines(text: str, count: int) -> list[str]:
    """``text.splitlines()[:count]`` without splitting the whole of a large file."""
    end = 64 * 1024
    while True:
        lines = text[:end].splitlines()
        # The last line of a prefix may be cut short; one more line shows it is whole.
        if len(lines) > count or end >= len(text):
            return lines[:count]
        end *= 4


# Line breaks as the csv module reads them from a text opened with newline="".
_RECORD_BREAK = re.compile(r"\r\n|\r|\n")


def _split_unquoted(text: str, delimiter: str) -> list[list[object]] | Grid:
    """The rows of a CSV text without a single quote character, as :func:`_read_csv`'s
    csv reader gives them, in a third of its time: without quotes every line is one
    record (a blank line an empty one) and every delimiter ends a cell. A cell longer
    than the csv module takes is left to it, for its own refusal. Where every line has
    the same number of cells (more than one), DuckDB reads them into columns: a
    :class:`Grid`, with no Python text per cell."""
    lines = _RECORD_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()  # the line break that ends the last line
    if max(map(len, lines), default=0) > csv.field_size_limit():
        return _read_quoted(text, delimiter)
    counts = set(map(str.count, lines, repeat(delimiter)))
    if len(counts) == 1 and (width := counts.pop() + 1) > 1:
        columns = _columns(lines, delimiter, width)
        if columns is not None:
            return Grid(columns)
    return [line.split(delimiter) if line else [] for line in lines]


def _columns(lines: list[str], delimiter: str, width: int) -> list[pa.Array] | None:
    """The columns of ``lines`` (none blank, every one with ``width`` cells, no quote,
    no line break in them) split at ``delimiter`` by Arrow's CSV reader, in memory (an
    upload's rows, names among them, never touch the disk here): no quoting, no escapes,
    every cell a text as written (an empty one empty, not missing). None where Arrow
    refuses them or reads another number of rows (never seen): the caller splits the
    lines itself."""
    import pyarrow.csv as pa_csv  # the reader's only use of it

    names = [f"c{c}" for c in range(width)]
    try:
        table = pa_csv.read_csv(
            pa.BufferReader("\n".join(lines).encode("utf-8")),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, quote_char=False, escape_char=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    if table.num_rows != len(lines):
        return None
    return [table.column(c).combine_chunks() for c in range(width)]


def _csv_error_message(error: str, start: int, line: int) -> str:
    """The Russian reason for a ``csv.Error`` met in the record starting at line ``start``
    while reading line ``line``."""
    if error.startswith("field larger than field limit") and line == start:
        # The record is one line: no quote swallowed the file, the cell itself is that long.
        return (
            f"строка {start}: ячейка длиннее {formatting.integer(csv.field_size_limit())} "
            "символов — в форме мониторинга таких не бывает; проверьте, что загружается "
            "файл формы, а не выгрузка другой программы"
        )
    if error.startswith(("unexpected end of data", "field larger than field limit")):
        # An opening quote never closed: the rest of the file went into one cell.
        return (
            f"строка {start}: незакрытая кавычка — ячейка начинается с кавычки, которая "
            "не закрыта до конца файла; исправьте кавычки в этой строке"
        )
    if "expected after" in error:
        return (
            f"строка {line}: после закрывающей кавычки в ячейке есть ещё текст; кавычку "
            'внутри ячейки пишут двойной ("") — исправьте кавычки в этой строке'
        )
    return f"файл не удаётся прочитать как CSV (ошибка в строке {line})"


def _refuse_swallowed_lines(
    rows: list[list[object]], spanning: list[tuple[list[object], int]], delimiter: str
) -> None:
    """Refuse a cell whose opening quote closed only lines later: a line inside it that
    splits into about as many cells as the table's rows is a row swallowed by the quote
    (a header cell with a line break and a comma in it is not). ``spanning`` are the
    rows read over several lines, with the line each starts on."""
    if not spanning:
        return
    width = max((len(row) for row in rows), default=0)
    enough = max(3, width // 2)
    for row, start in spanning:
        for cell in row:
            text = str(cell)
            if "\n" not in text and "\r" not in text:
                continue
            if any(line.count(delimiter) + 1 >= enough for line in text.splitlines()):
                end = start + text.count("\n") + text.count("\r") - text.count("\r\n")
                raise UnreadableFile(
                    f"строка {start}: незакрытая кавычка — ячейка, начатая кавычкой, "
                    f"захватила следующие строки файла (до строки {end}); исправьте кавычки "
                    "в этой строке"
                )


def _sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the most lines into the same, largest number of cells."""
    best, best_score = ";", 0
    lines = sample.splitlines()
    for delimiter in (";", "\t", ","):
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        widest = max(counts, default=1)
        if widest < 2:
            continue
        score = sum(1 for c in counts if c == widest) * widest
        if score > best_score:
            best, best_score = delimiter, score
    return best
