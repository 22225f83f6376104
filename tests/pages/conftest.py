"""Fixtures the page tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.store.db import Database
from tests.registerfiles import load_registers


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with the fixture's forms and registers, set as the dashboard's."""
    path = tmp_path / "monitoring.duckdb"
    with Database(path) as db:
        load_registers(db)
    monkeypatch.setenv("MONITORING_DB", str(path))
    return path
