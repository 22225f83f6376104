"""The command line starts at once: its help, and every command's, imports no heavy library
and none of the engine's compute, documents, ingest or meetings modules; each
command imports what it needs when it runs (issue 27, item 3)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
