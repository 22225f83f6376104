"""Tables written by DuckDB: the command line's CSV and JSON (analytics.documents.outputs)."""

import csv
import io
import json

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from analytics.compute.indicator_sql import OUTPUT_COLUMNS, output_table
from analytics.compute.indicators import compute, deficits
from analytics.compute.targets import set_target
from analytics.documents import outputs
from analytics.documents.exports import defuse
from analytics.model.levels import Level
from analytics.store.scope import Scope

NAMES = ["=СУММ(A1)", "+7 школа", "-1", "@школа", "\tтаб", "\rвозврат", "Школа = 1", "'уже", ""]


def written(table, columns, fmt: str) -> str:
    out = io.StringIO()
    outputs.write(table, columns, fmt, out)
    return out.getvalue()


def pandas_csv(frame: pd.DataFrame) -> str:
    """The CSV the command line wrote before, cell by cell in Python."""
    frame = frame.loc[:, list(OUTPUT_COLUMNS)]
    text = frame.select_dtypes(include=["object", "string"]).columns
    frame = frame.assign(**{c: frame[c].map(defuse) for c in text})
    return frame.to_csv(index=False, lineterminator="\n")


def test_a_csv_text_cell_that_starts_like_a_formula_gets_an_apostrophe_as_defuse_gives():
    frame = pd.DataFrame({"name": NAMES, "n": range(len(NAMES))})
    rows = list(csv.reader(io.StringIO(written(frame, ["name", "n"], "csv"))))
    assert rows[0] == ["name", "n"]
    assert [row[0] for row in rows[1:]] == [defuse(name) for name in NAMES]


def test_json_keeps_texts_as_they_are_and_missing_values_as_null():
    frame = pd.DataFrame({"name": ["=1", None], "value": [1.5, float("nan")]})
    assert json.loads(written(frame, ["name", "value"], "json")) == [
        {"name": "=1", "value": 1.5},
        {"name": None, "value": None},
    ]


def test_the_indicators_csv_has_the_same_cells_as_the_frame_written_by_pandas(samples_db):
    expected = list(csv.reader(io.StringIO(pandas_csv(compute(samples_db)))))
    got = written(output_table(samples_db), OUTPUT_COLUMNS, "csv")
    assert list(csv.reader(io.StringIO(got))) == expected


def test_the_deficits_csv_has_the_same_rows_in_the_same_order_as_deficits_of_the_frame(
    samples_db,
):
    scope = Scope(periods=("2022/2023",))
    expected = list(csv.reader(io.StringIO(pandas_csv(deficits(compute(samples_db, scope))))))
    table = output_table(samples_db, scope, only_deficits=True)
    got = list(csv.reader(io.StringIO(written(table, OUTPUT_COLUMNS, "csv"))))
    assert len(got) > 1
    assert got == expected


def test_an_empty_text_is_an_empty_csv_field_as_pandas_wrote_it():
    frame = pd.DataFrame({"value": ["", None, "x"], "n": [1, 2, 3]})
    assert written(frame, ["value", "n"], "csv") == "value,n\n,1\n,2\nx,3\n"


def test_rows_are_written_in_the_order_of_the_table_however_it_is_chunked():
    # DuckDB scans the chunks in parallel; without an explicit order it writes them in
    # the order its threads finish (often, not always: many chunks make it likely).
    n = 200_000
    frame = pd.DataFrame({"n": range(n, 0, -1), "text": [f"школа {i}" for i in range(n)]})
    table = pa.concat_tables(
        pa.Table.from_pandas(frame.iloc[start : start + 1000], preserve_index=False)
        for start in range(0, n, 1000)
    )
    rows = list(csv.reader(io.StringIO(written(table, ["n", "text"], "csv"))))
    assert [int(row[0]) for row in rows[1:]] == list(range(n, 0, -1))


def test_the_indicators_csv_takes_stored_targets_as_the_frame_does(samples_db):
    glazov = samples_db.scalar(
        "SELECT municipality_id FROM municipalities WHERE name = 'г. Глазов'"
    )
    region = samples_db.scalar(
        "SELECT region_id FROM municipalities WHERE municipality_id = ?", [glazov]
    )
    set_target(samples_db, "regulation", 40)
    set_target(samples_db, "regulation", 70, period="2023")
    set_target(samples_db, "curator", 30, level=Level.REGION, territory_id=region)
    set_target(samples_db, "curator", 95, "2023", level=Level.MUNICIPALITY, territory_id=glazov)
    scope = Scope(region_id=region)
    expected = list(csv.reader(io.StringIO(pandas_csv(compute(samples_db, scope)))))
    got = list(
        csv.reader(io.StringIO(written(output_table(samples_db, scope), OUTPUT_COLUMNS, "csv")))
    )
    targets = {(row[0], row[2], row[3], row[13]) for row in got[1:] if row[0] == "curator"}
    assert ("curator", "municipality", "2023", "95.0") in targets
    assert ("curator", "region", "2023", "30.0") in targets
    assert got == expected


def test_the_indicators_json_has_the_values_of_the_frame(samples_db):
    frame = compute(samples_db).loc[:, list(OUTPUT_COLUMNS)]
    expected = json.loads(written(frame, OUTPUT_COLUMNS, "json"))
    got = json.loads(written(output_table(samples_db), OUTPUT_COLUMNS, "json"))
    assert got == expected


def test_a_scope_without_indicators_writes_the_header_in_csv_and_an_empty_array_in_json(
    samples_db,
):
    table = output_table(samples_db, Scope(indicators=()))
    assert written(table, OUTPUT_COLUMNS, "csv") == ",".join(OUTPUT_COLUMNS) + "\n"
    assert written(table, OUTPUT_COLUMNS, "json") == "[]\n"


def test_a_query_with_parameters_is_written_in_the_order_of_its_select(fresh_db):
    # DuckDB 2.0 wrote such a query in its threads' order once it spanned row groups.
    def prepare(cur, cells):
        cur.execute("CREATE TEMP TABLE numbers AS SELECT range AS n FROM range(300000)")
        sql = f"SELECT n, {cells.text('$label || n')} AS text FROM numbers"
        return sql, {**cells.params, "label": "школа "}

    text = written(outputs.Query(fresh_db, prepare), ["n", "text"], "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert [int(row[0]) for row in rows[1:]] == list(range(300000))
    assert rows[2] == ["1", "школа 1"]


def test_writing_a_query_leaves_duckdbs_threads_as_they_were_even_when_it_fails(fresh_db):
    # The rows are written on one thread; the reads after it run on all of them again.
    cur = fresh_db.cursor()
    try:
        cur.execute("SET threads = 3")
    finally:
        cur.close()

    def prepare(cur, cells):
        return "SELECT CAST('не число' AS INTEGER) AS n", {}

    with pytest.raises(duckdb.ConversionException):
        written(outputs.Query(fresh_db, prepare), ["n"], "csv")
    written(outputs.Query(fresh_db, lambda cur, cells: ("SELECT 1 AS n", {})), ["n"], "csv")
    cur = fresh_db.cursor()
    try:
        assert cur.execute("SELECT current_setting('threads')").fetchall() == [(3,)]
    finally:
        cur.close()
