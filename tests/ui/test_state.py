"""The server's process state (``ui/state.py``)."""

from __future__ import annotations

import subprocess
import sys

from analytics.model.levels import Level
from analytics.operations.access import Principal, Role
from analytics.store.scope import Scope
from tests.conftest import ROOT
from ui import state

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


def test_a_principal_is_one_cache_key_whatever_the_order_its_organisations_came_in():
    one = Principal("curator", Role.CURATOR, frozenset(range(40)))
    other = Principal("curator", Role.CURATOR, frozenset(reversed(range(40))))

    assert state.dataclass_key(one) == state.dataclass_key(other)


def test_scopes_that_differ_in_one_field_are_different_cache_keys():
    municipality = Scope(periods=("2023/2024",), levels=(Level.TOTAL,), municipality_id=7)
    district = Scope(periods=("2023/2024",), levels=(Level.TOTAL,), district_id=7)

    assert state.dataclass_key(municipality) != state.dataclass_key(district)
