"""The meetings' and rounds' shared fixtures."""

from __future__ import annotations

import pytest

from analytics.store.db import Database
from tests.roundfiles import load_registry, open_city_round


@pytest.fixture
def city(fresh_db: Database) -> tuple[Database, dict[str, int], int]:
    """The registry loaded and the city's round open: (database, org ids, round id)."""
    orgs = load_registry(fresh_db)
    return fresh_db, orgs, open_city_round(fresh_db)
