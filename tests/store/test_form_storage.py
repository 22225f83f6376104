"""How the form tables keep each form's cells as entered: compressed with ZSTD, in a new
database and in one migrated from the schema before."""

from __future__ import annotations

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


def before_zstd() -> tuple:
    """The migrations before the one that compressed ``entered`` (later ones follow it)."""
    zstd = next(
        i for i, m in enumerate(db_module.MIGRATIONS) if any("form_values_zstd" in s for s in m)
    )
    return db_module.MIGRATIONS[:zstd]


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
    before = before_zstd()
    monkeypatch.setattr(db_module, "MIGRATIONS", before)
    monkeypatch.setattr(db_module, "SCHEMA_VERSION", len(before))
    with Database(path) as old:
        for _ in range(2):  # the second upload moves the first one's forms to the history
            ingest_file(old, DATA / GLAZOV, defaults=sample_defaults(GLAZOV))
        kept = {table: stored_forms(old, table) for table in FORM_TABLES}
    monkeypatch.undo()
    with Database(path) as db:
        assert entered_definitions(db)["form_values"] == "entered VARCHAR USING COMPRESSION ZSTD"
        assert {table: stored_forms(db, table) for table in FORM_TABLES} == kept
        assert len(kept["form_values"]) == len(kept["form_history"]) == 30


def test_a_migrated_form_table_keeps_its_key_on_organisation_and_period(tmp_path, monkeypatch):
    path = tmp_path / "m.duckdb"
    before = before_zstd()
    monkeypatch.setattr(db_module, "MIGRATIONS", before)
    monkeypatch.setattr(db_module, "SCHEMA_VERSION", len(before))
    with Database(path) as old:
        ingest_file(old, DATA / GLAZOV, defaults=sample_defaults(GLAZOV))
    monkeypatch.undo()
    with Database(path) as db:
        keys = db.query(
            "SELECT constraint_text FROM duckdb_constraints() WHERE table_name = 'form_values' "
            "AND constraint_type = 'PRIMARY KEY'"
        )
        assert keys["constraint_text"].tolist() == ["PRIMARY KEY(org_id, period)"]
