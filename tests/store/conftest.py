"""Fixtures shared by the store's backup tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.store.db import Database
from tests.store.test_backup import upload


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """A working database with two uploads: two schools, then one of them sent again."""
    path = tmp_path / "live" / "monitoring.duckdb"
    with Database(path) as db:
        upload(db, ["СОШ № 1", "СОШ № 2"])
        upload(db, ["СОШ № 1"], file="замена.csv", teachers_total=50)
    return path
