"""Tables written out by DuckDB itself: the command line's CSV and JSON, and the files
of ``--out``: those two, Parquet and XLSX.

A :class:`Query` (rows DuckDB produces on the database's own connection), or an Arrow
table or a pandas frame handed to a private DuckDB, is written with ``COPY … TO`` into a
private temporary file; the file is then passed to the output stream as it is. Text cells
that a spreadsheet would run as a formula get a leading apostrophe in SQL, as
:func:`analytics.documents.exports.defuse` does. So writing millions of rows costs what
DuckDB's own writer does, with no Python work per cell.

CSV: ``,``-separated, header row, ``\\n`` line ends, fields quoted only where needed,
empty for a missing value, booleans ``True``/``False`` (as pandas writes them). JSON: an
array of objects, one per row, keys in column order, ``null`` for a missing value.
Parquet: the columns typed as DuckDB holds them, texts as they are (a program reads them,
never as a formula). XLSX: one sheet, the header row then the rows, numbers as numbers,
texts always as text; only where the rows fit an Excel sheet.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

import duckdb

from analytics.model.errors import MonitoringError
from analytics.store.db import Database, registered
from analytics.store.rows import Cells, Query
from analytics.wording.formatting import count

# pandas and pyarrow only for a table handed over from Python (:func:`_arrow`): a
# :class:`Query` is written without them, so ``indicators --format csv`` starts without them.
if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

# Text cells starting with one of these are written as text, never run as a formula (in
# CSV with a leading apostrophe). Here rather than in :mod:`analytics.documents.exports`, which
# loads openpyxl: the command line writes CSV without it.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_CHUNK = 1 << 20
# The named parameter that holds FORMULA_PREFIXES in the SQL of CSV_CELLS.
_PREFIXES = "formula_prefixes"
# The formats written only into a file: binary, for a program or a spreadsheet.
FILE_FORMATS = ("parquet", "xlsx")
# The rows of an Excel sheet, the header's among them.
EXCEL_ROWS = 1_048_576
# Rows passed from Parquet to the workbook at a time.
_BATCH = 65_536


class TooManyRows(MonitoringError):
    """Rows that do not fit an Excel sheet; the message says how many and what to do."""


def defused_sql(column: str) -> str:
    """SQL for the text column ``column`` (an identifier from code) with a leading
    apostrophe where it starts like a formula; the prefixes are the query's parameter 1."""
    return _defused(_identifier(column), "$1")


def _defused(expression: str, prefixes: str) -> str:
    text = f"CAST({expression} AS VARCHAR)"
    starts = f"list_contains({prefixes}, left({text}, 1))"
    return f"CASE WHEN {starts} THEN '''' || {text} ELSE {text} END"


# CSV: a text that starts like a formula gets an apostrophe, an empty text is an empty
# field (DuckDB would quote it to tell it from a missing one; pandas, and so the CSV until
# now, did not), booleans are spelled as pandas spelled them.
CSV_CELLS = Cells(
    text=lambda e: f"NULLIF({_defused(e, '$' + _PREFIXES)}, '')",
    flag=lambda e: f"CASE WHEN {e} THEN 'True' WHEN NOT {e} THEN 'False' END",
    params={_PREFIXES: list(FORMULA_PREFIXES)},
)
# JSON: values as they are (in JSON a text is never run as a formula).
JSON_CELLS = Cells(text=lambda e: e, flag=lambda e: e, params={})


