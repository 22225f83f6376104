"""Shared fixtures: a fresh database per test, the sample files, the demo database."""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics.ingest.load import ingest_file
from analytics.ingest.parse import Defaults
from analytics.store.db import Database

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))


def sample_defaults(file_name: str) -> Defaults:
    """The upload defaults the samples' expected.json gives for ``file_name``."""
    load = next(item for item in EXPECTED["load"] if item["file"] == file_name)
    args = load["args"]
    options = {
        name.removeprefix("--").replace("-", "_"): value
        for name, value in zip(args[::2], args[1::2], strict=True)
    }
    return Defaults(**options)


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database with the schema, created once per test session: copying its file
    costs a third of creating the schema again."""
    path = tmp_path_factory.mktemp("empty") / "monitoring.duckdb"
    Database(path).close()
    assert not path.with_name(path.name + ".wal").exists()
    return path


@pytest.fixture
def fresh_db(empty_template: Path, tmp_path: Path) -> Iterator[Database]:
    """An empty database of its own for each test."""
    path = tmp_path / "monitoring.duckdb"
    shutil.copy(empty_template, path)
    db = Database(path)
    yield db
    db.close()


def copy_of(template: Path, directory: Path) -> Path:
    """A copy of the folder of the database ``template`` (the file and its archived
    uploads) into ``directory``; the copy's path. A test that writes gets a database of its
    own for the price of a file copy, however long the template took to build."""
    shutil.copytree(template.parent, directory, dirs_exist_ok=True)
    return directory / template.name


@pytest.fixture(scope="session")
def samples_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both sample files loaded as expected.json says, once per test session."""
    path = tmp_path_factory.mktemp("samples") / "monitoring.duckdb"
    with Database(path) as db:
        for item in EXPECTED["load"]:
            ingest_file(db, DATA / item["file"], defaults=sample_defaults(item["file"]))
    return path


@pytest.fixture
def samples_db(samples_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A database of its own with both sample files loaded as expected.json says."""
    db = Database(copy_of(samples_template, tmp_path))
    yield db
    db.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once per test session; tests work on copies."""
    from analytics.operations.demo import build_demo

    directory = tmp_path_factory.mktemp("demo")
    with Database(directory / "monitoring.duckdb") as db:
        build_demo(db)
        db.set_meta("demo", 1)
    return directory / "monitoring.duckdb"


_snapshots = itertools.count()


def snapshot(path: Path, directory: Path) -> Database:
    """A copy of a database as it is now (with its write-ahead log), opened on its own:
    the dashboard under test keeps its connection to the original."""
    target = directory / f"snapshot_{next(_snapshots)}.duckdb"
    shutil.copy(path, target)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        shutil.copy(wal, target.with_name(target.name + ".wal"))
    return Database(target)


@pytest.fixture
def copy(demo_db_path: Path, tmp_path: Path) -> Iterator[Database]:
    """A copy of the demo database to compute a page's expected values on."""
    db = snapshot(demo_db_path, tmp_path)
    yield db
    db.close()


@pytest.fixture
def demo_db_path(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo database, set as MONITORING_DB for the dashboard."""
    target = tmp_path / "monitoring.duckdb"
    shutil.copy(demo_template, target)
    monkeypatch.setenv("MONITORING_DB", str(target))
    return target
