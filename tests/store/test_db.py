"""The store: schema versions, migrations, transactions and the data version."""

import pytest

from analytics.ingest.load import ingest_file
from analytics.store import db as db_module
from analytics.store.db import SCHEMA_VERSION, Database, DatabaseBusy
from tests.conftest import DATA, sample_defaults
from tests.processes import held


def test_a_new_database_records_the_current_schema_version(tmp_path):
    with Database(tmp_path / "m.duckdb") as db:
        assert db.schema_version() == SCHEMA_VERSION


def test_reopening_a_database_applies_no_migration_twice(tmp_path):
    Database(tmp_path / "m.duckdb").close()
    with Database(tmp_path / "m.duckdb") as db:
        versions = db.query("SELECT version FROM schema_version ORDER BY version")
        assert versions["version"].tolist() == list(range(1, SCHEMA_VERSION + 1))


def test_a_database_made_by_an_older_release_is_migrated_and_keeps_its_data(tmp_path, monkeypatch):
    path = tmp_path / "m.duckdb"
    with Database(path) as old:
        ingest_file(old, DATA / "glazov_2023.xlsx", defaults=sample_defaults("glazov_2023.xlsx"))
    newer = (*db_module.MIGRATIONS, ["ALTER TABLE organizations ADD COLUMN note VARCHAR"])
    monkeypatch.setattr(db_module, "MIGRATIONS", newer)
    monkeypatch.setattr(db_module, "SCHEMA_VERSION", len(newer))
    with Database(path) as db:
        assert db.schema_version() == SCHEMA_VERSION + 1
        assert db.scalar("SELECT count(*) FROM organizations WHERE note IS NULL") == 30


def test_a_failed_transaction_leaves_the_data_and_its_version_unchanged(fresh_db):
    before = fresh_db.data_version()
    with pytest.raises(RuntimeError), fresh_db.transaction() as cur:
        cur.execute("INSERT INTO periods VALUES ('2030', 2030, false)")
        raise RuntimeError("сбой посреди записи")
    assert fresh_db.scalar("SELECT count(*) FROM periods") == 0
    assert fresh_db.data_version() == before


def test_every_committed_write_bumps_the_data_version(fresh_db):
    before = fresh_db.data_version()
    with fresh_db.transaction() as cur:
        cur.execute("INSERT INTO periods VALUES ('2030', 2030, false)")
    assert fresh_db.data_version() == before + 1


def test_a_database_held_by_another_process_is_reported_in_russian(tmp_path):
    path = tmp_path / "m.duckdb"
    Database(path).close()
    with held(path), pytest.raises(DatabaseBusy, match="занята другим процессом"):
        Database(path)
