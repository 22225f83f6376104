"""The meetings' and rounds' shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics.store.db import Database
from tests.conftest import copy_of
from tests.roundfiles import load_registry, open_city_round


@pytest.fixture(scope="session")
def city_template(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, int], int]:
    """The registry loaded and the city's round opened once per test session: (database,
    org ids, round id)."""
    path = tmp_path_factory.mktemp("city") / "monitoring.duckdb"
    with Database(path) as db:
        orgs = load_registry(db)
        round_id = open_city_round(db)
    return path, orgs, round_id


@pytest.fixture
def city(
    city_template: tuple[Path, dict[str, int], int], tmp_path: Path
) -> Iterator[tuple[Database, dict[str, int], int]]:
    """The registry loaded and the city's round open, in a database of the test's own:
    (database, org ids, round id)."""
    template, orgs, round_id = city_template
    db = Database(copy_of(template, tmp_path))
    yield db, dict(orgs), round_id
    db.close()
