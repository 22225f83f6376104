"""The fault tests' scenario, built once: each test works on a copy of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analytics.store.db import Database
from tests.faults import scenario
from tests.faults.invariants import signature


@pytest.fixture(scope="package")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("scenario")
    scenario.build(work)
    return work


class Case:
    """An operation on a copy of the scenario, with the signatures before and after it
    ran whole (on another copy, in this process)."""

    def __init__(self, built: Path, tmp_path: Path, operation: str):
        self.operation = operation
        self.work = tmp_path / "work"
        shutil.copytree(built, self.work)
        whole = tmp_path / "whole"
        shutil.copytree(built, whole)
        with Database(scenario.database(self.work)) as db:
            self.before = signature(db)
        scenario.run(operation, whole)
        with Database(scenario.database(whole)) as db:
            self.after = signature(db)


@pytest.fixture
def case(built: Path, tmp_path: Path):
    return lambda operation: Case(built, tmp_path, operation)
