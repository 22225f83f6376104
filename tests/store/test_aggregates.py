"""``org_values``, the derived per-form numerators and denominators: refreshed inside
every upload and rollback so that it always equals what the forms give from scratch,
and backfilled by its migration for a database made before it existed."""

from __future__ import annotations

import pandas as pd

from analytics.compute.indicators import compute
from analytics.ingest.load import ingest_bytes, rollback
from analytics.model.contract import FormKind
from analytics.store import aggregates
from analytics.store.db import MIGRATIONS, Database
from tests.filemakers import FULL_COLUMNS, csv_bytes, located_org, table, xlsx_bytes

# The one municipality of these tests.
TOWN = "г. Альфа"


def form(*orgs: dict[str, object]) -> bytes:
    return csv_bytes(table(orgs, FULL_COLUMNS))


def stored(db: Database) -> pd.DataFrame:
    columns = ", ".join(("org_id", "period", *aggregates.value_columns()))
    return db.query(f"SELECT {columns} FROM org_values ORDER BY org_id, period")


def from_scratch(db: Database) -> pd.DataFrame:
    """The table as the migration computes it from the stored forms."""
    cur = db.cursor()
    try:
        cur.execute("CREATE TEMP TABLE scratch AS " + aggregates.migration()[0].split(" AS ", 1)[1])
        columns = ", ".join(("org_id", "period", *aggregates.value_columns()))
        return cur.execute(f"SELECT {columns} FROM scratch ORDER BY org_id, period").df()
    finally:
        cur.execute("DROP TABLE IF EXISTS scratch")
        cur.close()


def test_an_upload_stores_one_derived_row_per_form(fresh_db):
    ingest_bytes(
        fresh_db, "формы.csv", form(located_org("Школа 1", TOWN), located_org("Школа 2", TOWN))
    )
    assert len(stored(fresh_db)) == 2
    pd.testing.assert_frame_equal(stored(fresh_db), from_scratch(fresh_db))


def test_a_replacing_upload_leaves_the_derived_rows_of_the_new_values(fresh_db):
    ingest_bytes(fresh_db, "формы.csv", form(located_org("Школа 1", TOWN, mentors=10, mentees=20)))
    ingest_bytes(fresh_db, "формы2.csv", form(located_org("Школа 1", TOWN, mentors=4, mentees=6)))
    rows = stored(fresh_db)
    assert rows[["n_mentor_load", "d_mentor_load"]].values.tolist() == [[6, 4]]
    pd.testing.assert_frame_equal(rows, from_scratch(fresh_db))


def test_a_rollback_restores_the_derived_rows_of_the_values_it_restores(fresh_db):
    ingest_bytes(fresh_db, "формы.csv", form(located_org("Школа 1", TOWN, mentors=10, mentees=20)))
    second = ingest_bytes(
        fresh_db,
        "формы2.csv",
        form(located_org("Школа 1", TOWN, mentors=4, mentees=6), located_org("Школа 2", TOWN)),
    )
    rollback(fresh_db, second.upload_id)
    rows = stored(fresh_db)
    assert rows[["n_mentor_load", "d_mentor_load"]].values.tolist() == [[20, 10]]
    pd.testing.assert_frame_equal(rows, from_scratch(fresh_db))


def test_a_registry_upload_leaves_the_derived_rows_alone(fresh_db):
    ingest_bytes(fresh_db, "формы.csv", form(located_org("Школа 1", TOWN)))
    before = stored(fresh_db)
    registry = csv_bytes(
        table(
            [located_org("Школа 1", TOWN), located_org("Школа 2", TOWN)],
            ["region", "municipality", "org_name", "org_type"],
        )
    )
    ingest_bytes(fresh_db, "реестр.csv", registry, FormKind.REGISTRY)
    pd.testing.assert_frame_equal(stored(fresh_db), before)


def test_the_migration_backfills_a_database_made_before_the_table(fresh_db):
    ingest_bytes(
        fresh_db,
        "формы.csv",
        form(located_org("Школа 1", TOWN), located_org("Школа 2", TOWN, "2022/2023")),
    )
    expected = compute(fresh_db)
    with fresh_db.transaction() as cur:
        cur.execute("DROP TABLE org_values")
        for statement in aggregates.migration():
            cur.execute(statement)
    assert len(stored(fresh_db)) == 2
    pd.testing.assert_frame_equal(compute(fresh_db), expected)


def test_the_aggregates_migration_is_one_of_the_schema_migrations():
    assert aggregates.migration() in [list(m) for m in MIGRATIONS]


def derived(db: Database, *columns: str) -> list[tuple[object, ...]]:
    """``columns`` of every derived row, as Python values, by organisation."""
    cur = db.cursor()
    try:
        return cur.execute(
            f"SELECT {', '.join(columns)} FROM org_values o JOIN organizations g USING (org_id) "
            "ORDER BY g.name"
        ).fetchall()
    finally:
        cur.close()


def test_derived_rows_of_blank_zero_and_no_answers_are_those_of_the_stored_forms(fresh_db):
    sheet = table(
        [
            located_org("Школа 1", TOWN, teachers_total=None, has_mentee_db="нет"),
            located_org("Школа 2", TOWN, teachers_total=0, mentors=3, mentees=9),
            located_org("Школа 3", TOWN, satisfaction_pct=0.545, has_mentor_db=None),
        ],
        FULL_COLUMNS,
    )
    ingest_bytes(fresh_db, "формы.xlsx", xlsx_bytes({"Формы": sheet}))
    columns = ("n_teachers_involved", "d_teachers_involved", "n_databases", "d_databases")
    assert derived(fresh_db, *columns) == [(None, None, 0, 1), (12, 0, 1, 1), (11, 40, None, None)]
    assert derived(fresh_db, "n_satisfaction", "d_satisfaction")[2] == (599.5, 11)
    pd.testing.assert_frame_equal(stored(fresh_db), from_scratch(fresh_db))
