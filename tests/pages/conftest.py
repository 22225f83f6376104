"""Fixtures the page tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.store.db import Database
from tests.conftest import copy_of
from tests.registerfiles import load_registers


@pytest.fixture(scope="session")
def registers_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture's forms and registers loaded once per test session."""
    path = tmp_path_factory.mktemp("registers") / "monitoring.duckdb"
    with Database(path) as db:
        load_registers(db)
    return path


@pytest.fixture
def app_db(registers_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database of its own with the fixture's forms and registers, set as the
    dashboard's."""
    path = copy_of(registers_template, tmp_path)
    monkeypatch.setenv("MONITORING_DB", str(path))
    return path
