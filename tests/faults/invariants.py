"""What must hold after a process is killed at any moment of any writing operation.

1. The database opens for writing (which runs the start-up sweep).
2. All or nothing: the row count of every table, and the data version, equal either
   those before the operation or those after it ran whole — all of them the one or the
   other.
3. Forms ↔ uploads: every row of the forms, the registry and the person bases, and every
   round submission, belongs to an upload that is in effect (not rolled back).
4. Derived ↔ recomputation: ``org_values`` equals its recomputation from the stored forms.
5. Audit ↔ uploads: one «upload» entry per upload and one «rollback» entry per
   rolled-back upload, and none for an upload that does not exist.
6. No orphan files: the uploads folder holds exactly the archived files of the uploads
   that own one (every upload whose person bases were not deleted), each of them
   present; nothing else is left beside the database or in the folders of backups and
   snapshots (no temporary, no half-written copy).
"""

from __future__ import annotations

from pathlib import Path

from analytics.store import aggregates, backup
from analytics.store.archive import archive_path
from analytics.store.db import Database

# The folders beside the database where an operation writes files of its own.
OUTPUT_FOLDERS = ("backups", "snapshots")


def signature(db: Database) -> dict[str, int]:
    """The row count of every table and the data version."""
    tables = db.query(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' ORDER BY 1"
    )["table_name"].tolist()
    found = {t: int(db.scalar(f"SELECT count(*) FROM {t}")) for t in tables}
    found["data_version"] = db.data_version()
    return found


def orphans(db: Database, work: Path) -> list[str]:
    """Every file that breaks invariant 6, as a sentence."""
    wrong = []
    owned = {
        archive_path(db.uploads_dir, sha, name).name
        for sha, name in db.query(
            "SELECT sha256, file_name FROM uploads WHERE purged_at IS NULL"
        ).itertuples(index=False)
    }
    present = {p.name for p in db.uploads_dir.iterdir()} if db.uploads_dir.exists() else set()
    wrong += [f"uploads/{name}: no upload owns it" for name in sorted(present - owned)]
    wrong += [f"uploads/{name}: its upload's file is missing" for name in sorted(owned - present)]
    # A restore's safety copy of the database it replaced is kept on purpose.
    expected = {db.path.name, db.path.name + ".wal", db.uploads_dir.name, backup.SAFETY_FOLDER}
    wrong += [
        f"{p.name}: left beside the database"
        for p in sorted(db.path.parent.iterdir())
        if p.name not in expected
    ]
    for folder in OUTPUT_FOLDERS:
        if (work / folder).is_dir():
            wrong += [
                f"{folder}/{p.name}: a temporary left behind"
                for p in sorted((work / folder).iterdir())
                if p.name.startswith(".")
            ]
    return wrong


def broken(db: Database, work: Path, before: dict, after: dict) -> list[str]:
    """Every invariant of this module that ``db`` breaks (empty when all hold), as
    sentences; ``before`` and ``after`` are the signatures around the operation.
    Invariant 4 is checked last, by rebuilding ``org_values`` in ``db`` (a copy)."""
    wrong = []
    found = signature(db)
    if found not in (before, after):
        changed = {k: (before.get(k), after.get(k), v) for k, v in found.items()}
        wrong.append(f"neither before nor after (before, after, found): {changed}")
    for table in ("form_values", "registry", "mentors", "mentees", "round_submissions"):
        stray = db.scalar(
            f"SELECT count(*) FROM {table} WHERE upload_id NOT IN "
            "(SELECT upload_id FROM uploads WHERE rolled_back_at IS NULL)"
        )
        if stray:
            wrong.append(f"{table}: {stray} rows of no upload in effect")
    for action, condition in (("upload", "TRUE"), ("rollback", "rolled_back_at IS NOT NULL")):
        logged = db.query(
            "SELECT object FROM audit_log WHERE action = ? ORDER BY object", [action]
        )["object"].tolist()
        uploads = db.query(
            f"SELECT 'upload:' || upload_id AS object FROM uploads WHERE {condition} "
            "ORDER BY object"
        )["object"].tolist()
        if logged != uploads:
            wrong.append(f"audit «{action}» {logged} ≠ uploads {uploads}")
    wrong += orphans(db, work)
    wrong += _derived_differs(db)
    return wrong


def _derived_differs(db: Database) -> list[str]:
    columns = ", ".join(["org_id", "period", *aggregates.value_columns()])
    with db.transaction() as cur:
        cur.execute(f"CREATE TABLE stored_values AS SELECT {columns} FROM org_values")
        aggregates.rebuild(cur)
    differ = db.scalar(
        f"SELECT (SELECT count(*) FROM (SELECT {columns} FROM stored_values EXCEPT ALL "
        f"SELECT {columns} FROM org_values)) + (SELECT count(*) FROM (SELECT {columns} "
        f"FROM org_values EXCEPT ALL SELECT {columns} FROM stored_values))"
    )
    return [f"org_values: {differ} rows differ from the recomputation"] if differ else []
