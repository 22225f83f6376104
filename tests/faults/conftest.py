"""The fault tests' scenario, built once: each test works on a copy of it."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from analytics.store.db import Database
from tests.faults import scenario
from tests.faults.invariants import signature


@dataclass(frozen=True)
class Whole:
    """An operation run whole on a copy of the scenario, in this process: the signatures
    before and after it, and how long it took."""

    before: dict[str, int]
    after: dict[str, int]
    seconds: float


@dataclass(frozen=True)
class Case:
    """An operation about to be faulted on a fresh copy of the scenario (``work``)."""

    operation: str
    work: Path
    whole: Whole

    @property
    def before(self) -> dict[str, int]:
        return self.whole.before

    @property
    def after(self) -> dict[str, int]:
        return self.whole.after


@pytest.fixture(scope="package")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("scenario")
    scenario.build(work)
    return work


@pytest.fixture(scope="package")
def wholes(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Whole]:
    """Each operation run whole once, on demand."""
    with Database(scenario.database(built)) as db:
        before = signature(db)
    found: dict[str, Whole] = {}

    def whole(operation: str) -> Whole:
        if operation not in found:
            work = tmp_path_factory.mktemp(f"whole-{operation}")
            shutil.copytree(built, work, dirs_exist_ok=True)
            started = time.monotonic()
            scenario.run(operation, work)
            seconds = time.monotonic() - started
            with Database(scenario.database(work)) as db:
                found[operation] = Whole(before, signature(db), seconds)
        return found[operation]

    return whole


@pytest.fixture
def case(built: Path, tmp_path: Path, wholes: Callable[[str], Whole]) -> Callable[[str], Case]:
    def make(operation: str) -> Case:
        work = tmp_path / operation
        shutil.copytree(built, work)
        return Case(operation, work, wholes(operation))

    return make
