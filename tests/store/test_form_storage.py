"""How the form tables keep each form's cells as entered: compressed with ZSTD, in a new
database and in one migrated from the schema before."""

from __future__ import annotations

from pathlib import Path

from analytics.ingest.load import ingest_file
from analytics.store import db as db_module
from analytics.store.db import Database
from tests.conftest import DATA, sample_defaults

GLAZOV = "glazov_2023.xlsx"
FORM_TABLES = ("form_values", "form_history")


def entered_definitions(db: Database) -> dict[str, str]:
    """The ``entered`` column's part of each form table's definition."""
    frame = db.query(
        "SELECT table_name, sql FROM duckdb_tables() WHERE table_name IN ('form_values', "
        "'form_history') AND database_name = current_database()"
    )
    return {
        table: next(part.strip() for part in sql.split(",") if part.strip().startswith("entered"))
        for table, sql in zip(frame["table_name"], frame["sql"], strict=True)
    }


def entered_migration() -> int:
    """The position of the migration that compresses the cells as entered."""
    return db_module.MIGRATIONS.index(db_module._migration_entered())


def database_before_entered(path: Path, monkeypatch, uploads: int) -> dict[str, list[tuple]]:
    """A database at the schema before :func:`entered_migration`, holding the forms of
    ``uploads`` uploads of the Глазов sample (the second moves the first one's forms to
    the history); returns its stored forms. Today's loader writes tables of later
    migrations, so the forms are loaded into a current database and copied over."""
    source = path.with_name("source.duckdb")
    with Database(source) as current:
        for _ in range(uploads):
            ingest_file(current, DATA / GLAZOV, defaults=sample_defaults(GLAZOV))
    before = db_module.MIGRATIONS[: entered_migration()]
    monkeypatch.setattr(db_module, "MIGRATIONS", before)
    monkeypatch.setattr(db_module, "SCHEMA_VERSION", len(before))
    with Database(path) as old:
        cur = old.cursor()
        cur.execute("ATTACH ? AS source (READ_ONLY)", [str(source)])
        for table in FORM_TABLES:
            cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM source.{table}")
        cur.execute("DETACH source")
        cur.close()
        kept = {table: stored_forms(old, table) for table in FORM_TABLES}
    monkeypatch.undo()
    return kept


def stored_forms(db: Database, table: str) -> list[tuple]:
    return [
        tuple(row)
        for row in db.query(f"SELECT * FROM {table} ORDER BY ALL").itertuples(index=False)
    ]


def test_a_new_database_keeps_the_cells_as_entered_compressed_with_zstd(tmp_path):
    with Database(tmp_path / "m.duckdb") as db:
        assert entered_definitions(db) == {
            "form_values": "entered VARCHAR USING COMPRESSION ZSTD",
            "form_history": "entered VARCHAR USING COMPRESSION ZSTD",
        }


def test_migrating_a_database_of_the_schema_before_keeps_every_form_and_its_history(
    tmp_path, monkeypatch
):
    path = tmp_path / "m.duckdb"
    kept = database_before_entered(path, monkeypatch, uploads=2)
    with Database(path) as db:
        assert entered_definitions(db)["form_values"] == "entered VARCHAR USING COMPRESSION ZSTD"
        assert {table: stored_forms(db, table) for table in FORM_TABLES} == kept
        assert len(kept["form_values"]) == len(kept["form_history"]) == 30


def test_a_migrated_form_table_keeps_its_key_on_organisation_and_period(tmp_path, monkeypatch):
    path = tmp_path / "m.duckdb"
    database_before_entered(path, monkeypatch, uploads=1)
    with Database(path) as db:
        keys = db.query(
            "SELECT constraint_text FROM duckdb_constraints() WHERE table_name = 'form_values' "
            "AND constraint_type = 'PRIMARY KEY'"
        )
        assert keys["constraint_text"].tolist() == ["PRIMARY KEY(org_id, period)"]