def write(
    table: Query | pa.Table | pd.DataFrame,
    columns: Sequence[str],
    fmt: str,
    out: TextIO,
) -> None:
    """Write ``columns`` of ``table`` to ``out`` as ``fmt`` (``csv`` or ``json``), through
    DuckDB. Text columns are defused in CSV (in JSON a text is never a formula)."""
    if isinstance(table, Query):
        _write_query(table, columns, fmt, out)
        return
    import pyarrow as pa

    table = _arrow(table, columns)
    if fmt == "json" and table.num_rows == 0:
        out.write("[]\n")  # DuckDB writes an empty array over three lines
        return
    selected, defused = [], False
    for field in table.schema:
        name = _identifier(field.name)
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if fmt == "csv" and (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            # An empty text is written as an empty field (see CSV_CELLS).
            selected.append(f"NULLIF({defused_sql(field.name)}, '') AS {name}")
            defused = True
        elif fmt == "csv" and pa.types.is_boolean(kind):
            selected.append(f"{CSV_CELLS.flag(name)} AS {name}")
        else:
            selected.append(name)
    with tempfile.TemporaryDirectory(prefix="monitoring-out-") as directory:
        target = Path(directory) / f"out.{fmt}"
        # A private in-memory DuckDB with one thread: one thread writes the rows in the
        # table's order (a parallel scan of Arrow chunks does not), and on a loaded
        # machine it writes as fast as two (the work is formatting, not the query).
        writer = duckdb.connect(config={"threads": 1})
        try:
            with registered(writer, "output_table", table):
                writer.execute(
                    f"COPY (SELECT {', '.join(selected)} FROM output_table) "
                    f"TO '{_literal(str(target))}' ({_options(fmt)}, PRESERVE_ORDER true)",
                    [list(FORMULA_PREFIXES)] if defused else [],
                )
        finally:
            writer.close()
        _pass_on(target, out)


def save(
    table: Query | pa.Table | pd.DataFrame, columns: Sequence[str], fmt: str, path: Path
) -> None:
    """Write ``columns`` of ``table`` into the file ``path`` as ``fmt`` (``csv``, ``json``,
    ``parquet`` or ``xlsx``). Rows that do not fit an Excel sheet are a
    :class:`TooManyRows`, and ``path`` is left as it was."""
    if fmt not in FILE_FORMATS:
        with _replacing(path) as partial, partial.open("w", encoding="utf-8", newline="") as target:
            write(table, columns, fmt, target)
        return
    if fmt == "parquet":
        _copy(table, columns, path, "FORMAT parquet")
        return
    # The rows go through Parquet first: DuckDB runs the query once, the count is in
    # the file's footer, and the workbook is written a batch at a time.
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory(prefix="monitoring-out-") as directory:
        rows = Path(directory) / "rows.parquet"
        _copy(table, columns, rows, "FORMAT parquet")
        source = pq.ParquetFile(rows)
        found = source.metadata.num_rows
        if found >= EXCEL_ROWS:
            raise TooManyRows(
                f"в результате {count(found, 'строка', 'строки', 'строк')}, а лист Excel "
                f"вмещает не больше {count(EXCEL_ROWS - 1, 'строки', 'строк', 'строк')} под "
                "заголовком; выберите --format csv или parquet или сузьте выборку "
                "(--period, --level, территория)"
            )
        # Opened before the sheet is begun: a file that cannot be written fails here, not
        # in the middle of openpyxl's writing (which then reports its own errors at exit).
        with _replacing(path) as partial, partial.open("wb") as target:
            _workbook(source, list(columns), target)


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A file beside ``path`` to write, put in its place once the block is done: a
    failed write leaves ``path`` as it was (DuckDB's ``COPY`` does so itself)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        yield partial
        partial.replace(path)
    finally:
        with suppress(OSError):  # never hides the write's own error
            partial.unlink(missing_ok=True)


def _workbook(source: object, columns: list[str], target: BinaryIO) -> None:
    """The rows of the Parquet file ``source`` as one sheet of a workbook into ``target``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Таблица")

    def text(value: str) -> WriteOnlyCell:
        # openpyxl turns a text starting with "=" into a formula unless told otherwise.
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell

    sheet.append([text(c) for c in columns])
    for batch in source.iter_batches(batch_size=_BATCH, columns=columns):
        for row in zip(*(c.to_pylist() for c in batch.columns), strict=True):
            sheet.append([text(v) if isinstance(v, str) else v for v in row])
    workbook.save(target)


def _copy(
    table: Query | pa.Table | pd.DataFrame, columns: Sequence[str], target: Path, options: str
) -> None:
    """``COPY`` ``columns`` of ``table`` as they are (no cell spelled for a format) into
    ``target`` with the ``COPY`` ``options``, in the table's order."""
    selected = ", ".join(_identifier(c) for c in columns)
    copy = f"TO '{_literal(str(target))}' ({options}, PRESERVE_ORDER true)"
    if isinstance(table, Query):
        with table.db.snapshot() as db:
            cur = db.cursor()
            try:
                sql, params = table.prepare(cur, JSON_CELLS)
                cur.execute(f"COPY (SELECT {selected} FROM ({sql})) {copy}", params)
            finally:
                cur.close()
        return
    table = _arrow(table, columns)
    writer = duckdb.connect(config={"threads": 1})
    try:
        with registered(writer, "output_table", table):
            writer.execute(f"COPY (SELECT {selected} FROM output_table) {copy}")
    finally:
        writer.close()


def _arrow(table: pa.Table | pd.DataFrame, columns: Sequence[str]) -> pa.Table:
    """``columns`` of an Arrow table or a pandas frame, as an Arrow table."""
    import pandas as pd
    import pyarrow as pa

    if isinstance(table, pd.DataFrame):
        return pa.Table.from_pandas(table.loc[:, list(columns)], preserve_index=False)
    return table.select(list(columns))


def _write_query(query: Query, columns: Sequence[str], fmt: str, out: TextIO) -> None:
    """Write ``columns`` of the rows of ``query`` to ``out`` as ``fmt`` (see :func:`write`).

    Into a file descriptor (the process's standard output) DuckDB writes through a named
    pipe spliced on to it as it comes, with no temporary copy of the output on disk (a
    country's CSV is 1.4 GB); into anything else through a temporary file.
    """
    cells = CSV_CELLS if fmt == "csv" else JSON_CELLS
    descriptor = _descriptor(out)
    with tempfile.TemporaryDirectory(prefix="monitoring-out-") as directory:
        target = Path(directory) / f"out.{fmt}"
        with _threads_kept(query.db), query.db.snapshot() as db:
            cur = db.cursor()
            try:
                sql, params = query.prepare(cur, cells)
                selected = ", ".join(_identifier(c) for c in columns)
                # PRESERVE_ORDER: with parameters in the query, DuckDB 2.0 otherwise writes
                # the rows in the order its threads finish them. USE_TMP_FILE: the target
                # may be the pipe, which DuckDB would otherwise replace by a renamed file.
                copy = (
                    f"COPY (SELECT {selected} FROM ({sql})) TO '{_literal(str(target))}' "
                    f"({_options(fmt)}, PRESERVE_ORDER true, USE_TMP_FILE false)"
                )
                # One thread writes the prepared rows: in their order with no reordering
                # buffer (a country's 4.6 million rows held 1.4 GB more on two threads),
                # and no slower, since the work is formatting.
                cur.execute("SET threads = 1")
                if descriptor is None:
                    cur.execute(copy, params)
                else:
                    out.flush()
                    _through_pipe(target, descriptor, lambda: cur.execute(copy, params))
                    return
            finally:
                cur.close()
        empty = fmt == "json" and target.stat().st_size < 16
        if empty and target.read_text(encoding="utf-8").split() == ["[", "]"]:
            out.write(_EMPTY_ARRAY.decode())
            return
        _pass_on(target, out)


@contextmanager
def _threads_kept(db: Database) -> Iterator[None]:
    """DuckDB's thread count as it was before the block, once the block is over.

    Set outside the block's read transaction: when the block fails, that transaction
    refuses every statement until it is rolled back. Only the command line writes a
    :class:`Query`, so no other reader shares the setting meanwhile. A failed restore
    never hides the block's own error.
    """
    threads = int(db.scalar("SELECT current_setting('threads')"))
    restore = f"SET threads = {threads}"
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):
            _execute(db, restore)
        raise
    _execute(db, restore)


def _execute(db: Database, sql: str) -> None:
    cur = db.cursor()
    try:
        cur.execute(sql)
    finally:
        cur.close()


# DuckDB writes an empty JSON array over three lines; it is written as one, as before.
_EMPTY_ARRAY = b"[]\n"


def _through_pipe(path: Path, descriptor: int, write: Callable[[], object]) -> None:
    """Run ``write``, which writes a file at ``path``, with ``path`` a named pipe whose
    bytes are passed on to ``descriptor`` as they come (``splice``: no copy through Python)."""
    os.mkfifo(path, 0o600)
    reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    os.set_blocking(reader, True)
    # A writer of our own until ``write`` is done: the reader sees no end of the pipe
    # before DuckDB opens it, and sees one even when DuckDB fails before opening it.
    keeper = os.open(path, os.O_WRONLY)
    failed: list[BaseException] = []

    def pump() -> None:
        try:
            _pump(reader, descriptor)
        except BaseException as error:  # handed to the writing thread
            failed.append(error)
        finally:
            os.close(reader)  # a writer left blocked gets an error instead

    thread = threading.Thread(target=pump, name="output-pump")
    thread.start()
    try:
        write()
    except duckdb.Error:
        if not failed:
            raise
    finally:
        os.close(keeper)
        thread.join()
    if failed:
        raise failed[0]


def _pump(source: int, target: int) -> None:
    """Copy the pipe ``source`` to ``target`` until its end; the first bytes are read
    first, so that an empty JSON array is written as :data:`_EMPTY_ARRAY`."""
    head = b""
    while len(head) < 16 and (chunk := os.read(source, 16 - len(head))):
        head += chunk
    if len(head) < 16 and head.split() == [b"[", b"]"]:
        head = _EMPTY_ARRAY
    _write_all(target, head)
    spliced = True
    while True:
        if spliced:
            try:
                if os.splice(source, target, _CHUNK) == 0:
                    return
                continue
            except OSError as error:
                if error.errno != errno.EINVAL:
                    raise
                spliced = False  # a target splice cannot write to (a terminal)
        chunk = os.read(source, _CHUNK)
        if not chunk:
            return
        _write_all(target, chunk)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _descriptor(out: TextIO) -> int | None:
    """The file descriptor under ``out``, if it has one."""
    try:
        return out.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def _options(fmt: str) -> str:
    return "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT json, ARRAY true"


def _pass_on(path: Path, out: TextIO) -> None:
    """Copy the UTF-8 file at ``path`` to ``out``: byte for byte into the underlying file
    where there is one (the process's standard output), else as text."""
    out.flush()
    descriptor = _descriptor(out)
    with path.open("rb") as source:
        if descriptor is None:
            reader = io.TextIOWrapper(source, encoding="utf-8", newline="")
            shutil.copyfileobj(reader, out, _CHUNK)
            return
        size, sent = os.fstat(source.fileno()).st_size, 0
        try:
            while sent < size:
                sent += os.sendfile(descriptor, source.fileno(), sent, size - sent)
        except OSError as error:
            if sent or error.errno not in (errno.EINVAL, errno.ENOSYS):
                raise
            # A target sendfile cannot write to: the same bytes, a chunk at a time.
            while chunk := source.read(_CHUNK):
                _write_all(descriptor, chunk)


def _literal(text: str) -> str:
    """A path made by :mod:`tempfile` inside a SQL string literal (COPY takes no
    parameter for its target)."""
    return text.replace("'", "''")


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
