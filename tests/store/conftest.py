"""Fixtures shared by the store's backup tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.store.db import Database
from tests.conftest import copy_of
from tests.store.test_backup import upload


@pytest.fixture(scope="session")
def live_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two uploads of :func:`live`, made once per test session."""
    path = tmp_path_factory.mktemp("live") / "monitoring.duckdb"
    with Database(path) as db:
        upload(db, ["СОШ № 1", "СОШ № 2"])
        upload(db, ["СОШ № 1"], file="замена.csv", teachers_total=50)
    return path


@pytest.fixture
def live(live_template: Path, tmp_path: Path) -> Path:
    """A working database of the test's own with two uploads: two schools, then one of
    them sent again."""
    return copy_of(live_template, tmp_path / "live")
