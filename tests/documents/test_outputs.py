"""Tables written by DuckDB: the command line's CSV and JSON (analytics.documents.outputs)."""

import csv
import io
import json

import pandas as pd
import pyarrow as pa

from analytics.compute.indicators import OUTPUT_COLUMNS, Scope, compute, deficits, output_table
from analytics.documents import outputs
from analytics.documents.exports import defuse

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
