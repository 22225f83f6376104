"""Tables written out by DuckDB itself: the command line's CSV and JSON.

A :class:`Query` (rows DuckDB produces on the database's own connection), or an Arrow
table or a pandas frame handed to a private DuckDB, is written with ``COPY … TO`` into a
private temporary file; the file is then passed to the output stream as it is. Text cells
that a spreadsheet would run as a formula get a leading apostrophe in SQL, as
:func:`analytics.documents.exports.defuse` does. So writing millions of rows costs what
DuckDB's own writer does, with no Python work per cell.

CSV: ``,``-separated, header row, ``\\n`` line ends, fields quoted only where needed,
empty for a missing value, booleans ``True``/``False`` (as pandas writes them). JSON: an
array of objects, one per row, keys in column order, ``null`` for a missing value.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import duckdb
import pandas as pd
import pyarrow as pa

from analytics.store.db import Database, registered

# Text cells starting with one of these are written as text, never run as a formula (in
# CSV with a leading apostrophe). Here rather than in :mod:`analytics.documents.exports`, which
# loads openpyxl: the command line writes CSV without it.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_CHUNK = 1 << 20
# The named parameter that holds FORMULA_PREFIXES in the SQL of CSV_CELLS.
_PREFIXES = "formula_prefixes"


def defused_sql(column: str) -> str:
    """SQL for the text column ``column`` (an identifier from code) with a leading
    apostrophe where it starts like a formula; the prefixes are the query's parameter 1."""
    return _defused(_identifier(column), "$1")


def _defused(expression: str, prefixes: str) -> str:
    text = f"CAST({expression} AS VARCHAR)"
    starts = f"list_contains({prefixes}, left({text}, 1))"
    return f"CASE WHEN {starts} THEN '''' || {text} ELSE {text} END"


@dataclass(frozen=True)
class Cells:
    """How a format spells cells, as SQL around an expression: ``text`` for a text cell,
    ``flag`` for a boolean one; that SQL may use the named parameters ``params``."""

    text: Callable[[str], str]
    flag: Callable[[str], str]
    params: dict[str, object]


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

# Given the writing cursor and the format's cells: runs what the rows need first
# (temporary tables, gone with the read transaction) and returns the SELECT of the rows,
# in the order they are written, with its named parameters.
Prepare = Callable[[duckdb.DuckDBPyConnection, Cells], tuple[str, dict[str, object]]]


@dataclass(frozen=True)
class Query:
    """Rows that DuckDB produces and writes on the database's own connection, in one read
    transaction: no table in Python, and DuckDB's writer runs in parallel in the order of
    the SELECT that ``prepare`` returns."""

    db: Database
    prepare: Prepare


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
    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table.loc[:, list(columns)], preserve_index=False)
    table = table.select(list(columns))
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


def _write_query(query: Query, columns: Sequence[str], fmt: str, out: TextIO) -> None:
    """Write ``columns`` of the rows of ``query`` to ``out`` as ``fmt`` (see :func:`write`)."""
    cells = CSV_CELLS if fmt == "csv" else JSON_CELLS
    with tempfile.TemporaryDirectory(prefix="monitoring-out-") as directory:
        target = Path(directory) / f"out.{fmt}"
        with query.db.snapshot() as db:
            cur = db.cursor()
            try:
                sql, params = query.prepare(cur, cells)
                selected = ", ".join(_identifier(c) for c in columns)
                # PRESERVE_ORDER: with parameters in the query, DuckDB 2.0 otherwise writes
                # the rows in the order its threads finish them.
                cur.execute(
                    f"COPY (SELECT {selected} FROM ({sql})) "
                    f"TO '{_literal(str(target))}' ({_options(fmt)}, PRESERVE_ORDER true)",
                    params,
                )
            finally:
                cur.close()
        empty = fmt == "json" and target.stat().st_size < 16
        if empty and target.read_text(encoding="utf-8").split() == ["[", "]"]:
            out.write("[]\n")  # DuckDB writes an empty array over three lines
            return
        _pass_on(target, out)


def _options(fmt: str) -> str:
    return "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT json, ARRAY true"


def _pass_on(path: Path, out: TextIO) -> None:
    """Copy the UTF-8 file at ``path`` to ``out``: byte for byte into the underlying file
    where there is one (the process's standard output), else as text."""
    out.flush()
    try:
        descriptor = out.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        descriptor = None
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
                view = memoryview(chunk)
                while view:
                    view = view[os.write(descriptor, view) :]


def _literal(text: str) -> str:
    """A path made by :mod:`tempfile` inside a SQL string literal (COPY takes no
    parameter for its target)."""
    return text.replace("'", "''")


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
