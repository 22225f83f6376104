"""The command line starts at once: its help, and every command's, imports no heavy library
and none of the engine's compute, documents, ingest or meetings modules; each
command imports what it needs when it runs (issue 27, item 3), and a table DuckDB writes
itself needs no pandas (item 2)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from analytics.cli.main import main
from tests.filemakers import FULL_COLUMNS, located_org, table, write_csv

ROOT = Path(__file__).resolve().parents[2]

# Libraries that take tens to hundreds of milliseconds to import; duckdb itself is the
# baseline the start is measured against and may be imported.
HEAVY = ("pandas", "numpy", "pyarrow", "openpyxl", "docx", "pptx", "plotly", "streamlit", "kaleido")
ENGINE = ("compute", "documents", "ingest", "meetings")

# Asks for the help of the program and of every command and action in one process, then
# lists what was imported; argparse ends each help with SystemExit.
_PROBE = f"""
import contextlib, io, json, sys
from analytics.cli.main import main
from analytics.cli.registry import COMMANDS

def helps():
    yield ["--help"]
    for command in COMMANDS:
        yield [command.name, "--help"]
        for action in command.actions:
            yield [command.name, action.name, "--help"]

for argv in helps():
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main(argv)
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))
engine = sorted(m for m in sys.modules if m.split(".")[:2][-1] in {ENGINE!r}
                and m.startswith("analytics."))
print(json.dumps([heavy, engine]))
"""


def _imported_by_help() -> tuple[list[str], list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    heavy, engine = json.loads(done.stdout)
    return heavy, engine


def test_the_help_of_every_command_imports_no_heavy_library_and_no_engine_stage_above_the_store():
    assert _imported_by_help() == ([], [])


# Writes the indicators of the database argv[1] as CSV (every level and period: the long
# rows go from DuckDB to the output), then lists the heavy libraries imported.
_TABLE_PROBE = f"""
import io, json, sys
from analytics.cli.main import main

out = io.StringIO()
assert main(["--db", sys.argv[1], "indicators", "--format", "csv"], out=out) == 0
assert out.getvalue().startswith("indicator,name,level,period,")
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))))
"""


def test_indicators_as_csv_import_neither_pandas_nor_numpy_nor_pyarrow(tmp_path):
    forms = [located_org("Школа 1", "г. Альфа"), located_org("Школа 2", "г. Бета")]
    path = write_csv(tmp_path / "формы.csv", table(forms, FULL_COLUMNS))
    db = tmp_path / "m.duckdb"
    assert main(["--db", str(db), "ingest", str(path)], out=io.StringIO()) == 0
    done = subprocess.run(
        [sys.executable, "-c", _TABLE_PROBE, str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == []
