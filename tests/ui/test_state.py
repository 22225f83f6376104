"""The server's process state (``ui/state.py``)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

FROZEN_THEN_EXIT = """
import duckdb
from ui import state

connection = duckdb.connect()
holder = {"connection": connection}
holder["self"] = holder  # a cycle: only the collector frees it
del connection, holder
state.freeze_heap()
"""


def test_a_server_that_froze_its_heap_stops_without_a_leak_report():
    done = subprocess.run(
        [sys.executable, "-c", FROZEN_THEN_EXIT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0
    assert "leaked" not in done.stderr
